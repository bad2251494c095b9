import { afterAll, describe, expect, it } from 'vitest';
import { openPostgres, SILENCE_MARGIN_MS, type Db } from '../../src/lib/server/db/client';
import { replicaReads } from '../../src/lib/server/db/read-replica';
import { createServices } from '../../src/lib/server/services';
import { systemCtx } from '../../src/lib/server/context';
import { buildApp } from '../../src/server/app';
import { freshDatabase, onPostgresServer } from '../support/database';
import { tcpRelay } from '../support/tcp-relay';

/**
 * The choice between the replica and the primary, with the database itself standing in for a replica behind a relay
 * the test cuts and silences (a real standby, lagging on purpose, is in tests/process/replica.test.ts). Through the
 * whole API: the reads keep answering, the health answer says where the replica stands, the log says where reads go.
 */
const STATEMENT_TIMEOUT_MS = 1_000;

describe.runIf(onPostgresServer())('reads on a read replica (PostgreSQL)', () => {
  it('reads from the replica while it answers and from the primary while it is cut off or silent, without a failed request', async () => {
    const fresh = await freshDatabase();
    const relay = tcpRelay(new URL(fresh.url!));
    await relay.start();
    const replica = openPostgres(relay.url(), { max: 2, statementTimeoutMs: STATEMENT_TIMEOUT_MS });
    const moves: string[] = [];
    const log = { info: (_: unknown, msg?: string) => void moves.push(msg!), warn: (_: unknown, msg?: string) => void moves.push(msg!) };
    const reads = replicaReads(fresh.db, replica.db, { maxLagSeconds: 30, log });
    const services = createServices(fresh, { SESSION_IDLE_MINUTES: 30, SESSION_ABSOLUTE_HOURS: 12 }, { reads });
    const app = await buildApp({ config: { ORIGIN: undefined, LOG_LEVEL: 'silent', NODE_ENV: 'test' }, services });
    afterAll(async () => {
      await app.close();
      await replica.close();
      await relay.close();
      await fresh.close();
    });
    await services.users.create(systemCtx('tests'), { email: 'admin@replica.test', name: 'A', role: 'admin', siteIds: [], password: 'replica-password-1' });
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'admin@replica.test', password: 'replica-password-1' } });
    const cookie = login.headers['set-cookie'] as string;
    const health = async () => (await app.inject({ method: 'GET', url: '/api/health' })).json();
    const metrics = async () => (await app.inject({ method: 'GET', url: '/api/v1/metrics?groupBy=site', headers: { cookie } })).statusCode;
    const handle = () => reads.run(async (db: Db) => (db === replica.db ? 'replica' : 'primary'));

    expect(await health()).toEqual({ status: 'ok', database: 'ok', replica: 'ok', replicaLagSeconds: 0 });
    expect(await handle()).toBe('replica');
    expect(await metrics()).toBe(200);
    expect(moves).toEqual(['reads go to the replica']);

    await relay.cut();
    expect(await metrics()).toBe(200); // failed on the replica, answered from the primary
    expect(await handle()).toBe('primary');
    expect(await health()).toEqual({ status: 'ok', database: 'ok', replica: 'unreachable', replicaLagSeconds: null });
    expect(moves.at(-1)).toBe('reads go to the primary: the replica is unreachable');

    await relay.start();
    await expect.poll(async () => (await health()).replica, { timeout: 10_000 }).toBe('ok');
    expect(await handle()).toBe('replica');
    expect(moves.at(-1)).toBe('reads go to the replica');

    relay.silence();
    const started = performance.now();
    expect(await metrics()).toBe(200);
    expect(performance.now() - started).toBeLessThan(STATEMENT_TIMEOUT_MS + SILENCE_MARGIN_MS + 1_500);
    expect(await health()).toMatchObject({ status: 'ok', replica: 'unreachable' });
    expect(await metrics()).toBe(200);
    expect(moves).toEqual(['reads go to the replica', 'reads go to the primary: the replica is unreachable', 'reads go to the replica', 'reads go to the primary: the replica is unreachable']);
  });
});
