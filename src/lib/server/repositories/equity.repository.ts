import { sql, type SQL } from 'drizzle-orm';
import { AGE_BAND_FLOORS, GROUP_OF_LETTER, type EquityCounts, type EquityGroupBy, type EquitySplit, type EquityView } from '../../domain/equity';
import type { Period } from '../../domain/metrics';
import { rowsOf, type Db } from '../db/client';
import { executeWithoutJit, toNumber } from './metrics.repository';

/**
 * The equity figures' statements (domain.md, "Equity"): the metrics' counts for each value of a split, and the
 * population the syncs counted for it. The value of each person is worked out in SQL by the same tables the domain
 * uses (equity.ts), so the figures and the domain's own reading of a person cannot drift apart.
 */

/** The people counted: the period, the therapy if one is asked for, and the sites the caller sees (all when absent). */
export interface EquityScope extends Period {
  therapy?: 'csii' | 'hcl';
  siteIds?: string[];
}

const GROUP_OF: Record<EquityGroupBy, { key: SQL; label: SQL }> = {
  site: { key: sql`s.id::text`, label: sql`s.name` },
  icb: { key: sql`s.icb`, label: sql`s.icb` },
  all: { key: sql`'all'`, label: sql`'All sites'` },
};

/** The column of `people` holding each group's key and each split's value; `all` is one group and needs none. */
const GROUP_COLUMN: Record<EquityGroupBy, string | null> = { site: 'site_key', icb: 'icb_key', all: null };
const VALUE_COLUMN: Record<EquitySplit, string> = { ageBand: 'age_band', sex: 'sex_value', ethnicGroup: 'ethnic_group', imdQuintile: 'imd_quintile' };

/**
 * Age in completed years on `to`: the difference of the two dates written as numbers YYYYMMDD, in whole 10,000s. A
 * 29 February birthday then falls on 1 March in a common year (20250301 - 20000229 reaches 250,000 first), as in age.ts.
 */
function ageOn(to: string): SQL {
  const [year, month, day] = to.split('-').map(Number) as [number, number, number];
  return sql`((${year * 10000 + month * 100 + day}::int - (extract(year from m.birth_date)::int * 10000 + extract(month from m.birth_date)::int * 100 + extract(day from m.birth_date)::int)) / 10000)`;
}

/**
 * Each person's value of the split, from the columns `records` gives: the patient's values as their records carry
 * them (the decile their own, else their postcode's; migrations/0016_milestone_equity.sql), and their age on `to`.
 */
function valueOf(by: EquitySplit, to: SQL): SQL {
  switch (by) {
    case 'ageBand':
      return sql`case when birth_date > ${to} then 'unknown' ${sql.join(
        AGE_BAND_FLOORS.map(([floor, band]) => sql`when age >= ${floor}::int then ${band}::text`),
        sql` `,
      )} end`;
    case 'sex':
      return sql`sex::text`;
    case 'ethnicGroup':
      return sql`case ethnic_category ${sql.join(
        Object.entries(GROUP_OF_LETTER).map(([letter, group]) => sql`when ${letter}::text then ${group}::text`),
        sql` `,
      )} else 'unknown' end`;
    case 'imdQuintile':
      // ceil(decile / 2) in integers, null where unknown: grouping by a small integer is cheaper than by text.
      return sql`(decile + 1) / 2`;
  }
}

function scopeOf(siteIds: string[] | undefined): SQL {
  if (siteIds === undefined) return sql`true`;
  if (siteIds.length === 0) return sql`false`;
  return sql`s.id = any(${sql.param(siteIds)}::text[]::uuid[])`;
}

const columnsOf = (view: EquityView) => [GROUP_COLUMN[view.groupBy], VALUE_COLUMN[view.by]].filter((c) => c !== null);
/** Every column some view groups by, in a fixed order: `grouping()` of them tells the views' rows apart. */
const groupingColumns = (views: readonly EquityView[]) => [...new Set(views.flatMap(columnsOf))];
/** What `grouping()` gives a view's rows: a bit per column, the first the highest, set where the view does not group by it. */
function groupingId(view: EquityView, columns: readonly string[]): number {
  const own = columnsOf(view);
  return columns.reduce((id, column) => id * 2 + (own.includes(column) ? 0 : 1), 0);
}

