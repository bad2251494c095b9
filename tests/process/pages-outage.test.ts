import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase, onPostgresServer } from '../support/database';
import { HAS_BUILD, signInTo, startServer, stopServer } from '../support/server-process';
import { tcpRelay } from '../support/tcp-relay';

const page = async (baseUrl: string, path: string, cookie: string) => {
  const res = await fetch(new URL(path, baseUrl), { headers: { cookie, accept: 'text/html' }, redirect: 'manual' });
  return { status: res.status, html: await res.text() };
};

// The real server with its built pages, reaching PostgreSQL through a relay the test cuts. CI builds first.
describe.runIf(onPostgresServer() && HAS_BUILD)('pages when the database goes away (PostgreSQL)', () => {
  it('shows a 503 page that says nothing was saved, then the page again once the database is back, with no restart', async () => {
    const fresh = await freshDatabase();
    afterAll(() => fresh.close());
    const proxy = tcpRelay(new URL(fresh.url!));
    await proxy.start();
    afterAll(() => proxy.close());
    const server = await startServer({ DATABASE_URL: proxy.url(), ADMIN_EMAIL: 'admin@outage.test', ADMIN_PASSWORD: 'outage-password-1' });
    afterAll(() => stopServer(server));
    const cookie = await signInTo(server.url, 'admin@outage.test', 'outage-password-1');
    expect((await page(server.url, '/admin/sites', cookie)).status).toBe(200);

    await proxy.cut();
    const during = await page(server.url, '/admin/sites', cookie);
    expect(during.status).toBe(503);
    expect(during.html).toContain('<h1>Sorry, there is a problem with the service</h1>');
    expect(during.html).toContain('The database is not reachable just now. Nothing was saved; try again shortly.');

    await proxy.start();
    await expect.poll(async () => (await page(server.url, '/admin/sites', cookie)).status, { timeout: 15_000 }).toBe(200);
    expect(await stopServer(server)).toBe(0);
  });
});
