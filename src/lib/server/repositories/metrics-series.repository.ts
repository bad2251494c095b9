import { and, asc, gte, inArray, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import { FACILITATION_ORDER, WAIT_NAMES, type Period, type WaitName } from '../../domain/metrics';
import { WAIT_BINS, type SeriesGroup, type SeriesSite, type TimeBin } from '../../domain/metrics-series';
import type { SpcBin, SpcMeasure } from '../../domain/spc-series';
import { rowsOf, type Db } from '../db/client';
import { barriers, facilitationActivities, waitBinColumn } from '../db/schema';
import { DIRECT_RECORDS, executeWithoutJit, periodBuckets, toNumber, WAIT_COLUMNS } from './metrics.repository';

/**
 * The dashboard's aggregate series (domain/metrics-series.ts; definitions in each route's OpenAPI description).
 * Each is one SQL statement of counts over the indexed event type and date; only a row per group and bucket (or
 * bin, or commissioner and route) comes back.
 */

const count = (value: unknown): number => toNumber(value) ?? 0;

/**
 * The scoped sites as a table the statements join: `site_groups(site_id, group_key)`. Two array parameters, not a
 * pair of parameters a site: a nation's 210 sites would otherwise be 420 parameters to build, send and bind on every
 * statement. Arrays go as text, which both drivers write; each statement is planned with their values (see
 * executeWithoutJit), so the planner knows how many sites there are.
 */
function siteGroupsTable(groups: readonly SeriesGroup[]): SQL {
  const siteIds = groups.flatMap((g) => g.siteIds);
  const keys = groups.flatMap((g) => g.siteIds.map(() => g.key));
  return sql`site_groups(site_id, group_key) as (select * from unnest(${sql.param(siteIds)}::text[]::uuid[], ${sql.param(keys)}::text[]))`;
}

const therapyFilter = (therapy: string | undefined, alias: string): SQL => (therapy ? sql`and ${sql.raw(alias)}.therapy = ${therapy}::therapy` : sql``);

/**
 * `m`: the records of the patients counted directly (DIRECT_RECORDS) entered by `to`, each with its group; after
 * siteGroupsTable in a with clause.
 */
const directMilestonesOf = (to: string, therapy: string | undefined): SQL =>
  sql`direct_records as materialized ${DIRECT_RECORDS},
  m as (
    select m.*, g.group_key from direct_records m join site_groups g on g.site_id = m.site_id
    where m.entered_on <= ${to}::date ${therapyFilter(therapy, 'm')})`;

/** The day 12 months after a start, by the calendar convention of calendar-date.ts (29 February -> 1 March). */
const anniversary = (date: SQL): SQL =>
  sql`((${date}) + interval '1 year')::date + (case when extract(month from ${date}) = 2 and extract(day from ${date}) = 29 then 1 else 0 end)`;

function waitBinCase(days: SQL): SQL {
  const bounded = WAIT_BINS.flatMap((b, i) => (b.maxDays === null ? [] : [sql`when ${days} <= ${b.maxDays}::int then ${i}::int`]));
  return sql`case ${sql.join(bounded, sql` `)} else ${WAIT_BINS.length - 1}::int end`;
}

/** The sites in `siteIds` (every site when undefined), each with its strongest facilitation by `to`. */
export async function seriesSites(db: Db, to: string, siteIds: readonly string[] | undefined): Promise<SeriesSite[]> {
  const rows = await db.execute(sql`
      select s.id::text as id, s.name, s.icb,
        coalesce((
          select max(case f.mode when 'active' then 2 when 'passive' then 1 else 0 end)
          from facilitation_activities f where f.site_id = s.id and f."on" <= ${to}::date
        ), 0) as strength
      from sites s
      ${siteIds ? sql`where s.id in (${sql.join(siteIds.map((id) => sql`${id}::uuid`), sql`, `)})` : sql``}`);
  return rowsOf<{ id: string; name: string; icb: string; strength: unknown }>(rows).map((s) => ({
    id: s.id,
    name: s.name,
    icb: s.icb,
    // FACILITATION_ORDER is strongest first: active (2), passive (1), none (0).
    facilitationMode: FACILITATION_ORDER[2 - count(s.strength)]!,
  }));
}

/** The milestones counted by bin: their column in milestone_counts and their date in referral_milestones. */
const BINNED_MILESTONES = {
  referrals: { counted: 'referrals', on: 'received_on' },
  started: { counted: 'started', on: 'started_on' },
} as const;
type BinnedMilestone = keyof typeof BINNED_MILESTONES;

/**
 * Per site and bin (the first day of its month or quarter, YYYY-MM-DD), how many records reached each milestone in
 * the period, in the order the milestones are asked for. The metrics' own counts: milestone_counts by month (and by
 * day for a part month at either end of the period), and the records of the patients counted directly, each read
 * once for every milestone. Only pathway records have these dates. `siteIds` undefined is every site, which needs
 * no filter of sites at all.
 */
async function milestonesBySiteAndBin(
  db: Db,
  { siteIds, period, bin, milestones, therapy }: { siteIds: readonly string[] | undefined; period: Period; bin: TimeBin; milestones: readonly BinnedMilestone[]; therapy: string | undefined },
): Promise<{ siteId: string; bin: string; counts: number[] }[]> {
  const { flow } = periodBuckets(period, ['day', 'month']);
  const ofTheSites = (alias: string) => (siteIds ? sql`and ${sql.raw(alias)}.site_id = any(${sql.param([...siteIds])}::text[]::uuid[])` : sql``);
  const n = milestones.map((_, i) => sql.raw(`n${i}`));
  const counted = milestones.map((ms) => sql.raw(`c.${BINNED_MILESTONES[ms].counted}`));
  // Each direct record gives a row for each milestone: its date, and 1 in that milestone's column.
  const onDates = milestones.map((ms, i) => sql`(${sql.raw(`m.${BINNED_MILESTONES[ms].on}`)}, ${sql.join(milestones.map((_, k) => sql.raw(k === i ? '1' : '0')), sql`, `)})`);
  const rows = await executeWithoutJit(db, sql`
      select site_id::text as site_id, to_char(date_trunc(${bin}, day::timestamp), 'YYYY-MM-DD') as bin, ${sql.join(n.map((col) => sql`sum(${col}) as ${col}`), sql`, `)}
      from (
        select c.site_id, c.bucket as day, ${sql.join(counted.map((col, i) => sql`${col} as ${n[i]}`), sql`, `)} from milestone_counts c
        where ${flow} and (${sql.join(counted.map((col) => sql`${col} <> 0`), sql` or `)}) ${ofTheSites('c')} ${therapyFilter(therapy, 'c')}
        union all
        select m.site_id, reached.day, ${sql.join(n.map((col) => sql`reached.${col}`), sql`, `)}
        from patients_counted_directly p
        join referral_milestones m on m.patient_id = p.patient_id
        cross join lateral (values ${sql.join(onDates, sql`, `)}) reached(day, ${sql.join(n, sql`, `)})
        where reached.day between ${period.from}::date and ${period.to}::date and m.entered_on <= ${period.to}::date ${ofTheSites('m')} ${therapyFilter(therapy, 'm')}
      ) counted
      group by 1, 2`);
  return rows.map((r) => ({ siteId: String(r.site_id), bin: String(r.bin), counts: milestones.map((_, i) => count(r[`n${i}`])) }));
}

/** The sites a statement of the groups reads: none named when the actor sees every site, so it filters none. */
const sitesToRead = (groups: readonly SeriesGroup[], everySite: boolean) => (everySite ? undefined : groups.flatMap((g) => g.siteIds));

/**
 * Per group and bin, the sum of its sites' counts of each milestone (milestonesBySiteAndBin); bins with nothing are
 * absent. Adding a site's rows into its group here costs less than joining every row to its group in the statement.
 */
function intoGroups(groups: readonly SeriesGroup[], rows: readonly { siteId: string; bin: string; counts: number[] }[]): { groupKey: string; bin: string; counts: number[] }[] {
  const groupOf = new Map(groups.flatMap((g) => g.siteIds.map((id) => [id, g.key] as const)));
  const sums = new Map<string, { groupKey: string; bin: string; counts: number[] }>();
  for (const row of rows) {
    const groupKey = groupOf.get(row.siteId);
    if (groupKey === undefined) continue;
    const key = `${groupKey} ${row.bin}`;
    const sum = sums.get(key);
    if (sum) row.counts.forEach((n, i) => (sum.counts[i]! += n));
    else sums.set(key, { groupKey, bin: row.bin, counts: [...row.counts] });
  }
  return [...sums.values()].filter((r) => r.counts.some((n) => n !== 0));
}

/** Per group and bin, the records that reached a milestone in the period (milestonesBySiteAndBin); empty bins are absent. */
export async function milestonesByGroupAndBin(
  db: Db,
  { groups, period, bin, milestone, therapy, everySite }: SeriesScope & { bin: TimeBin; milestone: BinnedMilestone; everySite: boolean },
): Promise<{ groupKey: string; bin: string; n: number }[]> {
  const rows = await milestonesBySiteAndBin(db, { siteIds: sitesToRead(groups, everySite), period, bin, milestones: [milestone], therapy });
  return intoGroups(groups, rows).map((r) => ({ groupKey: r.groupKey, bin: r.bin, n: r.counts[0]! }));
}

/** The sites' facilitation activities in the period, in date order. */
export function facilitationActivitiesIn(db: Db, siteIds: string[], period: Period) {
  return db
    .select()
    .from(facilitationActivities)
    .where(and(inArray(facilitationActivities.siteId, siteIds), gte(facilitationActivities.on, period.from), lte(facilitationActivities.on, period.to)))
    .orderBy(asc(facilitationActivities.on), asc(facilitationActivities.createdAt));
}

/** The sites' barriers open at any time in the period: raised by its end, not resolved before its start. */
export function barriersOpenIn(db: Db, siteIds: string[], period: Period) {
  return db
    .select()
    .from(barriers)
    .where(and(inArray(barriers.siteId, siteIds), lte(barriers.raisedOn, period.to), or(isNull(barriers.resolvedOn), gte(barriers.resolvedOn, period.from))))
    .orderBy(asc(barriers.raisedOn), asc(barriers.createdAt));
}

/** The scope of a series statement: groups that have sites, the period, and the therapy if one is asked for. */
export interface SeriesScope {
  groups: readonly SeriesGroup[];
  period: Period;
  therapy: string | undefined;
}

/**
 * Waits per group, wait and bin (an index into WAIT_BINS); empty bins are absent. A wait counts in the period its
 * end falls in, as in the metrics report, so each distribution has the report's n for its group: milestone_counts
 * keeps each wait's bin on the day it ended; the waits of patients counted directly are read from their records.
 */
export async function waitBinCounts(db: Db, { groups, period, therapy }: SeriesScope): Promise<{ groupKey: string; wait: WaitName; bin: number; n: number }[]> {
  const { from, to } = period;
  const { flow } = periodBuckets(period);
  const binColumns = WAIT_NAMES.flatMap((name) => WAIT_BINS.map((_, bin) => ({ name, bin, column: sql.raw(`c.${waitBinColumn(name, bin)}`) })));
  const direct = WAIT_NAMES.map((name) => {
    const { start, end } = WAIT_COLUMNS[name];
    return sql`select group_key, ${name}::text as wait, ${waitBinCase(sql`${end} - ${start}`)} as bin, 1 as n from m
          where ${end} between ${from}::date and ${to}::date and ${start} <= ${to}::date`;
  });
  const rows = await executeWithoutJit(db, sql`
        with ${siteGroupsTable(groups)},
        ${directMilestonesOf(to, therapy)},
        counted as (
          select g.group_key, ${sql.join(binColumns.map(({ column }, i) => sql`sum(${column}) as ${sql.raw(`b${i}`)}`), sql`, `)}
          from milestone_counts c join site_groups g on g.site_id = c.site_id
          where ${flow} ${therapyFilter(therapy, 'c')}
          group by 1
        ),
        waits as (
          select c.group_key, w.wait, w.bin, w.n from counted c
          cross join lateral (values ${sql.join(binColumns.map(({ name, bin }, i) => sql`(${name}::text, ${bin}::int, ${sql.raw(`c.b${i}`)})`), sql`, `)}) w(wait, bin, n)
          union all
          ${sql.join(direct, sql` union all `)}
        )
        select group_key, wait, bin, sum(n) as n
        from waits
        group by 1, 2, 3
        having sum(n) <> 0`);
  return rows.map((r) => ({ groupKey: String(r.group_key), wait: r.wait as WaitName, bin: Number(r.bin), n: count(r.n) }));
}

/**
 * Funding requests and decisions by the commissioner and route named on the request, from funding_counts, which
 * the database keeps from each referral's events (funding_steps: a decision answers the latest request before it).
 * A request awaits its decision at `to` when nothing was recorded on the referral after it by then. Only the
 * commissioners and routes with something to count appear.
 */
export async function fundingByRoute(
  db: Db,
  { groups, period, therapy }: SeriesScope,
): Promise<{ commissioner: string; route: string; submitted: number; approved: number; declined: number; moreInfo: number; awaitingDecision: number }[]> {
  const { flow, stock } = periodBuckets(period);
  const siteIds = groups.flatMap((g) => g.siteIds);
  const rows = await executeWithoutJit(db, sql`
        select commissioner, route,
          coalesce(sum(c.submitted) filter (where ${flow}), 0) as submitted,
          coalesce(sum(c.approved) filter (where ${flow}), 0) as approved,
          coalesce(sum(c.declined) filter (where ${flow}), 0) as declined,
          coalesce(sum(c.more_info) filter (where ${flow}), 0) as more_info,
          coalesce(sum(c.awaiting_in - c.awaiting_out) filter (where ${stock}), 0) as awaiting_decision
        from funding_counts c
        join unnest(${sql.param(siteIds)}::text[]::uuid[]) scoped(site_id) on scoped.site_id = c.site_id
        where (${flow} or ${stock}) ${therapyFilter(therapy, 'c')}
        group by 1, 2`);
  return rows
    .map((r) => ({
      commissioner: String(r.commissioner),
      route: String(r.route),
      submitted: count(r.submitted),
      approved: count(r.approved),
      declined: count(r.declined),
      moreInfo: count(r.more_info),
      awaitingDecision: count(r.awaiting_decision),
    }))
    .filter((r) => r.submitted + r.approved + r.declined + r.moreInfo + r.awaitingDecision > 0);
}

/**
 * People waiting for funding at `to` per group: found eligible by then, with no final funding decision and no
 * withdrawal. Counted in milestone_counts from eligibility to the first of those, and directly for the patients
 * counted directly.
 */
export async function awaitingFundingByGroup(db: Db, { groups, period, therapy }: SeriesScope): Promise<{ groupKey: string; n: number }[]> {
  const { to } = period;
  const { stock } = periodBuckets(period);
  const rows = await executeWithoutJit(db, sql`
        with ${siteGroupsTable(groups)},
        ${directMilestonesOf(to, therapy)}
        select group_key, sum(n) as n
        from (
          select g.group_key, c.awaiting_funding_in - c.awaiting_funding_out as n
          from milestone_counts c join site_groups g on g.site_id = c.site_id
          where ${stock} ${therapyFilter(therapy, 'c')}
          union all
          select group_key, 1 from m
          where eligible_on <= ${to}::date and (funding_decided_on is null or funding_decided_on > ${to}::date)
            and not exists (select 1 from referral_withdrawals w where w.referral_id = m.referral_id and w.withdrawn_on <= ${to}::date)
        ) waiting
        group by 1`);
  return rows.map((r) => ({ groupKey: String(r.group_key), n: count(r.n) }));
}

/**
 * Per group, the people whose first anniversary of a start fell by `to`, and those of them continuing then
 * (continuing_12m_on is the start's first anniversary when therapy had not stopped by then): milestone_counts counts
 * each record's, and the patients counted directly are counted once each from their records.
 */
export async function continuationByGroup(db: Db, { groups, period, therapy }: SeriesScope): Promise<{ groupKey: string; reached: number; continuing: number }[]> {
  const to = sql`${period.to}::date`;
  const { stock } = periodBuckets(period);
  const rows = await executeWithoutJit(db, sql`
        with ${siteGroupsTable(groups)},
        ${directMilestonesOf(period.to, therapy)}
        select group_key, sum(reached) as reached, sum(continuing) as continuing
        from (
          select g.group_key, c.reached, c.continuing
          from milestone_counts c join site_groups g on g.site_id = c.site_id
          where ${stock} ${therapyFilter(therapy, 'c')}
          union all
          select group_key, count(distinct patient_id), count(distinct patient_id) filter (where continuing_12m_on <= ${to})
          from m
          where started_on is not null and ${anniversary(sql`started_on`)} <= ${to}
          group by 1
        ) people
        group by 1`);
  return rows.map((r) => ({ groupKey: String(r.group_key), reached: count(r.reached), continuing: count(r.continuing) }));
}

/**
 * What each improvement chart measures: the date that places a record in a bin, each read through a site's index of
 * it, and the value of a bin. Only pathway records have a referral date or a device start; a referral is entered on
 * the day it was received (schema.ts).
 */
const SPC_STATEMENTS: Record<SpcMeasure, { on: SQL; value: SQL; only?: SQL }> = {
  referrals: { on: sql`m.entered_on`, value: sql`count(*)`, only: sql`and m.received_on is not null` },
  starts: { on: sql`m.started_on`, value: sql`count(*)` },
  referral_to_start_days: { on: sql`m.started_on`, value: sql`percentile_cont(0.5) within group (order by (m.started_on - m.received_on)::float8)` },
};

/** The charts that count a milestone, which the metrics' counts answer a month at a time. */
const SPC_COUNTED: Partial<Record<SpcMeasure, BinnedMilestone>> = { referrals: 'referrals', starts: 'started' };

type SpcRow = { groupKey: string; bin: string; value: number; n: number };

/**
 * Per measure, group and bin (its first day), the measure's value and the number of records behind it, over whole
 * bins from `from` to `to`; bins with nothing are absent. Waits are those of pathway records that ended in the bin.
 * Monthly counts are the metrics' (milestonesBySiteAndBin: a few rows per site and month), every counted measure in
 * one statement; weeks and medians need the records themselves, read a site at a time through its index of the date.
 */
export async function spcValues(
  db: Db,
  {
    groups,
    from,
    to,
    bin,
    measures,
    therapy,
    everySite,
  }: { groups: readonly SeriesGroup[]; from: string; to: string; bin: SpcBin; measures: readonly SpcMeasure[]; therapy: string | undefined; everySite: boolean },
): Promise<Map<SpcMeasure, SpcRow[]>> {
  const counted = bin === 'month' ? measures.filter((m) => SPC_COUNTED[m]) : [];
  const read = async (): Promise<[SpcMeasure, SpcRow[]][]> => {
    if (counted.length === 0) return [];
    const bySite = await milestonesBySiteAndBin(db, { siteIds: sitesToRead(groups, everySite), period: { from, to }, bin: 'month', milestones: counted.map((m) => SPC_COUNTED[m]!), therapy });
    const rows = intoGroups(groups, bySite);
    return counted.map((measure, i) => [
      measure,
      rows.filter((r) => r.counts[i] !== 0).map((r) => ({ groupKey: r.groupKey, bin: r.bin, value: r.counts[i]!, n: r.counts[i]! })),
    ]);
  };
  const others = measures.filter((m) => !counted.includes(m));
  const [countedRows, ...otherRows] = await Promise.all([read(), ...others.map((measure) => recordValues(db, { groups, from, to, bin, measure, therapy }))]);
  return new Map([...countedRows, ...others.map((measure, i) => [measure, otherRows[i]!] as const)]);
}

/** A measure per group and bin from the records themselves, each site's read through its index of the date. */
async function recordValues(
  db: Db,
  { groups, from, to, bin, measure, therapy }: { groups: readonly SeriesGroup[]; from: string; to: string; bin: SpcBin; measure: SpcMeasure; therapy: string | undefined },
): Promise<SpcRow[]> {
  const { on, value, only = sql`` } = SPC_STATEMENTS[measure];
  // date_trunc('week') starts ISO weeks on Monday, as the bins do.
  const rows = await executeWithoutJit(db, sql`
        with ${siteGroupsTable(groups)}
        select g.group_key, to_char(date_trunc(${bin}, ${on}::timestamp), 'YYYY-MM-DD') as bin, ${value} as value, count(*) as n
        from site_groups g
        cross join lateral (
          select m.entered_on, m.received_on, m.started_on from referral_milestones m
          where m.site_id = g.site_id and ${on} between ${from}::date and ${to}::date and m.entered_on <= ${to}::date ${only} ${therapyFilter(therapy, 'm')}
        ) m
        group by 1, 2`);
  return rows.map((r) => ({ groupKey: String(r.group_key), bin: String(r.bin), value: toNumber(r.value)!, n: count(r.n) }));
}

/** Each site's first active facilitation activity in the period, where it had one. */
export async function firstActiveFacilitation(db: Db, siteIds: readonly string[], period: Period): Promise<{ siteId: string; on: string }[]> {
  if (siteIds.length === 0) return [];
  const rows = await db
    .select({ siteId: facilitationActivities.siteId, on: sql<string>`min(${facilitationActivities.on})::text` })
    .from(facilitationActivities)
    .where(
      and(
        inArray(facilitationActivities.siteId, [...siteIds]),
        sql`${facilitationActivities.mode} = 'active'`,
        gte(facilitationActivities.on, period.from),
        lte(facilitationActivities.on, period.to),
      ),
    )
    .groupBy(facilitationActivities.siteId);
  return rows.map((r) => ({ siteId: r.siteId, on: r.on }));
}
