import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, referralEvents, referrals } from '../../src/lib/server/db/schema';
import { rowsOf } from '../../src/lib/server/db/client';
import { createTestApp } from '../support/app';
import { onPostgresServer } from '../support/database';
import { ASSESS_ELIGIBLE, pathwayClient } from '../support/pathway';

const t = await createTestApp();
const site = await t.site('REF01');
const elsewhere = await t.site('REF02');
const nurse = await t.as('nurse', [site.id]);
const consultant = await t.as('consultant', [site.id]);
const admin = await t.as('admin');
const asNurse = pathwayClient(t, nurse.cookie);
const asConsultant = pathwayClient(t, consultant.cookie);

/** A referral that has reached the given point of the pathway, recorded through the API. */
async function referralAt(point: 'awaiting_assessment' | 'awaiting_funding_request' | 'awaiting_funding_decision' | 'awaiting_start' | 'on_therapy', over = {}) {
  const patient = await asNurse.createPatient(site.id);
  let r = await asNurse.refer(patient.id, over);
  const steps = [
    ['awaiting_funding_request', asConsultant, ASSESS_ELIGIBLE],
    ['awaiting_funding_decision', asNurse, { type: 'funding_requested', submittedOn: '2026-02-10', commissioner: 'NHS Test ICB', route: 'routine' }],
    ['awaiting_start', asNurse, { type: 'funding_decision', decidedOn: '2026-03-01', outcome: 'approved', reference: 'PA-2026-001' }],
    ['on_therapy', asNurse, { type: 'device_started', startedOn: '2026-03-20', pump: 'Tandem t:slim X2', cgm: 'Dexcom G7', algorithm: 'Control-IQ' }],
  ] as const;
  for (const [status, who, body] of steps) {
    if (r.status === point) break;
    const res = await who.event(r.id, { ...body, version: r.version });
    if (res.status !== 201) throw new Error(`${status}: ${res.status} ${JSON.stringify(res.body)}`);
    r = res.body;
  }
  return { patient, referral: r };
}

