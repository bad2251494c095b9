import { sql, type SQL } from 'drizzle-orm';

/**
 * "The floor": the one query a person would write by hand for the benchmark's single question (every site, both
 * therapies, one period, grouped by site), computing the same figures as the metrics service from the same tables
 * with none of its generality (groupings, therapy and site scopes, disclosure control). The service is measured
 * against it. Its figures are checked against the service's before any timing, so it cannot be a cheaper wrong
 * answer.
 */
export function floorStatement(from: string, to: string): SQL {
  const inPeriod = (column: string) => sql`${sql.raw(column)} between ${from}::date and ${to}::date`;
  const wait = (prefix: string, start: string, end: string) => {
    const when = sql`filter (where ${inPeriod(end)} and ${sql.raw(start)} <= ${to}::date)`;
    const days = sql.raw(`${end} - ${start}`);
    return sql`count(*) ${when} as ${sql.raw(`${prefix}_n`)},
    percentile_cont(0.5) within group (order by ${days}) ${when} as ${sql.raw(`${prefix}_median`)},
    percentile_disc(0.9) within group (order by ${days}) ${when} as ${sql.raw(`${prefix}_p90`)}`;
  };
  return sql`
with per_site as (
  select site_id,
    count(*) filter (where received_on >= ${from}::date) as referrals,
    count(*) filter (where ${inPeriod('decided_on')}) as assessed,
    count(*) filter (where ${inPeriod('eligible_on')}) as eligible,
    count(*) filter (where ${inPeriod('requested_on')}) as funding_requested,
    count(*) filter (where ${inPeriod('approved_on')}) as funding_approved,
    count(*) filter (where ${inPeriod('declined_on')}) as funding_declined,
    count(*) filter (where ${inPeriod('started_on')}) as started,
    count(*) filter (where ${inPeriod('discontinued_on')}) as discontinued,
    count(distinct patient_id) filter (where on_therapy_from <= ${to}::date and (ended_on is null or ended_on > ${to}::date)) as on_therapy,
    count(distinct patient_id) filter (where on_therapy_from <= ${to}::date and (ended_on is null or ended_on > ${to}::date) and origin = 'pathway') as pathway_on_therapy,
    count(distinct patient_id) filter (where continuing_12m_on <= ${to}::date) as continuing12m,
    ${wait('a', 'received_on', 'decided_on')},
    ${wait('f', 'eligible_on', 'funding_decided_on')},
    ${wait('s', 'approved_on', 'started_on')},
    ${wait('r', 'received_on', 'started_on')}
  from referral_milestones
  where entered_on <= ${to}::date
  group by site_id
),
changes as (
  select distinct on (patient_id) site_id, follow_up_mmol_mol - baseline_mmol_mol as change
  from referral_milestones
  where ${inPeriod('follow_up_on')} and baseline_mmol_mol is not null
  order by patient_id, started_on desc, referral_id desc
),
hba1c as (
  select site_id, count(*) as hba1c_n, percentile_cont(0.5) within group (order by change) as hba1c_median from changes group by site_id
)
select s.id as key,
  (select c.t1d_population from site_population_counts c where c.site_id = s.id and c.as_of <= ${to}::date order by c.as_of desc limit 1) as population,
  p.*, h.hba1c_n, h.hba1c_median
from sites s
left join per_site p on p.site_id = s.id
left join hba1c h on h.site_id = s.id`;
}
