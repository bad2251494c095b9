import { describe, expect, it } from 'vitest';
import type { UserActor } from '../../src/lib/domain/access';
import type { User } from '../../src/lib/schemas/users.schema';
import { createTestApp } from '../support/app';
import { ASSESS_ELIGIBLE, pathwayClient } from '../support/pathway';

/**
 * A patient's referrals with their histories, as the patient's page and the referral page read them
 * (ReferralService.listForPatient): the pages have no API endpoint of their own, so the service is called directly.
 */

const t = await createTestApp();
const site = await t.site('RFP01');
const elsewhere = await t.site('RFP02');
const nurseUser = await t.as('nurse', [site.id]);
const consultantUser = await t.as('consultant', [site.id]);
const nurse = pathwayClient(t, nurseUser.cookie);
const consultant = pathwayClient(t, consultantUser.cookie);

const ctxOf = (user: User, over: Partial<UserActor> = {}) => ({
  actor: { kind: 'user', userId: user.id, email: user.email, name: user.name, role: user.role, siteIds: user.siteIds, ...over } satisfies UserActor,
  requestId: 'test',
  clientAddress: null,
});

describe("a patient's referrals with their histories", () => {
  it('gives every record with its events, newest first, and the switch that ended the pump record', async () => {
    const patient = await nurse.createPatient(site.id);
    const pump = await nurse.existing(patient.id);
    const hcl = await nurse.refer(patient.id, { therapy: 'hcl', receivedOn: '2026-05-01' });
    const steps = [
      [consultant, { ...ASSESS_ELIGIBLE, assessedOn: '2026-05-10', currentTechnology: ['csii'], mdiTried: false }],
      [nurse, { type: 'funding_requested', submittedOn: '2026-05-11', commissioner: 'NHS Test ICB', route: 'national_hcl' }],
      [nurse, { type: 'funding_decision', decidedOn: '2026-05-20', outcome: 'approved' }],
      [nurse, { type: 'device_started', startedOn: '2026-06-15', pump: 'Insulet Omnipod 5', cgm: 'Dexcom G6', algorithm: 'SmartAdjust' }],
    ] as const;
    for (const [i, [who, step]] of steps.entries()) expect((await who.event(hcl.id, { ...step, version: i + 1 })).status).toBe(201);

    const records = await t.services.referrals.listForPatient(ctxOf(nurseUser.user), patient.id);
    expect(records.map((r) => [r.id, r.origin, r.status])).toEqual([
      [hcl.id, 'pathway', 'on_therapy'],
      [pump.id, 'existing', 'switched'],
    ]);
    expect(records[1]!.events.map((e) => e.type)).toEqual(['existing_therapy', 'switched_to_hcl']);
    expect(records[1]!.events[0]!.payload).toMatchObject({ startedOn: '2019-03-04', pump: 'Tandem t:slim X2' });
    expect(records[1]!.events[0]!.recordedByName).toBe(nurseUser.user.name);
    expect(records[1]!.events[1]!.payload).toEqual({ on: '2026-06-15', hclReferralId: hcl.id });
    expect(records[1]!.allowedEvents).toEqual([]);
    expect(records[0]!.allowedEvents).toEqual(['review']);
  });

  it("holds nothing from outside the caller's sites", async () => {
    const patient = await nurse.createPatient(site.id);
    await nurse.existing(patient.id);
    expect(await t.services.referrals.listForPatient(ctxOf(nurseUser.user, { siteIds: [elsewhere.id] }), patient.id)).toEqual([]);
    expect(await t.services.referrals.listForPatient(ctxOf(nurseUser.user, { siteIds: [] }), patient.id)).toEqual([]);
  });

  it('is not for commissioners', async () => {
    const patient = await nurse.createPatient(site.id);
    await expect(t.services.referrals.listForPatient(ctxOf(nurseUser.user, { role: 'commissioner', siteIds: [] }), patient.id)).rejects.toMatchObject({ kind: 'forbidden' });
  });
});
