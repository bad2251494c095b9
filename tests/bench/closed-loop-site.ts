import { sql } from 'drizzle-orm';
import { addDays } from '../../src/lib/domain/calendar-date';
import type { ReferralStatus } from '../../src/lib/domain/pathway';
import type { Db } from '../../src/lib/server/db/client';
import { rowsOf } from '../../src/lib/server/db/client';
import { patients, referralEvents, referrals, sites } from '../../src/lib/server/db/schema';
import { createPrng, type Prng } from '../../src/lib/server/demo/prng';
import { nextNhsNumber } from '../support/pathway';

/**
 * A large service's closed loop caseload for the national return's benchmark: 2,000 people on HCL in the quarter
 * (1,100 started through the pathway, 300 of them moving on from an existing pump record that the start switched,
 * and 900 existing HCL records, mostly NHS funded, some known only by year or not at all), beside what the return
 * must pass over: 400 people still on a pump alone, 150 whose closed loop stopped before the quarter, and 60 who
 * declined HCL during it. A few have no NHS number, as FHIR imports may. Rows go in as the services write them, in
 * bulk; the triggers keep referral_milestones.
 */

export const CLOSED_LOOP_SITE = { id: '8d3b0f4a-5e6c-4d8b-9f2a-4b5c6d7e8f90', odsCode: 'HCL01', name: 'Bench closed loop service', icb: 'NHS Scale ICB 0' };
export const CLOSED_LOOP_QUARTER = { quarter: '2026-Q2', from: '2026-07-01', to: '2026-09-30' };
export const CLOSED_LOOP_USERS = 2000;

const KNOWN_ON = '2024-06-03';
const CHUNK = 1000;

/** An entry of a record's history: its events, and for a pathway referral its receipt first. */
type Event = { type: NonNullable<(typeof referralEvents.$inferInsert)['type']> | 'received'; on: string; payload: Record<string, unknown>; statusAfter: ReferralStatus; role: 'nurse' | 'consultant' | null };

export async function loadClosedLoopSite(db: Db): Promise<{ patients: number; referrals: number; events: number }> {
  const rng = createPrng(2000);
  const taken = new Set(rowsOf<{ n: string }>(await db.execute(sql`select nhs_number as n from patients where nhs_number is not null`)).map((r) => r.n));
  let nhsSeed = 0;
  const nhsNumber = () => {
    for (;;) {
      const n = nextNhsNumber(nhsSeed);
      nhsSeed = Number(n.slice(3, 9)) + 1;
      if (!taken.has(n)) return n;
    }
  };
  await db.insert(sites).values({ ...CLOSED_LOOP_SITE, t1dPopulation: 9000, t1dPopulationAsOf: '2026-01-01' });

  const patientRows: (typeof patients.$inferInsert)[] = [];
  const referralRows: (typeof referrals.$inferInsert)[] = [];
  const eventRows: (typeof referralEvents.$inferInsert)[] = [];
  const person = () => {
    const id = rng.uuid();
    const birthYear = rng.int(1950, 2015);
    patientRows.push({
      id,
      siteId: CLOSED_LOOP_SITE.id,
      nhsNumber: rng.chance(0.005) ? null : nhsNumber(),
      givenName: 'Bench',
      familyName: `Person ${patientRows.length}`,
      birthDate: `${birthYear}-0${rng.int(1, 9)}-1${rng.int(0, 9)}`,
      sex: rng.chance(0.5) ? 'female' : 'male',
      diabetesType: 'type1',
    });
    return id;
  };
  const record = (patientId: string, therapy: 'csii' | 'hcl', origin: 'pathway' | 'existing', events: Event[]) => {
    const id = rng.uuid();
    const last = events.at(-1)!;
    referralRows.push({
      id,
      patientId,
      siteId: CLOSED_LOOP_SITE.id,
      therapy,
      status: last.statusAfter,
      origin,
      ...(origin === 'existing' ? { knownOn: events[0]!.on } : { receivedOn: events[0]!.on, source: 'consultant' as const }),
      lastEventOn: last.on,
      // A pathway referral starts at version 1 on receipt, an existing record on its first event: one per entry.
      version: events.length,
    });
    events.forEach((e, i) => {
      // A pathway referral's first entry is its receipt, not an event.
      if (origin === 'pathway' && i === 0) return;
      eventRows.push({
        id: rng.uuid(),
        referralId: id,
        seq: origin === 'pathway' ? i : i + 1,
        type: e.type as Exclude<Event['type'], 'received'>,
        occurredOn: e.on,
        payload: e.payload,
        statusAfter: e.statusAfter,
        recordedRole: e.role,
      });
    });
    return id;
  };
  const existing = (patientId: string, therapy: 'csii' | 'hcl', start: ExistingStart, funding: 'nhs' | 'non_nhs', after: Event[] = []) =>
    record(patientId, therapy, 'existing', [
      {
        type: 'existing_therapy',
        on: KNOWN_ON,
        payload: { ...start, knownOn: KNOWN_ON, pump: therapy === 'hcl' ? 'Medtronic MiniMed 780G' : 'Tandem t:slim X2', ...(therapy === 'hcl' ? { cgm: 'Guardian 4', algorithm: 'SmartGuard' } : {}), funding },
        statusAfter: 'on_therapy',
        role: 'nurse',
      },
      ...after,
    ]);

  // Through the pathway, some from an existing pump that their start switches.
  for (let i = 0; i < 1100; i++) {
    const patientId = person();
    const startedOn = addDays('2024-07-01', rng.int(0, 800));
    const pump = i < 300 ? existing(patientId, 'csii', existingStart(rng, 2008), 'nhs') : null;
    record(patientId, 'hcl', 'pathway', pathwayToStart(startedOn));
    if (pump) switchPump(pump, startedOn);
  }
  // Already on closed loop when the service began using the product.
  for (let i = 0; i < 900; i++) existing(person(), 'hcl', existingStart(rng, 2019), rng.chance(0.85) ? 'nhs' : 'non_nhs');
  // Passed over by the return: a pump alone, a closed loop stopped before the quarter, a decline.
  for (let i = 0; i < 400; i++) existing(person(), 'csii', existingStart(rng, 2008), 'nhs');
  for (let i = 0; i < 150; i++) {
    const stoppedOn = addDays('2025-01-01', rng.int(0, 500));
    existing(person(), 'hcl', existingStart(rng, 2019), 'nhs', [review(stoppedOn, 'discontinue')]);
  }
  for (let i = 0; i < 60; i++) {
    const on = addDays(CLOSED_LOOP_QUARTER.from, rng.int(0, 91));
    record(person(), 'hcl', 'pathway', [
      { type: 'received', on: addDays(on, -30), payload: {}, statusAfter: 'awaiting_assessment', role: null },
      { type: 'withdrawn', on, payload: { on, reason: 'patient_declined' }, statusAfter: 'withdrawn', role: 'nurse' },
    ]);
  }

  function switchPump(pumpId: string, on: string) {
    const pump = referralRows.find((r) => r.id === pumpId)!;
    const seq = eventRows.filter((e) => e.referralId === pumpId).length + 1;
    Object.assign(pump, { status: 'switched', lastEventOn: on, version: (pump.version ?? 1) + 1 });
    eventRows.push({ id: rng.uuid(), referralId: pumpId, seq, type: 'switched_to_hcl', occurredOn: on, payload: { on, hclReferralId: referralRows.at(-1)!.id }, statusAfter: 'switched', recordedRole: null });
  }

  for (let i = 0; i < patientRows.length; i += CHUNK) await db.insert(patients).values(patientRows.slice(i, i + CHUNK));
  for (let i = 0; i < referralRows.length; i += CHUNK) await db.insert(referrals).values(referralRows.slice(i, i + CHUNK));
  for (let i = 0; i < eventRows.length; i += CHUNK) await db.insert(referralEvents).values(eventRows.slice(i, i + CHUNK));
  return { patients: patientRows.length, referrals: referralRows.length, events: eventRows.length };
}

