import { Secret, TOTP } from 'otpauth';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase, onPostgresServer } from '../support/database';
import { callApi, HAS_BUILD, signInTo, startServer, stopServer, type ServerProcess } from '../support/server-process';

/**
 * The contract lets a PostgreSQL deployment leave TOTP_ENCRYPTION_KEY out while admins must add an authenticator
 * (MFA_REQUIRED_ROLES defaults to admin there). The app then keeps the key in the database: it starts, says so,
 * and an authenticator added through one process works through another.
 */
describe.runIf(HAS_BUILD && onPostgresServer())('a PostgreSQL server started without TOTP_ENCRYPTION_KEY (needs `npm run build`)', () => {
  const servers: ServerProcess[] = [];
  let closeDatabase = async () => {};
  afterAll(async () => {
    for (const s of servers) await stopServer(s);
    await closeDatabase();
  });

  it('starts, warns, and lets the admin add an authenticator that every process accepts, the menu hidden until then', { timeout: 240_000 }, async () => {
    const fresh = await freshDatabase();
    closeDatabase = () => fresh.close();
    const env = { DATABASE_URL: fresh.url!, TOTP_ENCRYPTION_KEY: '', MFA_REQUIRED_ROLES: 'admin', ADMIN_EMAIL: 'admin@key.test', ADMIN_PASSWORD: 'key-test-password-1' };
    servers.push(...(await Promise.all([startServer(env), startServer(env)])));
    const [a, b] = servers as [ServerProcess, ServerProcess];
    for (const s of servers) expect(s.output()).toContain('TOTP_ENCRYPTION_KEY is not set: authenticator secrets are encrypted with a key kept in the database');

    const cookie = await signInTo(a.url, 'admin@key.test', 'key-test-password-1');
    expect((await callApi(a.url, 'GET', '/api/v1/sites', { cookie })).body).toMatchObject({ type: expect.stringMatching(/\/mfa-enrolment-required$/) });
    // Every page leads to /account until then, so it shows no menu of pages that would only lead back.
    const accountPage = async () => (await fetch(`${a.url}/account`, { headers: { cookie } })).text();
    expect(await accountPage()).not.toContain('aria-label="Menu"');
    const enrolment = await callApi(a.url, 'POST', '/api/v1/me/totp', { cookie });
    expect(enrolment.status).toBe(200);
    const totp = new TOTP({ secret: Secret.fromBase32((enrolment.body as { secret: string }).secret) });
    expect((await callApi(a.url, 'POST', '/api/v1/me/totp/confirm', { cookie, body: { code: totp.generate() } })).status).toBe(204);
    expect(await accountPage()).toContain('aria-label="Menu"');

    // The other process reads the secret with the same key: a code signs in there.
    const login = { email: 'admin@key.test', password: 'key-test-password-1' };
    expect((await callApi(b.url, 'POST', '/api/v1/auth/login', { body: login })).body).toMatchObject({ type: expect.stringMatching(/\/mfa-required$/) });
    const withCode = await callApi(b.url, 'POST', '/api/v1/auth/login', { body: { ...login, totp: totp.generate({ timestamp: Date.now() + 30_000 }) } });
    expect(withCode.status).toBe(200);
  });
});
