import { addDays, isCalendarDate } from '../../domain/calendar-date';
import { mmolMolToPercent } from '../../domain/hba1c';
import type { EthnicCategory } from '../../domain/vocabulary';
import { drawDemographics } from './demo.demographics';
import { DEMO_SITES } from './demo.seed';
import { FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES } from './history.reference';
import { nhsNumberSource } from './history.nhs-numbers';
import { createPrng, type Prng } from './prng';
import { todayIso } from '../clock';
import { DIABETES_CODES, HYPOGLYCAEMIA_CODES, SYSTEMS } from '../fhir/codes';
import type { FhirJson } from './fhir.store';

/**
 * A made-up UK population on a FHIR server, for demo mode and tests: an Organization per site with its ODS
 * code, and patients with valid (999 test-range) NHS numbers managed by one of them, with type 1 or type 2
 * diabetes Conditions, HbA1c results mostly in mmol/mol (LOINC 59261-8) and some in % (4548-4), and
 * hypoglycaemia recorded both as Conditions and as Observations. It also carries the traps a real record
 * has: a type 1 code entered in error, deceased and inactive records, a result entered in error.
 *
 * Deterministic: the same options give the same resources, ids included. Beside the resources it returns
 * what it made (per patient, and the count of living patients with an active type 1 diagnosis per ODS
 * code), so tests can check the import and the population count against known answers.
 */

export interface DemoPopulationOptions {
  seed?: number;
  /** `patients`: how many people the site's register holds; else `patientsPerSite`. */
  sites?: readonly { odsCode: string; name?: string; patients?: number }[];
  /** Without it, the demo sites' registers are sized so that each counts about the site's type 1 population. */
  patientsPerSite?: number;
  yearsOfHistory?: number;
  /** The day the history runs up to (YYYY-MM-DD); defaults to today in London. */
  today?: string;
  /** NHS numbers already used (for example by the demo database's own patients), never handed out again. */
  excludeNhsNumbers?: ReadonlySet<string>;
}

export type DemoProfile = 'type1' | 'type1-deceased' | 'type1-inactive-record' | 'type1-entered-in-error' | 'type2' | 'none';

export interface DemoPatientFacts {
  id: string;
  nhsNumber: string;
  odsCode: string;
  profile: DemoProfile;
  /** What the import should conclude. */
  diabetesType: 'type1' | 'type2' | 'unknown';
  /** Counted in the site's population: alive, an active record, an active (not mistaken) type 1 diagnosis. */
  countsAsActiveType1: boolean;
  /** HbA1c results the import should keep (those entered in error excluded), by unit. */
  hba1c: { percent: number; mmolMol: number; enteredInError: number };
  hypoglycaemia: { conditions: number; observations: number };
  /** What the population sync's splits read (domain.md, "Equity"). */
  birthDate: string;
  sex: 'female' | 'male';
  ethnicCategory: EthnicCategory | null;
  postcode: string | null;
}

export interface DemoPopulation {
  resources: DemoResource[];
  organizations: { odsCode: string; id: string }[];
  patients: DemoPatientFacts[];
  activeType1ByOds: Record<string, number>;
}

/** Plain FHIR JSON, always with an id. */
export type DemoResource = FhirJson & { id: string };

const PROFILE_WEIGHTS: Readonly<Record<DemoProfile, number>> = {
  type1: 0.72,
  'type1-deceased': 0.02,
  'type1-inactive-record': 0.01,
  'type1-entered-in-error': 0.03,
  type2: 0.14,
  none: 0.08,
};

const PREDIABETES = '15777000';
const UK_CORE_ETHNIC_CATEGORY = 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory';
const ETHNIC_CATEGORY_SYSTEM = 'https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategory';
const CLINICAL = (code: string) => ({ coding: [{ system: SYSTEMS.conditionClinical, code }] });
const VERIFICATION = (code: string) => ({ coding: [{ system: SYSTEMS.conditionVerification, code }] });

const LOINC_DISPLAY: Readonly<Record<string, string>> = {
  '59261-8': 'Hemoglobin A1c/Hemoglobin.total in Blood by IFCC protocol',
  '4548-4': 'Hemoglobin A1c/Hemoglobin.total in Blood',
};
const SNOMED_DISPLAY: Readonly<Record<string, string>> = {
  '46635009': 'Diabetes mellitus type 1',
  '313435000': 'Type 1 diabetes mellitus without complication',
  '44054006': 'Diabetes mellitus type 2',
  [PREDIABETES]: 'Prediabetes',
  '302866003': 'Hypoglycaemia',
  '237633009': 'Hypoglycaemia due to diabetes mellitus',
  '237632004': 'Hypoglycaemic event due to diabetes mellitus',
};