type ExistingStart = { startedOn?: string; startedYear?: number };

/** Most starts dated, a fifth known only by year, a tenth not known, from `sinceYear` to the year before the record. */
function existingStart(rng: Prng, sinceYear: number): ExistingStart {
  const kind = rng.weighted({ dated: 0.7, year: 0.2, unknown: 0.1 });
  const startedOn = addDays(`${sinceYear}-01-01`, rng.int(0, (2023 - sinceYear) * 365));
  if (kind === 'dated') return { startedOn };
  return kind === 'year' ? { startedYear: Number(startedOn.slice(0, 4)) } : {};
}

function review(on: string, decision: 'continue' | 'discontinue'): Event {
  return { type: 'review', on, payload: { reviewedOn: on, decision, ...(decision === 'discontinue' ? { reason: 'Stopped' } : {}) }, statusAfter: decision === 'discontinue' ? 'discontinued' : 'on_therapy', role: 'consultant' };
}

/** Received, assessed eligible, funded and started, a few weeks apart. */
function pathwayToStart(startedOn: string): Event[] {
  const day = (n: number) => addDays(startedOn, -n);
  return [
    { type: 'received', on: day(120), payload: {}, statusAfter: 'awaiting_assessment', role: null },
    {
      type: 'assessment',
      on: day(90),
      payload: { assessedOn: day(90), disablingHypoglycaemia: false, mdiTried: true, structuredEducation: true, decision: 'eligible' },
      statusAfter: 'awaiting_funding_request',
      role: 'consultant',
    },
    { type: 'funding_requested', on: day(60), payload: { submittedOn: day(60), commissioner: 'NHS Scale ICB 0', route: 'national_hcl' }, statusAfter: 'awaiting_funding_decision', role: 'nurse' },
    { type: 'funding_decision', on: day(30), payload: { decidedOn: day(30), outcome: 'approved' }, statusAfter: 'awaiting_start', role: 'nurse' },
    { type: 'device_started', on: startedOn, payload: { startedOn, pump: 'Tandem t:slim X2', cgm: 'Dexcom G7', algorithm: 'Control-IQ' }, statusAfter: 'on_therapy', role: 'nurse' },
  ];
}
