import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { auditLog, users } from '../../src/lib/server/db/schema';
import { systemCtx } from '../../src/lib/server/context';
import { createServices } from '../../src/lib/server/services';
import { createTestApp, TEST_PASSWORD } from '../support/app';
import { signInAtProvider, startTestProvider, type ProviderFault } from '../support/oidc-provider';

const APP = 'http://pumps.test';
const REDIRECT_URI = `${APP}/auth/oidc/callback`;
const provider = await startTestProvider({ redirectUris: [REDIRECT_URI], postLogoutRedirectUris: [`${APP}/login`] });
afterAll(() => provider.close());

const oidc = { issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret, displayName: 'Test NHS Trust', timeoutMs: 3000 };
const t = await createTestApp({ signIn: { oidc } });
const sso = t.services.sso!;
const site = await t.site('SSO01', 'Single Sign-on General');
const meta = { requestId: 'sso-test', clientAddress: '127.0.0.1', userAgent: 'vitest' };

/** A person added by an admin with no password: they sign in only through the provider. */
const ssoPerson = (email: string, role: 'nurse' | 'consultant' | 'admin' = 'nurse') =>
  t.services.users.create(systemCtx('tests'), { email, name: `SSO ${email}`, role, siteIds: role === 'admin' ? [] : [site.id] });

/** The whole flow as a browser would go through it: start, the provider's sign-in page, the callback. */
async function signInThroughProvider(email: string, options: { fault?: ProviderFault; returnTo?: string } = {}) {
  const started = await sso.begin(meta, REDIRECT_URI, options.returnTo ?? null);
  if (!started.ok) throw new Error(`begin failed: ${started.message}`);
  const back = await signInAtProvider(started.url.href, email);
  provider.fault = options.fault ?? null;
  try {
    return { started, back, outcome: await sso.complete(meta, started.token, back) };
  } finally {
    provider.fault = null;
  }
}

const auditOf = (action: string) => t.database.db.select().from(auditLog).where(eq(auditLog.action, action));

describe('the authorisation request', () => {
  it('uses the code flow with PKCE S256, a state and a nonce, asking for openid email profile', async () => {
    const started = await sso.begin(meta, REDIRECT_URI, '/patients');
    if (!started.ok) throw new Error(started.message);
    const q = started.url.searchParams;
    expect(started.url.origin).toBe(provider.issuer);
    expect(Object.fromEntries(q)).toMatchObject({ response_type: 'code', client_id: provider.clientId, redirect_uri: REDIRECT_URI, scope: 'openid email profile', code_challenge_method: 'S256' });
    expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(q.get('state')!.length).toBeGreaterThanOrEqual(22);
    expect(q.get('nonce')!.length).toBeGreaterThanOrEqual(22);
    expect(started.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(10 * 60_000);
  });
});

describe('signing in through the identity provider', () => {
  it('links an admin-created person by verified email the first time, with the role and sites the product gave them', async () => {
    const nurse = await ssoPerson('sam.sso@trust.nhs.uk');
    const { outcome } = await signInThroughProvider('sam.sso@trust.nhs.uk', { returnTo: '/patients' });
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.returnTo).toBe('/patients');
    expect(outcome.signedIn.user).toEqual({ id: nurse.id, email: nurse.email, name: nurse.name, role: 'nurse', siteIds: [site.id] });
    const session = await t.services.auth.resolveSession(outcome.signedIn.token);
    expect(session).toMatchObject({ method: 'oidc', mustEnrolSecondFactor: false, actor: { userId: nurse.id, role: 'nurse' } });

    const [row] = await t.database.db.select().from(users).where(eq(users.id, nurse.id));
    expect(row).toMatchObject({ oidcIssuer: provider.issuer, oidcSubject: expect.stringMatching(/^subject-/), passwordHash: null });
    expect((await auditOf('user.sso_linked')).filter((e) => e.entityId === nurse.id)).toHaveLength(1);
    const logins = (await auditOf('auth.login')).filter((e) => e.entityId === nurse.id);
    expect(logins.map((e) => e.after)).toEqual([{ method: 'oidc' }]);
  });

  it('finds the person by issuer and subject after that, even when the provider has changed their email', async () => {
    const nurse = await ssoPerson('renamed.before@trust.nhs.uk');
    provider.subjects.set('renamed.before@trust.nhs.uk', 'subject-renamed');
    provider.subjects.set('renamed.after@trust.nhs.uk', 'subject-renamed');
    expect((await signInThroughProvider('renamed.before@trust.nhs.uk')).outcome.ok).toBe(true);
    const { outcome } = await signInThroughProvider('renamed.after@trust.nhs.uk');
    expect(outcome.ok && outcome.signedIn.user.id).toBe(nurse.id);
  });

  it('does not link a verified email whose account is already linked to another person at the provider', async () => {
    await ssoPerson('shared.mailbox@trust.nhs.uk');
    provider.subjects.set('shared.mailbox@trust.nhs.uk', 'subject-first-holder');
    expect((await signInThroughProvider('shared.mailbox@trust.nhs.uk')).outcome.ok).toBe(true);
    provider.subjects.set('shared.mailbox@trust.nhs.uk', 'subject-second-holder');
    const { outcome } = await signInThroughProvider('shared.mailbox@trust.nhs.uk');
    expect(outcome).toMatchObject({ ok: false, status: 403, message: expect.stringContaining('linked to a different sign-in') });
  });

  it('keeps the product role whatever the token says: a person is never created, nor given a role, by signing in', async () => {
    const before = await t.database.db.select().from(users);
    const { outcome } = await signInThroughProvider('stranger@elsewhere.nhs.uk');
    expect(outcome).toMatchObject({ ok: false, status: 403, message: expect.stringContaining('Ask an administrator') });
    expect(await t.database.db.select().from(users)).toHaveLength(before.length);
    const [refusal] = (await auditOf('auth.login_failed')).filter((e) => (e.after as { email?: string }).email === 'stranger@elsewhere.nhs.uk');
    expect(refusal).toMatchObject({ actorId: null, entityId: null, after: { method: 'oidc', reason: 'unknown_person', issuer: provider.issuer } });
  });

  it('refuses an email the provider has not verified, even when it matches an account', async () => {
    const nurse = await ssoPerson('unverified.nurse@trust.nhs.uk');
    const { outcome } = await signInThroughProvider('unverified.nurse@trust.nhs.uk');
    expect(outcome).toMatchObject({ ok: false, status: 403, message: expect.stringContaining('did not confirm your email address') });
    const [row] = await t.database.db.select().from(users).where(eq(users.id, nurse.id));
    expect(row!.oidcSubject).toBeNull();
    expect((await auditOf('auth.login_failed')).some((e) => (e.after as { reason?: string }).reason === 'email_not_verified')).toBe(true);
  });

  it('refuses a closed account, linked or not', async () => {
    const nurse = await ssoPerson('closed.account@trust.nhs.uk');
    await t.services.users.setActive(systemCtx('tests'), nurse.id, { version: 1, active: false });
    const { outcome } = await signInThroughProvider('closed.account@trust.nhs.uk');
    expect(outcome).toMatchObject({ ok: false, status: 403, message: expect.stringContaining('has been closed') });
  });
});

