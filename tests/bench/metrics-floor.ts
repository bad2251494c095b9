import { sql, type SQL } from 'drizzle-orm';

/**
 * "The floor": the one query a person would write by hand for the benchmark's single question (every site, both
 * therapies, one period, grouped by site), computing the same figures as the metrics service with none of its
 * generality (groupings, therapy and site scopes, disclosure control). The service is measured against it.
 * Its figures are checked against the service's before any timing, so it cannot be a cheaper wrong answer.
 */
export function floorStatement(from: string, to: string): SQL {
  // 29 February moves to 1 March a year on or back, as the definitions' calendar does.
  const leapDay = (d: string) => `case when extract(month from ${d}) = 2 and extract(day from ${d}) = 29 then 1 else 0 end`;
  return sql`
with m as (
  select r.id, r.site_id, r.patient_id, r.received_on,
    min(e.occurred_on) filter (where e.type = 'assessment' and e.status_after in ('awaiting_funding_request', 'not_eligible')) as decided_on,
    min(e.occurred_on) filter (where e.type = 'assessment' and e.status_after = 'awaiting_funding_request') as eligible_on,
    min(e.occurred_on) filter (where e.type = 'funding_requested') as requested_on,
    min(e.occurred_on) filter (where e.type = 'funding_decision' and e.status_after in ('awaiting_start', 'funding_declined')) as funding_decided_on,
    min(e.occurred_on) filter (where e.type = 'funding_decision' and e.status_after = 'awaiting_start') as approved_on,
    min(e.occurred_on) filter (where e.type = 'funding_decision' and e.status_after = 'funding_declined') as declined_on,
    min(e.occurred_on) filter (where e.type = 'device_started') as started_on,
    min(e.occurred_on) filter (where e.type = 'review' and e.status_after = 'discontinued') as discontinued_on
  from referrals r
  left join referral_events e on e.referral_id = r.id and e.occurred_on <= ${to}::date
  where r.received_on <= ${to}::date
  group by r.id
),
per_site as (
  select site_id,
    count(*) filter (where received_on >= ${from}::date) as referrals,
    count(*) filter (where decided_on >= ${from}::date) as assessed,
    count(*) filter (where eligible_on >= ${from}::date) as eligible,
    count(*) filter (where requested_on >= ${from}::date) as funding_requested,
    count(*) filter (where approved_on >= ${from}::date) as funding_approved,
    count(*) filter (where declined_on >= ${from}::date) as funding_declined,
    count(*) filter (where started_on >= ${from}::date) as started,
    count(*) filter (where discontinued_on >= ${from}::date) as discontinued,
    count(distinct patient_id) filter (where started_on is not null and discontinued_on is null) as on_therapy,
    count(distinct patient_id) filter (where anniversary <= ${to}::date and (discontinued_on is null or discontinued_on > anniversary)) as continuing12m,
    count(*) filter (where decided_on >= ${from}::date) as a_n,
    percentile_cont(0.5) within group (order by decided_on - received_on) filter (where decided_on >= ${from}::date) as a_median,
    percentile_disc(0.9) within group (order by decided_on - received_on) filter (where decided_on >= ${from}::date) as a_p90,
    count(eligible_on) filter (where funding_decided_on >= ${from}::date) as f_n,
    percentile_cont(0.5) within group (order by funding_decided_on - eligible_on) filter (where funding_decided_on >= ${from}::date) as f_median,
    percentile_disc(0.9) within group (order by funding_decided_on - eligible_on) filter (where funding_decided_on >= ${from}::date) as f_p90,
    count(approved_on) filter (where started_on >= ${from}::date) as s_n,
    percentile_cont(0.5) within group (order by started_on - approved_on) filter (where started_on >= ${from}::date) as s_median,
    percentile_disc(0.9) within group (order by started_on - approved_on) filter (where started_on >= ${from}::date) as s_p90,
    count(*) filter (where started_on >= ${from}::date) as r_n,
    percentile_cont(0.5) within group (order by started_on - received_on) filter (where started_on >= ${from}::date) as r_median,
    percentile_disc(0.9) within group (order by started_on - received_on) filter (where started_on >= ${from}::date) as r_p90
  from (select *, (started_on + interval '1 year')::date + ${sql.raw(leapDay('started_on'))} as anniversary from m) m
  group by site_id
),
changes as (
  select distinct on (m.patient_id) m.site_id, fu.mmol_mol - base.mmol_mol as change
  from m
  cross join lateral (
    select o.mmol_mol, left(o.effective, 10)::date as day from observations o
    where o.patient_id = m.patient_id and o.kind = 'hba1c'
      and o.effective_at >= m.started_on + 148 and o.effective_at < m.started_on + 213
      and left(o.effective, 10)::date between m.started_on + 150 and m.started_on + 210
    order by abs(left(o.effective, 10)::date - m.started_on - 180), left(o.effective, 10)::date desc, o.effective_at desc, o.id desc
    limit 1
  ) fu
  cross join lateral (
    select o.mmol_mol from observations o
    where o.patient_id = m.patient_id and o.kind = 'hba1c'
      and o.effective_at >= (m.started_on - interval '1 year')::date + ${sql.raw(leapDay('m.started_on'))} - 2 and o.effective_at < m.started_on + 3
      and left(o.effective, 10)::date between (m.started_on - interval '1 year')::date + ${sql.raw(leapDay('m.started_on'))} and m.started_on
    order by left(o.effective, 10)::date desc, o.effective_at desc, o.id desc
    limit 1
  ) base
  where m.started_on between ${from}::date - 210 and ${to}::date - 150 and fu.day between ${from}::date and ${to}::date
  order by m.patient_id, m.started_on desc, m.id desc
),
hba1c as (
  select site_id, count(*) as hba1c_n, percentile_cont(0.5) within group (order by change) as hba1c_median from changes group by site_id
)
select s.id as key, s.name as label, case when s.t1d_population_as_of <= ${to}::date then s.t1d_population end as population, p.*, h.hba1c_n, h.hba1c_median
from sites s
left join per_site p on p.site_id = s.id
left join hba1c h on h.site_id = s.id`;
}