export function generateDemoPopulation(options: DemoPopulationOptions = {}): DemoPopulation {
  const seed = options.seed ?? 2018;
  const today = options.today ?? todayIso();
  const years = options.yearsOfHistory ?? 3;
  const perSite = options.patientsPerSite;
  if (!isCalendarDate(today)) throw new RangeError(`today must be YYYY-MM-DD, not ${JSON.stringify(today)}`);
  if (!(years > 0)) throw new RangeError('yearsOfHistory must be more than 0');
  if (perSite !== undefined && (!Number.isInteger(perSite) || perSite < 0)) throw new RangeError('patientsPerSite must be a whole number, 0 or more');

  const root = createPrng(seed);
  // Its own label, so that with the demo's seed it does not walk the same NHS numbers as the demo history.
  const numbers = nhsNumberSource(root.fork('fhir-population:nhs-numbers').uint32());
  const exclude = options.excludeNhsNumbers ?? new Set<string>();
  const nextNhsNumber = () => {
    for (;;) {
      const n = numbers.next();
      if (!exclude.has(n)) return n;
    }
  };
  const lastUpdated = `${today}T06:00:00Z`;
  const meta = { versionId: '1', lastUpdated };

  const population: DemoPopulation = { resources: [], organizations: [], patients: [], activeType1ByOds: {} };
  const sites = options.sites ?? DEMO_SITES.map((s) => ({ ...s, patients: Math.round(s.t1dPopulation / PROFILE_WEIGHTS.type1) }));
  for (const site of sites) {
    // Each site on its own stream: adding a site leaves the others unchanged.
    const rng = root.fork(`fhir-population:site:${site.odsCode}`);
    const organizationId = rng.uuid();
    population.organizations.push({ odsCode: site.odsCode, id: organizationId });
    population.activeType1ByOds[site.odsCode] = 0;
    population.resources.push({
      resourceType: 'Organization',
      id: organizationId,
      meta,
      identifier: [{ system: SYSTEMS.odsOrganisation, value: site.odsCode }],
      active: true,
      name: site.name ?? `Diabetes service ${site.odsCode}`,
    });

    const patients = perSite ?? ('patients' in site ? site.patients : undefined) ?? 200;
    for (let i = 0; i < patients; i++) {
      // The first patient of every site shows everything at once: type 1, both units, hypoglycaemia.
      const profile: DemoProfile = i === 0 ? 'type1' : rng.weighted(PROFILE_WEIGHTS);
      const facts = makePatient(rng, { profile, showcase: i === 0, odsCode: site.odsCode, organizationId, nhsNumber: nextNhsNumber(), today, years, meta }, population.resources);
      population.patients.push(facts);
      if (facts.countsAsActiveType1) population.activeType1ByOds[site.odsCode]! += 1;
    }
  }
  return population;
}

interface PatientPlan {
  profile: DemoProfile;
  showcase: boolean;
  odsCode: string;
  organizationId: string;
  nhsNumber: string;
  today: string;
  years: number;
  meta: { versionId: string; lastUpdated: string };
}

