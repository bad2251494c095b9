import { eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../src/lib/domain/calendar-date';
import { expectCountsTrue } from '../support/kept-counts';
import { twelveMonthsAfter } from '../support/oracles';
import { imdPostcodes, observations, patients, referralEvents, referralMilestones, referrals } from '../../src/lib/server/db/schema';
import { createTestApp } from '../support/app';
import { baselineOf, followUpOf, milestonesOf, type OracleData } from '../support/metrics-fixtures';
import { pathwayClient, PATHWAY_STEP as EVENT } from '../support/pathway';

/**
 * The metrics read each referral's milestones from referral_milestones, which triggers keep from the referral,
 * its events, its patient's HbA1c results and the patient's own values the equity figures split by. Whatever
 * happens to those, every row must say what the tables say, worked out here independently from the events'
 * payloads (not the stored statuses the triggers read).
 */

const t = await createTestApp();
const { db } = t.database;
const site = await t.site('PMS01');
const otherSite = await t.site('PMS02');
const nurse = pathwayClient(t, (await t.as('nurse', [site.id, otherSite.id])).cookie);
const consultant = pathwayClient(t, (await t.as('consultant', [site.id, otherSite.id])).cookie);

/** Every referral's row as the tables say it should be, and as it is. */
async function projection() {
  const data: OracleData = {
    sites: [],
    facilitation: [],
    referrals: await db.select({ id: referrals.id, patientId: referrals.patientId, siteId: referrals.siteId, therapy: referrals.therapy, receivedOn: referrals.receivedOn }).from(referrals),
    events: await db.select({ referralId: referralEvents.referralId, seq: referralEvents.seq, type: referralEvents.type, occurredOn: referralEvents.occurredOn, payload: referralEvents.payload }).from(referralEvents),
    observations: await db.select({ id: observations.id, patientId: observations.patientId, effective: observations.effective, effectiveAt: observations.effectiveAt, mmolMol: observations.mmolMol }).from(observations),
  };
  const knownOn = new Map((await db.select({ id: referrals.id, knownOn: referrals.knownOn }).from(referrals)).map((r) => [r.id, r.knownOn]));
  const people = new Map((await db.select().from(patients)).map((p) => [p.id, p]));
  const deciles = new Map((await db.select().from(imdPostcodes)).map((i) => [i.postcode, i.imdDecile]));
  const expected = [...milestonesOf(data, '9999-12-31').values()].map((m) => {
    const onTherapyFrom = m.started ?? m.existingFrom ?? null;
    const ends = [m.discontinued, m.switched].filter((d): d is string => d !== undefined).sort();
    const results = data.observations.filter((o) => o.patientId === m.referral.patientId);
    const followUp = m.started ? followUpOf(results, m.started) : undefined;
    const anniversary = m.started ? twelveMonthsAfter(m.started) : undefined;
    const person = people.get(m.referral.patientId)!;
    return {
      referralId: m.referral.id,
      siteId: m.referral.siteId,
      patientId: m.referral.patientId,
      therapy: m.referral.therapy,
      origin: m.referral.receivedOn === null ? 'existing' : 'pathway',
      receivedOn: m.referral.receivedOn,
      // An existing record whose events were all removed keeps the date it was known.
      enteredOn: m.referral.receivedOn ?? onTherapyFrom ?? knownOn.get(m.referral.id),
      switchedOn: m.switched ?? null,
      onTherapyFrom,
      endedOn: ends[0] ?? null,
      decidedOn: m.decided ?? null,
      eligibleOn: m.eligible ?? null,
      requestedOn: m.firstRequest ?? null,
      fundingDecidedOn: m.fundingDecided ?? null,
      approvedOn: m.approved ?? null,
      declinedOn: m.declined ?? null,
      startedOn: m.started ?? null,
      discontinuedOn: m.discontinued ?? null,
      continuing12mOn: anniversary && !(m.discontinued && m.discontinued <= anniversary) ? anniversary : null,
      baselineMmolMol: (m.started && baselineOf(results, m.started)?.mmolMol) ?? null,
      followUpOn: followUp?.effective.slice(0, 10) ?? null,
      followUpMmolMol: followUp?.mmolMol ?? null,
      birthDate: person.birthDate,
      sex: person.sex,
      ethnicCategory: person.ethnicCategory,
      // Their own decile, else their postcode's, compared without spaces.
      imdDecile: person.imdDecile ?? (person.postcode && deciles.get(person.postcode.replace(/ /g, '').toUpperCase())) ?? null,
    };
  });
  const byId = (a: { referralId: string }, b: { referralId: string }) => (a.referralId < b.referralId ? -1 : 1);
  return { expected: expected.sort(byId), actual: (await db.select().from(referralMilestones)).sort(byId) };
}

const expectProjectionTrue = async () => {
  const { expected, actual } = await projection();
  expect(actual).toEqual(expected);
};


/** The usual next steps from each status (the first most often), so that sequences often get to a start and on. */
const NEXT: Record<string, (keyof typeof EVENT)[]> = {
  awaiting_assessment: ['eligible', 'eligible', 'not_eligible', 'deferred'],
  deferred: ['eligible', 'not_eligible'],
  awaiting_funding_request: ['requested', 'requested', 'withdrawn'],
  funding_more_info: ['requested'],
  awaiting_funding_decision: ['approved', 'approved', 'declined', 'more_info'],
  awaiting_start: ['started'],
  on_therapy: ['continued', 'discontinued'],
};

/**
 * What a clinician may do next: record a step some days after the last (usually the next one, sometimes any,
 * legal or not), or enter an HbA1c result dated around then.
 */
const action = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      step: fc.oneof({ weight: 2, arbitrary: fc.constant('next' as const) }, { weight: 1, arbitrary: fc.constantFrom(...(Object.keys(EVENT) as (keyof typeof EVENT)[])) }),
      pick: fc.nat(),
      days: fc.integer({ min: 0, max: 45 }),
    }),
  },
  {
    weight: 2,
    // Some six months on, where a follow-up falls when the last step was a start.
    arbitrary: fc.record({ resultDays: fc.oneof(fc.integer({ min: -400, max: 250 }), fc.integer({ min: 145, max: 215 })), mmolMol: fc.integer({ min: 30, max: 120 }), instant: fc.boolean() }),
  },
);

