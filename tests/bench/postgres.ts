import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';

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
