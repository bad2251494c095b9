import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Role } from '../../src/lib/domain/access';
import { addDays, daysBetween } from '../../src/lib/domain/calendar-date';
import { discloseRow } from '../../src/lib/domain/disclosure';
import {
  emptyRow,
  FACILITATION_LABELS,
  FACILITATION_ORDER,
  uptakePct,
  type FacilitationMode,
  type GroupBy,
  type MetricsReport,
  type MetricsRow,
  type WaitName,
} from '../../src/lib/domain/metrics';
import { applyEvent, type PathwayEvent, type ReferralStatus } from '../../src/lib/domain/pathway';
import type { EthnicCategory } from '../../src/lib/domain/vocabulary';
import type { Db } from '../../src/lib/server/db/client';
import { facilitationActivities, observations, patients, referralEvents, referrals, sitePopulationCounts, sites } from '../../src/lib/server/db/schema';
import { todayIso } from '../../src/lib/server/clock';
import { median, nearestRankPercentile, strongestFacilitation, twelveMonthsAfter, twelveMonthsBefore } from './oracles';
import { nextNhsNumber } from './pathway';

/**
 * Metrics test data, two ways: a builder that inserts rows directly (with the shapes the demo generator and the
 * API write), and an oracle that computes the report in plain TypeScript from the same rows, written from the
 * definitions (payload fields, not the stored statuses the SQL reads), to check the SQL against.
 */

export interface OracleSite {
  id: string;
  name: string;
  icb: string;
  t1dPopulation: number | null;
  t1dPopulationAsOf: string | null;
  /** Every count the site has had: a period divides by the latest on or before its end. */
  counts: { asOf: string; count: number }[];
}
export interface OracleFacilitation {
  siteId: string;
  on: string;
  mode: FacilitationMode;
}
export interface OracleReferral {
  id: string;
  patientId: string;
  siteId: string;
  therapy: 'csii' | 'hcl';
  /** Null for an existing-therapy record, which was never received as a referral. */
  receivedOn: string | null;
}
export interface OracleEvent {
  referralId: string;
  seq: number;
  type: string;
  occurredOn: string;
  payload: unknown;
}
export interface OracleObservation {
  id: string;
  patientId: string;
  effective: string;
  effectiveAt: Date;
  mmolMol: number;
}
export interface OracleData {
  sites: OracleSite[];
  facilitation: OracleFacilitation[];
  referrals: OracleReferral[];
  events: OracleEvent[];
  observations: OracleObservation[];
}

export const emptyData = (): OracleData => ({ sites: [], facilitation: [], referrals: [], events: [], observations: [] });

// ---------------------------------------------------------------------------------------------------------------
// Builder

export type Step =
  | { type: 'assessment'; on: string; decision: 'eligible' | 'not_eligible' | 'deferred' }
  | { type: 'funding_requested'; on: string }
  | { type: 'funding_decision'; on: string; outcome: 'approved' | 'declined' | 'more_info' }
  | { type: 'device_started'; on: string }
  | { type: 'review'; on: string; decision: 'continue' | 'discontinue' }
  | { type: 'withdrawn'; on: string };

const ROLE_FOR: Record<Step['type'], Role> = {
  assessment: 'consultant',
  funding_requested: 'nurse',
  funding_decision: 'nurse',
  device_started: 'nurse',
  review: 'consultant',
  withdrawn: 'nurse',
};

/** The payload as the API stores it for each step (the events table of docs/pathway.md). */
function payloadOf(step: Step): Record<string, unknown> {
  switch (step.type) {
    case 'assessment':
      return {
        assessedOn: step.on,
        disablingHypoglycaemia: false,
        mdiTried: true,
        structuredEducation: true,
        decision: step.decision,
        ...(step.decision === 'deferred' ? { reassessOn: addDays(step.on, 28) } : {}),
      };
    case 'funding_requested':
      return { submittedOn: step.on, commissioner: 'Test ICB', route: 'routine' };
    case 'funding_decision':
      return { decidedOn: step.on, outcome: step.outcome };
    case 'device_started':
      return { startedOn: step.on, pump: 'Test pump' };
    case 'review':
      return { reviewedOn: step.on, decision: step.decision };
    case 'withdrawn':
      return { on: step.on, reason: 'patient_declined' };
  }
}

/** The part of a step the pathway table reads (type, and decision or outcome). */
const pathwayEventOf = ({ on: _on, ...event }: Step): PathwayEvent => event as PathwayEvent;

