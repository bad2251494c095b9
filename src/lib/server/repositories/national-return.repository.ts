import { sql } from 'drizzle-orm';
import type { Funding, NationalHclCandidate } from '../../domain/national-return';
import { rowsOf, type Db, type Tx } from '../db/client';

interface CandidateRecord {
  patient_id: string;
  kind: 'on_hcl' | 'declined';
  started_on: string | null;
  on_therapy_from: string | null;
  ended_on: string | null;
  funding: Funding | null;
  declined_on: string | null;
  nhs_number: string | null;
  birth_date: string | null;
  pump_start_years: (number | null)[] | null;
}

/**
 * Every reason a patient of the site belongs in the national HCL return for [from, to], with the patient's NHS
 * number, birth date and the start year of each of their pump and HCL records started by `to` (at any site).
 * `candidates` is a union of sources, one per kind of record. Dates come back as text, so both drivers give the
 * same strings.
 *
 * An existing-therapy record keeps what it knows of its start and its funding in its first event (seq 1,
 * `existing_therapy`); referral_milestones keeps the rest, with `on_therapy_from` (a pathway start, or an existing
 * record's start, else the day it was known) and `ended_on` (the first of discontinuation and switch), so one
 * branch reads pathway and existing HCL alike.
 */
export async function nationalHclCandidates(db: Db | Tx, q: { siteId: string; from: string; to: string }): Promise<NationalHclCandidate[]> {
  const result = await db.execute(sql`
    with candidates as (
      -- On HCL: on therapy from a day on or before the quarter's end, and not ended before its first day.
      select m.patient_id, 'on_hcl' as kind, coalesce(m.started_on, (e.payload->>'startedOn')::date)::text as started_on,
        m.on_therapy_from::text as on_therapy_from, m.ended_on::text as ended_on,
        -- A pathway start is NHS funded; an existing record says.
        coalesce(e.payload->>'funding', 'nhs') as funding, null::text as declined_on
      from referral_milestones m
      left join referral_events e on m.origin = 'existing' and e.referral_id = m.referral_id and e.seq = 1 and e.type = 'existing_therapy'
      where m.site_id = ${q.siteId}::uuid and m.therapy = 'hcl'
        and m.on_therapy_from <= ${q.to}::date and (m.ended_on is null or m.ended_on >= ${q.from}::date)
      union all
      -- Offered HCL and declined it during the quarter: a referral withdrawn because the patient declined.
      select r.patient_id, 'declined', null, null, null, null, e.occurred_on::text
      from referral_events e join referrals r on r.id = e.referral_id
      where e.type = 'withdrawn' and e.occurred_on between ${q.from}::date and ${q.to}::date
        and e.payload->>'reason' = 'patient_declined'
        and r.site_id = ${q.siteId}::uuid and r.therapy = 'hcl'
    ),
    -- One pass over the records for all the candidates together: referral_milestones has no index by patient.
    -- A start year is null when an existing record knows neither its start date nor its year. As JSON: postgres.js
    -- reads a null inside an integer array as NaN.
    pump_starts as (
      select s.patient_id, json_agg(case when s.origin = 'pathway' then extract(year from s.started_on)::int
          else coalesce(extract(year from (e.payload->>'startedOn')::date)::int, (e.payload->>'startedYear')::int) end) as pump_start_years
      from referral_milestones s
      left join referral_events e on s.origin = 'existing' and e.referral_id = s.referral_id and e.seq = 1 and e.type = 'existing_therapy'
      where s.on_therapy_from <= ${q.to}::date and s.patient_id in (select patient_id from candidates)
      group by s.patient_id
    )
    select c.patient_id::text as patient_id, c.kind, c.started_on, c.on_therapy_from, c.ended_on, c.funding, c.declined_on,
      p.nhs_number, p.birth_date::text as birth_date, f.pump_start_years
    from candidates c join patients p on p.id = c.patient_id left join pump_starts f on f.patient_id = c.patient_id`);
  return rowsOf<CandidateRecord>(result).map((r): NationalHclCandidate => {
    const pumpStartYears = r.pump_start_years ?? [];
    const person = { patientId: r.patient_id, nhsNumber: r.nhs_number, birthDate: r.birth_date, pumpStartYears };
    return r.kind === 'declined'
      ? { ...person, kind: 'declined', declinedOn: r.declined_on! }
      : { ...person, kind: 'on_hcl', startedOn: r.started_on, onTherapyFrom: r.on_therapy_from!, endedOn: r.ended_on, funding: r.funding ?? 'nhs' };
  });
}
