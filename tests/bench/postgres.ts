import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { freePort } from '../support/replication';

/**
 * A PostgreSQL server for the benchmark: BENCH_DATABASE_URL when given, else a throwaway cluster started with
 * the same script CI uses. Each benchmark gets a database of its own on it.
 */
export async function benchServer(): Promise<{ url: string; stop: () => void }> {
  if (process.env.BENCH_DATABASE_URL) return { url: process.env.BENCH_DATABASE_URL, stop: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'pump-pathway-bench-pg-'));
  const url = execFileSync('bash', ['.ci/postgres.sh', 'start', dir], { encoding: 'utf8' }).trim();
  return { url, stop: () => execFileSync('bash', ['.ci/postgres.sh', 'stop', dir]) };
}

export async function freshBenchDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

const PG_BIN = '/usr/lib/postgresql/15/bin';
export const CAN_MAKE_STANDBY = existsSync(join(PG_BIN, 'pg_basebackup'));

/**
 * A hot standby of the benchmark's server, made as the README's deployment makes one (`pg_basebackup -R`) and
 * streaming from it, on a free port. Resolves once it has replayed everything the server had written.
 */
export async function standbyOf(serverUrl: string): Promise<{ url: (database: string) => string; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'pump-pathway-bench-standby-'));
  const run = (tool: string, args: string[]) =>
    process.getuid?.() === 0 ? execFileSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, tool), ...args]) : execFileSync(join(PG_BIN, tool), args);
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir]);
  const primary = new URL(serverUrl);
  const data = join(dir, 'data');
  run('pg_basebackup', ['-h', primary.hostname, '-p', primary.port, '-U', 'postgres', '-D', data, '-R', '-X', 'stream', '--checkpoint=fast', '--no-sync']);
  const port = await freePort();
  // A hot standby needs at least the primary's max_connections (.ci/postgres.sh's).
  run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', 'start', '-o', `-k ${dir} -p ${port} -c listen_addresses=127.0.0.1 -c max_connections=300`]);
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const source = postgres(serverUrl, { max: 1, onnotice: () => {} });
  const standby = postgres(url('postgres'), { max: 1, onnotice: () => {} });
  try {
    const [{ lsn }] = (await source`select pg_current_wal_lsn()::text as lsn`) as unknown as [{ lsn: string }];
    for (;;) {
      const [{ caughtUp }] = (await standby`select coalesce(pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn, false) as "caughtUp"`) as unknown as [{ caughtUp: boolean }];
      if (caughtUp) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await source.end();
    await standby.end();
  }
  return {
    url,
    stop: () => {
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
