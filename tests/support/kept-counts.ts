import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { daysBetween } from '../../src/lib/domain/calendar-date';
import { WAIT_NAMES, type WaitName } from '../../src/lib/domain/metrics';
import { rowsOf, type Db } from '../../src/lib/server/db/client';
import { fundingSteps, patientsCountedDirectly, referralEvents, referralMilestones, referrals, referralWithdrawals, waitBinColumn } from '../../src/lib/server/db/schema';
import { twelveMonthsAfter, waitBinIndex } from './oracles';

/**
 * The tables the database keeps for the reports (migrations/0015_milestone_counts.sql: referral_withdrawals,
 * patients_counted_directly, milestone_counts, funding_steps and funding_counts), worked out here in TypeScript from
 * the rows they are kept from, as schema.ts defines them, and compared with what the database holds.
 */

type Milestone = typeof referralMilestones.$inferSelect;
type Counts = Map<string, Record<string, number>>;
const NEVER = '9999-12-31';
export const groupBy = <T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> => {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
};
const later = (a: string, b: string) => (a > b ? a : b);
/** A wait's bin; one negative (only a direct edit of the database dates events out of order) counts in the first. */
export const binOf = (days: number) => Math.max(0, waitBinIndex(days));
const earliest = (...dates: (string | null | undefined)[]) => dates.filter((d): d is string => !!d).sort()[0];

const WAIT_ENDS: Record<WaitName, (m: Milestone) => [string | null, string | null]> = {
  referralToAssessment: (m) => [m.receivedOn, m.decidedOn],
  assessmentToFundingDecision: (m) => [m.eligibleOn, m.fundingDecidedOn],
  fundingApprovalToStart: (m) => [m.approvedOn, m.startedOn],
  referralToStart: (m) => [m.receivedOn, m.startedOn],
};

/** What a record counts in milestone_counts, and on which day: the definitions of schema.ts, in TypeScript. */
function factsOf(m: Milestone, withdrawnOn: string | undefined): [string, string][] {
  const facts: [string | null, string][] = [
    [m.receivedOn, 'referrals'],
    [m.decidedOn, 'assessed'],
    [m.eligibleOn, 'eligible'],
    [m.requestedOn, 'funding_requested'],
    [m.approvedOn, 'funding_approved'],
    [m.declinedOn, 'funding_declined'],
    [m.startedOn, 'started'],
    [m.discontinuedOn, 'discontinued'],
  ];
  if (m.onTherapyFrom) {
    const from = later(m.onTherapyFrom, m.enteredOn);
    facts.push([from, 'on_therapy_in']);
    if (m.endedOn) facts.push([later(from, m.endedOn), 'on_therapy_out']);
  }
  if (m.continuing12mOn) facts.push([later(m.continuing12mOn, m.enteredOn), 'continuing']);
  if (m.startedOn) facts.push([later(twelveMonthsAfter(m.startedOn), m.enteredOn), 'reached']);
  if (m.eligibleOn) {
    const from = later(m.eligibleOn, m.enteredOn);
    facts.push([from, 'awaiting_funding_in']);
    const end = earliest(m.fundingDecidedOn, withdrawnOn);
    if (end) facts.push([later(from, end), 'awaiting_funding_out']);
  }
  for (const name of WAIT_NAMES) {
    const [start, end] = WAIT_ENDS[name](m);
    if (start && end) facts.push([end, waitBinColumn(name, binOf(daysBetween(start, end)))]);
  }
  return facts.filter((f): f is [string, string] => f[0] !== null);
}

/** The patients whose records the counts leave out (patients_counted_directly in schema.ts). */
function directPatients(rows: Milestone[]): Set<string> {
  const byPatient = groupBy(rows, (r) => r.patientId);
  const direct = new Set<string>();
  for (const [patientId, records] of byPatient) {
    const onTherapy = records.filter((r) => r.onTherapyFrom);
    const spans = onTherapy.map((r) => {
      const opens = later(r.onTherapyFrom!, r.enteredOn);
      return { id: r.referralId, opens, closes: r.endedOn ? later(opens, r.endedOn) : NEVER };
    });
    const overlapping = spans.some((a) => spans.some((b) => a.id < b.id && a.opens < a.closes && b.opens < b.closes && a.opens < b.closes && b.opens < a.closes));
    const outOfOrder = records.some(
      (r) =>
        [r.decidedOn, r.eligibleOn, r.requestedOn, r.fundingDecidedOn, r.approvedOn, r.declinedOn, r.startedOn, r.discontinuedOn].some((d) => d && d < r.enteredOn) ||
        (r.fundingDecidedOn && r.eligibleOn && r.fundingDecidedOn < r.eligibleOn) ||
        (r.startedOn && r.approvedOn && r.startedOn < r.approvedOn),
    );
    if (new Set(onTherapy.map((r) => r.siteId)).size > 1 || records.filter((r) => r.startedOn).length > 1 || overlapping || outOfOrder) direct.add(patientId);
  }
  return direct;
}

