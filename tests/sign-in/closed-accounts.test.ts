import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Ctx } from '../../src/lib/server/context';
import { auditLog, sessions } from '../../src/lib/server/db/schema';
import { actorOf } from '../../src/lib/server/services/user.service';
import type { User } from '../../src/lib/schemas/users.schema';
import { createTestApp, TEST_PASSWORD } from '../support/app';

const t = await createTestApp();
const site = await t.site('CLO01');
const admin = await t.as('admin');
const ctxOf = (user: User): Ctx => ({ actor: actorOf(user), requestId: 'closed-accounts', clientAddress: '127.0.0.1' });
const asAdmin = ctxOf(admin.user);

const me = (cookie: string) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
const login = (email: string) => t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: TEST_PASSWORD } });

describe('an administrator closes an account', () => {
  it('signs the person out at once and refuses their password, with its history kept', async () => {
    const nurse = await t.as('nurse', [site.id]);
    expect((await me(nurse.cookie)).statusCode).toBe(200);

    const closed = await t.services.users.setActive(asAdmin, nurse.user.id, { version: 1, active: false });
    expect(closed).toEqual(nurse.user);

    expect((await me(nurse.cookie)).statusCode).toBe(401);
    expect(await t.database.db.select().from(sessions).where(eq(sessions.userId, nurse.user.id))).toEqual([]);
    const refused = await login(nurse.user.email);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().detail).toContain('This account has been closed');
    const listed = (await t.services.users.list(asAdmin, { limit: 500 })).items.find((u) => u.id === nurse.user.id);
    expect(listed).toMatchObject({ active: false, version: 2 });
  });

  it('opens it again: the person signs in as before', async () => {
    const nurse = await t.user('nurse', [site.id]);
    await t.services.users.setActive(asAdmin, nurse.id, { version: 1, active: false });
    await t.services.users.setActive(asAdmin, nurse.id, { version: 2, active: true });
    expect((await login(nurse.email)).statusCode).toBe(200);
  });

  it('audits each change with who made it and the state before and after', async () => {
    const nurse = await t.user('nurse', [site.id]);
    await t.services.users.setActive(asAdmin, nurse.id, { version: 1, active: false });
    await t.services.users.setActive(asAdmin, nurse.id, { version: 2, active: true });
    const entries = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, nurse.id), eq(auditLog.entityType, 'user')))
      .orderBy(auditLog.id);
    expect(entries.map((e) => [e.action, e.actorId, e.before, e.after])).toEqual([
      ['user.create', null, null, expect.anything()],
      ['user.close', admin.user.id, { active: true, version: 1 }, { active: false, version: 2 }],
      ['user.reopen', admin.user.id, { active: false, version: 2 }, { active: true, version: 3 }],
    ]);
  });

  it('refuses a stale version with 409 and changes nothing', async () => {
    const nurse = await t.as('nurse', [site.id]);
    await t.services.users.setActive(asAdmin, nurse.user.id, { version: 1, active: false });
    await t.services.users.setActive(asAdmin, nurse.user.id, { version: 2, active: true });
    await expect(t.services.users.setActive(asAdmin, nurse.user.id, { version: 1, active: false })).rejects.toMatchObject({ kind: 'conflict' });
    expect((await login(nurse.user.email)).statusCode).toBe(200);
  });

  it('does not let administrators close their own account, nor anyone but an administrator close one', async () => {
    await expect(t.services.users.setActive(asAdmin, admin.user.id, { version: 1, active: false })).rejects.toMatchObject({ kind: 'forbidden' });
    expect((await me(admin.cookie)).statusCode).toBe(200);
    const consultant = await t.user('consultant', [site.id]);
    const nurse = await t.user('nurse', [site.id]);
    await expect(t.services.users.setActive(ctxOf(consultant), nurse.id, { version: 1, active: false })).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(t.services.users.setActive(asAdmin, '00000000-0000-4000-8000-000000000000', { version: 1, active: false })).rejects.toMatchObject({ kind: 'not_found' });
  });
});
