import { sql, type SQL } from 'drizzle-orm';
import { AGE_BAND_FLOORS, GROUP_OF_LETTER, type EquityCounts, type EquityGroupBy, type EquitySplit } from '../../domain/equity';
import type { Period } from '../../domain/metrics';
import { rowsOf, type Db } from '../db/client';
import { executeWithoutJit, toNumber } from './metrics.repository';

/**
 * The equity figures' statements (domain.md, "Equity"): the metrics' counts for each value of a split, and the
 * population the syncs counted for it. The value of each person is worked out in SQL by the same tables the domain
 * uses (equity.ts), so the figures and the domain's own reading of a person cannot drift apart.
 */

export interface EquityParams extends Period {
  groupBy: EquityGroupBy;
  by: EquitySplit;
  therapy?: 'csii' | 'hcl';
  siteIds?: string[];
}

const GROUP_OF: Record<EquityGroupBy, { key: SQL; label: SQL }> = {
  site: { key: sql`s.id::text`, label: sql`s.name` },
  icb: { key: sql`s.icb`, label: sql`s.icb` },
  all: { key: sql`'all'`, label: sql`'All sites'` },
};

/**
 * Age in completed years on `to`: the difference of the two dates written as numbers YYYYMMDD, in whole 10,000s. A
 * 29 February birthday then falls on 1 March in a common year (20250301 - 20000229 reaches 250,000 first), as in age.ts.
 */
function ageOn(to: string): SQL {
  const [year, month, day] = to.split('-').map(Number) as [number, number, number];
  return sql`((${year * 10000 + month * 100 + day}::int - (extract(year from p.birth_date)::int * 10000 + extract(month from p.birth_date)::int * 100 + extract(day from p.birth_date)::int)) / 10000)`;
}

/**
 * Each person's value of the split, from the columns `people` gives (the patient's, their age on `to` and their
 * decile: their own, else their postcode's from the table, keyed compact so spaces and case do not matter).
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
      return sql`coalesce(ceil(decile / 2.0)::int::text, 'unknown')`;
  }
}

function scopeOf(siteIds: string[] | undefined): SQL {
  if (siteIds === undefined) return sql`true`;
  if (siteIds.length === 0) return sql`false`;
  return sql`s.id = any(${sql.param(siteIds)}::text[]::uuid[])`;
}

/**
 * Per group and value: the people on therapy at the end of `to`, the referrals received and the starts in the
 * period, and the referral-to-start waits that ended in it (their count and median), as the metrics define them.
 */
function figuresStatement({ from, to, groupBy, by, therapy, siteIds }: EquityParams): SQL {
  const fromDate = sql`${from}::date`;
  const toDate = sql`${to}::date`;
  const group = GROUP_OF[groupBy];
  const onTherapy = sql`on_therapy_from <= ${toDate} and (ended_on is null or ended_on > ${toDate})`;
  const ended = sql`started_on between ${fromDate} and ${toDate} and received_on <= ${toDate}`;
  return sql`
with people as (
  select ${group.key} as group_key, m.patient_id, m.received_on, m.started_on, m.on_therapy_from, m.ended_on,
    p.birth_date, p.sex, p.ethnic_category,
    ${by === 'ageBand' ? ageOn(to) : sql`null::int`} as age,
    ${by === 'imdQuintile' ? sql`coalesce(p.imd_decile, i.imd_decile)` : sql`null::int`} as decile
  from sites s
  join referral_milestones m on m.site_id = s.id
  join patients p on p.id = m.patient_id
  ${by === 'imdQuintile' ? sql`left join imd_postcodes i on p.imd_decile is null and i.postcode = upper(replace(p.postcode, ' ', ''))` : sql``}
  where ${scopeOf(siteIds)} and m.entered_on <= ${toDate} ${therapy ? sql`and m.therapy = ${therapy}::therapy` : sql``}
    -- Only the records that count for something: on therapy at the end, received in the period, or started in it.
    and (m.on_therapy_from <= ${toDate} and (m.ended_on is null or m.ended_on > ${toDate}) or m.received_on >= ${fromDate} or m.started_on >= ${fromDate})
)
select group_key as key, ${valueOf(by, toDate)} as value,
  count(distinct patient_id) filter (where ${onTherapy}) as on_therapy,
  count(*) filter (where received_on >= ${fromDate}) as referrals,
  count(*) filter (where started_on between ${fromDate} and ${toDate}) as started,
  count(*) filter (where ${ended}) as waits,
  percentile_cont(0.5) within group (order by (started_on - received_on)::float8) filter (where ${ended}) as median
from people
group by 1, 2`;
}

/**
 * Every group of the scoped sites, with whether each of its sites has split counts on or before `to`, and the
 * population of each value summed over its sites from each site's latest sync on or before `to`.
 */
function populationStatement({ to, groupBy, by, siteIds }: EquityParams): SQL {
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

/** The groups of the scoped sites, each with its exact counts per value (values with nothing to count left out). */
export async function equityGroups(db: Db, params: EquityParams): Promise<EquityGroupRecord[]> {
  const [figures, populations] = await Promise.all([executeWithoutJit(db, figuresStatement(params)), db.execute(populationStatement(params)).then(rowsOf<Record<string, unknown>>)]);
  const groups = new Map<string, EquityGroupRecord>();
  const countOf = (key: string, value: string) => {
    const group = groups.get(key)!;
    let c = group.counts.find((x) => x.value === value);
    if (!c) group.counts.push((c = { value, t1dPopulation: null, onTherapy: 0, referrals: 0, started: 0, waits: 0, referralToStartMedianDays: null }));
    return c;
  };
  for (const row of populations) {
    const key = String(row.key);
    if (!groups.has(key)) groups.set(key, { key, label: String(row.label), populationComplete: row.complete === true, counts: [] });
    if (row.value !== null) countOf(key, String(row.value)).t1dPopulation = toNumber(row.population);
  }
  for (const row of figures) {
    const c = countOf(String(row.key), String(row.value));
    c.onTherapy = toNumber(row.on_therapy) ?? 0;
    c.referrals = toNumber(row.referrals) ?? 0;
    c.started = toNumber(row.started) ?? 0;
    c.waits = toNumber(row.waits) ?? 0;
    c.referralToStartMedianDays = toNumber(row.median);
  }
  return [...groups.values()];
}
