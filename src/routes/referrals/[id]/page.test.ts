import { describe, expect, it } from 'vitest';
import type { UserActor } from '$lib/domain/access';
import { actions, load } from './+page.server';

/** The referral's page finds the pump record a closed-loop start ended, and asks for nothing otherwise. */

const SITE = '00000000-0000-4000-8000-000000000001';
const PATIENT = '00000000-0000-4000-8000-000000000002';
const HCL = '00000000-0000-4000-8000-000000000003';
const PUMP = '00000000-0000-4000-8000-000000000004';
const OLD_PUMP = '00000000-0000-4000-8000-000000000005';
const nurse: UserActor = { kind: 'user', userId: 'u', email: 'nurse@example.org', name: 'A Nurse', role: 'nurse', siteIds: [SITE] };

const started = { type: 'device_started', occurredOn: '2026-06-15', payload: { startedOn: '2026-06-15', pump: 'Insulet Omnipod 5' } };
const switchedBy = (hclReferralId: string) => ({ type: 'switched_to_hcl', occurredOn: '2026-06-15', payload: { on: '2026-06-15', hclReferralId } });
const askedFor: string[] = [];

const run = (referral: Record<string, unknown>) => {
  const services = {
    patients: { get: async () => ({ id: PATIENT }) },
    sites: { get: async () => ({ id: SITE, name: 'Riverside' }) },
    devices: { list: async () => ({ items: [] }) },
    referrals: {
      get: async () => ({ id: HCL, patientId: PATIENT, siteId: SITE, allowedEvents: [], ...referral }),
      listForPatient: async (_ctx: unknown, patientId: string) => {
        askedFor.push(patientId);
        return [
          { id: OLD_PUMP, therapy: 'csii', events: [switchedBy('another closed loop')] },
          { id: PUMP, therapy: 'csii', events: [switchedBy(HCL)] },
        ];
      },
    },
  };
  const locals = { actor: nurse, ctx: { actor: nurse, requestId: 'test', clientAddress: null }, services };
  return load({ locals, params: { id: HCL }, url: new URL(`http://localhost/referrals/${HCL}`) } as never) as Promise<Record<string, any>>;
};

describe("a closed-loop referral's page", () => {
  it('links the start to the pump record that start ended', async () => {
    expect((await run({ therapy: 'hcl', events: [started] })).endedPumpRecord).toBe(PUMP);
  });

  it('asks nothing more of a closed loop not yet started, nor of a pump referral', async () => {
    askedFor.length = 0;
    expect((await run({ therapy: 'hcl', events: [] })).endedPumpRecord).toBeNull();
    expect((await run({ therapy: 'csii', events: [started] })).endedPumpRecord).toBeNull();
    expect(askedFor).toEqual([]);
  });
});

describe("the review form's HbA1c", () => {
  const post = async (fields: Record<string, string>) => {
    const form = new FormData();
    for (const [k, v] of Object.entries({ type: 'review', version: '5', reviewedOn: '2026-06-20', decision: 'continue', ...fields })) form.append(k, v);
    const recorded: unknown[] = [];
    const locals = { ctx: { actor: nurse, requestId: 'test', clientAddress: null }, services: { referrals: { recordEvent: async (_ctx: unknown, _id: string, body: unknown) => recorded.push(body), eventFieldProblems: async () => [] } } };
    const request = new Request(`http://localhost/referrals/${HCL}?/event`, { method: 'POST', body: form });
    const outcome = await Promise.resolve(actions.event!({ request, locals, params: { id: HCL } } as never)).catch((e: unknown) => e);
    return { outcome: outcome as Record<string, any>, recorded };
  };

  it('records a result typed in % as the review event carries it: whole IFCC mmol/mol', async () => {
    const { outcome, recorded } = await post({ hba1cResult: '8.7', hba1cUnit: '%' });
    expect(recorded).toEqual([{ type: 'review', version: 5, reviewedOn: '2026-06-20', decision: 'continue', hba1cMmolMol: 72 }]);
    expect(outcome.status).toBe(303);
  });

  it('refuses 8.7 mmol/mol in words about the field, with every other problem, and records nothing', async () => {
    const { outcome, recorded } = await post({ hba1cResult: '8.7', hba1cUnit: 'mmol/mol', decision: '' });
    expect(recorded).toEqual([]);
    expect(outcome.status).toBe(400);
    expect(outcome.data.errors).toEqual({ hba1cResult: 'HbA1c in mmol/mol must be between 20 and 200; for a result in %, choose %', decision: expect.any(String) });
    expect(outcome.data.values.hba1cResult).toBe('8.7');
  });
});

describe("the step forms' messages", () => {
  const post = async (fields: Record<string, string>) => {
    const form = new FormData();
    for (const [k, v] of Object.entries({ version: '5', ...fields })) form.append(k, v);
    const locals = { ctx: { actor: nurse, requestId: 'test', clientAddress: null }, services: { referrals: { recordEvent: async () => undefined, eventFieldProblems: async () => [] } } };
    const request = new Request(`http://localhost/referrals/${HCL}?/event`, { method: 'POST', body: form });
    return (await actions.event!({ request, locals, params: { id: HCL } } as never)) as Record<string, any>;
  };

  it('name the date and the choice as the page labels them, not by their codes', async () => {
    expect((await post({ type: 'review', decision: 'continue' })).data.errors).toEqual({ reviewedOn: 'Enter the date of the review' });
    expect((await post({ type: 'withdrawn', on: '2026-06-31' })).data.errors).toEqual({
      on: 'The date of the withdrawal must be a real date, for example 27/03/2026',
      reason: 'Select the reason',
    });
  });
});
