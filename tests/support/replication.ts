import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * The deployment of the README's "Deployment" section, made for a test: a PostgreSQL 15 primary and a streaming
 * standby made from it with `pg_basebackup -R`, and HAProxy in front of app processes. Each step is the command the
 * README gives. Servers listen on loopback only, on free ports.
 */

const PG_BIN = '/usr/lib/postgresql/15/bin';
const HAPROXY = '/usr/sbin/haproxy';
export const HAS_REPLICATION_TOOLS = existsSync(join(PG_BIN, 'pg_basebackup')) && existsSync(HAPROXY);

const exec = promisify(execFile);
const asRoot = process.getuid?.() === 0;
/** initdb and pg_ctl refuse to run as root: they run as the postgres user, as a service would. */
const pg = (tool: string, args: string[]) => (asRoot ? exec('runuser', ['-u', 'postgres', '--', join(PG_BIN, tool), ...args]) : exec(join(PG_BIN, tool), args));

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Replication {
  /** postgres:// URLs of the app's database on each server. */
  primaryUrl: string;
  standbyUrl: string;
  stopStandby(): Promise<void>;
  startStandby(): Promise<void>;
  /** The standby's server log, to show when a test fails. */
  standbyLog(): Promise<string>;
  stop(): Promise<void>;
}

/** A primary with the app's database, and a hot standby streaming from it, in a new folder that `stop` removes. */
export async function primaryAndStandby(database = 'pump_pathway'): Promise<Replication> {
  const dir = await mkdtemp(join(tmpdir(), 'pp-replication-'));
  if (asRoot) await exec('chown', ['postgres:postgres', dir]);
  const [primaryPort, standbyPort] = [await freePort(), await freePort()];
  const primary = join(dir, 'primary');
  const standby = join(dir, 'standby');
  const start = (data: string) => pg('pg_ctl', ['-D', data, '-l', `${data}.log`, '-w', 'start']);
  const stop = (data: string) => pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);

  await pg('initdb', ['-D', primary, '-U', 'postgres', '-A', 'trust', '--no-sync']);
  await appendFile(
    join(primary, 'postgresql.conf'),
    [`listen_addresses = '127.0.0.1'`, `port = ${primaryPort}`, `unix_socket_directories = '${dir}'`, 'wal_level = replica', 'max_wal_senders = 5', 'hot_standby = on', ''].join('\n'),
  );
  await appendFile(join(primary, 'pg_hba.conf'), 'host replication postgres 127.0.0.1/32 trust\n');
  await start(primary);
  await pg('createdb', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', database]);

  // The standby: a copy of the primary that follows it (-R writes standby.signal and primary_conninfo).
  await pg('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', standby, '-R', '-X', 'stream', '--checkpoint=fast', '--no-sync']);
  await appendFile(join(standby, 'postgresql.conf'), `port = ${standbyPort}\n`);
  await start(standby);

  const url = (port: number) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    primaryUrl: url(primaryPort),
    standbyUrl: url(standbyPort),
    stopStandby: async () => void (await stop(standby)),
    startStandby: async () => void (await start(standby)),
    standbyLog: () => readFile(`${standby}.log`, 'utf8'),
    stop: async () => {
      await stop(standby).catch(() => {});
      await stop(primary).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Haproxy {
  url: string;
  stop(): Promise<void>;
}

/** HAProxy in front of the app processes, with the README's configuration; it checks each one's /api/health. */
export async function haproxyInFront(dir: string, appUrls: string[]): Promise<Haproxy> {
  const port = await freePort();
  const config = join(dir, 'haproxy.cfg');
  await writeFile(config, haproxyConfig(`127.0.0.1:${port}`, appUrls.map((u) => new URL(u).host)));
  const child: ChildProcess = spawn(HAPROXY, ['-f', config, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr!.on('data', (d) => (errors += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${errors}`);
    const up = await fetch(`${url}/api/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`haproxy did not start: ${errors}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The README's haproxy.cfg (section "Deployment"), with the addresses filled in. */
export function haproxyConfig(bind: string, servers: string[]): string {
  return `global
  maxconn 2000

defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  # A request that cannot reach a process (stopped, or not yet marked down) is sent to another one.
  retries 2
  option redispatch 1
  option forwardfor

frontend pump_pathway
  bind ${bind}
  default_backend app

backend app
  balance roundrobin
  option httpchk
  http-check send meth GET uri /api/health
  http-check expect status 200
  default-server check inter 1s fall 2 rise 2
${servers.map((s, i) => `  server app${i + 1} ${s}`).join('\n')}
`;
}
