import { sql, type SQL } from 'drizzle-orm';
import { bucketsCovering, type BucketRange, type CountGrain } from '../../domain/count-buckets';
import { WAIT_NAMES, type GroupBy, type Period, type WaitName } from '../../domain/metrics';
import { rowsOf, type Db } from '../db/client';

/**
 * The implementation metrics' statement (docs/metrics.md; the exact readings are in the route's
 * OpenAPI description): one statement per request computes every figure of every group, and only one row per group
 * comes back.
 */

/** int8 and numeric may arrive as strings (postgres.js) or bigint; float8 and int4 as numbers. */
export function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'number' ? value : Number(value as string | bigint);
  if (!Number.isFinite(n)) throw new TypeError(`Not a number from the database: ${String(value)}`);
  return n;
}

const FACILITATION_MODE = sql`case s.facilitation when 2 then 'active' when 1 then 'passive' else 'none' end`;

/** The group each site falls in, by groupBy: fixed fragments, never text from the request. */
const GROUP_OF: Record<GroupBy, { key: SQL; label: SQL }> = {
  site: { key: sql`s.id::text`, label: sql`s.name` },
  icb: { key: sql`s.icb`, label: sql`s.icb` },
  // Labelled by the service (metrics.service.ts): every mode gets a row, with or without sites.
  facilitation: { key: FACILITATION_MODE, label: FACILITATION_MODE },
};

export interface MetricsParams extends Period {
  groupBy: GroupBy;
  therapy?: 'csii' | 'hcl';
  siteIds?: string[];
}

/** Where each wait starts and ends, in referral_milestones (aliased `m`): the dashboard's distributions use them too. */
export const WAIT_COLUMNS: Record<WaitName, { start: SQL; end: SQL }> = {
  referralToAssessment: { start: sql`m.received_on`, end: sql`m.decided_on` },
  assessmentToFundingDecision: { start: sql`m.eligible_on`, end: sql`m.funding_decided_on` },
  fundingApprovalToStart: { start: sql`m.approved_on`, end: sql`m.started_on` },
  referralToStart: { start: sql`m.received_on`, end: sql`m.started_on` },
};

/** The rows of counts (milestone_counts or funding_counts, aliased `c`) whose buckets make up exactly these ranges. */
export function inBuckets(ranges: readonly BucketRange[]): SQL {
  if (ranges.length === 0) return sql`false`;
  const range = ({ grain, first, last }: BucketRange) =>
    sql`(c.grain = ${grain} and c.bucket ${first === null ? sql`<= ${last}::date` : sql`between ${first}::date and ${last}::date`})`;
  return sql`(${sql.join(ranges.map(range), sql` or `)})`;
}

/** The counts of a period's flows, and of the stocks at its end, in milestone_counts and funding_counts. */
export const periodBuckets = ({ from, to }: Period, grains?: readonly CountGrain[]) => ({
  flow: inBuckets(bucketsCovering(from, to, grains)),
  stock: inBuckets(bucketsCovering(null, to, grains)),
});

/**
 * The records of the patients counted directly (patients_counted_directly), to select from like referral_milestones.
 * They are a handful among all: `offset 0` keeps the planner from turning the lateral read into a join that it would
 * answer by reading referral_milestones whole, rather than each patient's few records through their index.
 */
export const DIRECT_RECORDS = sql`(
  select m.* from patients_counted_directly p
  cross join lateral (select * from referral_milestones m where m.patient_id = p.patient_id offset 0) m
)`;

/** The flow counts of a row, each the number of records whose milestone fell in the period. */
const FLOWS = {
  referrals: sql`m.received_on`,
  assessed: sql`m.decided_on`,
  eligible: sql`m.eligible_on`,
  funding_requested: sql`m.requested_on`,
  funding_approved: sql`m.approved_on`,
  funding_declined: sql`m.declined_on`,
  started: sql`m.started_on`,
  discontinued: sql`m.discontinued_on`,
} as const;
const STOCKS = ['on_therapy', 'pathway_on_therapy', 'continuing12m'] as const;

/**
 * The one statement behind a report: a row per group with every exact figure, from referral_milestones, where the
 * database keeps each referral's milestones from its events (see schema.ts). A milestone counts for the period when
 * its date falls in it, and has been reached by the end of the period when its date is on or before `to`.
 *
 * The counts are read from milestone_counts (whole years, months and days: a few rows per site for any period),
 * plus those of the few patients counted directly (patients_counted_directly), from their own records. The waits'
 * medians and the HbA1c change need each value: they are read from the records of the period alone, through
 * indexes on each site's dates that end them, a group at a time, so that each group's values are sorted on their
 * own rather than the whole period's together.
 */
