import { sql } from 'drizzle-orm';
import type { Funding, NationalHclCandidate } from '../../domain/national-return';
import { rowsOf, type Db, type Tx } from '../db/client';

interface CandidateRecord {
  patient_id: string;
  kind: 'on_hcl' | 'declined';
  started_on: string | null;
  funding: Funding | null;
  declined_on: string | null;
  nhs_number: string | null;
  birth_date: string | null;
  first_pump_year: number | null;
}

/**
 * Every reason a patient of the site belongs in the national HCL return for [from, to], with the patient's NHS
 * number, birth date and the year of their earliest pump or HCL start (by `to`, at any site). `candidates` is a
 * union of sources, one per kind of record: a later source (therapy that began before the service used this
 * product, with its own funding) is one more branch of the same shape. Dates come back as text, so both drivers
 * give the same strings.
 */
export async function nationalHclCandidates(db: Db | Tx, q: { siteId: string; from: string; to: string }): Promise<NationalHclCandidate[]> {
  const result = await db.execute(sql`
    with candidates as (
      -- On HCL through the pathway: a device start by the quarter's end, not discontinued before its start.
      select m.patient_id, 'on_hcl' as kind, m.started_on::text as started_on, 'nhs' as funding, null::text as declined_on
      from referral_milestones m
      where m.site_id = ${q.siteId}::uuid and m.therapy = 'hcl'
        and m.started_on <= ${q.to}::date and (m.discontinued_on is null or m.discontinued_on >= ${q.from}::date)
      union all
      -- Offered HCL and declined it during the quarter: a referral withdrawn because the patient declined.
      select r.patient_id, 'declined', null, null, e.occurred_on::text
      from referral_events e join referrals r on r.id = e.referral_id
      where e.type = 'withdrawn' and e.occurred_on between ${q.from}::date and ${q.to}::date
        and e.payload->>'reason' = 'patient_declined'
        and r.site_id = ${q.siteId}::uuid and r.therapy = 'hcl'
    ),
    -- One pass over the starts for all the candidates together: referral_milestones has no index by patient.
    first_starts as (
      select s.patient_id, extract(year from min(s.started_on))::int as first_pump_year
      from referral_milestones s
      where s.started_on <= ${q.to}::date and s.patient_id in (select patient_id from candidates)
      group by s.patient_id
    )
    select c.patient_id::text as patient_id, c.kind, c.started_on, c.funding, c.declined_on,
      p.nhs_number, p.birth_date::text as birth_date, f.first_pump_year
    from candidates c join patients p on p.id = c.patient_id left join first_starts f on f.patient_id = c.patient_id`);
  return rowsOf<CandidateRecord>(result).map((r): NationalHclCandidate => {
    const person = { patientId: r.patient_id, nhsNumber: r.nhs_number, birthDate: r.birth_date, firstPumpYear: r.first_pump_year === null ? null : Number(r.first_pump_year) };
    return r.kind === 'declined'
      ? { ...person, kind: 'declined', declinedOn: r.declined_on! }
      : { ...person, kind: 'on_hcl', startedOn: r.started_on, funding: r.funding ?? 'nhs' };
  });
}