describe('referring a patient', () => {
  it('starts the referral awaiting assessment at version 1, at the patient\'s site', async () => {
    const patient = await asNurse.createPatient(site.id);
    const res = await asNurse.call('POST', '/api/v1/referrals', { patientId: patient.id, therapy: 'hcl', receivedOn: '2026-01-05', source: 'gp', priorityGroup: 'adult' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ patientId: patient.id, siteId: site.id, therapy: 'hcl', status: 'awaiting_assessment', version: 1, events: [], priorityGroup: 'adult' });
    expect(res.body.allowedEvents).toEqual(['withdrawn']);
  });

  it('offers the consultant the assessment as the next step', async () => {
    const { referral } = await referralAt('awaiting_assessment');
    expect((await asConsultant.call('GET', `/api/v1/referrals/${referral.id}`)).body.allowedEvents).toEqual(['assessment', 'withdrawn']);
  });

  it.each([
    [{ receivedOn: '2999-01-01' }, 'receivedOn'],
    [{ receivedOn: '1980-01-01' }, 'receivedOn'],
    [{ therapy: 'csii', priorityGroup: 'child' }, 'priorityGroup'],
    [{ therapy: 'pump' }, 'therapy'],
    [{ source: 'friend' }, 'source'],
  ])('refuses %j on %s', async (over, path) => {
    const patient = await asNurse.createPatient(site.id);
    const res = await asNurse.call('POST', '/api/v1/referrals', { patientId: patient.id, therapy: 'csii', receivedOn: '2026-01-05', source: 'gp', ...over });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  it('answers 404 for a patient at another site', async () => {
    const other = pathwayClient(t, (await t.as('nurse', [elsewhere.id])).cookie);
    const patient = await other.createPatient(elsewhere.id);
    expect((await asNurse.call('POST', '/api/v1/referrals', { patientId: patient.id, therapy: 'csii', receivedOn: '2026-01-05', source: 'gp' })).status).toBe(404);
  });
});

describe('the pump pathway, from referral to continuing therapy', () => {
  it('takes a patient through assessment, funding, start and review, auditing each step', async () => {
    const { referral } = await referralAt('awaiting_assessment');
    const assessed = await asConsultant.event(referral.id, { ...ASSESS_ELIGIBLE, version: 1 });
    expect(assessed.status).toBe(201);
    expect(assessed.body.status).toBe('awaiting_funding_request');
    expect(assessed.body.criteria).toEqual({
      met: ['TA151-1.1b'],
      suggestion: 'eligible',
      explanation: expect.stringContaining('75 mmol/mol'),
      missing: [],
    });
    const requested = await asNurse.event(referral.id, { type: 'funding_requested', version: 2, submittedOn: '2026-02-10', commissioner: 'NHS Test ICB', route: 'routine' });
    expect(requested.body.status).toBe('awaiting_funding_decision');
    const decided = await asNurse.event(referral.id, { type: 'funding_decision', version: 3, decidedOn: '2026-03-01', outcome: 'approved' });
    expect(decided.body.status).toBe('awaiting_start');
    const started = await asNurse.event(referral.id, { type: 'device_started', version: 4, startedOn: '2026-03-20', pump: 'Medtronic MiniMed 780G', cgm: 'Guardian 4', algorithm: 'SmartGuard' });
    expect(started.body.status).toBe('on_therapy');
    const reviewed = await asConsultant.event(referral.id, { type: 'review', version: 5, reviewedOn: '2026-09-20', hba1cMmolMol: 61, severeHyposSinceStart: 0, decision: 'continue' });
    expect(reviewed.status).toBe(201);
    expect(reviewed.body).toMatchObject({ status: 'on_therapy', version: 6 });
    expect(reviewed.body.events.map((e: { type: string }) => e.type)).toEqual(['assessment', 'funding_requested', 'funding_decision', 'device_started', 'review']);
    expect(reviewed.body.events[0]).toMatchObject({ occurredOn: '2026-02-01', statusAfter: 'awaiting_funding_request', recordedBy: consultant.user.id, criteria: { suggestion: 'eligible' } });
    expect(reviewed.body.events[3].payload).toEqual({ startedOn: '2026-03-20', pump: 'Medtronic MiniMed 780G', cgm: 'Guardian 4', algorithm: 'SmartGuard' });

    const audit = await asNurse.call('GET', `/api/v1/audit?entityId=${referral.id}`);
    expect(audit.status).toBe(403);
    const trail = await pathwayClient(t, admin.cookie).call('GET', `/api/v1/audit?entityId=${referral.id}`);
    expect(trail.body.items.map((e: { action: string }) => e.action)).toEqual([
      'referral.review',
      'referral.device_started',
      'referral.funding_decision',
      'referral.funding_requested',
      'referral.assessment',
      'referral.create',
    ]);
    expect(trail.body.items[0]).toMatchObject({ actorId: consultant.user.id, actorRole: 'consultant', before: { status: 'on_therapy', version: 5 }, after: { status: 'on_therapy', version: 6 } });
    expect(trail.body.items[0].requestId).toEqual(expect.any(String));
  });

  it('answers an event with the referral exactly as reading it back shows it, and audits the event as stored', async () => {
    const { referral } = await referralAt('on_therapy');
    const reviewed = await asConsultant.event(referral.id, { type: 'review', version: referral.version, reviewedOn: '2026-09-20', hba1cMmolMol: 58, decision: 'continue' });
    expect(reviewed.status).toBe(201);
    const read = await asConsultant.call('GET', `/api/v1/referrals/${referral.id}`);
    expect(reviewed.body).toEqual(read.body);
    const review = reviewed.body.events.at(-1);
    expect(review).toMatchObject({ type: 'review', recordedBy: consultant.user.id, recordedByName: consultant.user.name, payload: { reviewedOn: '2026-09-20', hba1cMmolMol: 58, decision: 'continue' } });

    const [stored] = await t.database.db.select().from(referralEvents).where(eq(referralEvents.id, review.id));
    expect(stored).toMatchObject({ seq: reviewed.body.events.length, recordedRole: 'consultant', statusAfter: 'on_therapy' });
    const trail = await pathwayClient(t, admin.cookie).call('GET', `/api/v1/audit?entityId=${referral.id}`);
    expect(trail.body.items[0].after).toEqual({ ...read.body, events: undefined, allowedEvents: undefined, event: { ...review, recordedByName: null } });
  });

  it('ends therapy when a review decides to discontinue', async () => {
    const { referral } = await referralAt('on_therapy');
    const res = await asNurse.event(referral.id, { type: 'review', version: referral.version, reviewedOn: '2026-10-01', decision: 'discontinue', reason: 'No sustained fall in HbA1c' });
    expect(res.body).toMatchObject({ status: 'discontinued', allowedEvents: [] });
  });

  it('sends funding back for more information, then decides after the request is resubmitted', async () => {
    const { referral } = await referralAt('awaiting_funding_decision');
    const more = await asNurse.event(referral.id, { type: 'funding_decision', version: referral.version, decidedOn: '2026-03-01', outcome: 'more_info' });
    expect(more.body.status).toBe('funding_more_info');
    const again = await asNurse.event(referral.id, { type: 'funding_requested', version: more.body.version, submittedOn: '2026-03-05', commissioner: 'NHS Test ICB', route: 'ifr' });
    expect(again.body.status).toBe('awaiting_funding_decision');
    const declined = await asNurse.event(referral.id, { type: 'funding_decision', version: again.body.version, decidedOn: '2026-04-01', outcome: 'declined' });
    expect(declined.body).toMatchObject({ status: 'funding_declined', allowedEvents: [] });
  });

  it('lets a patient withdraw before therapy starts, but not once on therapy', async () => {
    const waiting = await referralAt('awaiting_start');
    const res = await asNurse.event(waiting.referral.id, { type: 'withdrawn', version: waiting.referral.version, on: '2026-03-10', reason: 'moved_away' });
    expect(res.body.status).toBe('withdrawn');
    const started = await referralAt('on_therapy');
    const refused = await asNurse.event(started.referral.id, { type: 'withdrawn', version: started.referral.version, on: '2026-04-01', reason: 'other' });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ type: '/api/problems/invalid-transition', currentStatus: 'on_therapy' });
  });
});

