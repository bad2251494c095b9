import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import { PgDialect, type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import lockfile from 'proper-lockfile';
import postgres from 'postgres';
import { watchedSockets } from './connection-watchdog';
import * as schema from './schema';

export type Schema = typeof schema;
/** One handle type for the embedded database and a PostgreSQL server: services never know which it is. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface Database {
  db: Db;
  kind: 'embedded' | 'postgres';
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
    close: async () => {
      if (!client.closed) await client.close();
      await onClose();
    },
  };
}

export interface PostgresOptions {
  max?: number;
  /**
   * The server cancels a statement that runs longer, and a connection that owes an answer and stays silent for this
   * long and a little more is dropped (connection-watchdog.ts): a query never waits on a dead network for longer.
   * Unset for bulk work (loading a benchmark's region), which may rightly run long.
   */
  statementTimeoutMs?: number;
}

/** Time allowed beyond the statement timeout for the server's answer (at worst, the timeout's error) to arrive. */
export const SILENCE_MARGIN_MS = 2_000;

export function openPostgres(url: string, options: PostgresOptions = {}): Database {
  const { statementTimeoutMs } = options;
  const client = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    // A server that does not answer a new connection fails the request (503) in 5 s rather than holding it.
    connect_timeout: 5,
    // Connections unused for a minute are closed, so the pool does not keep ones a restarted server has dropped.
    idle_timeout: 60,
    // Probes an idle connection after 10 s, so that a server gone without a word is noticed by the kernel too.
    keep_alive: 10,
    ...(statementTimeoutMs
      ? {
          connection: { statement_timeout: statementTimeoutMs },
          socket: watchedSockets(statementTimeoutMs + SILENCE_MARGIN_MS),
        }
      : {}),
  } as postgres.Options<Record<string, postgres.PostgresType>>);
  const db = drizzlePostgres(preparing(client), { schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    close: () => client.end({ timeout: 5 }),
  };
}

/**
 * drizzle sends every query through `unsafe(…, { prepare: false })`. For a query with parameters, postgres.js
 * then has the server describe it before it runs it: two round trips, and a fresh parse and plan, every time.
 * As named prepared statements (postgres.js's own default) a query takes one round trip and is planned once per
 * connection; postgres.js retires connections after 30 to 60 minutes, which bounds its statement cache. This
 * holds inside transactions and savepoints too.
 */
function preparing(sql: postgres.Sql): postgres.Sql {
  const scoped =
    (open: (...args: unknown[]) => unknown) =>
    (...args: unknown[]) => {
      const fn = args.pop() as (inner: postgres.Sql) => unknown;
      return open(...args, (inner: postgres.Sql) => fn(preparing(inner)));
    };
  return new Proxy(sql, {
    get(target, key, receiver) {
      if (key === 'unsafe') {
        return (query: string, params?: postgres.ParameterOrJSON<never>[], options?: postgres.UnsafeQueryOptions) =>
          target.unsafe(query, params, { ...options, prepare: true });
      }
      if (key === 'begin' || key === 'savepoint') return scoped((Reflect.get(target, key) as (...args: unknown[]) => unknown).bind(target));
      return Reflect.get(target, key, receiver);
    },
  });
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

/** postgres.js answers `db.execute()` with an array of rows, PGlite with `{ rows }`: services never know which. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  const rows = (result as { rows?: unknown } | null)?.rows;
  if (Array.isArray(rows)) return rows as T[];
  throw new TypeError('Unexpected result shape from db.execute()');
}

const dialect = new PgDialect();

/**
 * A statement for a busy path: drizzle turns it into SQL text once, and each run only fills in its
 * `sql.placeholder`s. On PostgreSQL it is a named prepared statement, planned once per connection. It runs on
 * the database or inside a transaction, and answers rows as they come from the driver.
 */
export function prepared<Row>(name: string, statement: SQL) {
  const query = dialect.sqlToQuery(statement);
  return async (db: Db | Tx, values: Record<string, unknown>): Promise<Row[]> =>
    rowsOf<Row>(await db._.session.prepareQuery(query, undefined, name, false).execute(values));
}
