import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ageOnDate } from '../../domain/age';
import { addDays, daysBetween } from '../../domain/calendar-date';
import { evaluateEligibility, latestHba1cWithin12Months } from '../../domain/eligibility';
import { EVENT_DATE_FIELD } from '../../domain/event-dates';
import { existingTherapyPayload, type ExistingTherapyPayload } from '../../domain/existing-therapy';
import { percentToMmolMol } from '../../domain/hba1c';
import { isValidNhsNumber } from '../../domain/nhs-number';
import { applyEvent, PATHWAY, REFERRAL_STATUSES, type PathwayEvent, type ReferralStatus } from '../../domain/pathway';
import { criteria as criteriaSchema, createExistingTherapyBody, eventBody, type EventPayload } from '../../schemas/referrals.schema';
import { DEMO_SITES } from './demo.seed';
import { demoFacilitationStart, demoHistorySites } from './history.demo-sites';
import { resolvePeriod } from '../../domain/metrics';
import { generateHistory, type GeneratedHistory, type HistoryOptions, type HistorySite } from './history.generator';
import type { ObservationRow, ReferralEventRow, ReferralRow, SwitchPayload } from './history.types';

const TODAY = '2026-11-26';
const FACILITATION = '2025-11-01';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The four demo sites of Llewellyn et al. 2018: two facilitated, one given a web toolkit, one on its own. */
const SITES: HistorySite[] = [
  { id: '3f1c9a52-8b1e-4d3a-9c55-0a1b2c3d4e01', odsCode: 'RDM01', profile: 'active', facilitationStartsOn: FACILITATION, t1dPopulation: 2140, icb: 'NHS North Riverside ICB' },
  { id: '3f1c9a52-8b1e-4d3a-9c55-0a1b2c3d4e02', odsCode: 'RDM02', profile: 'active', facilitationStartsOn: FACILITATION, t1dPopulation: 1685, icb: 'NHS North Riverside ICB' },
  { id: '3f1c9a52-8b1e-4d3a-9c55-0a1b2c3d4e03', odsCode: 'RDM03', profile: 'passive', t1dPopulation: 1930, icb: 'NHS Moorside and Vale ICB' },
  { id: '3f1c9a52-8b1e-4d3a-9c55-0a1b2c3d4e04', odsCode: 'RDM04', profile: 'none', t1dPopulation: 1210, icb: 'NHS Moorside and Vale ICB' },
];
const [RIVERSIDE, , MOORSIDE, VALLEY] = SITES as [HistorySite, HistorySite, HistorySite, HistorySite];

const DEMO: HistoryOptions = { seed: 20180501, today: TODAY, years: 2, sites: SITES, referralsPerSitePerYear: 60 };
const demo = generateHistory(DEMO);

const FUNDING_STATUSES: readonly ReferralStatus[] = ['awaiting_funding_request', 'awaiting_funding_decision', 'funding_more_info'];

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

const asPathwayEvent = (event: ReferralEventRow): PathwayEvent => ({ type: event.type, ...(event.payload as object) }) as PathwayEvent;

/**
 * Where a record's events lead, as the services move it: an existing record opens on therapy with its first event;
 * the system's switch ends a pump record on therapy; every other event follows the pathway table.
 */
function statusAfter(status: ReferralStatus | null, event: ReferralEventRow, referral: ReferralRow): ReferralStatus {
  if (event.type === 'existing_therapy') {
    if (status !== null || referral.origin !== 'existing') throw new Error('existing_therapy is only the first event of an existing record');
    return 'on_therapy';
  }
  if (status === null && referral.origin === 'existing') throw new Error('an existing record opens with existing_therapy');
  const current = status ?? 'awaiting_assessment';
  if (event.type === 'switched_to_hcl') {
    if (current !== 'on_therapy' || referral.therapy !== 'csii') throw new Error(`switched_to_hcl cannot follow ${current} on ${referral.therapy}`);
    return 'switched';
  }
  const result = applyEvent(current, asPathwayEvent(event), PATHWAY[event.type].who[0]!);
  if (!result.ok) throw new Error(`${event.type} cannot follow status ${current}`);
  return result.next;
}

/** The date field of each event's payload, the created record's and the system's included. */
const dateField = (type: ReferralEventRow['type']) => (type === 'existing_therapy' ? 'knownOn' : type === 'switched_to_hcl' ? 'on' : EVENT_DATE_FIELD[type]);