describe('eligibility decisions', () => {
  it('needs a rationale when the consultant overrides the rules, and records it when given', async () => {
    const { referral } = await referralAt('awaiting_assessment');
    const override = { ...ASSESS_ELIGIBLE, version: 1, hba1cMmolMol: 60, disablingHypoglycaemia: false };
    const refused = await asConsultant.event(referral.id, override);
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ path: 'rationale', message: 'Give a rationale: the rules suggest not eligible' }]);
    const accepted = await asConsultant.event(referral.id, { ...override, rationale: 'Frequent nocturnal hypos on CGM download' });
    expect(accepted.status).toBe(201);
    expect(accepted.body.events[0].payload.rationale).toBe('Frequent nocturnal hypos on CGM download');
  });

  it('suggests not eligible for a person with type 2 diabetes (TA151-1.5)', async () => {
    const patient = await asNurse.createPatient(site.id, { diabetesType: 'type2' });
    const r = await asNurse.refer(patient.id);
    const res = await asConsultant.event(r.id, { ...ASSESS_ELIGIBLE, version: 1, decision: 'not_eligible' });
    expect(res.body.criteria).toMatchObject({ suggestion: 'not_eligible', met: expect.arrayContaining(['TA151-1.5']) });
    expect(res.body.status).toBe('not_eligible');
  });

  it('uses the latest HbA1c within 12 months when the assessor gives none', async () => {
    const patient = await asNurse.createPatient(site.id);
    await asNurse.call('POST', `/api/v1/patients/${patient.id}/observations`, { kind: 'hba1c', effective: '2025-12-01', value: 8.6, unit: '%' });
    const r = await asNurse.refer(patient.id);
    const { hba1cMmolMol: _omit, ...withoutValue } = ASSESS_ELIGIBLE;
    const res = await asConsultant.event(r.id, { ...withoutValue, version: 1 });
    expect(res.status).toBe(201);
    expect(res.body.criteria.met).toContain('TA151-1.1b');
    expect(res.body.criteria.explanation).toContain('70 mmol/mol');
  });
});