export function metricsStatement({ from, to, groupBy, therapy, siteIds }: MetricsParams): SQL {
  const fromDate = sql`${from}::date`;
  const toDate = sql`${to}::date`;
  const inPeriod = (column: SQL) => sql`${column} between ${fromDate} and ${toDate}`;
  const scope = siteIds === undefined ? sql`true` : siteIds.length === 0 ? sql`false` : sql`s.id in (${sql.join(siteIds.map((id) => sql`${id}::uuid`), sql`, `)})`;
  const group = GROUP_OF[groupBy];
  const ofTherapy = (alias: string) => (therapy ? sql`and ${sql.raw(alias)}.therapy = ${therapy}::therapy` : sql``);
  const received = sql`m.entered_on <= ${toDate} ${ofTherapy('m')}`;
  const onTherapyAtEnd = sql`m.on_therapy_from <= ${toDate} and (m.ended_on is null or m.ended_on > ${toDate})`;
  const { flow, stock } = periodBuckets({ from, to });
  const flowNames = Object.keys(FLOWS) as (keyof typeof FLOWS)[];

  // A site's waits that ended in the period, each read through the index of its site and end date.
  const siteWaits = WAIT_NAMES.map((name, i) => {
    const { start, end } = WAIT_COLUMNS[name];
    return sql`select ${i}::int as wait, (${end} - ${start})::float8 as days from referral_milestones m
          where m.site_id = site.id and ${inPeriod(end)} and ${start} <= ${toDate} and ${received}`;
  });
  // float8 for both percentiles (percentile_cont would cast to it anyway): with identical input they share one sort.
  const waitFigures = WAIT_NAMES.map((name, i) => {
    const of = sql`filter (where w.wait = ${i}::int)`;
    return sql`count(*) ${of} as "${sql.raw(name)}_n",
      percentile_cont(0.5) within group (order by w.days) ${of} as "${sql.raw(name)}_median",
      percentile_disc(0.9) within group (order by w.days) ${of} as "${sql.raw(name)}_p90"`;
  });

  return sql`
with scoped_sites as (
  select s.id, s.name, s.icb, p.population, coalesce(f.facilitation, 0) as facilitation
  from sites s
  left join (
    select distinct on (c.site_id) c.site_id, c.t1d_population as population from site_population_counts c
    where c.as_of <= ${toDate} order by c.site_id, c.as_of desc
  ) p on p.site_id = s.id
  left join (
    select f.site_id, max(case f.mode when 'active' then 2 when 'passive' then 1 else 0 end) as facilitation
    from facilitation_activities f where f."on" <= ${toDate} group by f.site_id
  ) f on f.site_id = s.id
  where ${scope}
),
-- Each group gets a number: the statement's parts are joined and grouped by it, which is faster than a text key.
grouped_sites as (
  select s.id, ${group.key} as group_key, dense_rank() over (order by ${group.key}) as group_no, ${group.label} as group_label, s.population
  from scoped_sites s
),
groups as (
  select group_no, min(group_key) as group_key, min(group_label) as label, array_agg(id) as site_ids,
    sum(population)::float8 as population, bool_and(population is not null) as population_complete
  from grouped_sites group by group_no
),
-- The counts of the records counted one by one: the period's flows, and the stocks (from each record's coming in,
-- less its going out) summed over every bucket up to the period's end.
counted as (
  select gs.group_no,
    ${sql.join(flowNames.map((f) => sql`sum(c.${sql.raw(f)}) filter (where ${flow}) as ${sql.raw(f)}`), sql`,
    `)},
    sum(c.on_therapy_in - c.on_therapy_out) filter (where ${stock}) as on_therapy,
    sum(c.on_therapy_in - c.on_therapy_out) filter (where ${stock} and c.origin = 'pathway') as pathway_on_therapy,
    sum(c.continuing) filter (where ${stock}) as continuing12m
  from grouped_sites gs
  join milestone_counts c on c.site_id = gs.id
  where (${flow} or ${stock}) ${ofTherapy('c')}
  group by gs.group_no
),
-- The records of the patients counted directly, found first: then joined to their groups once.
direct_records as materialized ${DIRECT_RECORDS},
-- The same figures for the patients counted directly, from their records.
direct as (
  select gs.group_no,
    ${sql.join(flowNames.map((f) => sql`count(*) filter (where ${f === 'referrals' ? sql`m.received_on >= ${fromDate}` : inPeriod(FLOWS[f])}) as ${sql.raw(f)}`), sql`,
    `)},
    count(distinct m.patient_id) filter (where ${onTherapyAtEnd}) as on_therapy,
    count(distinct m.patient_id) filter (where ${onTherapyAtEnd} and m.origin = 'pathway') as pathway_on_therapy,
    count(distinct m.patient_id) filter (where m.continuing_12m_on <= ${toDate}) as continuing12m
  from grouped_sites gs
  join direct_records m on m.site_id = gs.id
  where ${received}
  group by gs.group_no
),
-- Each group's waits that ended in the period, and their distributions.
waits as (
  select g.group_no, w.*
  from groups g
  cross join lateral (
    select ${sql.join(waitFigures, sql`,
      `)}
    from unnest(g.site_ids) site(id)
    cross join lateral (
      ${sql.join(siteWaits, sql`
      union all
      `)}
    ) w
  ) w
),
-- A start's baseline and follow-up HbA1c are kept with its milestones; the follow-up (150 days or more after the
-- start) must fall in the period. A patient with several such starts counts once, with the latest: only a patient
-- counted directly can have several (two starts), so the others' are read a site at a time through its index.
changes as (
  select g.group_no, m.follow_up_mmol_mol - m.baseline_mmol_mol as change
  from groups g
  cross join unnest(g.site_ids) site(id)
  join referral_milestones m on m.site_id = site.id
  where ${inPeriod(sql`m.follow_up_on`)} and m.baseline_mmol_mol is not null and ${received}
    and not exists (select 1 from patients_counted_directly p where p.patient_id = m.patient_id)
  union all
  select * from (
    select distinct on (m.patient_id) gs.group_no, m.follow_up_mmol_mol - m.baseline_mmol_mol as change
    from grouped_sites gs
    join direct_records m on m.site_id = gs.id
    where ${inPeriod(sql`m.follow_up_on`)} and m.baseline_mmol_mol is not null and ${received}
    order by m.patient_id, m.started_on desc, m.referral_id desc
  ) latest
),
hba1c as (
  select group_no, count(*) as n, percentile_cont(0.5) within group (order by change) as median
  from changes group by group_no
)
select g.group_key as key, g.label, case when g.population_complete then g.population end as population,
  ${sql.join([...flowNames, ...STOCKS].map((f) => sql`coalesce(c.${sql.raw(f)}, 0) + coalesce(d.${sql.raw(f)}, 0) as ${sql.raw(f)}`), sql`,
  `)},
  ${sql.join(WAIT_NAMES.map((name) => sql.raw(`w."${name}_n", w."${name}_median", w."${name}_p90"`)), sql`,
  `)},
  coalesce(h.n, 0) as hba1c_n, h.median as hba1c_median
from groups g
left join counted c on c.group_no = g.group_no
left join direct d on d.group_no = g.group_no
left join waits w on w.group_no = g.group_no
left join hba1c h on h.group_no = g.group_no`;
}

