import { describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app';
import { pathwayClient } from '../support/pathway';

const t = await createTestApp();
const site = await t.site('AUD01', 'Audit General');
const admin = await t.as('admin');
const nurse = await t.as('nurse', [site.id]);

const audit = async (query: string) => {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/audit?${query}`, headers: { cookie: admin.cookie } });
  expect(res.statusCode).toBe(200);
  return res.json().items as Record<string, any>[];
};

describe('the audit trail names people and records', () => {
  it('lists a sign-out under the person who signed out', async () => {
    const someone = await t.as('consultant', [site.id]);
    await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie: someone.cookie } });
    const [signOut] = (await audit(`entityId=${someone.user.id}`)).filter((e) => e.action === 'auth.logout');
    expect(signOut).toMatchObject({ actorId: someone.user.id, actorRole: 'consultant', actorName: someone.user.name, actorEmail: someone.user.email });
    expect(signOut!.record.user).toEqual({ id: someone.user.id, name: someone.user.name, email: someone.user.email });
  });

  it('audits a failed sign-in with the email tried and never the password, for a known account or an unknown one', async () => {
    const known = await t.user('nurse', [site.id]);
    for (const email of [known.email, 'nobody-here@test.nhs.uk']) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: 'Wrong-Secret-42' } });
      expect(res.statusCode).toBe(401);
    }
    const failed = (await audit('limit=50')).filter((e) => e.action === 'auth.login_failed');
    expect(failed.map((e) => e.after)).toEqual([
      { email: 'nobody-here@test.nhs.uk', method: 'password', reason: 'credentials' },
      { email: known.email, method: 'password', reason: 'credentials' },
    ]);
    expect(failed[0]).toMatchObject({ actorId: null, actorName: null, entityType: 'user', entityId: null, clientAddress: '127.0.0.1' });
    expect(failed[1]).toMatchObject({ entityId: known.id, record: { user: { id: known.id } } });
    expect(JSON.stringify(failed)).not.toContain('Wrong-Secret-42');
  });

  it('keeps no text typed in the email field that is not an email address: it may be a password in the wrong box', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'Typed-My-Secret-99', password: 'x' } });
    expect(res.statusCode).toBe(401);
    const [latest] = (await audit('limit=50')).filter((e) => e.action === 'auth.login_failed');
    expect(latest!.after).toEqual({ email: null, method: 'password', reason: 'credentials' });
    expect(JSON.stringify(await audit('limit=50'))).not.toContain('Typed-My-Secret-99');
  });

  it("names the patient (with NHS number) of a patient's and a referral's entry, the referral's therapy and date, and a facilitation activity's site", async () => {
    const client = pathwayClient(t, nurse.cookie);
    const p = await client.createPatient(site.id, { givenName: 'Leo', familyName: 'Harris' });
    const r = await client.refer(p.id, { therapy: 'hcl', receivedOn: '2026-02-03' });
    const patient = { id: p.id, givenName: 'Leo', familyName: 'Harris', nhsNumber: p.nhsNumber };
    const [created] = await audit(`entityId=${p.id}`);
    expect(created).toMatchObject({ action: 'patient.create', actorName: nurse.user.name, record: { patient, referral: null } });
    const [referred] = await audit(`entityId=${r.id}`);
    expect(referred).toMatchObject({ action: 'referral.create', record: { patient, referral: { id: r.id, therapy: 'hcl', on: '2026-02-03' } } });
    const facilitation = await client.call('POST', `/api/v1/sites/${site.id}/facilitation`, { on: '2026-01-10', mode: 'active', kind: 'workshop' });
    const [activity] = await audit(`entityId=${facilitation.body.id}`);
    expect(activity!.record).toMatchObject({ site: { id: site.id, name: 'Audit General' }, patient: null });
  });
});
