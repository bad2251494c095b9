import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { LOGIN_LIMITS } from '../../src/lib/server/services/auth.service';
import { auditLog, sessions, users } from '../../src/lib/server/db/schema';
import { createTestApp, TEST_PASSWORD } from '../support/app';

const t = await createTestApp({ sessionIdleMinutes: 30, sessionAbsoluteHours: 12 });
const { app } = t;
const site = await t.site('AUT01');

const login = (email: string, password: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, headers });
const me = (cookie?: string) => app.inject({ method: 'GET', url: '/api/v1/me', headers: cookie ? { cookie } : {} });
const cookieOf = (res: Awaited<ReturnType<typeof login>>) => {
  const c = res.cookies.find((x) => x.name === 'pp_session')!;
  return `${c.name}=${c.value}`;
};

describe('signing in', () => {
  it('opens a session in an HttpOnly, SameSite=Lax cookie and returns the user', async () => {
    const nurse = await t.user('nurse', [site.id]);
    const res = await login(nurse.email.toUpperCase(), TEST_PASSWORD);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ user: { id: nurse.id, email: nurse.email, name: nurse.name, role: 'nurse', siteIds: [site.id] } });
    const cookie = res.cookies.find((c) => c.name === 'pp_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie.secure).toBeFalsy();
    expect(cookie.value.length).toBeGreaterThanOrEqual(43);
  });

  it('marks the cookie Secure when the service is served over https', async () => {
    const secure = await createTestApp({ origin: 'https://pumps.example.nhs.uk' });
    const nurse = await secure.user('nurse');
    const res = await secure.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: nurse.email, password: TEST_PASSWORD } });
    expect(res.cookies.find((c) => c.name === 'pp_session')!.secure).toBe(true);
  });

  it('tells who is signed in', async () => {
    const consultant = await t.user('consultant', [site.id]);
    const res = await me(await t.signIn(consultant.email));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: consultant.id, email: consultant.email, name: consultant.name, role: 'consultant', siteIds: [site.id] });
  });

  it('answers 401 when not signed in, or with a cookie the server never issued', async () => {
    expect((await me()).statusCode).toBe(401);
    const forged = await me('pp_session=not-a-session');
    expect(forged.statusCode).toBe(401);
    expect(forged.json()).toMatchObject({ type: '/api/problems/unauthorized', status: 401 });
  });

  it('gives the same 401 for an unknown email and for a wrong password', async () => {
    const admin = await t.user('admin');
    const wrongPassword = await login(admin.email, 'not-the-password');
    const unknownEmail = await login('nobody-here@test.nhs.uk', 'not-the-password');
    expect(wrongPassword.statusCode).toBe(401);
    expect(unknownEmail.statusCode).toBe(401);
    expect(wrongPassword.body).toBe(unknownEmail.body);
    expect(wrongPassword.cookies).toEqual([]);
  });

  it('checks the fields before anything else', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: '' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['email', 'password']);
  });

  it('stores sessions hashed, never the token itself', async () => {
    const nurse = await t.user('nurse', [site.id]);
    const res = await login(nurse.email, TEST_PASSWORD);
    const token = res.cookies.find((c) => c.name === 'pp_session')!.value;
    const rows = await t.database.db.select().from(sessions).where(eq(sessions.userId, nurse.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).not.toContain(token);
    expect(rows[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('stores passwords as argon2id hashes', async () => {
    const nurse = await t.user('nurse', [site.id]);
    const [row] = await t.database.db.select().from(users).where(eq(users.id, nurse.id));
    expect(row!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('rotates the session at sign-in: a cookie held before signing in stops working', async () => {
    const nurse = await t.user('nurse', [site.id]);
    const first = await t.signIn(nurse.email);
    const res = await login(nurse.email, TEST_PASSWORD, { cookie: first });
    const second = cookieOf(res);
    expect(second).not.toBe(first);
    expect((await me(first)).statusCode).toBe(401);
    expect((await me(second)).statusCode).toBe(200);
  });

  it('audits each sign-in with the user, address and request id', async () => {
    const nurse = await t.user('nurse', [site.id]);
    const res = await login(nurse.email, TEST_PASSWORD);
    const mine = await t.database.db.select().from(auditLog).where(eq(auditLog.actorId, nurse.id));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ action: 'auth.login', actorRole: 'nurse', entityId: nurse.id, requestId: res.headers['x-request-id'], clientAddress: '127.0.0.1' });
  });
});

describe('signing out', () => {
  it('ends the session and clears the cookie', async () => {
    const nurse = await t.user('nurse', [site.id]);
    const cookie = await t.signIn(nurse.email);
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie } });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(res.cookies.find((c) => c.name === 'pp_session')?.value).toBe('');
    expect((await me(cookie)).statusCode).toBe(401);
  });

  it('answers 204 when not signed in, with or without a JSON content type', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/logout' })).statusCode).toBe(204);
    const withType = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { 'content-type': 'application/json' } });
    expect(withType.statusCode).toBe(204);
  });
});

