import { addDays } from '../../src/lib/domain/calendar-date';
import { mmolMolToPercent } from '../../src/lib/domain/hba1c';
import { DIABETES_CODES, HYPOGLYCAEMIA_CODES, SYSTEMS } from '../../src/lib/server/fhir/codes';
import type { DemoResource } from '../../src/lib/server/demo/fhir-demo.population';
import { nhsNumberSource } from '../../src/lib/server/demo/history.nhs-numbers';
import { createPrng, type Prng } from '../../src/lib/server/demo/prng';

/**
 * FHIR data for the FHIR benchmarks, deterministic: one patient with a long record (what a real import of a
 * long-standing type 1 patient pages through), and a large population for the population count.
 */

const CLINICAL = (code: string) => ({ coding: [{ system: SYSTEMS.conditionClinical, code }] });
const VERIFICATION = (code: string) => ({ coding: [{ system: SYSTEMS.conditionVerification, code }] });
const snomed = (code: string, display: string) => ({ coding: [{ system: SYSTEMS.snomed, code, display }], text: display });
const loinc = (code: string, display: string) => ({ coding: [{ system: SYSTEMS.loinc, code, display }] });
const at = (day: string, rng: Prng) => `${day}T${String(rng.int(8, 17)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:00Z`;

/** Problems a long-standing diabetes record carries beside the diabetes: the importer reads and drops them. */
const OTHER_PROBLEMS = [
  ['38341003', 'Hypertensive disorder'],
  ['40930008', 'Hypothyroidism'],
  ['396331005', 'Coeliac disease'],
  ['4855003', 'Diabetic retinopathy'],
  ['230572002', 'Diabetic peripheral neuropathy'],
  ['55822004', 'Hyperlipidaemia'],
  ['195967001', 'Asthma'],
  ['35489007', 'Depressive disorder'],
  ['420422005', 'Diabetic ketoacidosis'],
  ['444814009', 'Viral sinusitis'],
] as const;

/** Observations the importer never asks for (its searches name HbA1c and hypoglycaemia codes). */
const OTHER_OBSERVATIONS = [
  ['2339-0', 'Glucose [Mass/volume] in Blood', 'mg/dL', 80, 250],
  ['39156-5', 'Body mass index', 'kg/m2', 19, 34],
  ['8480-6', 'Systolic blood pressure', 'mm[Hg]', 105, 160],
  ['2160-0', 'Creatinine [Mass/volume] in Serum or Plasma', 'mg/dL', 0.6, 1.4],
  ['14959-1', 'Microalbumin/Creatinine [Mass Ratio] in Urine', 'mg/g', 5, 60],
] as const;

export interface LongRecord {
  resources: DemoResource[];
  patientId: string;
  nhsNumber: string;
  /** Resources about this patient, the Patient included. */
  size: number;
  /** What a correct import keeps. */
  expected: { hba1c: number; hypoglycaemia: number };
}

/**
 * A type 1 patient with `years` of history, about 400 resources: an HbA1c every three months or so in mixed
 * LOINC codes and units (IFCC mmol/mol mostly, DCCT % from the early years, and a few entered in error), ten
 * years of problem-list and encounter diagnoses, routine observations, and hypoglycaemia recorded both as
 * Conditions and as Observations.
 */