/** The usual path to a device start, each step on its date. */
export const toStart = (d: { eligible: string; requested: string; approved: string; started: string }): Step[] => [
  { type: 'assessment', on: d.eligible, decision: 'eligible' },
  { type: 'funding_requested', on: d.requested },
  { type: 'funding_decision', on: d.approved, outcome: 'approved' },
  { type: 'device_started', on: d.started },
];

let nhsSeed = 700_000;

/** Inserts rows straight into the database, keeping a copy for the oracle. */
export function metricsBuilder(db: Db, data: OracleData = emptyData()) {
  const today = todayIso();
  return {
    data,
    async site(s: { name: string; icb: string; t1dPopulation?: number | null; t1dPopulationAsOf?: string | null; odsCode?: string }): Promise<string> {
      const id = randomUUID();
      const { t1dPopulation = null, t1dPopulationAsOf = null } = s;
      const row: OracleSite = { id, name: s.name, icb: s.icb, t1dPopulation, t1dPopulationAsOf, counts: [] };
      const { counts: _counts, ...columns } = row;
      await db.insert(sites).values({ ...columns, odsCode: s.odsCode ?? `M${id.slice(0, 5).toUpperCase()}` });
      data.sites.push(row);
      if (t1dPopulation !== null && t1dPopulationAsOf !== null) await this.populationCount(id, t1dPopulationAsOf, t1dPopulation);
      return id;
    },
    /** A count of the site's type 1 population as of a date (the newest shows on the site). */
    async populationCount(siteId: string, asOf: string, count: number): Promise<void> {
      await db.insert(sitePopulationCounts).values({ siteId, asOf, t1dPopulation: count, source: 'manual' });
      data.sites.find((s) => s.id === siteId)!.counts.push({ asOf, count });
    },
    async facilitation(siteId: string, on: string, mode: FacilitationMode): Promise<void> {
      await db.insert(facilitationActivities).values({ siteId, on, mode, kind: mode === 'passive' ? 'web_resource' : 'site_visit' });
      data.facilitation.push({ siteId, on, mode });
    },
    async patient(
      siteId: string,
      who: Partial<{ birthDate: string; sex: 'female' | 'male' | 'other' | 'unknown'; ethnicCategory: EthnicCategory | null; postcode: string | null; imdDecile: number | null }> = {},
    ): Promise<string> {
      const id = randomUUID();
      const nhsNumber = nextNhsNumber(nhsSeed);
      // nextNhsNumber skips numbers with no valid check digit: continue after the one it gave.
      nhsSeed = Number(nhsNumber.slice(3, 9)) + 1;
      await db.insert(patients).values({
        id,
        siteId,
        nhsNumber,
        givenName: 'Test',
        familyName: `Patient ${nhsSeed}`,
        birthDate: '1980-01-01',
        sex: 'female',
        diabetesType: 'type1',
        ...who,
      });
      return id;
    },
    /** An HbA1c entered by hand: a date, ordered by its UTC midnight, as the patient service stores it. */
    async hba1c(patientId: string, effective: string, mmolMol: number): Promise<void> {
      const row = { id: randomUUID(), patientId, effective, effectiveAt: new Date(`${effective}T00:00:00Z`), mmolMol };
      await db.insert(observations).values({ ...row, kind: 'hba1c', originalValue: String(mmolMol), originalUnit: 'mmol/mol', source: 'manual' });
      data.observations.push(row);
    },
    /**
     * A person already on therapy when the service began: an existing-therapy record, with its reviews (a review
     * step may discontinue it), as the referral service writes it.
     */
    async existing(
      patientId: string,
      siteId: string,
      r: { therapy?: 'csii' | 'hcl'; startedOn?: string; startedYear?: number; knownOn: string; reviews?: Extract<Step, { type: 'review' }>[] },
    ): Promise<string> {
      const id = randomUUID();
      const therapy = r.therapy ?? 'csii';
      const first = {
        id: randomUUID(),
        referralId: id,
        seq: 1,
        type: 'existing_therapy' as const,
        occurredOn: r.knownOn,
        payload: { ...(r.startedOn ? { startedOn: r.startedOn } : {}), ...(r.startedYear ? { startedYear: r.startedYear } : {}), knownOn: r.knownOn, pump: 'Test pump', funding: 'nhs' },
        statusAfter: 'on_therapy' as ReferralStatus,
        recordedRole: 'nurse' as Role,
      };
      let status: ReferralStatus = 'on_therapy';
      const reviews = (r.reviews ?? []).map((step, index) => {
        status = step.decision === 'discontinue' ? 'discontinued' : 'on_therapy';
        return { id: randomUUID(), referralId: id, seq: index + 2, type: step.type, occurredOn: step.on, payload: payloadOf(step), statusAfter: status, recordedRole: ROLE_FOR.review };
      });
      const events = [first, ...reviews];
      await db.insert(referrals).values({ id, patientId, siteId, therapy, status, origin: 'existing', knownOn: r.knownOn, lastEventOn: events.at(-1)!.occurredOn, version: 1 + reviews.length });
      await db.insert(referralEvents).values(events);
      data.referrals.push({ id, patientId, siteId, therapy, receivedOn: null });
      data.events.push(...events.map(({ referralId, seq, type, occurredOn, payload }) => ({ referralId, seq, type, occurredOn, payload })));
      return id;
    },
    /** The system's switch of a pump record to closed loop on `on`, as the closed-loop start writes it. */
    async switchToHcl(csiiReferralId: string, on: string, hclReferralId: string): Promise<void> {
      const seq = data.events.filter((e) => e.referralId === csiiReferralId).length + 1;
      const event = { id: randomUUID(), referralId: csiiReferralId, seq, type: 'switched_to_hcl' as const, occurredOn: on, payload: { on, hclReferralId }, statusAfter: 'switched' as ReferralStatus };
      await db.insert(referralEvents).values(event);
      await db.update(referrals).set({ status: 'switched', lastEventOn: on }).where(eq(referrals.id, csiiReferralId));
      data.events.push({ referralId: csiiReferralId, seq, type: event.type, occurredOn: on, payload: event.payload });
    },
    async referral(patientId: string, siteId: string, r: { therapy?: 'csii' | 'hcl'; receivedOn: string; steps?: Step[] }): Promise<string> {
      const id = randomUUID();
      const therapy = r.therapy ?? 'csii';
      let status: ReferralStatus = 'awaiting_assessment';
      let last = r.receivedOn;
      if (r.receivedOn > today) throw new Error(`fixture: referral received in the future (${r.receivedOn})`);
      const events = (r.steps ?? []).map((step, index) => {
        if (step.on > today || step.on < last) throw new Error(`fixture: ${step.type} on ${step.on} is out of order or in the future`);
        const result = applyEvent(status, pathwayEventOf(step), ROLE_FOR[step.type]);
        if (!result.ok) throw new Error(`fixture: ${step.type} not allowed from ${status}`);
        status = result.next;
        last = step.on;
        return { id: randomUUID(), referralId: id, seq: index + 1, type: step.type, occurredOn: step.on, payload: payloadOf(step), statusAfter: status, recordedRole: ROLE_FOR[step.type] };
      });
      await db.insert(referrals).values({ id, patientId, siteId, therapy, status, receivedOn: r.receivedOn, source: 'gp', lastEventOn: last, version: 1 + events.length });
      if (events.length) await db.insert(referralEvents).values(events);
      data.referrals.push({ id, patientId, siteId, therapy, receivedOn: r.receivedOn });
      data.events.push(...events.map(({ referralId, seq, type, occurredOn, payload }) => ({ referralId, seq, type, occurredOn, payload })));
      return id;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Oracle

export interface OracleQuery {
  from: string;
  to: string;
  groupBy: GroupBy;
  therapy?: 'csii' | 'hcl';
  /** The sites a clinician sees; undefined for every site. */
  siteIds?: string[];
  disclosureControlled?: boolean;
}

interface Milestones {
  referral: OracleReferral;
  decided?: string;
  eligible?: string;
  firstRequest?: string;
  fundingDecided?: string;
  approved?: string;
  declined?: string;
  started?: string;
  discontinued?: string;
  switched?: string;
  /** An existing record's first day on therapy: its start when known, else the day it was known. */
  existingFrom?: string;
}

const field = (payload: unknown, name: string): unknown => (payload as Record<string, unknown>)[name];

/** Walks each referral's events in order, up to `to`, noting the first date of each milestone. */
export function milestonesOf(data: OracleData, to: string): Map<string, Milestones> {
  const byReferral = new Map<string, Milestones>();
  for (const referral of data.referrals) byReferral.set(referral.id, { referral });
  const events = [...data.events].sort((a, b) => (a.referralId < b.referralId ? -1 : a.referralId > b.referralId ? 1 : a.seq - b.seq));
  for (const e of events) {
    const m = byReferral.get(e.referralId);
    // An existing record counts from its start, however late it was recorded.
    if (m && e.type === 'existing_therapy') m.existingFrom = (field(e.payload, 'startedOn') as string | undefined) ?? e.occurredOn;
    if (!m || e.occurredOn > to) continue;
    const on = e.occurredOn;
    if (e.type === 'assessment') {
      const decision = field(e.payload, 'decision');
      if ((decision === 'eligible' || decision === 'not_eligible') && !m.decided) m.decided = on;
      if (decision === 'eligible' && !m.eligible) m.eligible = on;
    } else if (e.type === 'funding_requested') {
      m.firstRequest ??= on;
    } else if (e.type === 'funding_decision') {
      const outcome = field(e.payload, 'outcome');
      if (outcome === 'approved' || outcome === 'declined') m.fundingDecided ??= on;
      if (outcome === 'approved') m.approved ??= on;
      if (outcome === 'declined') m.declined ??= on;
    } else if (e.type === 'device_started') {
      m.started ??= on;
    } else if (e.type === 'review' && field(e.payload, 'decision') === 'discontinue') {
      m.discontinued ??= on;
    } else if (e.type === 'switched_to_hcl') {
      m.switched ??= on;
    }
  }
  return byReferral;
}

const dayOf = (o: OracleObservation) => o.effective.slice(0, 10);
/** Later day first, then later instant, then the larger id: the SQL's tie-breaks, spelled out. */
const laterFirst = (a: OracleObservation, b: OracleObservation) =>
  dayOf(a) !== dayOf(b) ? (dayOf(a) > dayOf(b) ? -1 : 1) : a.effectiveAt.getTime() !== b.effectiveAt.getTime() ? b.effectiveAt.getTime() - a.effectiveAt.getTime() : a.id > b.id ? -1 : a.id < b.id ? 1 : 0;

/** The follow-up HbA1c of a start: 150 to 210 days after, nearest 180, the later of two equally near. */
export function followUpOf(results: readonly OracleObservation[], startedOn: string): OracleObservation | undefined {
  const candidates = results.filter((o) => {
    const d = daysBetween(startedOn, dayOf(o));
    return d >= 150 && d <= 210;
  });
  const distance = (o: OracleObservation) => Math.abs(daysBetween(startedOn, dayOf(o)) - 180);
  return candidates.sort((a, b) => distance(a) - distance(b) || laterFirst(a, b))[0];
}

/** The baseline of a start: the latest result from the same day a year before up to the start day. */
export function baselineOf(results: readonly OracleObservation[], startedOn: string): OracleObservation | undefined {
  const opens = twelveMonthsBefore(startedOn);
  return results.filter((o) => dayOf(o) >= opens && dayOf(o) <= startedOn).sort(laterFirst)[0];
}

function groupsOf(data: OracleData, q: OracleQuery): Map<string, { label: string; sites: OracleSite[] }> {
  const mode = (siteId: string) => strongestFacilitation(data.facilitation.filter((f) => f.siteId === siteId && f.on <= q.to).map((f) => f.mode));
  const groups = new Map<string, { label: string; sites: OracleSite[] }>();
  if (q.groupBy === 'facilitation') for (const m of FACILITATION_ORDER) groups.set(m, { label: FACILITATION_LABELS[m], sites: [] });
  for (const site of data.sites) {
    if (q.siteIds && !q.siteIds.includes(site.id)) continue;
    const [key, label] = q.groupBy === 'site' ? [site.id, site.name] : q.groupBy === 'icb' ? [site.icb, site.icb] : [mode(site.id), FACILITATION_LABELS[mode(site.id)]];
    const group = groups.get(key) ?? { label, sites: [] };
    group.sites.push(site);
    groups.set(key, group);
  }
  return groups;
}

/** The report as the definitions say, computed row by row in TypeScript. */
export function oracleReport(data: OracleData, q: OracleQuery): MetricsReport {
  const { from, to } = q;
  const inPeriod = (date: string | undefined): date is string => date !== undefined && date >= from && date <= to;
  const milestones = milestonesOf(data, to);
  const resultsOf = new Map<string, OracleObservation[]>();
  for (const o of data.observations) resultsOf.set(o.patientId, [...(resultsOf.get(o.patientId) ?? []), o]);

  const rows: MetricsRow[] = [];
  for (const [key, group] of groupsOf(data, q)) {
    const siteIds = new Set(group.sites.map((s) => s.id));
    const ms = [...milestones.values()].filter(
      (m) => siteIds.has(m.referral.siteId) && (m.referral.receivedOn ?? m.existingFrom!) <= to && (!q.therapy || m.referral.therapy === q.therapy),
    );
    const latestCount = (s: OracleSite) =>
      s.counts.filter((c) => c.asOf <= to).sort((a, b) => b.asOf.localeCompare(a.asOf))[0]?.count ?? null;
    const populations = group.sites.map(latestCount);
    const population = populations.length > 0 && populations.every((p) => p !== null) ? populations.reduce<number>((a, b) => a + b!, 0) : null;

    const onTherapyAtEnd = ms.filter((m) => (m.started || (m.existingFrom && m.existingFrom <= to)) && !m.discontinued && !m.switched);
    const onTherapy = new Set(onTherapyAtEnd.map((m) => m.referral.patientId)).size;
    const throughPathway = new Set(onTherapyAtEnd.filter((m) => m.referral.receivedOn !== null).map((m) => m.referral.patientId)).size;
    const continuing = new Set(
      ms
        .filter((m) => m.started && twelveMonthsAfter(m.started) <= to && !(m.discontinued && m.discontinued <= twelveMonthsAfter(m.started)))
        .map((m) => m.referral.patientId),
    ).size;
    const count = (pick: (m: Milestones) => string | undefined) => ms.filter((m) => inPeriod(pick(m))).length;
    const waitOf = (start: (m: Milestones) => string | undefined, end: (m: Milestones) => string | undefined) => {
      const days = ms.filter((m) => inPeriod(end(m)) && start(m)).map((m) => daysBetween(start(m)!, end(m)!));
      return { n: days.length, medianDays: median(days), p90Days: nearestRankPercentile(days, 90) };
    };
    const waits: Record<WaitName, MetricsRow['waits'][WaitName]> = {
      referralToAssessment: waitOf((m) => m.referral.receivedOn ?? undefined, (m) => m.decided),
      assessmentToFundingDecision: waitOf((m) => m.eligible, (m) => m.fundingDecided),
      fundingApprovalToStart: waitOf((m) => m.approved, (m) => m.started),
      referralToStart: waitOf((m) => m.referral.receivedOn ?? undefined, (m) => m.started),
    };

    const changeByPatient = new Map<string, { startedOn: string; referralId: string; change: number }>();
    for (const m of ms) {
      if (!m.started) continue;
      const results = resultsOf.get(m.referral.patientId) ?? [];
      const followUp = followUpOf(results, m.started);
      if (!followUp || !inPeriod(dayOf(followUp))) continue;
      const baseline = baselineOf(results, m.started);
      if (!baseline) continue;
      const current = changeByPatient.get(m.referral.patientId);
      const later = !current || m.started > current.startedOn || (m.started === current.startedOn && m.referral.id > current.referralId);
      if (later) changeByPatient.set(m.referral.patientId, { startedOn: m.started, referralId: m.referral.id, change: followUp.mmolMol - baseline.mmolMol });
    }
    const changes = [...changeByPatient.values()].map((c) => c.change);

    rows.push({
      ...emptyRow(key, group.label),
      t1dPopulation: population,
      onTherapy,
      existingOnTherapy: onTherapy - throughPathway,
      uptakePct: uptakePct(onTherapy, population),
      referrals: count((m) => m.referral.receivedOn ?? undefined),
      assessed: count((m) => m.decided),
      eligible: count((m) => m.eligible),
      fundingRequested: count((m) => m.firstRequest),
      fundingApproved: count((m) => m.approved),
      fundingDeclined: count((m) => m.declined),
      started: count((m) => m.started),
      discontinued: count((m) => m.discontinued),
      continuing12m: continuing,
      waits,
      hba1cChange6m: { n: changes.length, medianMmolMol: median(changes) },
    });
  }
  const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  if (q.groupBy !== 'facilitation') rows.sort((a, b) => byCodePoint(a.label, b.label) || byCodePoint(a.key, b.key));
  return { from, to, rows: q.disclosureControlled ? rows.map(discloseRow) : rows };
}

/** Every key at any depth of a JSON value. */
export function keysDeep(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => keysDeep(v, into));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      keysDeep(v, into);
    }
  }
  return into;
}

/** A small RFC 4180 reader for the tests (quoted fields, doubled quotes, commas and newlines inside quotes). */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || record.length > 0) {
    record.push(cell);
    records.push(record);
  }
  return records;
}

/** A JSON row as the CSV should show it: the same flattening, written independently of metrics.csv.ts. */
export function flattenRow(row: MetricsRow): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) out[path] = value.join(';');
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
    else out[path] = value === null ? '' : String(value);
  };
  walk(row, '');
  return out;
}
