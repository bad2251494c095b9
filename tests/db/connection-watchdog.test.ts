import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgres, SILENCE_MARGIN_MS, type Database } from '../../src/lib/server/db/client';
import { isDatabaseUnavailable } from '../../src/lib/server/db/errors';
import { freshDatabase, onPostgresServer } from '../support/database';
import { tcpRelay } from '../support/tcp-relay';

/**
 * A network that goes silent under a query (nothing closed, nothing answered) must not hold the query until TCP
 * gives up: the connection is dropped once it has owed an answer for the statement timeout and a margin.
 */
const STATEMENT_TIMEOUT_MS = 1_000;
const BOUND_MS = STATEMENT_TIMEOUT_MS + SILENCE_MARGIN_MS;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function throughRelay(max: number) {
  const fresh = await freshDatabase();
  const relay = tcpRelay(new URL(fresh.url!));
  await relay.start();
  const database = openPostgres(relay.url(), { max, statementTimeoutMs: STATEMENT_TIMEOUT_MS });
  cleanups.push(() => fresh.close(), () => relay.close(), () => database.close());
  return { relay, database };
}

/** The query's outcome and how long it took to come. */
async function timed(query: Promise<unknown>) {
  const started = performance.now();
  const outcome = await query.then(
    () => 'answered',
    (e: unknown) => e,
  );
  return { outcome, ms: performance.now() - started };
}

const ping = (database: Database) => database.db.execute(sql`select 1`);

describe.runIf(onPostgresServer())('a query on a connection whose network goes silent (PostgreSQL)', () => {
  it('fails as "database unreachable" within the bound, and the pool connects afresh once the network is back', async () => {
    const { relay, database } = await throughRelay(2);
    await ping(database);

    relay.silence();
    const { outcome, ms } = await timed(ping(database));
    expect(isDatabaseUnavailable(outcome)).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(BOUND_MS - 50);
    expect(ms).toBeLessThan(BOUND_MS + 1_500);

    await relay.cut();
    await relay.start();
    await expect(ping(database)).resolves.toBeDefined();
  });

  it('bounds a query that waits behind another on the same connection when the silence begins between their answers', async () => {
    const { relay, database } = await throughRelay(1);
    await ping(database);

    // One connection: the slow query is sent behind the quick one without waiting for its answer.
    const quick = database.db.execute(sql`select 1`).then(() => relay.silence());
    const slow = timed(database.db.execute(sql`select pg_sleep(0.5)`));
    await quick;
    const { outcome, ms } = await slow;
    expect(isDatabaseUnavailable(outcome)).toBe(true);
    expect(ms).toBeLessThan(BOUND_MS + 1_500);
  });

  it('leaves an idle connection alone, however long the silence', async () => {
    const { relay, database } = await throughRelay(1);
    await ping(database);
    relay.silence();
    await new Promise((resolve) => setTimeout(resolve, BOUND_MS + 500));
    expect(relay.openConnections()).toBe(1);
  });

  it('answers a statement that runs past the statement timeout with "database unreachable" (503), not a wait', async () => {
    const { database } = await throughRelay(1);
    const { outcome, ms } = await timed(database.db.execute(sql`select pg_sleep(5)`));
    expect(isDatabaseUnavailable(outcome)).toBe(true);
    expect(ms).toBeLessThan(STATEMENT_TIMEOUT_MS + 1_000);
  });
});