describe('what comes back from the provider is checked', () => {
  it('refuses a callback whose state was tampered with, and audits it', async () => {
    await ssoPerson('tampered.state@trust.nhs.uk');
    const started = await sso.begin(meta, REDIRECT_URI, null);
    if (!started.ok) throw new Error(started.message);
    const back = await signInAtProvider(started.url.href, 'tampered.state@trust.nhs.uk');
    back.searchParams.set('state', 'state-from-somewhere-else');
    const outcome = await sso.complete(meta, started.token, back);
    expect(outcome).toMatchObject({ ok: false, status: 400 });
    expect((await auditOf('auth.login_failed')).some((e) => (e.after as { reason?: string }).reason === 'state_mismatch')).toBe(true);
  });

  it('refuses a callback with no sign-in started in this browser, and one replayed after it was used', async () => {
    await ssoPerson('replayed@trust.nhs.uk');
    const { started, back, outcome } = await signInThroughProvider('replayed@trust.nhs.uk');
    expect(outcome.ok).toBe(true);
    expect(await sso.complete(meta, started.token, back)).toMatchObject({ ok: false, status: 400 });
    expect(await sso.complete(meta, undefined, back)).toMatchObject({ ok: false, status: 400 });
  });

  // What openid-client says failed: the one check each fault breaks.
  const detailOf = { wrong_nonce: /nonce/, foreign_key: /signature/i, expired: /exp/ };
  for (const [fault, what] of [
    ['wrong_nonce', 'an ID token with a nonce this app never sent'],
    ['foreign_key', 'an ID token signed by a key the provider does not publish'],
    ['expired', 'an expired ID token'],
  ] as const) {
    it(`refuses ${what}, though it came straight from the token endpoint`, async () => {
      const email = `${fault.replace('_', '-')}@trust.nhs.uk`;
      const nurse = await ssoPerson(email);
      const { outcome } = await signInThroughProvider(email, { fault });
      expect(outcome).toMatchObject({ ok: false, status: 403, message: expect.stringContaining('could not confirm the sign-in') });
      const [row] = await t.database.db.select().from(users).where(eq(users.id, nurse.id));
      expect(row!.oidcSubject).toBeNull();
      const refused = (await auditOf('auth.login_failed')).filter((e) => (e.after as { reason?: string }).reason === 'invalid_response');
      expect(refused.map((e) => (e.after as { detail: string }).detail)).toContainEqual(expect.stringMatching(detailOf[fault]));
    });
  }

  it('says plainly that the provider is down when it stops answering during the sign-in: 502, nobody signed in', async () => {
    await ssoPerson('provider.down@trust.nhs.uk');
    const { outcome } = await signInThroughProvider('provider.down@trust.nhs.uk', { fault: 'down' });
    expect(outcome).toMatchObject({ ok: false, status: 502, message: expect.stringContaining('Test NHS Trust is not answering') });
  });

  it('says the same when the provider has gone down since this process last talked to it, rather than sending the browser there', async () => {
    await signInThroughProvider('nobody.yet@trust.nhs.uk'); // the provider answered a moment ago
    provider.fault = 'down';
    try {
      expect(await sso.begin(meta, REDIRECT_URI, null)).toMatchObject({ ok: false, status: 502, message: expect.stringContaining('Test NHS Trust is not answering') });
    } finally {
      provider.fault = null;
    }
  });

  it('says the same when the provider cannot be reached to start with', async () => {
    const dead = await startTestProvider({ redirectUris: [REDIRECT_URI] });
    await dead.close();
    const other = createServices(t.database, { SESSION_IDLE_MINUTES: 30, SESSION_ABSOLUTE_HOURS: 12 }, {
      signIn: { passwordSignIn: true, mfaRequiredRoles: [], totpKey: null, oidc: { ...oidc, issuer: dead.issuer } },
    });
    expect(await other.sso!.begin(meta, REDIRECT_URI, null)).toMatchObject({ ok: false, status: 502 });
    expect((await auditOf('auth.login_failed')).some((e) => (e.after as { reason?: string }).reason === 'provider_unreachable')).toBe(true);
  });
});

