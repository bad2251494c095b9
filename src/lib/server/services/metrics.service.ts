import { sql, type SQL } from 'drizzle-orm';
import { authorize } from '../../domain/access';
import { discloseRow, isDisclosureControlled } from '../../domain/disclosure';
import { validation } from '../../domain/errors';
import {
  emptyRow,
  FACILITATION_LABELS,
  FACILITATION_ORDER,
  FOLLOW_UP_WINDOW,
  metricsSiteScope,
  resolvePeriod,
  uptakePct,
  WAIT_NAMES,
  type GroupBy,
  type MetricsReport,
  type MetricsRow,
  type Period,
} from '../../domain/metrics';
import type { MetricsQuery } from '../../schemas/metrics.schema';
import type { Db } from '../db/client';
import { todayIso } from './clock';
import type { Ctx } from './context';

/**
 * Implementation metrics (domain.md "Measuring implementation"; the exact readings are in the route's OpenAPI
 * description). One SQL statement per request computes every figure of every group; only one row per group
 * comes back to JavaScript, where disclosure control is applied for commissioners.
 */

/** postgres.js answers an array of rows, PGlite `{ rows }`: services never know which driver they run on. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  const rows = (result as { rows?: unknown } | null)?.rows;
  if (Array.isArray(rows)) return rows as T[];
  throw new TypeError('Unexpected result shape from db.execute()');
}

/** int8 and numeric may arrive as strings (postgres.js) or bigint; float8 and int4 as numbers. */
export function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'number' ? value : Number(value as string | bigint);
  if (!Number.isFinite(n)) throw new TypeError(`Not a number from the database: ${String(value)}`);
  return n;
}

const toCount = (value: unknown): number => toNumber(value) ?? 0;

/**
 * A date expression one year on (or back) with the calendar convention of calendar-date.ts: 29 February moves
 * to 1 March. PostgreSQL's interval arithmetic would give 28 February instead.
 */
const yearFrom = (date: SQL, direction: 1 | -1): SQL =>
  sql`((${date}) ${direction === 1 ? sql`+` : sql`-`} interval '1 year')::date + (case when extract(month from ${date}) = 2 and extract(day from ${date}) = 29 then 1 else 0 end)`;

const FACILITATION_MODE = sql`case s.facilitation when 2 then 'active' when 1 then 'passive' else 'none' end`;

/** The group each site falls in, by groupBy: fixed fragments, never text from the request. */
const GROUP_OF: Record<GroupBy, { key: SQL; label: SQL }> = {
  site: { key: sql`s.id::text`, label: sql`s.name` },
  icb: { key: sql`s.icb`, label: sql`s.icb` },
  // Labelled in arrange(): every mode gets a row, with or without sites.
  facilitation: { key: FACILITATION_MODE, label: FACILITATION_MODE },
};

export interface MetricsParams extends Period {
  groupBy: GroupBy;
  therapy?: 'csii' | 'hcl';
  siteIds?: string[];
}

/** Every column the statement returns for a group; names match WAIT_NAMES' prefixes below. */
type GroupRecord = Record<string, unknown> & { key: string; label: string };

const WAIT_COLUMNS: Record<(typeof WAIT_NAMES)[number], { start: SQL; end: SQL }> = {
  referralToAssessment: { start: sql`m.received_on`, end: sql`m.decided_on` },
  assessmentToFundingDecision: { start: sql`m.eligible_on`, end: sql`m.funding_decided_on` },
  fundingApprovalToStart: { start: sql`m.approved_on`, end: sql`m.started_on` },
  referralToStart: { start: sql`m.received_on`, end: sql`m.started_on` },
};

