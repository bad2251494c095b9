import { ageOnDate } from '../../domain/age';
import type { CurrentTechnology, DiabetesType, PriorityGroup, ReferralSource, Sex, Therapy } from '../../domain/vocabulary';
import { isoOf } from './history.days';
import { hba1cSchedule } from './history.hba1c';
import type { ClinicalPicture, SimPatient, SimReferral, SiteSim } from './history.model';
import { HCL_ROLLOUT_DAY } from './history.model';
import type { NhsNumberSource } from './history.nhs-numbers';
import { FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES } from './history.reference';
import type { Prng } from './prng';

/**
 * The people referred, and what a consultant finds when assessing them. The mix: mostly
 * adults with type 1 diabetes, a good share of children (near half of whom use pumps nationally), a few
 * older people, and a few with type 2 or another type so that TA151-1.5 and TA943's type 1 rule are exercised.
 */

/** Age at referral: under 12, 12-17, 18-64 and 65 and over. */
function ageAtReferral(rng: Prng): number {
  const band = rng.weighted({ child: 0.1, young: 0.12, adult: 0.68, older: 0.1 });
  switch (band) {
    case 'child':
      return rng.int(2, 11);
    case 'young':
      return rng.int(12, 17);
    case 'adult':
      return rng.int(18, 64);
    case 'older':
      return rng.int(65, 82);
  }
}

export function newPatient(sim: SiteSim, ids: Prng, nhsNumbers: NhsNumberSource, receivedDay: number): SimPatient {
  const { rng } = sim;
  const sex: Sex = rng.weighted({ female: 0.49, male: 0.49, other: 0.01, unknown: 0.01 });
  const femaleName = sex === 'female' || (sex !== 'male' && rng.chance(0.5));
  const age = ageAtReferral(rng);
  // Born so that the person is `age` on the day of referral.
  const birthDay = receivedDay - Math.floor((age + rng.next()) * 365.2425);
  const diabetesType: DiabetesType = age < 25 ? 'type1' : rng.weighted({ type1: 0.935, type2: 0.045, other: 0.02 });
  const meanLevel = Math.min(95, Math.max(50, rng.normal(71, 10)));

  // Most arrive with years of results; a few are new to the service and have none yet.
  const firstResult = rng.chance(0.04) ? receivedDay + rng.int(7, 60) : Math.max(birthDay + 365, receivedDay - rng.int(400, 800));

  return {
    id: ids.uuid(),
    siteId: sim.site.id,
    nhsNumber: nhsNumbers.next(),
    fhir: null,
    givenName: rng.pick(femaleName ? FEMALE_GIVEN_NAMES : MALE_GIVEN_NAMES),
    familyName: rng.pick(FAMILY_NAMES),
    sex,
    birthDate: isoOf(birthDay),
    diabetesType,
    meanLevel,
    hba1c: hba1cSchedule(rng, firstResult, sim.today, meanLevel),
    pumpUser: false,
    cgm: rng.chance(0.93) ? (rng.chance(age < 18 ? 0.6 : 0.35) ? 'rtcgm' : 'iscgm') : null,
    leftOn: null,
    createdDay: receivedDay,
    referralCount: 0,
  };
}

/** Closed loop became the usual referral once NHS England's rollout began; before it, mostly pumps alone. */
export function therapyFor(rng: Prng, patient: SimPatient, day: number): Therapy {
  // TA943 is for type 1 diabetes: people with type 2 are mostly referred for a pump (and meet TA151-1.5).
  if (patient.diabetesType === 'type2') return rng.chance(0.2) ? 'hcl' : 'csii';
  return rng.chance(day >= HCL_ROLLOUT_DAY ? 0.75 : 0.12) ? 'hcl' : 'csii';
}

function clinicalPicture(rng: Prng, patient: SimPatient, therapy: Therapy, age: number): ClinicalPicture {
  const currentTechnology: CurrentTechnology[] = [];
  if (patient.pumpUser) currentTechnology.push('csii');
  if (patient.cgm) currentTechnology.push(patient.cgm);
  const canBePregnant = therapy === 'hcl' && patient.sex === 'female' && age >= 16 && age <= 45;
  return {
    // People are referred for a reason: a high HbA1c, or hypoglycaemia when it is not high.
    disablingHypoglycaemia: rng.chance(patient.meanLevel < 69 ? 0.7 : 0.25),
    mdiTried: age < 12 ? rng.chance(0.5) : patient.pumpUser || rng.chance(0.95),
    ...(age < 12 ? { mdiImpractical: rng.chance(0.85) } : {}),
    currentTechnology,
    structuredEducation: rng.chance(therapy === 'hcl' ? 0.97 : 0.9),
    ...(canBePregnant ? { pregnancy: age >= 18 && rng.chance(0.15) } : {}),
  };
}

/** NHS England's phasing: children first, then pregnancy, then adults already on a pump, then the rest. */
function priorityGroupFor(therapy: Therapy, age: number, picture: ClinicalPicture, pumpUser: boolean): PriorityGroup | null {
  if (therapy !== 'hcl') return null;
  if (age < 18) return 'child';
  if (picture.pregnancy) return 'pregnancy';
  return pumpUser ? 'existing_pump_user' : 'adult';
}

export function newReferral(sim: SiteSim, ids: Prng, patient: SimPatient, receivedDay: number, therapy: Therapy): SimReferral {
  const { rng } = sim;
  const isSecond = patient.referralCount > 0;
  // Some adults referred for closed loop are already on a pump from before this history.
  if (!isSecond && therapy === 'hcl' && rng.chance(0.35)) patient.pumpUser = true;
  const age = ageOnDate(patient.birthDate, isoOf(receivedDay));
  const picture = clinicalPicture(rng, patient, therapy, age);
  const source: ReferralSource = picture.pregnancy
    ? rng.weighted({ other_service: 0.7, consultant: 0.2, gp: 0.1 })
    : rng.weighted({ gp: 0.3, consultant: 0.45, self: 0.1, other_service: 0.15 });
  patient.referralCount++;
  return {
    id: ids.uuid(),
    patient,
    therapy,
    origin: 'pathway',
    receivedDay,
    source,
    priorityGroup: priorityGroupFor(therapy, age, picture, patient.pumpUser),
    picture,
    isSecond,
    events: [],
    status: 'awaiting_assessment',
    startedDay: null,
  };
}
