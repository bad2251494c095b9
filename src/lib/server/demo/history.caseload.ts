import { existingTherapyPayload, type ExistingTherapyPayload } from '../../domain/existing-therapy';
import type { FundingKind, Sex, Therapy } from '../../domain/vocabulary';
import { dayOf, isoOf } from './history.days';
import { hba1cSchedule } from './history.hba1c';
import type { ClinicalRole, SimPatient, SimReferral, SiteSim } from './history.model';
import type { NhsNumberSource } from './history.nhs-numbers';
import { reviewsUntilToday } from './history.pathway';
import { CSII_PUMPS, FAMILY_NAMES, FEMALE_GIVEN_NAMES, HCL_SYSTEMS, MALE_GIVEN_NAMES, STANDALONE_CGMS } from './history.reference';
import type { CaseloadOptions } from './history.types';
import type { Prng } from './prng';

/**
 * The people a service already had on a pump or closed loop on its first day with the product: recorded that
 * day as existing-therapy records (api.md, "Existing therapy"), as a nurse entering the caseload would, with
 * what the service's notes say of each start (mostly a date, sometimes only the year, now and then nothing),
 * and reviewed from then on like anyone on therapy. Their pump users are the ones the pathway later refers on
 * for closed loop (history.generator.ts).
 */

/** How much each site's share differs from the one asked for, either way: services are not all alike. */
const SHARE_SPREAD = 0.015;
/** Closed loop was already common before the national rollout (pilots, trials, self-funding); pumps more so. */
const HCL_SHARE = 0.4;
/** What the notes say of a start: a date, the year alone, or nothing. */
const START_KNOWN = { date: 0.72, year: 0.2, unknown: 0.08 } as const;
/** Self-funded, or funded from abroad or privately: more common for closed loop before the rollout. */
const NOT_NHS_FUNDED = { hcl: 0.1, csii: 0.03 } as const;
/** How far back starts go: pumps over the previous decade, closed loop since it reached UK clinics. */
const YEARS_BACK = { csii: 10, hcl: 5 } as const;
const EARLIEST_HCL_START = dayOf('2019-06-01');

/** Age on the first day: children and young people use pumps far more than adults do. */
function ageOfPumpUser(rng: Prng): number {
  const band = rng.weighted({ child: 0.16, young: 0.14, adult: 0.62, older: 0.08 });
  if (band === 'child') return rng.int(3, 11);
  if (band === 'young') return rng.int(12, 17);
  if (band === 'adult') return rng.int(18, 64);
  return rng.int(65, 80);
}

function pumpUser(sim: SiteSim, ids: Prng, nhsNumbers: NhsNumberSource, day: number, therapy: Therapy): SimPatient {
  const { rng } = sim;
  const sex: Sex = rng.weighted({ female: 0.5, male: 0.48, other: 0.01, unknown: 0.01 });
  const femaleName = sex === 'female' || (sex !== 'male' && rng.chance(0.5));
  const age = ageOfPumpUser(rng);
  // On a device, HbA1c sits lower than before one.
  const meanLevel = Math.min(90, Math.max(50, rng.normal(therapy === 'hcl' ? 60 : 64, 7)));
  return {
    id: ids.uuid(),
    siteId: sim.site.id,
    nhsNumber: nhsNumbers.next(),
    fhir: null,
    givenName: rng.pick(femaleName ? FEMALE_GIVEN_NAMES : MALE_GIVEN_NAMES),
    familyName: rng.pick(FAMILY_NAMES),
    sex,
    birthDate: isoOf(day - Math.floor((age + rng.next()) * 365.2425)),
    diabetesType: 'type1',
    meanLevel,
    hba1c: hba1cSchedule(rng, day - rng.int(300, 700), sim.today, meanLevel),
    pumpUser: true,
    cgm: therapy === 'hcl' || rng.chance(0.8) ? 'rtcgm' : 'iscgm',
    leftOn: null,
    createdDay: day,
    // The existing record is their first: a closed loop referral later is their second, and their last.
    referralCount: 1,
  };
}