/** What is wrong with an event's payload, as the API would see it; null when nothing is. */
function payloadProblem(event: ReferralEventRow, referral: ReferralRow, history: GeneratedHistory): string | null {
  if (event.type === 'existing_therapy') {
    const payload = event.payload as ExistingTherapyPayload;
    const parsed = createExistingTherapyBody.safeParse({ patientId: referral.patientId, therapy: referral.therapy, origin: 'existing', ...payload });
    if (!parsed.success) return `existing_therapy payload does not parse: ${parsed.error.message}`;
    return JSON.stringify(existingTherapyPayload(payload)) === JSON.stringify(payload) ? null : 'existing_therapy payload carries more than the record';
  }
  if (event.type === 'switched_to_hcl') {
    const { hclReferralId } = event.payload as SwitchPayload;
    const hcl = history.referrals.find((r) => r.id === hclReferralId);
    const started = history.events.find((e) => e.referralId === hclReferralId && e.type === 'device_started');
    if (!hcl || hcl.patientId !== referral.patientId || hcl.therapy !== 'hcl') return 'switched_to_hcl names no closed loop referral of the person';
    if (started?.occurredOn !== event.occurredOn) return 'switched_to_hcl is not dated the closed loop start';
    return event.recordedBy === null && event.recordedRole === null ? null : 'switched_to_hcl is the system\'s, recorded by no one';
  }
  const parsed = eventBody.safeParse({ type: event.type, version: 1, ...(event.payload as object) });
  return parsed.success ? null : `${event.type} payload does not parse: ${parsed.error.message}`;
}

/**
 * Everything the API would have enforced had each event been recorded through it, as a list of what is wrong
 * (empty when all is well): the pathway table, the dates, the payload schemas, and the record's summary
 * columns agreeing with its events. Existing-therapy records and switches are held to what the services write.
 */
function pathwayProblems(history: GeneratedHistory, today: string): string[] {
  const problems: string[] = [];
  const eventsOf = groupBy(history.events, (e) => e.referralId);
  for (const referral of history.referrals) {
    const events = eventsOf.get(referral.id) ?? [];
    const where = `referral ${referral.id}`;
    const existing = referral.origin === 'existing';
    const opened = existing ? referral.knownOn : referral.receivedOn;
    if (!opened || (existing ? referral.receivedOn !== null || referral.source !== null : referral.knownOn !== null)) {
      problems.push(`${where}: the dates of a${existing ? 'n existing record' : ' referral'} are wrong`);
      continue;
    }
    let previous = opened;
    let status: ReferralStatus | null = null;
    events.forEach((event, index) => {
      if (event.seq !== index + 1) problems.push(`${where}: event ${index + 1} has seq ${event.seq}`);
      if (event.occurredOn < previous) problems.push(`${where}: ${event.type} on ${event.occurredOn} is before ${previous}`);
      if (event.occurredOn > today) problems.push(`${where}: ${event.type} on ${event.occurredOn} is after today`);
      previous = event.occurredOn;
      const payload = event.payload as Record<string, unknown>;
      if (payload[dateField(event.type)] !== event.occurredOn) problems.push(`${where}: ${event.type} payload date differs from occurredOn`);
      const problem = payloadProblem(event, referral, history);
      if (problem) problems.push(`${where}: ${problem}`);
      if (event.type === 'assessment' ? !criteriaSchema.safeParse(event.criteria).success : event.criteria !== null) {
        problems.push(`${where}: ${event.type} has wrong criteria`);
      }
      if (event.recordedAt!.toISOString().slice(0, 10) !== event.occurredOn) problems.push(`${where}: recordedAt not on the event's day`);
      try {
        status = statusAfter(status, event, referral);
        if (status !== event.statusAfter) problems.push(`${where}: statusAfter of ${event.type} is wrong`);
      } catch (e) {
        problems.push(`${where}: ${(e as Error).message}`);
      }
    });
    const replayed = status ?? 'awaiting_assessment';
    if (replayed !== referral.status) problems.push(`${where}: status ${referral.status} but its events replay to ${replayed}`);
    // A referral is version 1 when received, an existing record with its first event.
    if (referral.version !== (existing ? 0 : 1) + events.length) problems.push(`${where}: version ${referral.version} with ${events.length} events`);
    if (referral.lastEventOn !== (events[events.length - 1]?.occurredOn ?? opened)) problems.push(`${where}: lastEventOn is not the last event's date`);
    if (opened > today) problems.push(`${where}: opened in the future`);
    const last = events[events.length - 1];
    const reassessOn = referral.status === 'deferred' ? (last!.payload as EventPayload<'assessment'>).reassessOn : null;
    if ((referral.reassessOn ?? null) !== (reassessOn ?? null)) problems.push(`${where}: reassessOn does not match the deferral`);
  }
  return problems;
}

const shareOf = <T>(rows: readonly T[], test: (row: T) => boolean) => rows.filter(test).length / Math.max(1, rows.length);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