/** Which of the records a figures statement reads, and what it counts of them. */
type FiguresPart = 'counts' | 'onTherapyOfPatientsCountedDirectly' | 'medians';

/**
 * Per view, group and value, one part of the figures the metrics define: the people on therapy at the end of `to`,
 * the referrals received and the starts in the period, and the referral-to-start waits that ended in it (their count
 * and median). Every view is counted in the one reading of the records, as a grouping set of its group's key and its
 * value. The parts are separate statements so that the counts, which are most of the work, need no sorting:
 * - `counts`: everything but the median, and the people on therapy counted one a record. A patient has two records on
 *   therapy at once only when the database counts them directly (patients_counted_directly: records at two sites or
 *   at overlapping times), so those patients are left to
 * - `onTherapyOfPatientsCountedDirectly`: the distinct patients of those few on therapy; and
 * - `medians`: the median wait, of the records whose wait ended in the period.
 */
function figuresStatement({ from, to, therapy, siteIds }: EquityScope, views: readonly EquityView[], part: FiguresPart): SQL {
  const fromDate = sql`${from}::date`;
  const toDate = sql`${to}::date`;
  const splits = [...new Set(views.map((v) => v.by))];
  const onTherapy = sql`m.on_therapy_from <= ${toDate} and (m.ended_on is null or m.ended_on > ${toDate})`;
  const ended = sql`m.started_on between ${fromDate} and ${toDate} and m.received_on <= ${toDate}`;
  const read = {
    counts: {
      records: sql`sites s join referral_milestones m on m.site_id = s.id left join patients_counted_directly d on d.patient_id = m.patient_id`,
      // Only the records that count for something: on therapy at the end, received in the period, or started in it.
      which: sql`(${onTherapy} or m.received_on >= ${fromDate} or m.started_on >= ${fromDate})`,
      figures: sql`count(*) filter (where on_therapy and not counted_directly) as on_therapy,
  count(*) filter (where received_on >= ${fromDate}) as referrals,
  count(*) filter (where started_on between ${fromDate} and ${toDate}) as started,
  count(*) filter (where waited) as waits`,
    },
    onTherapyOfPatientsCountedDirectly: {
      records: sql`patients_counted_directly d join referral_milestones m on m.patient_id = d.patient_id join sites s on s.id = m.site_id`,
      which: onTherapy,
      figures: sql`count(distinct patient_id) as on_therapy`,
    },
    medians: {
      records: sql`sites s join referral_milestones m on m.site_id = s.id`,
      which: ended,
      figures: sql`percentile_cont(0.5) within group (order by (started_on - received_on)::float8) as median`,
    },
  }[part];
  // Each grouping set once, though two views share it: each part's rows are added up below.
  const sets = [...new Set(views.map((v) => `(${columnsOf(v).join(', ')})`))].map((set) => sql.raw(set));
  const columns = sql.raw(groupingColumns(views).join(', '));
  return sql`
with records as (
  select m.site_id as site_key, s.icb as icb_key, m.patient_id, m.received_on, m.started_on,
    ${onTherapy} as on_therapy, ${ended} as waited, ${part === 'counts' ? sql`d.patient_id is not null` : sql`true`} as counted_directly,
    m.birth_date, m.sex, m.ethnic_category, m.imd_decile as decile,
    ${splits.includes('ageBand') ? ageOn(to) : sql`null::int`} as age
  from ${read.records}
  where ${scopeOf(siteIds)} and m.entered_on <= ${toDate} ${therapy ? sql`and m.therapy = ${therapy}::therapy` : sql``} and ${read.which}
),
people as (
  select site_key, icb_key, patient_id, received_on, started_on, on_therapy, waited, counted_directly,
    ${sql.join(
      splits.map((by) => sql`${valueOf(by, toDate)} as ${sql.raw(VALUE_COLUMN[by])}`),
      sql`, `,
    )}
  from records
)
select grouping(${columns}) as grouping_id, ${columns}, ${read.figures}
from people
group by grouping sets (${sql.join(sets, sql`, `)})`;
}