/** A group's figures, by the statement's column names; null where the statement has none (no HbA1c change, say). */
export type MetricsGroupRecord = { key: string; label: string } & Record<
  | 'population'
  | 'referrals'
  | 'assessed'
  | 'eligible'
  | 'funding_requested'
  | 'funding_approved'
  | 'funding_declined'
  | 'started'
  | 'discontinued'
  | 'on_therapy'
  | 'pathway_on_therapy'
  | 'continuing12m'
  | `${WaitName}_${'n' | 'median' | 'p90'}`
  | 'hba1c_n'
  | 'hba1c_median',
  number | null
>;

/** A row per group of the scoped sites (none for a group without sites), every figure read as a number. */
export async function metricsGroups(db: Db, params: MetricsParams): Promise<MetricsGroupRecord[]> {
  const rows = await executeWithoutJit(db, metricsStatement(params));
  const numbers = (figures: Record<string, unknown>) => Object.fromEntries(Object.entries(figures).map(([name, value]) => [name, toNumber(value)]));
  return rows.map(({ key, label, ...figures }) => ({ key, label, ...numbers(figures) }) as MetricsGroupRecord);
}

/**
 * Runs an aggregate statement in a transaction of its own with JIT off. PostgreSQL's planner overestimates these
 * aggregates; past jit_above_cost it then spends over a second compiling a query that runs in a fraction of that.
 * PGlite has no JIT and accepts the setting. Each run is planned for its own period and sites: a prepared
 * statement's generic plan, made without them, reads far more than one of the period's. The statement may sort a
 * little more in memory than the default (a nation's HbA1c changes of a year) rather than on disk. The pages these
 * statements read are the recent ones, nearly always in memory, so a page read through an index costs about what a
 * page read in order does (random_page_cost 1.1 rather than the default 4, which assumes a spinning disk): with the
 * default the planner reads a nation's records whole where an index finds the few it needs. And a statement gets no
 * parallel workers: the dashboard runs a dozen of them side by side, and workers for one only take cores from the rest.
 */
export async function executeWithoutJit(db: Db, statement: SQL): Promise<Record<string, unknown>[]> {
  const result = await db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('jit', 'off', true), set_config('plan_cache_mode', 'force_custom_plan', true), set_config('work_mem', '32MB', true), set_config('random_page_cost', '1.1', true), set_config('max_parallel_workers_per_gather', '0', true)`,
    );
    return tx.execute(statement);
  });
  return rowsOf<Record<string, unknown>>(result);
}