export function longRecord(options: { seed: number; today: string; years: number; organizationId: string }): LongRecord {
  const rng = createPrng(options.seed).fork('bench:long-record');
  const { today, years } = options;
  const id = 'bench-long-record';
  const nhsNumber = nhsNumberSource(rng.uint32()).next();
  const subject = { reference: `Patient/${id}` };
  const meta = { versionId: '1', lastUpdated: `${today}T06:00:00Z` };
  const firstDay = addDays(today, -Math.round(years * 365.25));
  const resources: DemoResource[] = [
    {
      resourceType: 'Patient',
      id,
      meta,
      identifier: [{ system: SYSTEMS.nhsNumber, value: nhsNumber }],
      active: true,
      name: [{ use: 'official', family: 'Longrecord', given: ['Bench'] }],
      gender: 'female',
      birthDate: '1984-03-09',
      managingOrganization: { reference: `Organization/${options.organizationId}` },
    },
  ];
  let n = 0;
  const push = (resource: { resourceType: string } & Record<string, unknown>) => resources.push({ ...resource, id: `${id}-${++n}`, meta });
  const condition = (code: { coding: unknown[]; text: string }, onset: string, status = 'active', verification = 'confirmed') =>
    push({ resourceType: 'Condition', clinicalStatus: CLINICAL(status), verificationStatus: VERIFICATION(verification), code, subject, onsetDateTime: onset, recordedDate: onset });

  condition(snomed(DIABETES_CODES.type1[0], 'Diabetes mellitus type 1'), addDays(firstDay, -400));

  const expected = { hba1c: 0, hypoglycaemia: 0 };
  for (let day = addDays(firstDay, rng.int(0, 30)); day < today; day = addDays(day, rng.int(80, 100))) {
    const level = Math.round(rng.normal(68, 7));
    const early = day < addDays(firstDay, 3 * 365);
    const [code, display, unit, value] = early
      ? rng.chance(0.5)
        ? (['4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood', '%', mmolMolToPercent(level)] as const)
        : (['17856-6', 'Hemoglobin A1c/Hemoglobin.total in Blood by HPLC', '%', mmolMolToPercent(level)] as const)
      : (['59261-8', 'Hemoglobin A1c/Hemoglobin.total in Blood by IFCC protocol', 'mmol/mol', level] as const);
    const enteredInError = rng.chance(0.05);
    push({
      resourceType: 'Observation',
      status: enteredInError ? 'entered-in-error' : 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
      code: loinc(code, display),
      subject,
      effectiveDateTime: at(day, rng),
      valueQuantity: { value, unit, system: SYSTEMS.ucum, code: unit },
    });
    if (!enteredInError) expected.hba1c++;

    // Each clinic visit brings routine observations and, often, encounter diagnoses.
    for (const [obsCode, obsDisplay, obsUnit, low, high] of OTHER_OBSERVATIONS) {
      push({
        resourceType: 'Observation',
        status: 'final',
        code: loinc(obsCode, obsDisplay),
        subject,
        effectiveDateTime: at(day, rng),
        valueQuantity: { value: Math.round((low + rng.next() * (high - low)) * 10) / 10, unit: obsUnit, system: SYSTEMS.ucum, code: obsUnit },
      });
    }
    for (let k = rng.int(2, 5); k > 0; k--) {
      const [problemCode, problemDisplay] = rng.pick(OTHER_PROBLEMS);
      condition(snomed(problemCode, problemDisplay), at(day, rng), rng.chance(0.6) ? 'resolved' : 'active');
    }
    if (rng.chance(0.45)) {
      const when = `${addDays(day, rng.int(1, 60))}T03:${String(rng.int(0, 59)).padStart(2, '0')}:00Z`;
      if (rng.chance(0.5)) condition(snomed(HYPOGLYCAEMIA_CODES[1], 'Hypoglycaemia due to diabetes mellitus'), when, 'resolved');
      else push({ resourceType: 'Observation', status: 'final', code: snomed(HYPOGLYCAEMIA_CODES[2], 'Hypoglycaemic event due to diabetes mellitus'), subject, effectiveDateTime: when });
      expected.hypoglycaemia++;
    }
  }
  return { resources, patientId: id, nhsNumber, size: resources.length, expected };
}

export interface SyncPopulation {
  resources: DemoResource[];
  /** The site whose population is counted, and the answer a correct count gives. */
  odsCode: string;
  expectedCount: number;
  patients: number;
}

/**
 * `type1` living patients with an active type 1 Condition managed by the counted site's organisation, and the
 * noise a real server holds beside them: type 2 patients at the same site, type 1 patients at two other
 * sites, and at the counted site deceased and inactive records, resolved and mistaken type 1 diagnoses, and
 * some patients with the diagnosis recorded twice. Only the resources the count reads (Organization, Patient,
 * Condition), so that loading them stays quick.
 */