function makePatient(rng: Prng, plan: PatientPlan, out: DemoResource[]): DemoPatientFacts {
  const { profile, today, meta } = plan;
  const id = rng.uuid();
  const subject = { reference: `Patient/${id}` };
  const female = rng.chance(0.5);
  const age = profile === 'type2' ? rng.int(30, 85) : rng.int(4, 75);
  const birthDate = addDays(today, -Math.floor((age + rng.next()) * 365.25));
  const firstDay = -Math.round(plan.years * 365.25);
  const patient: DemoResource = {
    resourceType: 'Patient',
    id,
    meta,
    identifier: [{ system: SYSTEMS.nhsNumber, value: plan.nhsNumber }],
    active: profile !== 'type1-inactive-record',
    name: [{ use: 'official', family: rng.pick(FAMILY_NAMES), given: [rng.pick(female ? FEMALE_GIVEN_NAMES : MALE_GIVEN_NAMES)] }],
    gender: female ? 'female' : 'male',
    birthDate,
    managingOrganization: { reference: `Organization/${plan.organizationId}` },
  };
  // On a stream of its own, so the rest of each person is as it was before people had demographics.
  const { ethnicCategory, postcode } = drawDemographics(rng.fork(`demographics:${id}`), plan.odsCode, false);
  if (ethnicCategory) patient.extension = [{ url: UK_CORE_ETHNIC_CATEGORY, valueCodeableConcept: { coding: [{ system: ETHNIC_CATEGORY_SYSTEM, code: ethnicCategory }] } }];
  if (postcode) patient.address = [{ use: 'home', postalCode: postcode }];
  if (profile === 'type1-deceased') patient.deceasedDateTime = `${addDays(today, -rng.int(30, 300))}T12:00:00Z`;
  out.push(patient);

  const condition = (code: string, onset: string, extra: Record<string, unknown> = {}) =>
    out.push({
      resourceType: 'Condition',
      id: rng.uuid(),
      meta,
      clinicalStatus: CLINICAL('active'),
      verificationStatus: VERIFICATION('confirmed'),
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] }],
      code: { coding: [{ system: SYSTEMS.snomed, code, display: SNOMED_DISPLAY[code] ?? code }], text: SNOMED_DISPLAY[code] ?? code },
      subject,
      onsetDateTime: onset,
      recordedDate: onset,
      ...extra,
    });

  const diagnosedOn = addDays(birthDate, Math.min(rng.int(365, 365 * 30), Math.max(365, age * 365 - 30)));
  const isType1 = profile.startsWith('type1') && profile !== 'type1-entered-in-error';
  if (isType1) {
    condition(rng.chance(0.85) ? DIABETES_CODES.type1[0] : DIABETES_CODES.type1[1], diagnosedOn);
    // Some records carry the diagnosis twice (a problem list and an encounter diagnosis): still one person.
    if (rng.chance(0.1)) condition(DIABETES_CODES.type1[0], addDays(diagnosedOn, rng.int(30, 400)));
  } else if (profile === 'type1-entered-in-error') {
    condition(DIABETES_CODES.type1[0], diagnosedOn, { verificationStatus: VERIFICATION('entered-in-error') });
    condition(DIABETES_CODES.type2[0], addDays(diagnosedOn, 14));
  } else if (profile === 'type2') {
    condition(DIABETES_CODES.type2[0], diagnosedOn);
  } else {
    condition(PREDIABETES, diagnosedOn);
  }

  const hba1c = { percent: 0, mmolMol: 0, enteredInError: 0 };
  if (profile !== 'none') {
    const mean = Math.min(95, Math.max(45, rng.normal(profile === 'type2' ? 60 : 68, 10)));
    let day = firstDay + rng.int(0, 120);
    let index = 0;
    while (day <= -1) {
      const level = Math.round(Math.min(110, Math.max(35, rng.normal(mean, 6))));
      // The showcase patient's first result is in %, its others in mmol/mol, whatever the dice say.
      const inPercent = plan.showcase ? index === 0 : rng.chance(0.15);
      const enteredInError = !plan.showcase && rng.chance(0.02);
      const date = addDays(today, day);
      const effectiveDateTime = rng.chance(0.1) ? date : `${date}T${String(rng.int(8, 16)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:00Z`;
      const code = inPercent ? '4548-4' : '59261-8';
      out.push({
        resourceType: 'Observation',
        id: rng.uuid(),
        meta,
        status: enteredInError ? 'entered-in-error' : 'final',
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
        code: { coding: [{ system: SYSTEMS.loinc, code, display: LOINC_DISPLAY[code] }] },
        subject,
        effectiveDateTime,
        valueQuantity: inPercent
          ? { value: mmolMolToPercent(level), unit: '%', system: SYSTEMS.ucum, code: '%' }
          : { value: level, unit: 'mmol/mol', system: SYSTEMS.ucum, code: 'mmol/mol' },
      });
      if (enteredInError) hba1c.enteredInError++;
      else if (inPercent) hba1c.percent++;
      else hba1c.mmolMol++;
      day += rng.int(80, 190);
      index++;
    }
  }

  const hypoglycaemia = { conditions: 0, observations: 0 };
  if (isType1 && (plan.showcase || rng.chance(0.3))) {
    const episodes = plan.showcase ? 3 : rng.int(1, 4);
    for (let e = 0; e < episodes; e++) {
      const date = addDays(today, -rng.int(1, Math.round(plan.years * 365)));
      const asCondition = plan.showcase ? e !== 1 : rng.chance(0.5);
      if (asCondition) {
        condition(HYPOGLYCAEMIA_CODES[1], `${date}T03:00:00Z`, { clinicalStatus: CLINICAL('resolved'), abatementDateTime: `${date}T05:00:00Z` });
        hypoglycaemia.conditions++;
      } else {
        out.push({
          resourceType: 'Observation',
          id: rng.uuid(),
          meta,
          status: 'final',
          code: { coding: [{ system: SYSTEMS.snomed, code: HYPOGLYCAEMIA_CODES[2], display: SNOMED_DISPLAY[HYPOGLYCAEMIA_CODES[2]] }] },
          subject,
          effectiveDateTime: `${date}T02:30:00Z`,
        });
        hypoglycaemia.observations++;
      }
    }
  }

  const diabetesType = isType1 ? 'type1' : profile === 'type2' || profile === 'type1-entered-in-error' ? 'type2' : 'unknown';
  return {
    id,
    nhsNumber: plan.nhsNumber,
    odsCode: plan.odsCode,
    profile,
    diabetesType,
    countsAsActiveType1: profile === 'type1',
    hba1c,
    hypoglycaemia,
    birthDate,
    sex: female ? 'female' : 'male',
    ethnicCategory,
    postcode,
  };
}