/** Adds each fact to its day, month and year. */
function add(counts: Counts, key: string[], day: string, column: string, n: number) {
  for (const [grain, bucket] of [['day', day], ['month', `${day.slice(0, 7)}-01`], ['year', `${day.slice(0, 4)}-01-01`]] as const) {
    const id = [grain, bucket, ...key].join('|');
    const row = counts.get(id) ?? {};
    row[column] = (row[column] ?? 0) + n;
    if (row[column] === 0) delete row[column];
    if (Object.keys(row).length) counts.set(id, row);
    else counts.delete(id);
  }
}

/** A counts table as it is, without its zeros. */
async function countsTable(db: Db, table: 'milestone_counts' | 'funding_counts', key: string[]): Promise<Counts> {
  const counts: Counts = new Map();
  for (const row of rowsOf<Record<string, unknown>>(await db.execute(sql`select * from ${sql.raw(table)}`))) {
    const figures = Object.entries(row).filter(([name, n]) => !['grain', 'bucket', ...key].includes(name) && n !== 0);
    if (figures.length) counts.set([row.grain, row.bucket, ...key.map((k) => row[k])].join('|'), Object.fromEntries(figures) as Record<string, number>);
  }
  return counts;
}

/** Every event, as the reports' definitions read them. */
export const storedEvents = (db: Db) =>
  db.select({ referralId: referralEvents.referralId, seq: referralEvents.seq, type: referralEvents.type, occurredOn: referralEvents.occurredOn, payload: referralEvents.payload }).from(referralEvents);

/** The kept tables against their definitions. */
export async function expectCountsTrue(db: Db) {
  const records = await db.select().from(referralMilestones);
  const allEvents = await storedEvents(db);
  const withdrawals = new Map<string, string>();
  for (const e of allEvents) if (e.type === 'withdrawn') withdrawals.set(e.referralId, earliest(e.occurredOn, withdrawals.get(e.referralId))!);
  expect(new Map((await db.select().from(referralWithdrawals)).map((w) => [w.referralId, w.withdrawnOn]))).toEqual(withdrawals);

  const direct = directPatients(records);
  expect(new Set((await db.select().from(patientsCountedDirectly)).map((p) => p.patientId))).toEqual(direct);

  const expected: Counts = new Map();
  for (const m of records.filter((r) => !direct.has(r.patientId))) {
    for (const [day, column] of factsOf(m, withdrawals.get(m.referralId))) add(expected, [m.siteId, m.therapy, m.origin], day, column, 1);
  }
  expect(await countsTable(db, 'milestone_counts', ['site_id', 'therapy', 'origin'])).toEqual(expected);

  // A request is its own step; a decision answers the latest request before it; a request is answered by the first
  // thing recorded after it.
  const referralOf = new Map((await db.select().from(referrals)).map((r) => [r.id, r]));
  const steps = [];
  for (const history of groupBy(allEvents, (e) => e.referralId).values()) {
    history.sort((a, b) => a.seq - b.seq);
    for (const e of history) {
      if (e.type !== 'funding_requested' && e.type !== 'funding_decision') continue;
      const request = history.filter((q) => q.type === 'funding_requested' && q.seq <= e.seq).at(-1);
      if (!request) continue;
      const outcome = e.type === 'funding_requested' ? 'submitted' : (({ approved: 'approved', declined: 'declined' }) as Record<string, string>)[(e.payload as { outcome: string }).outcome] ?? 'more_info';
      const { siteId, therapy } = referralOf.get(e.referralId)!;
      const { commissioner, route } = request.payload as { commissioner: string; route: string };
      const answeredOn = outcome === 'submitted' ? (earliest(...history.filter((l) => l.seq > e.seq).map((l) => l.occurredOn)) ?? null) : null;
      steps.push({ referralId: e.referralId, siteId, therapy, occurredOn: e.occurredOn, outcome, commissioner, route, answeredOn });
    }
  }
  const byEvent = (a: { referralId: string; occurredOn: string; outcome: string }, b: typeof a) =>
    (a.referralId + a.occurredOn + a.outcome).localeCompare(b.referralId + b.occurredOn + b.outcome);
  const kept = (await db.select().from(fundingSteps)).map(({ eventId: _id, ...step }) => step);
  expect(kept.sort(byEvent)).toEqual(steps.sort(byEvent));

  const funding: Counts = new Map();
  for (const s of steps) {
    const key = [s.siteId, s.therapy, s.commissioner, s.route];
    add(funding, key, s.occurredOn, s.outcome, 1);
    if (s.outcome === 'submitted') {
      add(funding, key, s.occurredOn, 'awaiting_in', 1);
      if (s.answeredOn) add(funding, key, later(s.occurredOn, s.answeredOn), 'awaiting_out', 1);
    }
  }
  expect(await countsTable(db, 'funding_counts', ['site_id', 'therapy', 'commissioner', 'route'])).toEqual(funding);
}