const RECEIVED = '2023-01-02';

/** Who the person is before the referral: new to pumps, or on one already (its start known, its year only, or unknown). */
const before = fc.record({
  therapy: fc.constantFrom('csii' as const, 'hcl' as const),
  pump: fc.constantFrom('none', 'dated', 'year', 'unknown'),
});
const EXISTING_PUMP = {
  dated: { startedOn: '2019-03-04' },
  year: { startedYear: 2019 },
  unknown: {},
} as const;

describe('referral_milestones', () => {
  it('says what the events and results say, after any sequence of steps and results entered through the API', async () => {
    await fc.assert(
      fc.asyncProperty(before, fc.array(action, { minLength: 8, maxLength: 20 }), async (person, actions) => {
        const patient = await nurse.createPatient(site.id);
        // A closed-loop start ends a pump already on therapy as switched.
        if (person.pump !== 'none') await nurse.existing(patient.id, { ...EXISTING_PUMP[person.pump], knownOn: '2022-12-01' });
        let referral = await nurse.refer(patient.id, { receivedOn: RECEIVED, therapy: person.therapy });
        let day = RECEIVED;
        for (const a of actions) {
          if ('step' in a) {
            day = addDays(day, a.days);
            const next = NEXT[referral.status] ?? ['withdrawn'];
            const step = a.step === 'next' ? next[a.pick % next.length]! : a.step;
            const who = step === 'eligible' || step === 'not_eligible' || step === 'deferred' ? consultant : nurse;
            const res = await who.event(referral.id, { ...EVENT[step](day), version: referral.version });
            expect([201, 422]).toContain(res.status);
            if (res.status === 201) referral = res.body;
          } else {
            const on = addDays(day, a.resultDays);
            const res = await nurse.call('POST', `/api/v1/patients/${patient.id}/observations`, {
              kind: 'hba1c',
              effective: a.instant ? `${on}T23:30:00Z` : on,
              value: a.mmolMol,
              unit: 'mmol/mol',
            });
            expect(res.status, JSON.stringify(res.body)).toBe(201);
          }
        }
        await expectProjectionTrue();
      }),
      // A fixed seed, so that the check below on what the sequences reached is the same on every run.
      { numRuns: 40, seed: 2026 },
    );
    // The sequences reached the milestones that matter most.
    const reached = await db.select().from(referralMilestones);
    for (const column of ['startedOn', 'discontinuedOn', 'declinedOn', 'followUpOn', 'baselineMmolMol', 'continuing12mOn', 'switchedOn', 'onTherapyFrom'] as const) {
      expect(reached.filter((r) => r[column] !== null).length, column).toBeGreaterThan(0);
    }
  }, 180_000);

  it('follows rows changed or removed in the database directly, however it is done', async () => {
    const patient = await nurse.createPatient(site.id);
    const referral = await nurse.refer(patient.id, { receivedOn: '2024-01-02' });
    const steps = [EVENT.eligible('2024-02-01'), EVENT.requested('2024-02-10'), EVENT.approved('2024-03-01'), EVENT.started('2024-04-01'), EVENT.continued('2024-10-01')];
    for (const [i, step] of steps.entries()) expect((await (i === 0 ? consultant : nurse).event(referral.id, { ...step, version: i + 1 })).status).toBe(201);
    // The baseline is the result before the start; of the two after it, 187 days is nearer 180 than 172 days.
    for (const [effective, value] of [['2024-03-15', 70], ['2024-09-20', 60], ['2024-10-05', 58]] as const) {
      await nurse.call('POST', `/api/v1/patients/${patient.id}/observations`, { kind: 'hba1c', effective, value, unit: 'mmol/mol' });
    }
    const referralId = referral.id;
    const patientId = patient.id;
    const [row] = await db.select().from(referralMilestones).where(eq(referralMilestones.referralId, referralId));
    expect(row).toMatchObject({ startedOn: '2024-04-01', continuing12mOn: '2025-04-01', baselineMmolMol: 70, followUpOn: '2024-10-05', followUpMmolMol: 58 });
    // An event moved, then the latest event removed.
    await db.update(referralEvents).set({ occurredOn: sql`${referralEvents.occurredOn} + 1` }).where(eq(referralEvents.referralId, referralId));
    await expectProjectionTrue();
    await db.execute(sql`delete from referral_events where id = (select id from referral_events where referral_id = ${referralId} order by seq desc limit 1)`);
    await expectProjectionTrue();
    // A result corrected, then one removed, as a FHIR re-import does.
    await db.update(observations).set({ mmolMol: sql`${observations.mmolMol} + 3` }).where(eq(observations.patientId, patientId));
    await expectProjectionTrue();
    await db.execute(sql`delete from observations where id = (select id from observations where patient_id = ${patientId} order by effective_at desc limit 1)`);
    await expectProjectionTrue();
    // The referral moved to another site and another patient (nothing does this today).
    const other = await nurse.createPatient(otherSite.id);
    await nurse.call('POST', `/api/v1/patients/${other.id}/observations`, { kind: 'hba1c', effective: '2024-01-10', value: 58, unit: 'mmol/mol' });
    await db.update(referrals).set({ siteId: otherSite.id, patientId: other.id }).where(eq(referrals.id, referralId));
    await expectProjectionTrue();
    // Emptied tables.
    await db.execute(sql`truncate observations`);
    await expectProjectionTrue();
    await db.execute(sql`truncate referral_events`);
    await expectProjectionTrue();
  });

  it("carries the patient's values the equity figures split by, whatever changes them", async () => {
    const admin = (await t.as('admin')).cookie;
    const replaceTable = async (csv: string) => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/reference/imd', headers: { cookie: admin, 'content-type': 'text/csv' }, payload: csv });
      expect(res.statusCode, res.body).toBe(200);
    };
    const patient = await nurse.createPatient(site.id);
    const referral = await nurse.refer(patient.id, { receivedOn: '2024-01-02' });
    await nurse.refer(patient.id, { receivedOn: '2024-01-03', therapy: 'hcl' });
    const record = async () => (await db.select().from(referralMilestones).where(eq(referralMilestones.referralId, referral.id)))[0]!;
    const edit = async (change: Record<string, unknown>) => {
      const { version } = (await db.select({ version: patients.version }).from(patients).where(eq(patients.id, patient.id)))[0]!;
      const res = await nurse.call('PATCH', `/api/v1/patients/${patient.id}`, { version, ...change });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    };
    // A postcode the table does not hold yet, then the table that holds it, then a decile of the patient's own.
    await edit({ postcode: 'ls1 4ap', ethnicCategory: 'M' });
    expect(await record()).toMatchObject({ ethnicCategory: 'M', imdDecile: null });
    await replaceTable('postcode,imd_decile\nLS14AP,3\n');
    expect((await record()).imdDecile).toBe(3);
    await expectProjectionTrue();
    await edit({ imdDecile: 8 });
    expect((await record()).imdDecile).toBe(8);
    await edit({ imdDecile: null });
    await replaceTable('postcode,imd_decile\nLS1 4AP,2\n');
    expect((await record()).imdDecile).toBe(2);
    // Changed in the database directly, and the table emptied at once.
    await db.update(patients).set({ birthDate: '1990-05-06', sex: 'female' }).where(eq(patients.id, patient.id));
    await expectProjectionTrue();
    await db.execute(sql`truncate imd_postcodes`);
    expect((await record()).imdDecile).toBe(null);
    await expectProjectionTrue();
    // The counts kept from the records are untouched by any of it.
    await expectCountsTrue(db);
  });

  it('is removed with its referral', async () => {
    const referral = await nurse.refer((await nurse.createPatient(site.id)).id);
    await db.delete(referrals).where(eq(referrals.id, referral.id));
    expect(await db.select().from(referralMilestones).where(eq(referralMilestones.referralId, referral.id))).toEqual([]);
  });
});