describe('refusals', () => {
  it('refuses a stale version with 409, before anything else, and changes nothing', async () => {
    const { referral } = await referralAt('awaiting_funding_request');
    // Stale and also an illegal step: the version answers first.
    const res = await asNurse.event(referral.id, { type: 'device_started', version: 1, startedOn: '2026-03-01', pump: 'X' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ type: '/api/problems/conflict', currentStatus: 'awaiting_funding_request', currentVersion: 2 });
    expect((await asNurse.call('GET', `/api/v1/referrals/${referral.id}`)).body).toMatchObject({ version: 2, status: 'awaiting_funding_request' });
  });

  it('refuses a step the pathway does not allow with 422 naming the current status', async () => {
    const { referral } = await referralAt('awaiting_funding_request');
    const res = await asNurse.event(referral.id, { type: 'device_started', version: referral.version, startedOn: '2026-03-01', pump: 'X' });
    expect(res.status).toBe(422);
    expect(res.body.currentStatus).toBe('awaiting_funding_request');
  });

  it('refuses steps outside each role: a nurse cannot assess, a consultant cannot start a device', async () => {
    const fresh = await referralAt('awaiting_assessment');
    expect((await asNurse.event(fresh.referral.id, { ...ASSESS_ELIGIBLE, version: 1 })).status).toBe(403);
    const ready = await referralAt('awaiting_start');
    expect((await asConsultant.event(ready.referral.id, { type: 'device_started', version: ready.referral.version, startedOn: '2026-03-21', pump: 'X' })).status).toBe(403);
  });

  it.each(['admin', 'commissioner'] as const)('refuses an %s any pathway event with 403', async (role) => {
    const { referral } = await referralAt('awaiting_assessment');
    const who = await t.as(role);
    expect((await pathwayClient(t, who.cookie).event(referral.id, { ...ASSESS_ELIGIBLE, version: 1 })).status).toBe(403);
  });

  it('answers 404 for a referral at another site, even to a write', async () => {
    const { referral } = await referralAt('awaiting_assessment');
    const outsider = pathwayClient(t, (await t.as('consultant', [elsewhere.id])).cookie);
    expect((await outsider.call('GET', `/api/v1/referrals/${referral.id}`)).status).toBe(404);
    expect((await outsider.event(referral.id, { ...ASSESS_ELIGIBLE, version: 1 })).status).toBe(404);
  });

  it.each([
    ['in the future', '2999-01-01', 'Date cannot be in the future'],
    ['before the referral was received', '2026-01-04', 'Date cannot be before the referral was received (2026-01-05)'],
  ])('refuses an event dated %s', async (_what, assessedOn, message) => {
    const { referral } = await referralAt('awaiting_assessment');
    const res = await asConsultant.event(referral.id, { ...ASSESS_ELIGIBLE, version: 1, assessedOn });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'assessedOn', message }]);
  });

  it('refuses an event dated before the previous event', async () => {
    const { referral } = await referralAt('awaiting_funding_request');
    const res = await asNurse.event(referral.id, { type: 'funding_requested', version: referral.version, submittedOn: '2026-01-31', commissioner: 'ICB', route: 'routine' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'submittedOn', message: 'Date cannot be before the previous event on the referral (2026-02-01)' }]);
  });

  it('refuses unknown event types and fields, naming them', async () => {
    const { referral } = await referralAt('awaiting_assessment');
    expect((await asConsultant.event(referral.id, { type: 'teleport', version: 1 })).body.errors[0].path).toBe('type');
    const extra = await asConsultant.event(referral.id, { ...ASSESS_ELIGIBLE, version: 1, status: 'on_therapy' });
    expect(extra.body.errors).toEqual([{ path: 'status', message: 'Unknown field' }]);
  });

  it('refuses text with a NUL character as bad input, not a server error', async () => {
    const { referral } = await referralAt('awaiting_funding_request');
    const res = await asNurse.event(referral.id, { type: 'funding_requested', version: referral.version, submittedOn: '2026-02-10', commissioner: 'NHS\u0000ICB', route: 'routine' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe('commissioner');
  });
});

