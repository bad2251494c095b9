import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog } from '../../src/lib/server/db/schema';
import { createTestApp } from '../support/app';
import { ASSESS_ELIGIBLE, pathwayClient } from '../support/pathway';

/**
 * People already on a pump or closed loop when the service began (api.md, "Existing therapy"), and the switch of a
 * pump record to closed loop when the person starts it ("Switching to closed loop").
 */

const t = await createTestApp();
const { db } = t.database;
const site = await t.site('EXT01');
const elsewhere = await t.site('EXT02');
const nurse = pathwayClient(t, (await t.as('nurse', [site.id])).cookie);
const consultant = pathwayClient(t, (await t.as('consultant', [site.id])).cookie);
const otherNurse = pathwayClient(t, (await t.as('nurse', [elsewhere.id])).cookie);
const commissioner = pathwayClient(t, (await t.as('commissioner')).cookie);
const admin = pathwayClient(t, (await t.as('admin')).cookie);

const ON_A_PUMP = { therapy: 'csii', origin: 'existing', startedOn: '2019-03-04', knownOn: '2026-04-01', pump: 'Tandem t:slim X2', funding: 'nhs' } as const;

/** An HCL referral taken through to awaiting_start, ready for its device start. */
async function closedLoopReadyToStart(patientId: string) {
  const referral = await nurse.refer(patientId, { therapy: 'hcl', receivedOn: '2026-05-01', priorityGroup: 'existing_pump_user' });
  const steps = [
    [consultant, { ...ASSESS_ELIGIBLE, assessedOn: '2026-05-10', currentTechnology: ['csii'], mdiTried: false }],
    [nurse, { type: 'funding_requested', submittedOn: '2026-05-11', commissioner: 'NHS Test ICB', route: 'national_hcl' }],
    [nurse, { type: 'funding_decision', decidedOn: '2026-05-20', outcome: 'approved' }],
  ] as const;
  for (const [i, [who, step]] of steps.entries()) {
    const res = await who.event(referral.id, { ...step, version: i + 1 });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  return { id: referral.id, version: 4 };
}

const hclStart = (on: string, version: number) => ({ type: 'device_started', startedOn: on, pump: 'Insulet Omnipod 5', cgm: 'Dexcom G6', algorithm: 'SmartAdjust', version });

describe('recording a person already on therapy', () => {
  it('creates a record on therapy from the start, with one existing_therapy event carrying what was sent', async () => {
    const patient = await nurse.createPatient(site.id);
    const res = await nurse.call('POST', '/api/v1/referrals', { patientId: patient.id, ...ON_A_PUMP, cgm: 'Dexcom G7' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: 'on_therapy', origin: 'existing', version: 1, receivedOn: null, source: null, knownOn: '2026-04-01', siteId: site.id });
    expect(res.body.events).toHaveLength(1);
    expect(res.body.events[0]).toMatchObject({
      type: 'existing_therapy',
      occurredOn: '2026-04-01',
      statusAfter: 'on_therapy',
      payload: { startedOn: '2019-03-04', knownOn: '2026-04-01', pump: 'Tandem t:slim X2', cgm: 'Dexcom G7', funding: 'nhs' },
    });
    expect(res.body.allowedEvents).toEqual(['review']);
    const audit = await db.select().from(auditLog).where(eq(auditLog.entityId, res.body.id));
    expect(audit.map((a) => a.action)).toEqual(['referral.existing_therapy']);
  });

  it('accepts a start known only by its year, or not known at all', async () => {
    for (const start of [{ startedYear: 2015 }, {}]) {
      const patient = await nurse.createPatient(site.id);
      const { startedOn: _startedOn, ...rest } = ON_A_PUMP;
      const res = await nurse.call('POST', '/api/v1/referrals', { patientId: patient.id, ...rest, ...start });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
  });

  it('reports every problem at once and writes nothing', async () => {
    const patient = await nurse.createPatient(site.id);
    const res = await nurse.call('POST', '/api/v1/referrals', {
      patientId: patient.id,
      ...ON_A_PUMP,
      startedYear: 2018,
      knownOn: '2099-01-01',
      pump: 'A pump nobody sells',
      algorithm: 'Guesswork',
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['algorithm', 'knownOn', 'pump', 'startedYear']);
    expect((await nurse.call('GET', `/api/v1/referrals?patientId=${patient.id}`)).body.items).toEqual([]);
  });

  it('refuses fields of the other kind of record, and an unknown origin', async () => {
    const patient = await nurse.createPatient(site.id);
    const mixed = await nurse.call('POST', '/api/v1/referrals', { patientId: patient.id, ...ON_A_PUMP, receivedOn: '2026-04-01', source: 'gp' });
    expect(mixed.status).toBe(400);
    const unknown = await nurse.call('POST', '/api/v1/referrals', { patientId: patient.id, ...ON_A_PUMP, origin: 'imported' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].path).toBe('origin');
  });

  it('answers 409 when the person already has a record of that therapy on therapy', async () => {
    const patient = await nurse.createPatient(site.id);
    await nurse.existing(patient.id);
    const again = await nurse.call('POST', '/api/v1/referrals', { patientId: patient.id, ...ON_A_PUMP, startedOn: '2020-01-01' });
    expect(again.status).toBe(409);
    // A closed loop is another therapy.
    expect((await nurse.call('POST', '/api/v1/referrals', { patientId: patient.id, ...ON_A_PUMP, therapy: 'hcl', pump: 'Insulet Omnipod 5' })).status).toBe(201);
  });

  it('is for the clinicians of the patient\'s site: others get 404, commissioners and admins 403', async () => {
    const patient = await nurse.createPatient(site.id);
    const body = { patientId: patient.id, ...ON_A_PUMP };
    expect((await otherNurse.call('POST', '/api/v1/referrals', body)).status).toBe(404);
    expect((await commissioner.call('POST', '/api/v1/referrals', body)).status).toBe(403);
    expect((await admin.call('POST', '/api/v1/referrals', body)).status).toBe(403);
    expect((await consultant.call('POST', '/api/v1/referrals', body)).status).toBe(201);
  });

  it('is reviewed like any other record, never before the day it was known, and may be discontinued', async () => {
    const patient = await nurse.createPatient(site.id);
    const record = await nurse.existing(patient.id);
    const early = await nurse.event(record.id, { type: 'review', reviewedOn: '2026-03-31', decision: 'continue', version: 1 });
    expect(early.status).toBe(400);
    expect(early.body.errors[0]).toEqual({ path: 'reviewedOn', message: 'Date cannot be before the therapy was recorded as known (2026-04-01)' });
    const stop = await nurse.event(record.id, { type: 'review', reviewedOn: '2026-06-01', decision: 'discontinue', reason: 'Skin problems', version: 1 });
    expect(stop.status).toBe(201);
    expect(stop.body).toMatchObject({ status: 'discontinued', version: 2 });
  });

  it('cannot be made by posting its event, nor can the switch', async () => {
    const patient = await nurse.createPatient(site.id);
    const record = await nurse.existing(patient.id);
    for (const type of ['existing_therapy', 'switched_to_hcl']) {
      const res = await nurse.event(record.id, { type, on: '2026-06-01', version: 1 });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].path).toBe('type');
    }
  });
});

describe('switching from a pump to closed loop', () => {
  it('ends the pump record as switched when the closed loop starts, in the same transaction, audited on its own', async () => {
    const patient = await nurse.createPatient(site.id);
    const pump = await nurse.existing(patient.id);
    const hcl = await closedLoopReadyToStart(patient.id);
    const started = await nurse.event(hcl.id, hclStart('2026-06-15', hcl.version));
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    expect(started.body.status).toBe('on_therapy');

    const after = (await nurse.call('GET', `/api/v1/referrals/${pump.id}`)).body;
    expect(after).toMatchObject({ status: 'switched', version: 2, lastEventOn: '2026-06-15', allowedEvents: [] });
    expect(after.events.at(-1)).toMatchObject({
      type: 'switched_to_hcl',
      occurredOn: '2026-06-15',
      payload: { on: '2026-06-15', hclReferralId: hcl.id },
      statusAfter: 'switched',
      recordedBy: null,
    });
    const audit = await db.select().from(auditLog).where(eq(auditLog.entityId, pump.id));
    expect(audit.map((a) => a.action)).toEqual(['referral.existing_therapy', 'referral.switched_to_hcl']);
    expect(audit[1]!.requestId).toBe((await db.select().from(auditLog).where(eq(auditLog.entityId, hcl.id))).at(-1)!.requestId);

    // Switched is final: any event is an invalid transition.
    const review = await nurse.event(pump.id, { type: 'review', reviewedOn: '2026-07-01', decision: 'continue', version: 2 });
    expect(review.status).toBe(422);
    expect(review.body.currentStatus).toBe('switched');
  });

  it('switches a pump started through the pathway too, and leaves a pump already stopped alone', async () => {
    const patient = await nurse.createPatient(site.id);
    const stopped = await nurse.existing(patient.id, { startedOn: '2015-01-01' });
    await nurse.event(stopped.id, { type: 'review', reviewedOn: '2026-04-02', decision: 'discontinue', version: 1 });
    const pump = await nurse.refer(patient.id, { receivedOn: '2026-04-03' });
    const pumpSteps = [
      [consultant, { ...ASSESS_ELIGIBLE, assessedOn: '2026-04-04' }],
      [nurse, { type: 'funding_requested', submittedOn: '2026-04-05', commissioner: 'NHS Test ICB', route: 'routine' }],
      [nurse, { type: 'funding_decision', decidedOn: '2026-04-06', outcome: 'approved' }],
      [nurse, { type: 'device_started', startedOn: '2026-04-07', pump: 'Tandem t:slim X2' }],
    ] as const;
    for (const [i, [who, step]] of pumpSteps.entries()) expect((await who.event(pump.id, { ...step, version: i + 1 })).status).toBe(201);
    const hcl = await closedLoopReadyToStart(patient.id);
    expect((await nurse.event(hcl.id, hclStart('2026-06-15', hcl.version))).status).toBe(201);
    expect((await nurse.call('GET', `/api/v1/referrals/${pump.id}`)).body.status).toBe('switched');
    expect((await nurse.call('GET', `/api/v1/referrals/${stopped.id}`)).body).toMatchObject({ status: 'discontinued', version: 2 });
  });

  it('refuses a closed-loop start dated before the pump record\'s last event, and writes nothing', async () => {
    const patient = await nurse.createPatient(site.id);
    const pump = await nurse.existing(patient.id);
    await nurse.event(pump.id, { type: 'review', reviewedOn: '2026-06-20', decision: 'continue', version: 1 });
    const hcl = await closedLoopReadyToStart(patient.id);
    const res = await nurse.event(hcl.id, hclStart('2026-06-15', hcl.version));
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe('startedOn');
    expect((await nurse.call('GET', `/api/v1/referrals/${hcl.id}`)).body).toMatchObject({ status: 'awaiting_start', version: hcl.version });
    expect((await nurse.call('GET', `/api/v1/referrals/${pump.id}`)).body).toMatchObject({ status: 'on_therapy', version: 2 });
    expect((await db.select().from(auditLog).where(eq(auditLog.entityId, hcl.id))).map((a) => a.action)).not.toContain('referral.device_started');
  });

  it('starts a closed loop for a person with no pump without touching anything else', async () => {
    const patient = await nurse.createPatient(site.id);
    const hcl = await closedLoopReadyToStart(patient.id);
    expect((await nurse.event(hcl.id, hclStart('2026-06-15', hcl.version))).status).toBe(201);
  });
});

describe('the list of referrals', () => {
  it('lists existing records by the day they were known, among referrals by the day received', async () => {
    const patient = await nurse.createPatient(site.id);
    const existing = await nurse.existing(patient.id, { knownOn: '2026-04-01' });
    const referral = await nurse.refer(patient.id, { therapy: 'hcl', receivedOn: '2026-05-01' });
    const items = (await nurse.call('GET', `/api/v1/referrals?patientId=${patient.id}`)).body.items;
    expect(items.map((r: { id: string }) => r.id)).toEqual([referral.id, existing.id]);
    const page = await nurse.call('GET', `/api/v1/referrals?patientId=${patient.id}&limit=1`);
    const next = await nurse.call('GET', `/api/v1/referrals?patientId=${patient.id}&limit=1&cursor=${page.body.nextCursor}`);
    expect(next.body.items.map((r: { id: string }) => r.id)).toEqual([existing.id]);
  });
});
