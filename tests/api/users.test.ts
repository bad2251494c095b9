import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog } from '../../src/lib/server/db/schema';
import { createTestApp } from '../support/app';

const t = await createTestApp();
const { app } = t;
const site = await t.site('USR01');
const admin = await t.as('admin');

const createUser = (body: unknown, cookie = admin.cookie) =>
  app.inject({ method: 'POST', url: '/api/v1/users', payload: body as object, headers: { cookie } });
const valid = (over: Record<string, unknown> = {}) => ({
  email: `new-${Math.random().toString(36).slice(2)}@test.nhs.uk`,
  name: 'Alex Morgan',
  role: 'nurse',
  siteIds: [site.id],
  password: 'a-long-enough-password',
  ...over,
});

describe('creating users', () => {
  it('lets an admin create a user, who can then sign in', async () => {
    const body = valid({ email: 'Alex.Morgan@Test.NHS.uk' });
    const res = await createUser(body);
    expect(res.statusCode).toBe(201);
    const user = res.json();
    expect(user).toEqual({ id: expect.any(String), email: 'alex.morgan@test.nhs.uk', name: 'Alex Morgan', role: 'nurse', siteIds: [site.id] });
    expect(res.body).not.toMatch(/password|argon/i);
    expect(await t.signIn('alex.morgan@test.nhs.uk', 'a-long-enough-password')).toMatch(/^pp_session=/);
  });

  it('audits the creation without the password or its hash', async () => {
    const res = await createUser(valid());
    const entries = await t.database.db.select().from(auditLog).where(eq(auditLog.entityId, res.json().id));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: 'user.create', actorId: admin.user.id, actorRole: 'admin', entityType: 'user' });
    expect(JSON.stringify(entries[0])).not.toMatch(/password|argon/i);
  });

  it('refuses a second user with the same email, whatever its case, with 409', async () => {
    const body = valid();
    expect((await createUser(body)).statusCode).toBe(201);
    const again = await createUser({ ...body, email: body.email.toUpperCase() });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ type: '/api/problems/conflict', status: 409 });
  });

  it('names every bad field', async () => {
    const res = await createUser({ email: 'not-an-email', name: '', role: 'surgeon', siteIds: ['x'], password: 'short' });
    expect(res.statusCode).toBe(400);
    const paths = res.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['email', 'name', 'role', 'siteIds.0', 'password']));
  });

  it('refuses sites that do not exist, naming the entry, and writes nothing', async () => {
    const ghost = '00000000-0000-4000-8000-000000000000';
    const body = valid({ siteIds: [site.id, ghost] });
    const res = await createUser(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ path: 'siteIds.1', message: `No site with id ${ghost}` }]);
    const retry = await createUser({ ...body, siteIds: [site.id] });
    expect(retry.statusCode).toBe(201);
  });

  it('needs at least one site for a nurse or consultant, none for a commissioner', async () => {
    expect((await createUser(valid({ role: 'consultant', siteIds: [] }))).json().errors).toEqual([
      { path: 'siteIds', message: 'A nurse or consultant needs at least one site' },
    ]);
    expect((await createUser(valid({ role: 'commissioner', siteIds: [] }))).statusCode).toBe(201);
  });

  it('refuses unknown fields rather than ignoring them', async () => {
    const res = await createUser(valid({ passwordHash: 'x' }));
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ path: 'passwordHash', message: 'Unknown field' }]);
  });

  it.each(['nurse', 'consultant', 'commissioner'] as const)('refuses a %s with 403', async (role) => {
    const other = await t.as(role, [site.id]);
    const res = await createUser(valid(), other.cookie);
    expect(res.statusCode).toBe(403);
    expect(res.json().type).toBe('/api/problems/forbidden');
  });

  it('answers 401 when not signed in', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/v1/users', payload: valid() })).statusCode).toBe(401);
  });
});

describe('listing users', () => {
  it('pages through every user for an admin, never showing a hash', async () => {
    const first = await app.inject({ method: 'GET', url: '/api/v1/users?limit=2', headers: { cookie: admin.cookie } });
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.items).toHaveLength(2);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const second = await app.inject({ method: 'GET', url: `/api/v1/users?limit=2&cursor=${page1.nextCursor}`, headers: { cookie: admin.cookie } });
    expect(second.json().items[0].email > page1.items[1].email).toBe(true);
    expect(first.body + second.body).not.toMatch(/argon/);
  });

  it('refuses a cursor it did not give out', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/users?cursor=bogus', headers: { cookie: admin.cookie } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('cursor');
  });

  it('caps the page size at 500', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/users?limit=501', headers: { cookie: admin.cookie } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('limit');
  });
});
