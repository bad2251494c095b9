import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import lockfile from 'proper-lockfile';
import postgres from 'postgres';
import * as schema from './schema';

export type Schema = typeof schema;
/** One handle type for the embedded database and a PostgreSQL server: services never know which it is. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface Database {
  db: Db;
  kind: 'embedded' | 'postgres';
  /** Rejects when the database cannot answer a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../../migrations', import.meta.url));
// An arbitrary constant shared by every process that migrates the same server.
const MIGRATION_LOCK_KEY = 4_714_352_601;

export class DatabaseLockedError extends Error {}

/** Opens (creating if needed) the embedded database in `dataDir`, holding a lock so no second process opens it. */
export async function openEmbedded(dataDir: string): Promise<Database> {
  const dir = resolve(dataDir);
  await mkdir(dir, { recursive: true });
  let release: () => Promise<void>;
  try {
    // The lock is refreshed every 5 s; a lock left by a killed process is taken over after 15 s.
    // Kept inside the data folder, so that removing the folder also removes a stale lock.
    release = await lockfile.lock(dir, { lockfilePath: join(dir, 'server.lock'), stale: 15_000, update: 5_000, retries: 0, realpath: false });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new DatabaseLockedError(
        `The embedded database in ${dir} is in use by another Pump Pathway process. Stop that process, or set DATA_DIR to another folder. (If none is running, the lock left by a killed process clears within 15 seconds.)`,
      );
    }
    throw e;
  }
  try {
    const client = await PGlite.create(dir);
    return fromPglite(client, release);
  } catch (e) {
    await release();
    throw e;
  }
}

export function fromPglite(client: PGlite, onClose: () => Promise<void> = async () => {}): Database {
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'embedded',
    ping: async () => {
      await client.query('select 1');
    },
    close: async () => {
      if (!client.closed) await client.close();
      await onClose();
    },
  };
}

export function openPostgres(url: string, options: { max?: number } = {}): Database {
  const client = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connect_timeout: 5,
    // A stalled server must not hold a request for ever.
    idle_timeout: 60,
  });
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    ping: async () => {
      await client`select 1`;
    },
    close: () => client.end({ timeout: 5 }),
  };
}

/** Applies pending migrations; safe to run on every start and from several processes at once. */
export async function migrate(database: Database, url?: string): Promise<void> {
  if (database.kind === 'embedded') {
    await migratePglite(database.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
    return;
  }
  if (!url) throw new Error('migrate: a PostgreSQL server needs its URL');
  // One dedicated connection holds a session-level advisory lock while it migrates.
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migratePostgres(drizzlePostgres(client), { migrationsFolder: MIGRATIONS_FOLDER });
    await client`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}

export async function hasUsers(db: Db): Promise<boolean> {
  const rows = await db.select({ id: schema.users.id }).from(schema.users).limit(1);
  return rows.length > 0;
}