export function syncPopulation(options: { seed: number; type1: number }): SyncPopulation {
  const rng = createPrng(options.seed).fork('bench:sync-population');
  const numbers = nhsNumberSource(rng.uint32());
  const meta = { versionId: '1', lastUpdated: '2026-01-01T06:00:00Z' };
  const sitesOds = ['BEN01', 'BEN02', 'BEN03'];
  const resources: DemoResource[] = sitesOds.map((ods) => ({
    resourceType: 'Organization',
    id: `org-${ods}`,
    meta,
    identifier: [{ system: SYSTEMS.odsOrganisation, value: ods }],
    active: true,
    name: `Diabetes service ${ods}`,
  }));
  const scale = options.type1 / 10_000;
  const groups: { label: string; ods: string; count: number; patient?: Record<string, unknown>; code: string; clinical?: string; verification?: string; counts: boolean }[] = [
    { label: 't1', ods: 'BEN01', count: options.type1, code: DIABETES_CODES.type1[0], counts: true },
    { label: 't2', ods: 'BEN01', count: Math.round(1500 * scale), code: DIABETES_CODES.type2[0], counts: false },
    { label: 'other-site-a', ods: 'BEN02', count: Math.round(1500 * scale), code: DIABETES_CODES.type1[0], counts: false },
    { label: 'other-site-b', ods: 'BEN03', count: Math.round(1000 * scale), code: DIABETES_CODES.type1[1], counts: false },
    { label: 'deceased', ods: 'BEN01', count: Math.round(200 * scale), patient: { deceasedDateTime: '2025-06-01T12:00:00Z' }, code: DIABETES_CODES.type1[0], counts: false },
    { label: 'inactive', ods: 'BEN01', count: Math.round(100 * scale), patient: { active: false }, code: DIABETES_CODES.type1[0], counts: false },
    { label: 'resolved', ods: 'BEN01', count: Math.round(150 * scale), code: DIABETES_CODES.type1[0], clinical: 'resolved', counts: false },
    { label: 'mistaken', ods: 'BEN01', count: Math.round(150 * scale), code: DIABETES_CODES.type1[0], verification: 'entered-in-error', counts: false },
  ];
  let expectedCount = 0;
  let patients = 0;
  for (const group of groups) {
    for (let i = 0; i < group.count; i++) {
      const id = `${group.label}-${i}`;
      const female = rng.chance(0.5);
      resources.push({
        resourceType: 'Patient',
        id,
        meta,
        identifier: [{ system: SYSTEMS.nhsNumber, value: numbers.next() }],
        active: true,
        name: [{ use: 'official', family: `Patient${i}`, given: [female ? 'Alex' : 'Sam'] }],
        gender: female ? 'female' : 'male',
        birthDate: addDays('2020-01-01', -rng.int(365 * 4, 365 * 80)),
        managingOrganization: { reference: `Organization/org-${group.ods}` },
        ...group.patient,
      });
      const diagnoses = group.counts && rng.chance(0.08) ? 2 : 1;
      for (let d = 0; d < diagnoses; d++) {
        resources.push({
          resourceType: 'Condition',
          id: `${id}-dm-${d}`,
          meta,
          clinicalStatus: CLINICAL(group.clinical ?? 'active'),
          verificationStatus: VERIFICATION(group.verification ?? 'confirmed'),
          code: snomed(group.code, group.code === DIABETES_CODES.type2[0] ? 'Diabetes mellitus type 2' : 'Diabetes mellitus type 1'),
          subject: { reference: `Patient/${id}` },
          onsetDateTime: addDays('2020-01-01', -rng.int(100, 365 * 30)),
        });
      }
      patients++;
      if (group.counts) expectedCount++;
    }
  }
  return { resources, odsCode: 'BEN01', expectedCount, patients };
}
