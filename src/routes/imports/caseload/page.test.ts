import { describe, expect, it } from 'vitest';
import type { UserActor } from '$lib/domain/access';
import { actions, load } from './+page.server';

const SITE = '00000000-0000-4000-8000-000000000001';
const OTHER = '00000000-0000-4000-8000-000000000002';
const nurse: UserActor = { kind: 'user', userId: 'u', email: 'nurse@example.org', name: 'A Nurse', role: 'nurse', siteIds: [SITE] };
const admin: UserActor = { ...nurse, role: 'admin', siteIds: [] };

const clean = { rows: 1, errors: [], patients: { created: 1, matched: 0 }, existingTherapies: { created: 0, alreadyRecorded: 0 }, referrals: { created: 1, alreadyRecorded: 0 } };
const sent: { mode: string; siteId: string; text: string }[] = [];
const services = {
  sites: { list: async () => ({ items: [{ id: OTHER, name: 'Elsewhere' }, { id: SITE, name: 'Riverside' }] }) },
  caseloadImport: {
    check: async (_ctx: unknown, siteId: string, body: Uint8Array) => {
      sent.push({ mode: 'check', siteId, text: new TextDecoder().decode(body) });
      return { mode: 'check', ...clean };
    },
    apply: async (_ctx: unknown, siteId: string, body: Uint8Array) => {
      sent.push({ mode: 'apply', siteId, text: new TextDecoder().decode(body) });
      return { mode: 'apply', ...clean, errors: [{ line: 2, column: 'pump', message: 'Not in the catalogue' }] };
    },
  },
};
const locals = (actor: UserActor) => ({ actor, ctx: { actor, requestId: 'test', clientAddress: null }, services });
const run = (actor: UserActor) => load({ locals: locals(actor) } as never) as Promise<Record<string, any>>;

function post(action: 'check' | 'apply', fields: Record<string, string | File>, actor: UserActor = nurse) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const request = new Request('http://localhost/imports/caseload', { method: 'POST', body: form });
  return actions[action]!({ request, locals: locals(actor) } as never) as Promise<any>;
}

describe('the caseload import page', () => {
  it("offers the user's own sites, their site chosen", async () => {
    const data = await run(nurse);
    expect(data).toEqual({ sites: [{ id: SITE, name: 'Riverside' }], siteId: SITE });
  });

  it('lets an admin, who has no site of their own, choose any', async () => {
    const data = await run(admin);
    expect(data.sites.map((s: { id: string }) => s.id)).toEqual([OTHER, SITE]);
    expect(data.siteId).toBe('');
  });

  it('is not for commissioners', async () => {
    await expect(run({ ...nurse, role: 'commissioner', siteIds: [] })).rejects.toMatchObject({ status: 403 });
  });

  it('asks for the site and the file before anything is checked', async () => {
    const res = await post('check', { siteId: '', file: new File([], '') });
    expect(res).toMatchObject({ status: 400, data: { errors: { siteId: 'Choose the site', file: 'Choose the CSV file to check' } } });
  });

  it('checks the file chosen for the site chosen, and shows the report', async () => {
    sent.length = 0;
    const res = await post('check', { siteId: SITE, file: new File(['nhs_number,record,therapy\n'], 'caseload.csv') });
    expect(res).toMatchObject({ mode: 'check', fileName: 'caseload.csv', report: { mode: 'check', errors: [] } });
    expect(sent).toEqual([{ mode: 'check', siteId: SITE, text: 'nhs_number,record,therapy\n' }]);
  });

  it('answers an apply refused for the file\'s problems with 422 and the report', async () => {
    const res = await post('apply', { siteId: SITE, file: new File(['x'], 'caseload.csv') });
    expect(res).toMatchObject({ status: 422, data: { report: { mode: 'apply', errors: [{ line: 2, column: 'pump' }] } } });
  });
});