/**
 * Every group of the scoped sites, with whether each of its sites has split counts on or before `to`, and the
 * population of each value summed over its sites from each site's latest sync on or before `to`.
 */
function populationStatement({ to, siteIds }: EquityScope, { groupBy, by }: EquityView): SQL {
  const toDate = sql`${to}::date`;
  const group = GROUP_OF[groupBy];
  return sql`
with latest as (
  select ${group.key} as group_key, ${group.label} as label, s.id,
    (select max(c.as_of) from site_population_split_counts c where c.site_id = s.id and c.as_of <= ${toDate}) as as_of
  from sites s
  where ${scopeOf(siteIds)}
),
marked as (
  select l.*, bool_and(l.as_of is not null) over (partition by l.group_key) as complete from latest l
)
select m.group_key as key, min(m.label) as label, bool_and(m.complete) as complete, c.value, sum(c.t1d_population) as population
from marked m
left join site_population_split_counts c on c.site_id = m.id and c.as_of = m.as_of and c.split = ${by}
group by m.group_key, c.value`;
}

export interface EquityGroupRecord {
  key: string;
  label: string;
  /** Whether every site of the group has split counts on or before the period's end. */
  populationComplete: boolean;
  counts: EquityCounts[];
}

/**
 * For each view, the groups of the scoped sites, each with its exact counts per value (values with nothing to count
 * left out): one reading of the records for all the views in each part of the figures, and each view's populations.
 */
export async function equityGroups(db: Db, scope: EquityScope, views: readonly EquityView[]): Promise<EquityGroupRecord[][]> {
  if (views.length === 0) return [];
  const [counts, direct, medians, ...populations] = await Promise.all([
    executeWithoutJit(db, figuresStatement(scope, views, 'counts')),
    executeWithoutJit(db, figuresStatement(scope, views, 'onTherapyOfPatientsCountedDirectly')),
    executeWithoutJit(db, figuresStatement(scope, views, 'medians')),
    ...views.map((view) => db.execute(populationStatement(scope, view)).then(rowsOf<Record<string, unknown>>)),
  ]);
  const columns = groupingColumns(views);
  return views.map((view, i) => {
    const groups = new Map<string, EquityGroupRecord>();
    const countOf = (key: string, value: string) => {
      const group = groups.get(key)!;
      let c = group.counts.find((x) => x.value === value);
      if (!c) group.counts.push((c = { value, t1dPopulation: null, onTherapy: 0, referrals: 0, started: 0, waits: 0, referralToStartMedianDays: null }));
      return c;
    };
    for (const row of populations[i]!) {
      const key = String(row.key);
      if (!groups.has(key)) groups.set(key, { key, label: String(row.label), populationComplete: row.complete === true, counts: [] });
      if (row.value !== null) countOf(key, String(row.value)).t1dPopulation = toNumber(row.population);
    }
    const [groupColumn, id] = [GROUP_COLUMN[view.groupBy], groupingId(view, columns)];
    // Each part's rows add their figures to their value's counts.
    for (const row of [...counts, ...direct, ...medians]) {
      if (Number(row.grouping_id) !== id) continue;
      const value = row[VALUE_COLUMN[view.by]];
      const c = countOf(groupColumn === null ? 'all' : String(row[groupColumn]), value === null ? 'unknown' : String(value));
      c.onTherapy += toNumber(row.on_therapy) ?? 0;
      c.referrals += toNumber(row.referrals) ?? 0;
      c.started += toNumber(row.started) ?? 0;
      c.waits += toNumber(row.waits) ?? 0;
      if ('median' in row) c.referralToStartMedianDays = toNumber(row.median);
    }
    return [...groups.values()];
  });
}