describe('several app processes behind a load balancer', () => {
  it('finishes a sign-in on another process than the one that started it: nothing waits in memory', async () => {
    const nurse = await ssoPerson('two.processes@trust.nhs.uk');
    const first = sso;
    const second = createServices(t.database, { SESSION_IDLE_MINUTES: 30, SESSION_ABSOLUTE_HOURS: 12 }, {
      signIn: { passwordSignIn: true, mfaRequiredRoles: [], totpKey: null, oidc },
    }).sso!;
    const started = await first.begin(meta, REDIRECT_URI, '/referrals');
    if (!started.ok) throw new Error(started.message);
    const back = await signInAtProvider(started.url.href, 'two.processes@trust.nhs.uk');
    const outcome = await second.complete(meta, started.token, back);
    expect(outcome.ok && [outcome.signedIn.user.id, outcome.returnTo]).toEqual([nurse.id, '/referrals']);
  });
});

describe('signing out', () => {
  it("ends the provider's session too: its end-session URL with the ID token as the hint", async () => {
    await ssoPerson('signs.out@trust.nhs.uk');
    const { outcome } = await signInThroughProvider('signs.out@trust.nhs.uk');
    if (!outcome.ok) throw new Error(outcome.message);
    const ended = await t.services.auth.logout(outcome.signedIn.token, meta);
    expect(ended).toMatchObject({ method: 'oidc', idToken: expect.stringMatching(/^ey/) });
    const url = await sso.endSessionUrl(ended!.idToken, `${APP}/login`);
    expect(url!.origin + url!.pathname).toBe(`${provider.issuer}/session/end`);
    expect(Object.fromEntries(url!.searchParams)).toMatchObject({ id_token_hint: ended!.idToken, post_logout_redirect_uri: `${APP}/login`, client_id: provider.clientId });
    const [signOut] = (await auditOf('auth.logout')).filter((e) => e.entityId === outcome.signedIn.user.id);
    expect(signOut!.after).toEqual({ method: 'oidc' });
  });
});

describe('people without a password', () => {
  it('can be added by an admin when single sign-on is set up, and cannot sign in with a password', async () => {
    const admin = await t.as('admin');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { cookie: admin.cookie },
      payload: { email: 'no.password@trust.nhs.uk', name: 'No Password', role: 'consultant', siteIds: [site.id] },
    });
    expect(res.statusCode).toBe(201);
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'no.password@trust.nhs.uk', password: TEST_PASSWORD } });
    expect(login.statusCode).toBe(401);
    const unknown = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'nobody.at.all@trust.nhs.uk', password: TEST_PASSWORD } });
    expect(login.body).toBe(unknown.body);
  });

  it('cannot be added without single sign-on: then the password is required', async () => {
    const plain = await createTestApp();
    const admin = await plain.as('admin');
    const res = await plain.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { cookie: admin.cookie },
      payload: { email: 'no.password@trust.nhs.uk', name: 'No Password', role: 'admin' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ path: 'password', message: expect.stringContaining('single sign-on is not set up') }]);
  });
});

describe('PASSWORD_SIGN_IN=false', () => {
  it('refuses every password sign-in with 403, audited, whatever the password', async () => {
    const ssoOnly = await createTestApp({ signIn: { oidc, passwordSignIn: false } });
    const nurse = await ssoOnly.user('nurse', [], 'has.password@trust.nhs.uk');
    const res = await ssoOnly.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: nurse.email, password: TEST_PASSWORD } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ type: '/api/problems/forbidden', detail: expect.stringContaining('Sign in with Test NHS Trust'.slice(8)) });
    expect(res.cookies).toEqual([]);
    const audited = await ssoOnly.database.db.select().from(auditLog).where(eq(auditLog.action, 'auth.login_failed'));
    expect(audited.map((e) => e.after)).toEqual([{ email: nurse.email, method: 'password', reason: 'password_sign_in_off' }]);
  });
});
