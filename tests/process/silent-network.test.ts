import { afterAll, describe, expect, it } from 'vitest';
import { SILENCE_MARGIN_MS } from '../../src/lib/server/db/client';
import { freshDatabase, onPostgresServer } from '../support/database';
import { callApi, HAS_BUILD, startServer, stopServer } from '../support/server-process';
import { tcpRelay } from '../support/tcp-relay';

/**
 * The network to the database goes silent: nothing is closed and nothing gets through, as when a firewall starts
 * dropping packets. A request waiting on the database must get its 503 within the statement timeout and a margin,
 * not when TCP gives up many minutes later; and the app carries on by itself once the network is back.
 */
const STATEMENT_TIMEOUT_MS = 1_000;
const BOUND_MS = STATEMENT_TIMEOUT_MS + SILENCE_MARGIN_MS;

describe.runIf(HAS_BUILD && onPostgresServer())('when the network to PostgreSQL goes silent (needs `npm run build`)', () => {
  it('answers a request waiting on the database 503 within the bound, then recovers', { timeout: 120_000 }, async () => {
    const fresh = await freshDatabase();
    const relay = tcpRelay(new URL(fresh.url!));
    await relay.start();
    const server = await startServer({ DATABASE_URL: relay.url(), DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS) });
    afterAll(async () => {
      await stopServer(server);
      await relay.close();
      await fresh.close();
    });
    const signIn = { email: 'nobody@silence.test', password: 'not-the-password-1' };
    // Leaves open connections in the pool, on which the next queries will wait.
    expect((await callApi(server.url, 'POST', '/api/v1/auth/login', { body: signIn })).status).toBe(401);

    relay.silence();
    const started = performance.now();
    const answer = await callApi(server.url, 'POST', '/api/v1/auth/login', { body: signIn });
    const ms = performance.now() - started;
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ type: '/api/problems/unavailable', status: 503 });
    expect(relay.swallowedBytes()).toBeGreaterThan(0); // the query was sent into the silence, not refused
    expect(ms).toBeLessThan(BOUND_MS + 2_000);
    expect((await callApi(server.url, 'GET', '/api/health')).status).toBe(503);

    await relay.cut();
    await relay.start();
    await expect.poll(async () => (await callApi(server.url, 'GET', '/api/health')).status, { timeout: 15_000 }).toBe(200);
    expect((await callApi(server.url, 'POST', '/api/v1/auth/login', { body: signIn })).status).toBe(401);
  });
});
