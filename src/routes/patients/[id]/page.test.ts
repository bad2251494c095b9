import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { UserActor } from '$lib/domain/access';
import { conflict, forbidden, validation } from '$lib/domain/errors';
import { actions, load } from './+page.server';

/** The patient's page: what it says of each record, the form recording a therapy already in use, and the details form. */

const SITE = '00000000-0000-4000-8000-000000000001';
const PATIENT = '00000000-0000-4000-8000-000000000002';
const CREATED = '00000000-0000-4000-8000-000000000003';
const nurse: UserActor = { kind: 'user', userId: 'u', email: 'nurse@example.org', name: 'A Nurse', role: 'nurse', siteIds: [SITE] };

const created: unknown[] = [];
const updated: unknown[] = [];
let createFails: Error | null = null;
let nhsNumber: string | null = '9990000018';
const services = {
  patients: {
    get: async () => ({ id: PATIENT, siteId: SITE, birthDate: '1990-05-17', fhirId: null, nhsNumber, context: { hba1c: [] } }),
    update: async (_ctx: unknown, _id: string, input: unknown) => {
      if (createFails) throw createFails;
      updated.push(input);
    },
  },
  sites: { get: async () => ({ id: SITE, name: 'Riverside' }) },
  devices: { list: async () => ({ items: [{ kind: 'pump', name: 'Tandem t:slim X2' }] }) },
  referrals: {
    listForPatient: async () => [
      {
        id: CREATED,
        therapy: 'csii',
        status: 'on_therapy',
        origin: 'existing',
        receivedOn: null,
        knownOn: '2026-04-01',
        lastEventOn: '2026-04-01',
        allowedEvents: ['review'],
        events: [{ type: 'existing_therapy', occurredOn: '2026-04-01', payload: { startedYear: 2019, knownOn: '2026-04-01', pump: 'Tandem t:slim X2', funding: 'nhs' } }],
      },
    ],
    create: async (_ctx: unknown, input: unknown) => {
      if (createFails) throw createFails;
      created.push(input);
      return { id: CREATED };
    },
  },
  fhir: null,
};

const locals = (actor: UserActor) => ({ actor, ctx: { actor, requestId: 'test', clientAddress: null }, services });
const run = (actor: UserActor) =>
  load({ locals: locals(actor), params: { id: PATIENT }, url: new URL(`http://localhost/patients/${PATIENT}`) } as never) as Promise<Record<string, any>>;
const post = (fields: Record<string, string>, actor = nurse, action: 'existing' | 'details' = 'existing') => {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  const request = new Request(`http://localhost/patients/${PATIENT}?/${action}`, { method: 'POST', body });
  return actions[action]!({ request, locals: locals(actor), params: { id: PATIENT } } as never) as Promise<any>;
};
const saveDetails = (fields: Record<string, string>) => post(fields, nurse, 'details');
const ON_A_PUMP = { existingTherapy: 'csii', startedOn: '2019-03-04', startedYear: '', knownOn: '2026-04-01', pump: 'Tandem t:slim X2', cgm: '', algorithm: '', funding: 'nhs' };