/** The one statement behind a report: a row per group with every exact figure (exported for benchmarks). */
export function metricsStatement({ from, to, groupBy, therapy, siteIds }: MetricsParams): SQL {
  const fromDate = sql`${from}::date`;
  const toDate = sql`${to}::date`;
  const inPeriod = (column: SQL) => sql`${column} >= ${fromDate}`; // every milestone is already <= to
  const scope = siteIds === undefined ? sql`true` : siteIds.length === 0 ? sql`false` : sql`s.id in (${sql.join(siteIds.map((id) => sql`${id}::uuid`), sql`, `)})`;
  const group = GROUP_OF[groupBy];
  const anniversary = yearFrom(sql`m.started_on`, 1);

  const waits = WAIT_NAMES.map((name) => {
    const { start, end } = WAIT_COLUMNS[name];
    const days = sql`(${end} - ${start})`;
    const when = sql`filter (where ${inPeriod(end)})`;
    return sql`,
      count(${days}) ${when} as "${sql.raw(name)}_n",
      percentile_cont(0.5) within group (order by ${days}) ${when} as "${sql.raw(name)}_median",
      percentile_disc(0.9) within group (order by ${days}) ${when} as "${sql.raw(name)}_p90"`;
  });

  return sql`
with scoped_sites as (
  select s.id, s.name, s.icb,
    case when s.t1d_population_as_of <= ${toDate} then s.t1d_population end as population,
    coalesce((
      select max(case f.mode when 'active' then 2 when 'passive' then 1 else 0 end)
      from facilitation_activities f where f.site_id = s.id and f."on" <= ${toDate}
    ), 0) as facilitation
  from sites s
  where ${scope}
),
grouped_sites as (
  select s.id, ${group.key} as group_key, ${group.label} as group_label, s.population from scoped_sites s
),
groups as (
  select group_key, min(group_label) as label,
    sum(population)::float8 as population, bool_and(population is not null) as population_complete
  from grouped_sites group by group_key
),
scoped_referrals as (
  select r.id, r.patient_id, g.group_key, r.received_on
  from referrals r
  join grouped_sites g on g.id = r.site_id
  where r.received_on <= ${toDate} ${therapy ? sql`and r.therapy = ${therapy}::therapy` : sql``}
),
-- The date of each milestone a referral reached by the end of the period. Each happens at most once on a
-- referral (the pathway table allows no second one), except the funding request, of which the first is taken.
-- Aggregating the narrow event rows before joining is the cheapest plan on both databases, even when a
-- clinician's scope leaves some of them unused.
event_dates as (
  select e.referral_id,
    min(e.occurred_on) filter (where e.type = 'assessment' and e.status_after in ('awaiting_funding_request', 'not_eligible')) as decided_on,
    min(e.occurred_on) filter (where e.type = 'assessment' and e.status_after = 'awaiting_funding_request') as eligible_on,
    min(e.occurred_on) filter (where e.type = 'funding_requested') as requested_on,
    min(e.occurred_on) filter (where e.type = 'funding_decision' and e.status_after in ('awaiting_start', 'funding_declined')) as funding_decided_on,
    min(e.occurred_on) filter (where e.type = 'funding_decision' and e.status_after = 'awaiting_start') as approved_on,
    min(e.occurred_on) filter (where e.type = 'funding_decision' and e.status_after = 'funding_declined') as declined_on,
    min(e.occurred_on) filter (where e.type = 'device_started') as started_on,
    min(e.occurred_on) filter (where e.type = 'review' and e.status_after = 'discontinued') as discontinued_on
  from referral_events e
  where e.occurred_on <= ${toDate}
  group by e.referral_id
),
milestones as (
  select r.id, r.patient_id, r.group_key, r.received_on, d.decided_on, d.eligible_on, d.requested_on, d.funding_decided_on,
    d.approved_on, d.declined_on, d.started_on, d.discontinued_on
  from scoped_referrals r
  left join event_dates d on d.referral_id = r.id
),
flows as (
  select m.group_key,
    count(*) filter (where ${inPeriod(sql`m.received_on`)}) as referrals,
    count(*) filter (where ${inPeriod(sql`m.decided_on`)}) as assessed,
    count(*) filter (where ${inPeriod(sql`m.eligible_on`)}) as eligible,
    count(*) filter (where ${inPeriod(sql`m.requested_on`)}) as funding_requested,
    count(*) filter (where ${inPeriod(sql`m.approved_on`)}) as funding_approved,
    count(*) filter (where ${inPeriod(sql`m.declined_on`)}) as funding_declined,
    count(*) filter (where ${inPeriod(sql`m.started_on`)}) as started,
    count(*) filter (where ${inPeriod(sql`m.discontinued_on`)}) as discontinued,
    count(distinct m.patient_id) filter (where m.started_on is not null and m.discontinued_on is null) as on_therapy,
    count(distinct m.patient_id) filter (
      where ${anniversary} <= ${toDate} and (m.discontinued_on is null or m.discontinued_on > ${anniversary})
    ) as continuing12m
    ${sql.join(waits, sql``)}
  from milestones m
  group by m.group_key
),
-- Only starts whose 150-210 day follow-up window meets the period can count.
starts as (
  select m.id, m.patient_id, m.group_key, m.started_on from milestones m
  where m.started_on between ${fromDate} - ${FOLLOW_UP_WINDOW.last}::int and ${toDate} - ${FOLLOW_UP_WINDOW.first}::int
),
follow_ups as (
  select st.id, st.patient_id, st.group_key, st.started_on, fu.mmol_mol as follow_up
  from starts st
  cross join lateral (
    select o.mmol_mol, left(o.effective, 10)::date as day
    from observations o
    where o.patient_id = st.patient_id and o.kind = 'hba1c'
      -- A coarse bound on the indexed instant (two days either side outweigh any zone offset), then the exact day.
      and o.effective_at >= st.started_on + ${FOLLOW_UP_WINDOW.first - 2}::int
      and o.effective_at < st.started_on + ${FOLLOW_UP_WINDOW.last + 3}::int
      and left(o.effective, 10)::date between st.started_on + ${FOLLOW_UP_WINDOW.first}::int and st.started_on + ${FOLLOW_UP_WINDOW.last}::int
    order by abs(left(o.effective, 10)::date - st.started_on - ${FOLLOW_UP_WINDOW.target}::int), left(o.effective, 10)::date desc, o.effective_at desc, o.id desc
    limit 1
  ) fu
  where fu.day between ${fromDate} and ${toDate}
),
changes as (
  select distinct on (f.patient_id) f.group_key, f.follow_up - b.mmol_mol as change
  from follow_ups f
  cross join lateral (
    select o.mmol_mol
    from observations o
    where o.patient_id = f.patient_id and o.kind = 'hba1c'
      and o.effective_at >= ${yearFrom(sql`f.started_on`, -1)} - 2
      and o.effective_at < f.started_on + 3
      and left(o.effective, 10)::date between ${yearFrom(sql`f.started_on`, -1)} and f.started_on
    order by left(o.effective, 10)::date desc, o.effective_at desc, o.id desc
    limit 1
  ) b
  order by f.patient_id, f.started_on desc, f.id desc
),
hba1c as (
  select group_key, count(*) as n, percentile_cont(0.5) within group (order by change) as median
  from changes group by group_key
)
select g.group_key as key, g.label, case when g.population_complete then g.population end as population,
  f.*, h.n as hba1c_n, h.median as hba1c_median
from groups g
left join flows f on f.group_key = g.group_key
left join hba1c h on h.group_key = g.group_key`;
}