describe('concurrency and failure', () => {
  it('lets exactly one of 20 simultaneous events with the same version through; 19 get 409', async () => {
    const { referral } = await referralAt('on_therapy');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        asNurse.event(referral.id, { type: 'review', version: referral.version, reviewedOn: '2026-06-01', decision: 'continue', reason: `clinic ${i}` }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(19);
    const stored = await asNurse.call('GET', `/api/v1/referrals/${referral.id}`);
    expect(stored.body.version).toBe(referral.version + 1);
    expect(stored.body.events.filter((e: { type: string }) => e.type === 'review')).toHaveLength(1);
  });

  // Two round trips apart, another write can move the referral on after this one has read it; only a server
  // with more than one connection can show it.
  it.runIf(onPostgresServer())('answers 409 with the referral as it now is when another write lands between the read and the write', async () => {
    const { referral } = await referralAt('on_therapy');
    const review = { type: 'review', version: referral.version, reviewedOn: '2026-06-01', decision: 'continue' };
    let pending: ReturnType<typeof asNurse.event> | undefined;
    // The other write: it has moved the referral on and holds it until it commits.
    await t.database.db.transaction(async (tx) => {
      await tx.update(referrals).set({ version: referral.version + 1 }).where(eq(referrals.id, referral.id));
      pending = asNurse.event(referral.id, review);
      for (let polls = 0; polls < 2_000; polls++) {
        const [waiting] = rowsOf<{ n: number }>(
          await t.database.db.execute(sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`),
        );
        if (waiting!.n > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error('the event never waited for the other write');
    });
    const res = await pending!;
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ type: '/api/problems/conflict', currentStatus: 'on_therapy', currentVersion: referral.version + 1 });
    const events = await t.database.db.select().from(referralEvents).where(eq(referralEvents.referralId, referral.id));
    expect(events.filter((e) => e.type === 'review')).toEqual([]);
    const audit = await t.database.db.select().from(auditLog).where(eq(auditLog.entityId, referral.id));
    expect(audit.filter((a) => a.action === 'referral.review')).toEqual([]);
  });

  it('leaves no trace when the write fails part-way (the audit insert fails after the event was written)', async () => {
    const { referral } = await referralAt('on_therapy');
    const before = await t.database.db.select().from(referralEvents).where(eq(referralEvents.referralId, referral.id));
    await t.database.db.execute(sql`
      create function fail_review_audit() returns trigger language plpgsql as $$
      begin if new.action = 'referral.review' then raise exception 'audit store unavailable'; end if; return new; end $$`);
    await t.database.db.execute(sql`create trigger fail_review_audit before insert on audit_log for each row execute function fail_review_audit()`);
    try {
      const res = await asNurse.event(referral.id, { type: 'review', version: referral.version, reviewedOn: '2026-06-01', decision: 'discontinue', reason: 'x' });
      expect(res.status).toBe(500);
      expect(JSON.stringify(res.body)).not.toContain('audit store unavailable');
    } finally {
      await t.database.db.execute(sql`drop trigger fail_review_audit on audit_log`);
      await t.database.db.execute(sql`drop function fail_review_audit()`);
    }
    expect(await t.database.db.select().from(referralEvents).where(eq(referralEvents.referralId, referral.id))).toEqual(before);
    const [row] = await t.database.db.select().from(referrals).where(eq(referrals.id, referral.id));
    expect(row).toMatchObject({ status: 'on_therapy', version: referral.version });
    const audit = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'referral.review'));
    expect(audit.filter((a) => a.entityId === referral.id)).toEqual([]);
  });
});

describe('the eligibility queue', () => {
  it('lists referrals awaiting assessment at my sites, longest wait first, with HbA1c, age and the rules\' suggestion', async () => {
    const queueSite = await t.site('QUE01');
    const qNurse = pathwayClient(t, (await t.as('nurse', [queueSite.id])).cookie);
    const qConsultant = pathwayClient(t, (await t.as('consultant', [queueSite.id])).cookie);
    const older = await qNurse.createPatient(queueSite.id, { familyName: 'Older', birthDate: '2000-01-01' });
    await qNurse.call('POST', `/api/v1/patients/${older.id}/observations`, { kind: 'hba1c', effective: '2026-01-02', value: 72, unit: 'mmol/mol' });
    const newer = await qNurse.createPatient(queueSite.id, { familyName: 'Newer', diabetesType: 'type2' });
    const a = await qNurse.refer(older.id, { receivedOn: '2025-11-01' });
    const b = await qNurse.refer(newer.id, { receivedOn: '2026-01-05' });
    const assessedPatient = await qNurse.createPatient(queueSite.id);
    const assessed = await qNurse.refer(assessedPatient.id);
    await qConsultant.event(assessed.id, { ...ASSESS_ELIGIBLE, version: 1 });

    const res = await qConsultant.call('GET', `/api/v1/queues/eligibility?siteId=${queueSite.id}`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { referral: { id: string } }) => i.referral.id)).toEqual([a.id, b.id]);
    expect(res.body.items[0]).toMatchObject({
      patient: { familyName: 'Older', diabetesType: 'type1', ageYears: expect.any(Number) },
      waitingSince: '2025-11-01',
      latestHba1c: { mmolMol: 72, effective: '2026-01-02' },
      criteria: { suggestion: 'eligible', met: ['TA151-1.1b'] },
    });
    expect(res.body.items[1].criteria).toMatchObject({ suggestion: 'not_eligible', met: ['TA151-1.5'] });
  });

  it('brings a deferred referral back when its reassessment date has come', async () => {
    const deferSite = await t.site('DEF01');
    const dNurse = pathwayClient(t, (await t.as('nurse', [deferSite.id])).cookie);
    const dConsultant = pathwayClient(t, (await t.as('consultant', [deferSite.id])).cookie);
    const later = await dNurse.refer((await dNurse.createPatient(deferSite.id)).id);
    const due = await dNurse.refer((await dNurse.createPatient(deferSite.id)).id);
    await dConsultant.event(later.id, { ...ASSESS_ELIGIBLE, version: 1, decision: 'deferred', reassessOn: '2999-01-01' });
    await dConsultant.event(due.id, { ...ASSESS_ELIGIBLE, version: 1, decision: 'deferred', reassessOn: '2026-02-02' });
    const queue = await dConsultant.call('GET', `/api/v1/queues/eligibility?siteId=${deferSite.id}`);
    expect(queue.body.items.map((i: { referral: { id: string; status: string } }) => [i.referral.id, i.referral.status])).toEqual([[due.id, 'deferred']]);
  });

  it('answers a commissioner 403 and a site outside my reach 404', async () => {
    const commissioner = await t.as('commissioner');
    expect((await pathwayClient(t, commissioner.cookie).call('GET', '/api/v1/queues/eligibility')).status).toBe(403);
    expect((await asConsultant.call('GET', `/api/v1/queues/eligibility?siteId=${elsewhere.id}`)).status).toBe(404);
  });
});

describe('listing referrals', () => {
  it('filters by site and status, newest first, within my sites', async () => {
    const { referral } = await referralAt('awaiting_start', { receivedOn: '2026-01-06' });
    const res = await asNurse.call('GET', `/api/v1/referrals?siteId=${site.id}&status=awaiting_start&limit=500`);
    expect(res.body.items.map((r: { id: string }) => r.id)).toContain(referral.id);
    expect(res.body.items.every((r: { status: string; siteId: string }) => r.status === 'awaiting_start' && r.siteId === site.id)).toBe(true);
    expect(res.body.items[0]).not.toHaveProperty('events');
  });

  it('names whose referral each one is', async () => {
    const { patient, referral } = await referralAt('awaiting_assessment', { receivedOn: '2026-01-07' });
    const res = await asNurse.call('GET', `/api/v1/referrals?patientId=${patient.id}`);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        id: referral.id,
        patient: { id: patient.id, nhsNumber: patient.nhsNumber, givenName: 'Ada', familyName: 'Lovelace' },
      }),
    ]);
  });

  it('filters by therapy, and its pages keep every filter', async () => {
    const listSite = await t.site('REF03');
    const listNurse = pathwayClient(t, (await t.as('nurse', [listSite.id])).cookie);
    const made: { id: string; therapy: string }[] = [];
    for (const [i, therapy] of ['hcl', 'csii', 'hcl', 'hcl', 'csii'].entries()) {
      const patient = await listNurse.createPatient(listSite.id);
      const r = await listNurse.refer(patient.id, { therapy, receivedOn: `2026-02-0${i + 1}`, ...(therapy === 'hcl' ? { priorityGroup: 'adult' } : {}) });
      made.push({ id: r.id, therapy });
    }
    const hcl = made.filter((r) => r.therapy === 'hcl').map((r) => r.id).reverse();
    const seen: string[] = [];
    let url = `/api/v1/referrals?siteId=${listSite.id}&status=awaiting_assessment&therapy=hcl&limit=2`;
    for (;;) {
      const res = await listNurse.call('GET', url);
      expect(res.status).toBe(200);
      expect(res.body.items.every((r: { therapy: string }) => r.therapy === 'hcl')).toBe(true);
      seen.push(...res.body.items.map((r: { id: string }) => r.id));
      if (!res.body.nextCursor) break;
      url = `/api/v1/referrals?siteId=${listSite.id}&status=awaiting_assessment&therapy=hcl&limit=2&cursor=${res.body.nextCursor}`;
    }
    expect(seen).toEqual(hcl);
  });

  it('refuses an unknown therapy, naming the field', async () => {
    const res = await asNurse.call('GET', '/api/v1/referrals?therapy=pump');
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'therapy', message: 'Therapy must be csii or hcl' })]);
  });
});