describe('session expiry', () => {
  it('ends a session left idle longer than the idle limit', async () => {
    const nurse = await t.user('nurse', [site.id]);
    const cookie = await t.signIn(nurse.email);
    await t.database.db.update(sessions).set({ lastSeenAt: new Date(Date.now() - 31 * 60_000) }).where(eq(sessions.userId, nurse.id));
    expect((await me(cookie)).statusCode).toBe(401);
    expect(await t.database.db.select().from(sessions).where(eq(sessions.userId, nurse.id))).toHaveLength(0);
  });

  it('keeps an active session alive, and touches it at most once a minute', async () => {
    const nurse = await t.user('nurse', [site.id]);
    const cookie = await t.signIn(nurse.email);
    const twoMinutesAgo = new Date(Date.now() - 2 * 60_000);
    await t.database.db.update(sessions).set({ lastSeenAt: twoMinutesAgo }).where(eq(sessions.userId, nurse.id));
    expect((await me(cookie)).statusCode).toBe(200);
    const [row] = await t.database.db.select().from(sessions).where(eq(sessions.userId, nurse.id));
    expect(row!.lastSeenAt.getTime()).toBeGreaterThan(twoMinutesAgo.getTime());
  });

  it('ends a session past its absolute expiry however active it is', async () => {
    const nurse = await t.user('nurse', [site.id]);
    const cookie = await t.signIn(nurse.email);
    await t.database.db.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(sessions.userId, nurse.id));
    expect((await me(cookie)).statusCode).toBe(401);
  });
});

describe('sign-in rate limits', () => {
  it(`refuses an account with 429 after ${LOGIN_LIMITS.perAccount} failures, even with the right password`, async () => {
    const nurse = await t.user('nurse', [site.id]);
    for (let i = 0; i < LOGIN_LIMITS.perAccount; i++) {
      expect((await login(nurse.email, 'wrong-password', { 'x-test': String(i) })).statusCode).toBe(401);
    }
    const limited = await login(nurse.email, TEST_PASSWORD);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toMatchObject({ type: '/api/problems/rate-limited', status: 429 });
  });

  it('limits per account whether or not the account exists', async () => {
    for (let i = 0; i < LOGIN_LIMITS.perAccount; i++) await login('ghost@test.nhs.uk', 'wrong-password');
    expect((await login('ghost@test.nhs.uk', 'wrong-password')).statusCode).toBe(429);
  });

  it('forgets earlier failures after a successful sign-in', async () => {
    const nurse = await t.user('nurse', [site.id]);
    for (let i = 0; i < LOGIN_LIMITS.perAccount - 1; i++) await login(nurse.email, 'wrong-password');
    expect((await login(nurse.email, TEST_PASSWORD)).statusCode).toBe(200);
    for (let i = 0; i < LOGIN_LIMITS.perAccount - 1; i++) await login(nurse.email, 'wrong-password');
    expect((await login(nurse.email, TEST_PASSWORD)).statusCode).toBe(200);
  });
});

describe('sign-in rate limit per address', () => {
  it(`refuses an address with 429 after ${LOGIN_LIMITS.perAddress} failures across accounts`, async () => {
    const other = await createTestApp();
    const victim = await other.user('admin');
    const from = { remoteAddress: '10.9.8.7' };
    for (let i = 0; i < LOGIN_LIMITS.perAddress; i++) {
      const res = await other.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: `spray-${i}@test.nhs.uk`, password: 'x' }, ...from });
      expect(res.statusCode).toBe(401);
    }
    const res = await other.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: victim.email, password: TEST_PASSWORD }, ...from });
    expect(res.statusCode).toBe(429);
    const elsewhere = await other.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: victim.email, password: TEST_PASSWORD }, remoteAddress: '10.9.8.8' });
    expect(elsewhere.statusCode).toBe(200);
  });
});
