import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase, onPostgresServer } from '../support/database';
import { callApi, HAS_BUILD, startServer, stopServer } from '../support/server-process';
import { tcpRelay } from '../support/tcp-relay';

/**
 * postgres.js sets up each new connection with a query of its own (the server's array types) and leaves that
 * query's failure unhandled. A connection lost at that moment, as when a database server stops or restarts under
 * load, must not take the app down: it reconnects and answers.
 */
describe.runIf(HAS_BUILD && onPostgresServer())('a database connection lost while it is being set up (needs `npm run build`)', () => {
  it('leaves the server running and answering', { timeout: 120_000 }, async () => {
    const fresh = await freshDatabase();
    const relay = tcpRelay(new URL(fresh.url!));
    await relay.start();
    const server = await startServer({ DATABASE_URL: relay.url() });
    afterAll(async () => {
      await stopServer(server);
      await relay.close();
      await fresh.close();
    });
    expect((await callApi(server.url, 'GET', '/api/health')).status).toBe(200);

    // The database's connections are dropped; the first two new ones are lost again as they are being set up.
    await relay.cut();
    await relay.start();
    relay.dropWhenClientSends('pg_catalog.pg_type', 2);
    await expect.poll(async () => (await callApi(server.url, 'GET', '/api/health')).status, { timeout: 20_000 }).toBe(200);
    expect((await callApi(server.url, 'POST', '/api/v1/auth/login', { body: { email: 'nobody@lost.test', password: 'not-the-password-1' } })).status).toBe(401);
    expect(server.child.exitCode).toBeNull();
    expect(server.output()).toContain('a new database connection was lost while it was being set up; it reconnects');
  });
});
