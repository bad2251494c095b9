import { sql, type SQL } from 'drizzle-orm';
import { bucketsCovering, type BucketRange } from '../../src/lib/domain/count-buckets';

/**
 * "The floor": the statement a person would write by hand for the benchmark's one question (every site, both
 * therapies, one period, grouped by site or by ICB), computing the same figures as the metrics service from the same
 * tables, with none of its generality (therapy and site scopes, facilitation groups, disclosure control). It reads
 * what the service reads: the counts the database keeps per site and day, month and year (milestone_counts), the
 * records of the patients counted directly, and the period's waits and HbA1c changes through the indexes on their
 * dates, each site's waits through its own. The service is measured against it. Its figures are checked against the
 * service's before any timing, so it cannot be a cheaper wrong answer.
 */
export function floorStatement(from: string, to: string, groupBy: 'site' | 'icb'): SQL {
  const buckets = (ranges: BucketRange[]) =>
    sql.raw(
      ranges
        .map(({ grain, first, last }) => `(grain = '${grain}' and bucket ${first === null ? `<= '${last}'` : `between '${first}' and '${last}'`})`)
        .join(' or '),
    );
  const flow = buckets(bucketsCovering(from, to));
  const stock = buckets(bucketsCovering(null, to));
  const f = sql.raw(`'${from}'::date`);
  const t = sql.raw(`'${to}'::date`);
  // The group of a site: itself, or its ICB.
  const key = groupBy === 'site' ? sql.raw('s.id') : sql.raw('s.icb');
  const inPeriod = (column: string) => sql.raw(`${column} between '${from}' and '${to}'`);
  const wait = (code: number, start: string, end: string) =>
    sql`select ${sql.raw(String(code))} as wait, (${sql.raw(`${end} - ${start}`)})::float8 as days from referral_milestones m
        where m.site_id = site.id and ${inPeriod(`m.${end}`)} and ${sql.raw(`m.${start}`)} <= ${t} and m.entered_on <= ${t}`;
  const figures = (code: number, prefix: string) =>
    sql.raw(`count(*) filter (where wait = ${code}) as ${prefix}_n,
      percentile_cont(0.5) within group (order by days) filter (where wait = ${code}) as ${prefix}_median,
      percentile_disc(0.9) within group (order by days) filter (where wait = ${code}) as ${prefix}_p90`);
  return sql`
with groups as (
  select ${key} as key, array_agg(s.id) as site_ids from sites s group by 1
),
counted as (
  select ${key} as key,
    sum(referrals) filter (where ${flow}) as referrals,
    sum(assessed) filter (where ${flow}) as assessed,
    sum(eligible) filter (where ${flow}) as eligible,
    sum(funding_requested) filter (where ${flow}) as funding_requested,
    sum(funding_approved) filter (where ${flow}) as funding_approved,
    sum(funding_declined) filter (where ${flow}) as funding_declined,
    sum(started) filter (where ${flow}) as started,
    sum(discontinued) filter (where ${flow}) as discontinued,
    sum(on_therapy_in - on_therapy_out) filter (where ${stock}) as on_therapy,
    sum(on_therapy_in - on_therapy_out) filter (where ${stock} and origin = 'pathway') as pathway_on_therapy,
    sum(continuing) filter (where ${stock}) as continuing12m
  from milestone_counts c join sites s on s.id = c.site_id
  where ${flow} or ${stock}
  group by 1
),
direct as (
  select ${key} as key,
    count(*) filter (where m.received_on >= ${f}) as referrals,
    count(*) filter (where ${inPeriod('m.decided_on')}) as assessed,
    count(*) filter (where ${inPeriod('m.eligible_on')}) as eligible,
    count(*) filter (where ${inPeriod('m.requested_on')}) as funding_requested,
    count(*) filter (where ${inPeriod('m.approved_on')}) as funding_approved,
    count(*) filter (where ${inPeriod('m.declined_on')}) as funding_declined,
    count(*) filter (where ${inPeriod('m.started_on')}) as started,
    count(*) filter (where ${inPeriod('m.discontinued_on')}) as discontinued,
    count(distinct m.patient_id) filter (where m.on_therapy_from <= ${t} and (m.ended_on is null or m.ended_on > ${t})) as on_therapy,
    count(distinct m.patient_id) filter (where m.on_therapy_from <= ${t} and (m.ended_on is null or m.ended_on > ${t}) and m.origin = 'pathway') as pathway_on_therapy,
    count(distinct m.patient_id) filter (where m.continuing_12m_on <= ${t}) as continuing12m
  from patients_counted_directly p
  cross join lateral (select * from referral_milestones m where m.patient_id = p.patient_id offset 0) m
  join sites s on s.id = m.site_id
  where m.entered_on <= ${t}
  group by 1
),
waits as (
  select g.key, w.*
  from groups g
  cross join lateral (
    select ${figures(0, 'a')}, ${figures(1, 'f')}, ${figures(2, 's')}, ${figures(3, 'r')}
    from unnest(g.site_ids) site(id)
    cross join lateral (
      ${wait(0, 'received_on', 'decided_on')}
      union all ${wait(1, 'eligible_on', 'funding_decided_on')}
      union all ${wait(2, 'approved_on', 'started_on')}
      union all ${wait(3, 'received_on', 'started_on')}
    ) w
  ) w
),
changes as (
  select ${key} as key, m.follow_up_mmol_mol - m.baseline_mmol_mol as change
  from sites s join referral_milestones m on m.site_id = s.id
  where ${inPeriod('m.follow_up_on')} and m.baseline_mmol_mol is not null and m.entered_on <= ${t}
    and not exists (select 1 from patients_counted_directly p where p.patient_id = m.patient_id)
  union all
  select * from (
    select distinct on (m.patient_id) ${key} as key, m.follow_up_mmol_mol - m.baseline_mmol_mol as change
    from patients_counted_directly p
    cross join lateral (select * from referral_milestones m where m.patient_id = p.patient_id offset 0) m
    join sites s on s.id = m.site_id
    where ${inPeriod('m.follow_up_on')} and m.baseline_mmol_mol is not null and m.entered_on <= ${t}
    order by m.patient_id, m.started_on desc, m.referral_id desc
  ) latest
),
hba1c as (
  select key, count(*) as hba1c_n, percentile_cont(0.5) within group (order by change) as hba1c_median from changes group by key
),
populations as (
  select ${key} as key, sum(c.t1d_population) as population, bool_and(c.t1d_population is not null) as complete
  from sites s
  left join lateral (select t1d_population from site_population_counts c where c.site_id = s.id and c.as_of <= ${t} order by c.as_of desc limit 1) c on true
  group by 1
)
select p.key::text as key, case when p.complete then p.population end as population,
  coalesce(c.referrals, 0) + coalesce(d.referrals, 0) as referrals,
  coalesce(c.assessed, 0) + coalesce(d.assessed, 0) as assessed,
  coalesce(c.eligible, 0) + coalesce(d.eligible, 0) as eligible,
  coalesce(c.funding_requested, 0) + coalesce(d.funding_requested, 0) as funding_requested,
  coalesce(c.funding_approved, 0) + coalesce(d.funding_approved, 0) as funding_approved,
  coalesce(c.funding_declined, 0) + coalesce(d.funding_declined, 0) as funding_declined,
  coalesce(c.started, 0) + coalesce(d.started, 0) as started,
  coalesce(c.discontinued, 0) + coalesce(d.discontinued, 0) as discontinued,
  coalesce(c.on_therapy, 0) + coalesce(d.on_therapy, 0) as on_therapy,
  coalesce(c.pathway_on_therapy, 0) + coalesce(d.pathway_on_therapy, 0) as pathway_on_therapy,
  coalesce(c.continuing12m, 0) + coalesce(d.continuing12m, 0) as continuing12m,
  w.a_n, w.a_median, w.a_p90, w.f_n, w.f_median, w.f_p90, w.s_n, w.s_median, w.s_p90, w.r_n, w.r_median, w.r_p90,
  h.hba1c_n, h.hba1c_median
from populations p
left join counted c on c.key = p.key
left join direct d on d.key = p.key
left join waits w on w.key = p.key
left join hba1c h on h.key = p.key`;
}