describe('A demo history of the pump pathway', () => {
  it('is the same, byte for byte, for the same options, and different for another seed', () => {
    expect(JSON.stringify(generateHistory(DEMO))).toBe(JSON.stringify(demo));
    expect(JSON.stringify(generateHistory({ ...DEMO, seed: DEMO.seed + 1 }))).not.toBe(JSON.stringify(demo));
  });

  it('keeps a site’s story when another site is added', () => {
    const alone = generateHistory({ ...DEMO, sites: [VALLEY], clinicians: undefined });
    const together = generateHistory({ ...DEMO, sites: [{ ...RIVERSIDE, t1dPopulation: 1 }, { ...VALLEY, t1dPopulation: 1 }] });
    // Same population share (mean of one), same stream: Valley's referrals are identical apart from NHS numbers.
    const valleyReferrals = (h: GeneratedHistory) => h.referrals.filter((r) => r.siteId === VALLEY.id).map((r) => [r.id, r.status, r.receivedOn]);
    expect(valleyReferrals(together)).toEqual(valleyReferrals(alone));
  });

  it('has around the asked-for number of referrals, shared by the sites’ populations', () => {
    const perSite = groupBy(demo.referrals, (r) => r.siteId);
    expect(demo.referrals.length).toBeGreaterThanOrEqual(476);
    expect(demo.referrals.length).toBeLessThanOrEqual(484);
    expect(perSite.get(RIVERSIDE.id)!.length).toBeGreaterThan(perSite.get(VALLEY.id)!.length);
  });

  it('gives every row a unique version 4 UUID, and every reference a row to point at', () => {
    const ids = [...demo.patients, ...demo.observations, ...demo.referrals, ...demo.events].map((r) => r.id);
    expect(ids.every((id) => UUID_V4.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const patientIds = new Set(demo.patients.map((p) => p.id));
    const referralIds = new Set(demo.referrals.map((r) => r.id));
    const siteIds = new Set(SITES.map((s) => s.id));
    expect(demo.observations.every((o) => patientIds.has(o.patientId))).toBe(true);
    expect(demo.referrals.every((r) => patientIds.has(r.patientId) && siteIds.has(r.siteId))).toBe(true);
    expect(demo.events.every((e) => referralIds.has(e.referralId))).toBe(true);
  });

  describe('the people referred', () => {
    it('carry valid, unique NHS numbers from the 999 test range', () => {
      const numbers = demo.patients.map((p) => p.nhsNumber!);
      expect(numbers.every((n) => isValidNhsNumber(n) && n.startsWith('999'))).toBe(true);
      expect(new Set(numbers).size).toBe(numbers.length);
    });

    it('are children, young people, adults and older adults, mostly with type 1 diabetes', () => {
      const firstReferral = new Map<string, ReferralRow>();
      for (const r of demo.referrals) if (!firstReferral.has(r.patientId)) firstReferral.set(r.patientId, r);
      const ages = demo.patients.map((p) => ageOnDate(p.birthDate, firstReferral.get(p.id)!.receivedOn!));
      expect(shareOf(ages, (a) => a < 12)).toBeGreaterThan(0.04);
      expect(shareOf(ages, (a) => a >= 12 && a < 18)).toBeGreaterThan(0.05);
      expect(shareOf(ages, (a) => a >= 18)).toBeGreaterThan(0.6);
      expect(shareOf(ages, (a) => a >= 65)).toBeGreaterThan(0.04);
      expect(shareOf(demo.patients, (p) => p.diabetesType === 'type1')).toBeGreaterThan(0.85);
      expect(demo.patients.some((p) => p.diabetesType === 'type2')).toBe(true);
      expect(new Set(demo.patients.map((p) => p.sex))).toEqual(new Set(['female', 'male', 'other', 'unknown']));
      expect(demo.patients.every((p) => p.givenName.length > 0 && p.familyName.length > 0)).toBe(true);
    });

    it('sometimes come back: a pump user referred on for closed loop, or someone referred again', () => {
      const referralsPerPatient = [...groupBy(demo.referrals, (r) => r.patientId).values()];
      const second = referralsPerPatient.filter((rs) => rs.length === 2);
      expect(second.length).toBeGreaterThan(0);
      expect(referralsPerPatient.every((rs) => rs.length <= 2)).toBe(true);
      expect(second.every(([first, next]) => first!.receivedOn! <= next!.receivedOn!)).toBe(true);
    });
  });

  describe('HbA1c results', () => {
    const resultsOf = groupBy(demo.observations, (o) => o.patientId);

    it('are manual results every few months, in mmol/mol or converted from %', () => {
      expect(demo.observations.every((o) => o.kind === 'hba1c' && o.source === 'manual')).toBe(true);
      expect(demo.observations.every((o) => o.mmolMol >= 45 && o.mmolMol <= 100)).toBe(true);
      expect(demo.observations.every((o) => o.effectiveAt.toISOString() === `${o.effective}T00:00:00.000Z`)).toBe(true);
      const percent = demo.observations.filter((o) => o.originalUnit === '%');
      const mmol = demo.observations.filter((o) => o.originalUnit === 'mmol/mol');
      expect(percent.length).toBeGreaterThan(0);
      expect(percent.every((o) => /^\d+(\.\d)?$/.test(o.originalValue) && percentToMmolMol(Number(o.originalValue)) === o.mmolMol)).toBe(true);
      expect(mmol.every((o) => o.originalValue === String(o.mmolMol))).toBe(true);
      expect(demo.patients.filter((p) => (resultsOf.get(p.id)?.length ?? 0) >= 2).length / demo.patients.length).toBeGreaterThan(0.9);
    });

    it('fall after a device starts, so the six-month HbA1c change has data (a median fall of several mmol/mol)', () => {
      const patientOf = new Map(demo.referrals.map((r) => [r.id, r.patientId]));
      const changes: number[] = [];
      for (const start of demo.events.filter((e) => e.type === 'device_started')) {
        const results: ObservationRow[] = resultsOf.get(patientOf.get(start.referralId)!) ?? [];
        const baseline = latestHba1cWithin12Months(results, start.occurredOn);
        const followUp = results.find((o) => {
          const days = daysBetween(start.occurredOn, o.effective);
          return days >= 150 && days <= 210;
        });
        if (baseline && followUp) changes.push(followUp.mmolMol - baseline.mmolMol);
      }
      expect(changes.length).toBeGreaterThan(30);
      expect(median(changes)).toBeLessThanOrEqual(-5);
      expect(median(changes)).toBeGreaterThanOrEqual(-15);
    });
  });

  describe('referrals and their events', () => {
    it('follow the pathway table: each status is the replay of its events, with dates in order up to today, and payloads the API accepts', () => {
      expect(pathwayProblems(demo, TODAY)).toEqual([]);
    });

    it('put the rule engine’s view on each assessment, from the HbA1c results the consultant could see', () => {
      const patients = new Map(demo.patients.map((p) => [p.id, p]));
      const referrals = new Map(demo.referrals.map((r) => [r.id, r]));
      const resultsOf = groupBy(demo.observations, (o) => o.patientId);
      const assessments = demo.events.filter((e) => e.type === 'assessment');
      for (const event of assessments) {
        const referral = referrals.get(event.referralId)!;
        const patient = patients.get(referral.patientId)!;
        const payload = event.payload as EventPayload<'assessment'>;
        const latest = latestHba1cWithin12Months(resultsOf.get(patient.id) ?? [], payload.assessedOn);
        expect(payload.hba1cMmolMol).toBe(latest?.mmolMol);
        expect(event.criteria).toEqual(
          evaluateEligibility({
            therapy: referral.therapy,
            birthDate: patient.birthDate,
            assessedOn: payload.assessedOn,
            diabetesType: patient.diabetesType,
            hba1cMmolMol: payload.hba1cMmolMol ?? null,
            disablingHypoglycaemia: payload.disablingHypoglycaemia,
            mdiTried: payload.mdiTried,
            mdiImpractical: payload.mdiImpractical,
            currentTechnology: payload.currentTechnology,
            structuredEducation: payload.structuredEducation,
            pregnancy: payload.pregnancy,
          }),
        );
      }
    });

    it('mostly follow the suggestion; a consultant who decides otherwise gives a rationale', () => {
      const decided = demo.events.filter((e) => e.type === 'assessment' && (e.payload as EventPayload<'assessment'>).decision !== 'deferred');
      const against = decided.filter((e) => (e.payload as EventPayload<'assessment'>).decision !== (e.criteria as { suggestion: string }).suggestion);
      expect(against.length).toBeGreaterThan(0);
      expect(against.length / decided.length).toBeLessThan(0.15);
      expect(against.every((e) => (e.payload as EventPayload<'assessment'>).rationale)).toBe(true);
      const deferred = demo.events.filter((e) => e.type === 'assessment' && (e.payload as EventPayload<'assessment'>).decision === 'deferred');
      expect(deferred.every((e) => (e.payload as EventPayload<'assessment'>).reassessOn! > e.occurredOn)).toBe(true);
    });

    it('record UK devices: closed loop as pump, CGM and algorithm; a pump alone without an algorithm', () => {
      const therapyOf = new Map(demo.referrals.map((r) => [r.id, r.therapy]));
      const starts = demo.events.filter((e) => e.type === 'device_started');
      const hcl = starts.filter((e) => therapyOf.get(e.referralId) === 'hcl').map((e) => e.payload as EventPayload<'device_started'>);
      const csii = starts.filter((e) => therapyOf.get(e.referralId) === 'csii').map((e) => e.payload as EventPayload<'device_started'>);
      expect(hcl.length).toBeGreaterThan(0);
      expect(csii.length).toBeGreaterThan(0);
      expect(hcl.every((d) => d.pump && d.cgm && d.algorithm)).toBe(true);
      expect(csii.every((d) => d.pump && d.algorithm === undefined)).toBe(true);
      expect(hcl.some((d) => d.pump === 'Medtronic MiniMed 780G' && d.algorithm === 'SmartGuard')).toBe(true);
    });

    it('send funding requests to the site’s ICB, closed loop mostly by the national route', () => {
      const referrals = new Map(demo.referrals.map((r) => [r.id, r]));
      const icbOf = new Map(SITES.map((s) => [s.id, s.icb]));
      const requests = demo.events.filter((e) => e.type === 'funding_requested');
      expect(requests.every((e) => (e.payload as EventPayload<'funding_requested'>).commissioner === icbOf.get(referrals.get(e.referralId)!.siteId))).toBe(true);
      const hclRoutes = requests.filter((e) => referrals.get(e.referralId)!.therapy === 'hcl' && e.occurredOn >= '2024-04-01').map((e) => (e.payload as EventPayload<'funding_requested'>).route);
      expect(shareOf(hclRoutes, (r) => r === 'national_hcl')).toBeGreaterThan(0.7);
      const references = demo.events.filter((e) => e.type === 'funding_decision').map((e) => (e.payload as EventPayload<'funding_decision'>).reference);
      expect(references.some((r) => r !== undefined && /^IFR-\d{4}-\d{4}$/.test(r))).toBe(true);
    });

    it('give closed loop referrals a priority group (children first), and pump referrals none', () => {
      const patients = new Map(demo.patients.map((p) => [p.id, p]));
      for (const r of demo.referrals) {
        if (r.therapy === 'csii') {
          expect(r.priorityGroup).toBeNull();
          continue;
        }
        const age = ageOnDate(patients.get(r.patientId)!.birthDate, r.receivedOn!);
        if (age < 18) expect(r.priorityGroup).toBe('child');
        else expect(['pregnancy', 'existing_pump_user', 'adult']).toContain(r.priorityGroup);
      }
      const groups = new Set(demo.referrals.map((r) => r.priorityGroup));
      expect(groups).toEqual(new Set([null, 'child', 'pregnancy', 'existing_pump_user', 'adult']));
    });

    it('review people on therapy every 6 to 12 months; a few stop, with a reason', () => {
      const reviews = demo.events.filter((e) => e.type === 'review');
      expect(reviews.length).toBeGreaterThan(0);
      const stops = reviews.filter((e) => (e.payload as EventPayload<'review'>).decision === 'discontinue');
      expect(stops.length).toBeGreaterThan(0);
      expect(stops.every((e) => (e.payload as EventPayload<'review'>).reason)).toBe(true);
      const withdrawals = demo.events.filter((e) => e.type === 'withdrawn');
      expect(withdrawals.length).toBeGreaterThan(0);
    });

    it('leave recorder ids empty without clinicians, and fill them in with them', () => {
      expect(demo.events.every((e) => e.recordedBy === null)).toBe(true);
      const nurseId = '0b8d2f3e-1c4a-4e5b-8f6a-7b8c9d0e1f20';
      const consultantId = '0b8d2f3e-1c4a-4e5b-8f6a-7b8c9d0e1f21';
      const staffed = generateHistory({ ...DEMO, sites: [RIVERSIDE], clinicians: { [RIVERSIDE.id]: { nurseId, consultantId } } });
      const idFor = { nurse: nurseId, consultant: consultantId };
      expect(staffed.events.every((e) => e.recordedBy === idFor[e.recordedRole as 'nurse' | 'consultant'])).toBe(true);
      expect(staffed.events.filter((e) => e.type === 'assessment').every((e) => e.recordedRole === 'consultant')).toBe(true);
      expect(staffed.events.filter((e) => e.type === 'device_started').every((e) => e.recordedRole === 'nurse')).toBe(true);
      expect(staffed.referrals.every((r) => r.createdBy === nurseId)).toBe(true);
      const nurseOnly = generateHistory({ ...DEMO, sites: [RIVERSIDE], clinicians: { [RIVERSIDE.id]: { nurseId } } });
      expect(nurseOnly.events.filter((e) => e.type === 'assessment').every((e) => e.recordedBy === null && e.recordedRole === 'consultant')).toBe(true);
      expect(nurseOnly.events.filter((e) => e.type === 'funding_requested').every((e) => e.recordedBy === nurseId)).toBe(true);
      expect(pathwayProblems(staffed, TODAY)).toEqual([]);
    });
  });

  describe('the story of the four sites (Llewellyn et al. 2018)', () => {
    const siteShares = (history: GeneratedHistory, site: HistorySite) => {
      const referrals = history.referrals.filter((r) => r.siteId === site.id);
      const started = new Set(history.events.filter((e) => e.type === 'device_started').map((e) => e.referralId));
      return {
        started: shareOf(referrals, (r) => started.has(r.id)),
        stuckInFunding: shareOf(referrals, (r) => FUNDING_STATUSES.includes(r.status!)),
      };
    };

    it.each([DEMO.seed, 1, 2, 3])('the passive site starts far fewer people and leaves far more waiting on funding (seed %i)', (seed) => {
      const history = seed === DEMO.seed ? demo : generateHistory({ ...DEMO, seed });
      const [active, passive, none] = [RIVERSIDE, MOORSIDE, VALLEY].map((s) => siteShares(history, s)) as [ReturnType<typeof siteShares>, ReturnType<typeof siteShares>, ReturnType<typeof siteShares>];
      expect(passive.started).toBeLessThan(0.5 * Math.min(active.started, none.started));
      expect(passive.stuckInFunding).toBeGreaterThan(2 * Math.max(active.stuckInFunding, none.stuckInFunding));
    });

    it('the facilitated site starts more people a month once facilitation begins, and more so than the steady site', () => {
      const startsPerMonth = (site: HistorySite) => {
        const ids = new Set(demo.referrals.filter((r) => r.siteId === site.id).map((r) => r.id));
        const starts = demo.events.filter((e) => e.type === 'device_started' && ids.has(e.referralId)).map((e) => e.occurredOn);
        const firstDay = addDays(TODAY, -Math.round(2 * 365.25));
        return {
          before: starts.filter((d) => d < FACILITATION).length / (daysBetween(firstDay, FACILITATION) / 30.44),
          after: starts.filter((d) => d >= FACILITATION).length / (daysBetween(FACILITATION, TODAY) / 30.44),
        };
      };
      const active = startsPerMonth(RIVERSIDE);
      const steady = startsPerMonth(VALLEY);
      expect(active.after).toBeGreaterThan(2 * active.before);
      // Every site starts slowly while its first referrals work through; facilitation must beat that.
      expect(active.after / Math.max(active.before, 0.1)).toBeGreaterThan(steady.after / Math.max(steady.before, 0.1));
    });

    it('leaves work on every list: open referrals at each step, people on therapy, and closed ones', () => {
      const statuses = new Set(demo.referrals.map((r) => r.status));
      for (const status of ['awaiting_assessment', 'awaiting_funding_decision', 'on_therapy', 'awaiting_start', 'not_eligible', 'withdrawn', 'funding_declined']) {
        expect(statuses, status).toContain(status);
      }
      expect([...statuses].every((s) => (REFERRAL_STATUSES as readonly string[]).includes(s!))).toBe(true);
      const recent = demo.referrals.filter((r) => daysBetween(r.receivedOn!, TODAY) <= 21);
      expect(recent.length).toBeGreaterThan(0);
      expect(shareOf(recent, (r) => r.status === 'awaiting_assessment')).toBeGreaterThan(0.7);
    });
  });

  describe('a service’s caseload: people already on a pump or closed loop on the first day', () => {
    const FHIR_SERVER = 'urn:test:fhir';
    const FIRST_DAY = addDays(TODAY, -Math.round(2 * 365.25));
    const withCaseload = generateHistory({ ...DEMO, caseload: { share: 0.12, fhirServerId: FHIR_SERVER } });
    const existing = withCaseload.referrals.filter((r) => r.origin === 'existing');
    const firstEvents = new Map(withCaseload.events.filter((e) => e.type === 'existing_therapy').map((e) => [e.referralId, e]));
    const payloads = existing.map((r) => firstEvents.get(r.id)!.payload as ExistingTherapyPayload);

    it('is about the asked-for share of each site’s type 1 population, each a little either side, all entered on the first day', () => {
      for (const site of SITES) {
        const share = existing.filter((r) => r.siteId === site.id).length / site.t1dPopulation;
        expect(share, site.odsCode).toBeGreaterThanOrEqual(0.1);
        expect(share, site.odsCode).toBeLessThanOrEqual(0.14);
      }
      expect(new Set(existing.map((r) => r.knownOn))).toEqual(new Set([FIRST_DAY]));
      expect(existing.every((r) => r.createdBy === null && r.priorityGroup === null)).toBe(true);
    });

    it('holds what the API holds an existing record to, and the pathway’s rules around it', () => {
      expect(pathwayProblems(withCaseload, TODAY)).toEqual([]);
    });

    it('has pumps and closed loop, started over the previous decade: mostly dated, some by year only, a few not known', () => {
      expect(shareOf(existing, (r) => r.therapy === 'hcl')).toBeGreaterThan(0.25);
      expect(shareOf(existing, (r) => r.therapy === 'hcl')).toBeLessThan(0.55);
      expect(shareOf(payloads, (p) => p.startedOn !== undefined)).toBeGreaterThan(0.6);
      expect(shareOf(payloads, (p) => p.startedOn === undefined && p.startedYear !== undefined)).toBeGreaterThan(0.1);
      expect(shareOf(payloads, (p) => p.startedOn === undefined && p.startedYear === undefined)).toBeGreaterThan(0.02);
      const years = payloads.map((p) => p.startedYear ?? (p.startedOn ? Number(p.startedOn.slice(0, 4)) : null)).filter((y): y is number => y !== null);
      expect(Math.min(...years)).toBeGreaterThanOrEqual(Number(FIRST_DAY.slice(0, 4)) - 10);
      expect(Math.max(...years)).toBeLessThanOrEqual(Number(FIRST_DAY.slice(0, 4)));
      expect(payloads.every((p) => !p.startedOn || p.startedOn < FIRST_DAY)).toBe(true);
    });

    it('is mostly NHS funded, a few not; closed loop with pump, CGM and algorithm, a pump alone without an algorithm', () => {
      expect(shareOf(payloads, (p) => p.funding === 'non_nhs')).toBeGreaterThan(0);
      expect(shareOf(payloads, (p) => p.funding === 'non_nhs')).toBeLessThan(0.12);
      const byTherapy = (therapy: string) => existing.filter((r) => r.therapy === therapy).map((r) => firstEvents.get(r.id)!.payload as ExistingTherapyPayload);
      expect(byTherapy('hcl').every((p) => p.cgm && p.algorithm)).toBe(true);
      expect(byTherapy('csii').every((p) => p.algorithm === undefined)).toBe(true);
    });

    it('are people with type 1 diabetes, many of them young, with HbA1c results from before the first day', () => {
      const people = new Set(existing.map((r) => r.patientId));
      const patients = withCaseload.patients.filter((p) => people.has(p.id));
      expect(patients.every((p) => p.diabetesType === 'type1')).toBe(true);
      expect(shareOf(patients, (p) => ageOnDate(p.birthDate, FIRST_DAY) < 18)).toBeGreaterThan(0.2);
      const resultsOf = groupBy(withCaseload.observations, (o) => o.patientId);
      expect(patients.every((p) => (resultsOf.get(p.id) ?? []).some((o) => o.effective < FIRST_DAY))).toBe(true);
    });

    it('refers some pump users on for closed loop, and a closed loop start switches their pump record', () => {
      const switched = existing.filter((r) => r.status === 'switched');
      expect(switched.length).toBeGreaterThan(3);
      const eventsOf = groupBy(withCaseload.events, (e) => e.referralId);
      for (const pump of switched) {
        const last = eventsOf.get(pump.id)!.at(-1)!;
        expect(last.type).toBe('switched_to_hcl');
        const hcl = withCaseload.referrals.find((r) => r.id === (last.payload as SwitchPayload).hclReferralId)!;
        expect(hcl).toMatchObject({ origin: 'pathway', therapy: 'hcl', patientId: pump.patientId });
      }
      const referredOn = withCaseload.referrals.filter((r) => r.origin === 'pathway' && switched.some((p) => p.patientId === r.patientId));
      // NHS England's phasing: children first, then pregnancy, then adults already on a pump.
      expect(new Set(referredOn.map((r) => r.priorityGroup))).toContain('existing_pump_user');
      expect(referredOn.every((r) => ['child', 'pregnancy', 'existing_pump_user'].includes(r.priorityGroup!))).toBe(true);
      const recordsPerPatient = [...groupBy(withCaseload.referrals, (r) => r.patientId).values()];
      expect(recordsPerPatient.every((rs) => rs.length <= 2)).toBe(true);
    });

    it('reviews people from the first day on, and a few stop', () => {
      const reviews = withCaseload.events.filter((e) => e.type === 'review' && existing.some((r) => r.id === e.referralId));
      expect(reviews.length).toBeGreaterThan(existing.length);
      expect(existing.some((r) => r.status === 'discontinued')).toBe(true);
    });

    it('has one closed loop user a site imported from the FHIR server without an NHS number, and everyone else with one', () => {
      const unnumbered = withCaseload.patients.filter((p) => p.nhsNumber === null);
      expect(unnumbered.map((p) => p.siteId).sort()).toEqual(SITES.map((s) => s.id).sort());
      expect(unnumbered.every((p) => p.fhirServer === FHIR_SERVER && p.fhirId !== null)).toBe(true);
      expect(unnumbered.every((p) => existing.some((r) => r.patientId === p.id && r.therapy === 'hcl' && r.status === 'on_therapy'))).toBe(true);
      const numbers = withCaseload.patients.flatMap((p) => (p.nhsNumber ? [p.nhsNumber] : []));
      expect(new Set(numbers).size).toBe(numbers.length);
      expect(generateHistory({ ...DEMO, caseload: { share: 0.12 } }).patients.every((p) => p.nhsNumber !== null)).toBe(true);
    });

    it('is the same, byte for byte, for the same options', () => {
      expect(JSON.stringify(generateHistory({ ...DEMO, caseload: { share: 0.12, fhirServerId: FHIR_SERVER } }))).toBe(JSON.stringify(withCaseload));
    });
  });

  it('holds the pathway’s rules for any seed, dates and mix of sites (property)', () => {
    const siteArb = fc.record({
      profile: fc.constantFrom('active' as const, 'passive' as const, 'none' as const),
      facilitationOffset: fc.option(fc.integer({ min: -400, max: 900 }), { nil: undefined }),
      t1dPopulation: fc.integer({ min: 0, max: 3000 }),
    });
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 0, max: 1500 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 25 }),
        fc.array(siteArb, { minLength: 1, maxLength: 3 }),
        fc.option(fc.double({ min: 0, max: 0.3, noNaN: true }), { nil: undefined }),
        (seed, todayOffset, years, rate, siteSpecs, caseloadShare) => {
          const today = addDays('2024-01-01', todayOffset);
          const sites: HistorySite[] = siteSpecs.map((s, i) => ({
            id: `00000000-0000-4000-8000-00000000000${i}`,
            odsCode: `PROP${i}`,
            profile: s.profile,
            t1dPopulation: s.t1dPopulation,
            ...(s.facilitationOffset !== undefined ? { facilitationStartsOn: addDays(today, -s.facilitationOffset) } : {}),
          }));
          const caseload = caseloadShare === undefined ? {} : { caseload: { share: caseloadShare, fhirServerId: 'urn:test:fhir' } };
          const history = generateHistory({ seed, today, years, sites, referralsPerSitePerYear: rate, ...caseload });
          const problems = pathwayProblems(history, today);
          const numbers = history.patients.flatMap((p) => (p.nhsNumber ? [p.nhsNumber] : []));
          const ok = problems.length === 0 && new Set(numbers).size === numbers.length && numbers.every(isValidNhsNumber);
          if (!ok) throw new Error(problems.slice(0, 5).join('\n') || 'NHS numbers');
          return history.observations.every((o) => o.effective <= today);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("casts the demo sites in their parts, with facilitation beginning about a year before today, inside the dashboard's default year", () => {
    const cast = demoHistorySites(
      DEMO_SITES.map((s, i) => ({ ...s, id: `3f1c9a52-8b1e-4d3a-9c55-0a1b2c3d4f0${i}` })),
      TODAY,
    );
    expect(cast.map((s) => [s.odsCode, s.profile, s.facilitationStartsOn])).toEqual([
      ['RDM01', 'active', '2025-12-11'],
      ['RDM02', 'active', '2025-12-11'],
      ['RDM03', 'passive', undefined],
      ['RDM04', 'none', undefined],
    ]);
    expect(demoFacilitationStart(TODAY) >= resolvePeriod({}, TODAY)!.from).toBe(true);
    expect(cast.map((s) => s.icb)).toEqual(DEMO_SITES.map((s) => s.icb));
  });

  it('stamps nothing after the moment it is made, even early on today, and keeps each referral in order', () => {
    const now = new Date(`${DEMO.today}T07:15:00Z`);
    const made = generateHistory({ ...DEMO, now });
    const stamps = [...made.patients.map((p) => p.createdAt), ...made.observations.map((o) => o.createdAt), ...made.referrals.map((r) => r.updatedAt), ...made.events.map((e) => e.recordedAt)];
    expect(stamps.every((t) => t!.getTime() <= now.getTime())).toBe(true);
    expect(stamps.some((t) => t!.getTime() === now.getTime())).toBe(true); // today's rows were there to be held back
    const backwards = made.events.filter((e, i) => i > 0 && made.events[i - 1]!.referralId === e.referralId && e.recordedAt! < made.events[i - 1]!.recordedAt!);
    expect(backwards).toEqual([]);
  });

  it('refuses options it cannot honour', () => {
    expect(() => generateHistory({ ...DEMO, today: '2026-02-30' })).toThrow(RangeError);
    expect(() => generateHistory({ ...DEMO, years: 0 })).toThrow(RangeError);
    expect(() => generateHistory({ ...DEMO, sites: [RIVERSIDE, RIVERSIDE] })).toThrow(RangeError);
  });
});