describe("the patient's page", () => {
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-06-01T12:00:00Z'));
  });
  afterAll(() => vi.useRealTimers());
  beforeEach(() => {
    created.length = 0;
    updated.length = 0;
    createFails = null;
    nhsNumber = '9990000018';
  });

  it('gives each record with the facts its list entry needs, and the catalogue to those who may record', async () => {
    const data = await run(nurse);
    expect(data.referrals[0]).toMatchObject({ id: CREATED, origin: 'existing', existing: { startedYear: 2019, pump: 'Tandem t:slim X2' } });
    expect(data.referrals[0].events).toBeUndefined();
    expect(data.devices).toHaveLength(1);
    expect((await run({ ...nurse, role: 'admin' })).devices).toEqual([]);
  });

  it('records a therapy already in use and goes to its page', async () => {
    await expect(post({ ...ON_A_PUMP, startedOn: '', startedYear: ' 2019 ' })).rejects.toMatchObject({ status: 303, location: `/referrals/${CREATED}?created=1` });
    expect(created).toEqual([{ patientId: PATIENT, origin: 'existing', therapy: 'csii', startedYear: 2019, knownOn: '2026-04-01', pump: 'Tandem t:slim X2', funding: 'nhs' }]);
  });

  it("lists every problem at once, the date rules' with the form's, in the form's order, keeping what was typed", async () => {
    const res = await post({ ...ON_A_PUMP, startedOn: '2027-03-04', pump: '' });
    expect(res.status).toBe(400);
    expect(res.data.form).toBe('existing');
    expect(Object.keys(res.data.errors)).toEqual(['startedOn', 'pump']);
    expect(res.data.errors.startedOn).toBe('The start cannot be after the date known to be on therapy');
    expect(res.data.values).toMatchObject({ existingTherapy: 'csii', startedOn: '2027-03-04', knownOn: '2026-04-01' });
    expect(created).toEqual([]);
  });

  it("names the therapy radios' error by their own field, not the referral form's", async () => {
    const res = await post({ ...ON_A_PUMP, existingTherapy: '' });
    expect(res.data.errors).toHaveProperty('existingTherapy');
    expect(res.data.errors).not.toHaveProperty('therapy');
  });

  it("shows the service's own field errors beside the fields, and a conflict at the top", async () => {
    createFails = validation([{ path: 'cgm', message: 'Old CGM is not a CGM in the device catalogue' }, { path: 'startedYear', message: 'The year started (2018) does not agree' }]);
    const invalid = await post(ON_A_PUMP);
    expect(Object.keys(invalid.data.errors)).toEqual(['startedYear', 'cgm']);
    createFails = conflict('This patient already has a pump record on therapy');
    const clash = await post(ON_A_PUMP);
    expect(clash).toMatchObject({ status: 409, data: { form: 'existing', errors: {}, message: 'This patient already has a pump record on therapy' } });
  });

  it('leaves the decision to the service: one it refuses is the real status', async () => {
    createFails = forbidden();
    await expect(post(ON_A_PUMP, { ...nurse, role: 'commissioner', siteIds: [] })).rejects.toMatchObject({ status: 403 });
  });

  describe('the details form', () => {
    it('opens to add an NHS number when the patient has no valid one', async () => {
      expect((await run(nurse)).needsNhsNumber).toBe(false);
      nhsNumber = null;
      expect((await run(nurse)).needsNhsNumber).toBe(true);
      nhsNumber = '=HYPERLINK("x")';
      expect((await run(nurse)).needsNhsNumber).toBe(true);
    });

    it('sends a blank choice as "not recorded", and the NHS number only when typed', async () => {
      await expect(saveDetails({ version: '3', nhsNumber: '', ethnicCategory: '', postcode: ' ls1 4ap ', imdDecile: '4' })).rejects.toMatchObject({
        status: 303,
        location: `/patients/${PATIENT}?updated=1`,
      });
      expect(updated).toEqual([{ version: 3, ethnicCategory: null, postcode: 'LS1 4AP', imdDecile: 4 }]);
    });

    it('lists every problem at once against this form, keeping what was typed', async () => {
      const res = await saveDetails({ version: '3', nhsNumber: '123', ethnicCategory: 'Q', postcode: 'nowhere', imdDecile: '' });
      expect(res).toMatchObject({ status: 400, data: { form: 'details', values: { nhsNumber: '123', postcode: 'nowhere' } } });
      expect(Object.keys(res.data.errors).sort()).toEqual(['ethnicCategory', 'nhsNumber', 'postcode']);
      expect(updated).toEqual([]);
    });

    it('shows a conflict at the top of the page', async () => {
      createFails = conflict('Another patient is registered with this NHS number');
      const res = await saveDetails({ version: '1', nhsNumber: '9434765919' });
      expect(res).toMatchObject({ status: 409, data: { form: 'details', message: 'Another patient is registered with this NHS number' } });
    });
  });
});
