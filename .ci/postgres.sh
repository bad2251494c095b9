#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster on 127.0.0.1:$PGPORT and prints its URL. Usage: .ci/postgres.sh start|stop DIR
set -euo pipefail
action=$1
dir=$2
# A free port unless PGPORT says which: another cluster may already hold the usual one.
port=${PGPORT:-$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}
bin=/usr/lib/postgresql/15/bin
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$action" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    run "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync >/dev/null
    run "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start \
      -o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c max_connections=300" >/dev/null
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    run "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    ;;
esac