/** What the notes say of the start, somewhere from a year after birth (and the therapy's arrival) to a month before. */
function startOf(rng: Prng, patient: SimPatient, therapy: Therapy, knownDay: number): Pick<ExistingTherapyPayload, 'startedOn' | 'startedYear'> {
  const latest = knownDay - 30;
  const earliest = Math.min(latest, Math.max(dayOf(patient.birthDate) + 365, knownDay - YEARS_BACK[therapy] * 365, therapy === 'hcl' ? EARLIEST_HCL_START : -Infinity));
  const startedOn = isoOf(rng.int(earliest, latest));
  const known = rng.weighted(START_KNOWN);
  if (known === 'date') return { startedOn };
  return known === 'year' ? { startedYear: Number(startedOn.slice(0, 4)) } : {};
}

function devicesFor(rng: Prng, therapy: Therapy): Pick<ExistingTherapyPayload, 'pump' | 'cgm' | 'algorithm'> {
  if (therapy === 'hcl') {
    const system = rng.pick(HCL_SYSTEMS);
    return { pump: system.pump, cgm: rng.pick(system.cgms), algorithm: system.algorithm };
  }
  return { pump: rng.pick(CSII_PUMPS), ...(rng.chance(0.5) ? { cgm: rng.pick(STANDALONE_CGMS) } : {}) };
}

/** Whoever enters the caseload: the site's nurse when known, else its consultant (both may). */
function enteredBy(sim: SiteSim): { role: ClinicalRole; recordedBy: string | null } {
  if (sim.clinicians.nurseId) return { role: 'nurse', recordedBy: sim.clinicians.nurseId };
  if (sim.clinicians.consultantId) return { role: 'consultant', recordedBy: sim.clinicians.consultantId };
  return { role: 'nurse', recordedBy: null };
}

function existingRecord(sim: SiteSim, ids: Prng, patient: SimPatient, therapy: Therapy, knownDay: number): SimReferral {
  const { rng } = sim;
  const funding: FundingKind = rng.chance(NOT_NHS_FUNDED[therapy]) ? 'non_nhs' : 'nhs';
  const payload = existingTherapyPayload({ ...startOf(rng, patient, therapy, knownDay), knownOn: isoOf(knownDay), ...devicesFor(rng, therapy), funding });
  const record: SimReferral = {
    id: ids.uuid(),
    patient,
    therapy,
    origin: 'existing',
    receivedDay: knownDay,
    source: null,
    priorityGroup: null,
    picture: { disablingHypoglycaemia: false, mdiTried: true, currentTechnology: [], structuredEducation: true },
    isSecond: false,
    events: [{ type: 'existing_therapy', day: knownDay, payload, criteria: null, statusAfter: 'on_therapy', ...enteredBy(sim) }],
    status: 'on_therapy',
    startedDay: null,
  };
  reviewsUntilToday(sim, record, knownDay);
  return record;
}

/**
 * The site's caseload on `knownDay`: a share of its type 1 population, on a random stream of the caller's (so the
 * pathway's story does not change with it). With a FHIR server named, one closed loop user still on therapy is a
 * person imported from it without an NHS number, as FHIR test records often are: the national return lists them
 * as a problem to put right.
 */
export function simulateCaseload(sim: SiteSim, ids: Prng, nhsNumbers: NhsNumberSource, knownDay: number, options: CaseloadOptions): { people: SimPatient[]; records: SimReferral[] } {
  const { rng } = sim;
  const share = Math.max(0, options.share + (rng.next() * 2 - 1) * SHARE_SPREAD);
  const count = Math.round(sim.site.t1dPopulation * share);
  const people: SimPatient[] = [];
  const records: SimReferral[] = [];
  for (let i = 0; i < count; i++) {
    const therapy: Therapy = rng.chance(HCL_SHARE) ? 'hcl' : 'csii';
    const patient = pumpUser(sim, ids, nhsNumbers, knownDay, therapy);
    people.push(patient);
    records.push(existingRecord(sim, ids, patient, therapy, knownDay));
  }
  const closedLoop = records.filter((r) => r.therapy === 'hcl' && r.status === 'on_therapy');
  if (options.fhirServerId && closedLoop.length > 0) {
    const { patient } = rng.pick(closedLoop);
    patient.nhsNumber = null;
    patient.fhir = { server: options.fhirServerId, id: ids.uuid() };
  }
  return { people, records };
}