function toRow(r: GroupRecord): MetricsRow {
  const population = toNumber(r.population);
  const onTherapy = toCount(r.on_therapy);
  const row: MetricsRow = {
    ...emptyRow(r.key, r.label),
    t1dPopulation: population,
    onTherapy,
    uptakePct: uptakePct(onTherapy, population),
    referrals: toCount(r.referrals),
    assessed: toCount(r.assessed),
    eligible: toCount(r.eligible),
    fundingRequested: toCount(r.funding_requested),
    fundingApproved: toCount(r.funding_approved),
    fundingDeclined: toCount(r.funding_declined),
    started: toCount(r.started),
    discontinued: toCount(r.discontinued),
    continuing12m: toCount(r.continuing12m),
    hba1cChange6m: { n: toCount(r.hba1c_n), medianMmolMol: toNumber(r.hba1c_median) },
  };
  for (const name of WAIT_NAMES) {
    row.waits[name] = { n: toCount(r[`${name}_n`]), medianDays: toNumber(r[`${name}_median`]), p90Days: toNumber(r[`${name}_p90`]) };
  }
  return row;
}

/**
 * Sites and ICBs by label, then key, in code-point order: the database's collation differs between PGlite and a
 * server, and the order must not. Facilitation groups are a fixed set: every mode gets its row, strongest first,
 * even with no site in it.
 */
function arrange(groupBy: GroupBy, rows: MetricsRow[]): MetricsRow[] {
  const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  if (groupBy !== 'facilitation') return rows.sort((a, b) => byCodePoint(a.label, b.label) || byCodePoint(a.key, b.key));
  return FACILITATION_ORDER.map((mode) => {
    const row = rows.find((r) => r.key === mode) ?? emptyRow(mode, mode);
    return { ...row, label: FACILITATION_LABELS[mode] };
  });
}

export class MetricsService {
  constructor(private readonly db: Db) {}

  async report(ctx: Ctx, query: MetricsQuery): Promise<MetricsReport> {
    authorize(ctx.actor, 'metrics:read');
    const period = resolvePeriod(query, todayIso());
    if (!period) throw validation([{ path: 'to', message: 'to cannot be before from' }]);
    const siteIds = metricsSiteScope(ctx.actor);
    const statement = metricsStatement({ ...period, groupBy: query.groupBy, ...(query.therapy ? { therapy: query.therapy } : {}), ...(siteIds ? { siteIds } : {}) });
    const result = await this.db.transaction(async (tx) => {
      // PostgreSQL's planner overestimates these aggregates; past jit_above_cost it then spends over a second
      // compiling a query that runs in a fraction of that. PGlite has no JIT and accepts the setting.
      await tx.execute(sql`set local jit = off`);
      return tx.execute(statement);
    });
    const exact = arrange(query.groupBy, rowsOf<GroupRecord>(result).map(toRow));
    return { ...period, rows: isDisclosureControlled(ctx.actor.role) ? exact.map(discloseRow) : exact };
  }
}
