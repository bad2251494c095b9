import { eq } from 'drizzle-orm';
import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { LOGIN_LIMITS } from '../../src/lib/server/services/auth.service';
import { auditLog, userRecoveryCodes, userTotp } from '../../src/lib/server/db/schema';
import { createTestApp, TEST_PASSWORD } from '../support/app';

const t = await createTestApp({ signIn: { mfaRequiredRoles: ['admin'] } });
const site = await t.site('TOT01');

const call = (method: 'GET' | 'POST' | 'DELETE', url: string, cookie?: string, payload?: object) =>
  t.app.inject({ method, url, headers: cookie ? { cookie } : {}, ...(payload ? { payload } : {}) });
const login = (email: string, totp?: string) => call('POST', '/api/v1/auth/login', undefined, { email, password: TEST_PASSWORD, ...(totp ? { totp } : {}) });
/** The code an authenticator app shows, `stepsAhead` 30-second steps from now. */
const codeFor = (secret: string, stepsAhead = 0) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + stepsAhead * 30_000 });

/** A nurse with an active authenticator: confirmed with this step's code, so the next step's code signs in. */
async function nurseWithAuthenticator() {
  const { user, cookie } = await t.as('nurse', [site.id]);
  const enrolment = (await call('POST', '/api/v1/me/totp', cookie)).json();
  expect((await call('POST', '/api/v1/me/totp/confirm', cookie, { code: codeFor(enrolment.secret) })).statusCode).toBe(204);
  return { user, cookie, ...(enrolment as { secret: string; recoveryCodes: string[] }) };
}

describe('adding an authenticator app', () => {
  it('answers a base32 secret, its otpauth URI and ten recovery codes, and asks nothing at sign-in until confirmed', async () => {
    const { user, cookie } = await t.as('nurse', [site.id]);
    const res = await call('POST', '/api/v1/me/totp', cookie);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(body.otpauthUri);
    expect(uri.protocol + uri.host).toBe('otpauth:totp');
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({ secret: body.secret, issuer: 'Pump Pathway', algorithm: 'SHA1', digits: '6', period: '30' });
    expect(decodeURIComponent(uri.pathname)).toContain(user.email);
    expect(body.recoveryCodes).toHaveLength(10);
    expect(new Set(body.recoveryCodes).size).toBe(10);
    for (const code of body.recoveryCodes) expect(code).toMatch(/^[2-9A-Z]{5}-[2-9A-Z]{5}$/);
    expect((await login(user.email)).statusCode).toBe(200);
  });

  it('keeps the secret encrypted and the recovery codes as argon2id hashes', async () => {
    const { user, secret, recoveryCodes } = await nurseWithAuthenticator();
    const [stored] = await t.database.db.select().from(userTotp).where(eq(userTotp.userId, user.id));
    expect(stored!.secret).not.toContain(secret);
    expect(stored!.secret).toMatch(/^v1\./);
    const hashes = await t.database.db.select().from(userRecoveryCodes).where(eq(userRecoveryCodes.userId, user.id));
    expect(hashes).toHaveLength(10);
    for (const h of hashes) expect(h.codeHash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(hashes)).not.toContain(recoveryCodes[0]!.replace('-', ''));
  });

  it('refuses a wrong confirmation code with 400 on code, and changes nothing', async () => {
    const { user, cookie } = await t.as('nurse', [site.id]);
    const { secret } = (await call('POST', '/api/v1/me/totp', cookie)).json();
    const wrong = String((Number(codeFor(secret)) + 1) % 1_000_000).padStart(6, '0');
    const res = await call('POST', '/api/v1/me/totp/confirm', cookie, { code: wrong });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ path: 'code', message: expect.stringContaining('not right') }]);
    expect((await login(user.email)).statusCode).toBe(200);
  });

  it('is audited when it is turned on', async () => {
    const { user } = await nurseWithAuthenticator();
    const entries = await t.database.db.select().from(auditLog).where(eq(auditLog.entityId, user.id));
    expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['user.totp_started', 'user.totp_enabled']));
  });

  it('is refused a second time once active (409)', async () => {
    const { cookie } = await nurseWithAuthenticator();
    expect((await call('POST', '/api/v1/me/totp', cookie)).statusCode).toBe(409);
  });
});

