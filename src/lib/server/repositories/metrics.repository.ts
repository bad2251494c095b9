import { sql, type SQL } from 'drizzle-orm';
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

/**
 * The one statement behind a report: a row per group with every exact figure. It reads each referral's milestones
 * from referral_milestones, which the database keeps from the event history (see schema.ts): a milestone counts for
 * the period when its date falls in it, and has been reached by the end of the period when its date is on or before
 * `to`.
 */
function metricsStatement({ from, to, groupBy, therapy, siteIds }: MetricsParams): SQL {
  const fromDate = sql`${from}::date`;
  const toDate = sql`${to}::date`;
  const inPeriod = (column: SQL) => sql`${column} between ${fromDate} and ${toDate}`;
  const scope = siteIds === undefined ? sql`true` : siteIds.length === 0 ? sql`false` : sql`s.id in (${sql.join(siteIds.map((id) => sql`${id}::uuid`), sql`, `)})`;
  const group = GROUP_OF[groupBy];
  const received = sql`m.entered_on <= ${toDate} ${therapy ? sql`and m.therapy = ${therapy}::therapy` : sql``}`;
  const onTherapyAtEnd = sql`m.on_therapy_from <= ${toDate} and (m.ended_on is null or m.ended_on > ${toDate})`;

  const waits = WAIT_NAMES.map((name) => {
    const { start, end } = WAIT_COLUMNS[name];
    // float8 for both percentiles (percentile_cont would cast to it anyway): with identical input they share one sort.
    const days = sql`(${end} - ${start})::float8`;
    const when = sql`filter (where ${inPeriod(end)} and ${start} <= ${toDate})`;
    return sql`,
      count(*) ${when} as "${sql.raw(name)}_n",
      percentile_cont(0.5) within group (order by ${days}) ${when} as "${sql.raw(name)}_median",
      percentile_disc(0.9) within group (order by ${days}) ${when} as "${sql.raw(name)}_p90"`;
  });

  return sql`
with scoped_sites as (
  select s.id, s.name, s.icb,
    (
      select c.t1d_population from site_population_counts c
      where c.site_id = s.id and c.as_of <= ${toDate} order by c.as_of desc limit 1
    ) as population,
    coalesce((
      select max(case f.mode when 'active' then 2 when 'passive' then 1 else 0 end)
      from facilitation_activities f where f.site_id = s.id and f."on" <= ${toDate}
    ), 0) as facilitation
  from sites s
  where ${scope}
),
-- Each group gets a number: the HbA1c changes are grouped by it, which sorts faster than a text key.
grouped_sites as (
  select s.id, ${group.key} as group_key, dense_rank() over (order by ${group.key}) as group_no, ${group.label} as group_label, s.population
  from scoped_sites s
),
groups as (
  select group_no, min(group_key) as group_key, min(group_label) as label,
    sum(population)::float8 as population, bool_and(population is not null) as population_complete
  from grouped_sites group by group_no
),
-- One aggregate per group over its sites' referrals, read through the site index: no sort of every referral by
-- group, which a single grouped aggregate (needed by the medians and distinct counts) would make.
flows as (
  select g.group_no, f.*
  from groups g
  cross join lateral (
    select
      count(*) filter (where m.received_on >= ${fromDate}) as referrals,
      count(*) filter (where ${inPeriod(sql`m.decided_on`)}) as assessed,
      count(*) filter (where ${inPeriod(sql`m.eligible_on`)}) as eligible,
      count(*) filter (where ${inPeriod(sql`m.requested_on`)}) as funding_requested,
      count(*) filter (where ${inPeriod(sql`m.approved_on`)}) as funding_approved,
      count(*) filter (where ${inPeriod(sql`m.declined_on`)}) as funding_declined,
      count(*) filter (where ${inPeriod(sql`m.started_on`)}) as started,
      count(*) filter (where ${inPeriod(sql`m.discontinued_on`)}) as discontinued,
      count(distinct m.patient_id) filter (where ${onTherapyAtEnd}) as on_therapy,
      count(distinct m.patient_id) filter (where ${onTherapyAtEnd} and m.origin = 'pathway') as pathway_on_therapy,
      count(distinct m.patient_id) filter (where m.continuing_12m_on <= ${toDate}) as continuing12m
      ${sql.join(waits, sql``)}
    from grouped_sites gs
    join referral_milestones m on m.site_id = gs.id
    where gs.group_no = g.group_no and ${received}
  ) f
),
-- A start's baseline and follow-up HbA1c are kept with its milestones; the follow-up (150 days or more after the
-- start) must fall in the period. A patient with several such starts counts once, with the latest.
changes as (
  select distinct on (m.patient_id) gs.group_no, m.follow_up_mmol_mol - m.baseline_mmol_mol as change
  from grouped_sites gs
  join referral_milestones m on m.site_id = gs.id
  where ${inPeriod(sql`m.follow_up_on`)} and m.baseline_mmol_mol is not null and ${received}
  order by m.patient_id, m.started_on desc, m.referral_id desc
),
hba1c as (
  select group_no, count(*) as n, percentile_cont(0.5) within group (order by change) as median
  from changes group by group_no
)
select g.group_key as key, g.label, case when g.population_complete then g.population end as population,
  f.*, h.n as hba1c_n, h.median as hba1c_median
from groups g
join flows f on f.group_no = g.group_no
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
 * PGlite has no JIT and accepts the setting.
 */
export async function executeWithoutJit(db: Db, statement: SQL): Promise<Record<string, unknown>[]> {
  const result = await db.transaction(async (tx) => {
    await tx.execute(sql`set local jit = off`);
    return tx.execute(statement);
  });
  return rowsOf<Record<string, unknown>>(result);
}