describe('signing in with an authenticator app', () => {
  it('answers 401 mfa-required without a code, then signs in with one, audited as password+totp', async () => {
    const { user, secret } = await nurseWithAuthenticator();
    const bare = await login(user.email);
    expect(bare.statusCode).toBe(401);
    expect(bare.json().type).toMatch(/\/mfa-required$/);
    expect(bare.cookies).toEqual([]);
    const res = await login(user.email, codeFor(secret, 1));
    expect(res.statusCode).toBe(200);
    const [entry] = (await t.database.db.select().from(auditLog).where(eq(auditLog.entityId, user.id))).filter((e) => e.action === 'auth.login').slice(-1);
    expect(entry!.after).toEqual({ method: 'password+totp' });
  });

  it('refuses the same code twice (no replay), and a code already used to confirm', async () => {
    const { user, secret } = await nurseWithAuthenticator();
    expect((await login(user.email, codeFor(secret))).statusCode).toBe(401);
    const next = codeFor(secret, 1);
    expect((await login(user.email, next)).statusCode).toBe(200);
    const replay = await login(user.email, next);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().type).toMatch(/\/mfa-required$/);
  });

  it('takes each recovery code once, in place of a code, typed any way', async () => {
    const { user, recoveryCodes } = await nurseWithAuthenticator();
    const typed = recoveryCodes[3]!.toLowerCase().replace('-', ' ');
    expect((await login(user.email, typed)).statusCode).toBe(200);
    expect((await login(user.email, recoveryCodes[3]!)).statusCode).toBe(401);
    const [entry] = (await t.database.db.select().from(auditLog).where(eq(auditLog.entityId, user.id))).filter((e) => e.action === 'auth.login').slice(-1);
    expect(entry!.after).toEqual({ method: 'recovery_code', recoveryCodesLeft: 9 });
  });

  it(`counts wrong codes towards the lockout: after ${LOGIN_LIMITS.perAccount}, even the right code gets 429`, async () => {
    const { user, secret } = await nurseWithAuthenticator();
    for (let i = 0; i < LOGIN_LIMITS.perAccount; i++) expect((await login(user.email, '000000')).statusCode).toBe(401);
    expect((await login(user.email, codeFor(secret, 1))).statusCode).toBe(429);
    const failures = (await t.database.db.select().from(auditLog).where(eq(auditLog.entityId, user.id))).filter((e) => e.action === 'auth.login_failed');
    expect(failures.map((e) => e.after)).toEqual(Array(LOGIN_LIMITS.perAccount).fill({ email: user.email, method: 'password+totp', reason: 'wrong_code' }));
  });
});

describe('removing and resetting the authenticator', () => {
  it('lets its owner remove it with a code (audited), after which the password alone signs in', async () => {
    const { user, cookie, secret } = await nurseWithAuthenticator();
    expect((await call('DELETE', '/api/v1/me/totp', cookie, { code: '123' })).statusCode).toBe(400);
    expect((await call('DELETE', '/api/v1/me/totp', cookie, { code: codeFor(secret, 1) })).statusCode).toBe(204);
    expect((await login(user.email)).statusCode).toBe(200);
    const actions = (await t.database.db.select().from(auditLog).where(eq(auditLog.entityId, user.id))).map((e) => e.action);
    expect(actions).toContain('user.totp_disabled');
  });

  it('lets an admin reset it for someone who lost their phone, audited; other roles get 403', async () => {
    const { user } = await nurseWithAuthenticator();
    const other = await t.as('consultant', [site.id]);
    expect((await call('DELETE', `/api/v1/users/${user.id}/totp`, other.cookie)).statusCode).toBe(403);
    const admin = await t.user('admin');
    const adminCookie = await t.signIn(admin.email);
    // An admin must have an authenticator themselves here (MFA_REQUIRED_ROLES=admin).
    expect((await call('DELETE', `/api/v1/users/${user.id}/totp`, adminCookie)).json().type).toMatch(/\/mfa-enrolment-required$/);
    const { secret } = (await call('POST', '/api/v1/me/totp', adminCookie)).json();
    await call('POST', '/api/v1/me/totp/confirm', adminCookie, { code: codeFor(secret) });
    expect((await call('DELETE', `/api/v1/users/${user.id}/totp`, adminCookie)).statusCode).toBe(204);
    expect((await login(user.email)).statusCode).toBe(200);
    const [reset] = (await t.database.db.select().from(auditLog).where(eq(auditLog.entityId, user.id))).filter((e) => e.action === 'user.totp_reset');
    expect(reset).toMatchObject({ actorId: admin.id });
    expect((await call('DELETE', `/api/v1/users/${user.id}/totp`, adminCookie)).statusCode).toBe(404);
  });
});

describe('MFA_REQUIRED_ROLES', () => {
  it('lets an admin without an authenticator sign in, then answers 403 mfa-enrolment-required everywhere but /me, enrolment and sign-out', async () => {
    const admin = await t.user('admin');
    const res = await login(admin.email);
    expect(res.statusCode).toBe(200);
    const cookie = await t.signIn(admin.email);
    const sites = await call('GET', '/api/v1/sites', cookie);
    expect(sites.statusCode).toBe(403);
    expect(sites.json()).toMatchObject({ type: '/api/problems/mfa-enrolment-required', status: 403 });
    expect((await call('GET', '/api/v1/users', cookie)).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/me', cookie)).statusCode).toBe(200);
    const { secret } = (await call('POST', '/api/v1/me/totp', cookie)).json();
    expect((await call('GET', '/api/v1/sites', cookie)).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/me/totp/confirm', cookie, { code: codeFor(secret) })).statusCode).toBe(204);
    expect((await call('GET', '/api/v1/sites', cookie)).statusCode).toBe(200);
  });

  it('asks nothing of roles not listed', async () => {
    const { cookie } = await t.as('consultant', [site.id]);
    expect((await call('GET', '/api/v1/sites', cookie)).statusCode).toBe(200);
  });
});
