import type { DiabetesType } from '../../domain/eligibility';
import { notFound, upstreamFailed } from '../../domain/errors';
import { formatNhsNumber } from '../../domain/nhs-number';
import { HBA1C_CODE_SEARCH, HYPOGLYCAEMIA_CODE_SEARCH, SYSTEMS } from './codes';
import type { FhirClient } from './fhir.client';
import {
  diabetesTypeOf,
  mapConditions,
  mapHba1cObservations,
  mapHypoglycaemia,
  mapPatient,
  type MappedCondition,
  type MappedHba1c,
  type MappedHypoglycaemia,
  type MappedPatient,
  type Skipped,
} from './fhir.mappers';
import { fhirCondition, fhirObservation, fhirPatient } from './fhir.schemas';

/**
 * The network half of an import: everything about one patient, read from the FHIR server and mapped, before
 * a single row is written. Whatever the server answers is checked against what was asked for, because a
 * server that ignores a search parameter answers with someone else's record rather than an error.
 */

export type PatientLookup = { nhsNumber: string } | { fhirId: string };

export interface PatientRecord {
  server: string;
  patient: MappedPatient & { birthDate: string };
  diabetesType: DiabetesType;
  hba1c: MappedHba1c[];
  conditions: MappedCondition[];
  hypoglycaemia: MappedHypoglycaemia[];
  skipped: Skipped[];
  fetchedAt: Date;
}

/** The id a Patient reference points at, relative (Patient/1) or absolute, with or without a version. */
export function patientIdOf(reference: string | undefined): string | null {
  const match = /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference ?? '');
  return match?.[1] ?? null;
}

async function findPatient(client: FhirClient, lookup: PatientLookup) {
  if ('fhirId' in lookup) {
    return client.read('Patient', lookup.fhirId, fhirPatient, `The FHIR server has no patient with id ${lookup.fhirId}`);
  }
  const found = await client.searchAll('Patient', { identifier: `${SYSTEMS.nhsNumber}|${lookup.nhsNumber}` }, fhirPatient);
  if (found.length === 0) throw notFound(`The FHIR server has no patient with NHS number ${formatNhsNumber(lookup.nhsNumber)}`);
  if (found.length > 1) throw upstreamFailed(`The FHIR server has ${found.length} patients with this NHS number: it must be resolved there first`);
  const patient = found[0]!;
  if (mapPatient(patient).nhsNumber !== lookup.nhsNumber) {
    throw upstreamFailed('The FHIR server answered the NHS number search with a patient who does not carry that NHS number');
  }
  return patient;
}

export async function fetchPatientRecord(client: FhirClient, lookup: PatientLookup, now: () => Date): Promise<PatientRecord> {
  const { fhirVersion } = await client.capabilities();
  if (!fhirVersion.startsWith('4.')) throw upstreamFailed(`The FHIR server speaks FHIR ${fhirVersion}; Pump Pathway reads FHIR R4`);

  const fhirPatientResource = await findPatient(client, lookup);
  const patient = mapPatient(fhirPatientResource);
  if (patient.birthDate === null) throw upstreamFailed('The FHIR patient record has no full date of birth, which Pump Pathway needs');

  const subject = `Patient/${patient.fhirId}`;
  // The three searches run together; when one fails the others are abandoned rather than left running.
  const abandon = new AbortController();
  const search = <S extends Parameters<FhirClient['searchAll']>[2]>(type: string, params: Record<string, string>, schema: S) =>
    client.searchAll(type, params, schema, { signal: abandon.signal }).catch((e: unknown) => {
      abandon.abort(e);
      throw e;
    });
  const [hba1cObservations, conditions, hypoObservations] = await Promise.all([
    search('Observation', { patient: subject, code: HBA1C_CODE_SEARCH }, fhirObservation),
    search('Condition', { patient: subject }, fhirCondition),
    search('Observation', { patient: subject, code: HYPOGLYCAEMIA_CODE_SEARCH }, fhirObservation),
  ]);
  for (const resource of [...hba1cObservations, ...conditions, ...hypoObservations]) {
    if (patientIdOf(resource.subject?.reference) !== patient.fhirId) {
      throw upstreamFailed(`The FHIR server answered a search for this patient with another patient's ${resource.resourceType}`);
    }
  }

  const source = { server: client.serverId, fetchedAt: now() };
  const hba1c = mapHba1cObservations(hba1cObservations, source);
  const mappedConditions = mapConditions(conditions, source);
  const hypoglycaemia = mapHypoglycaemia(conditions, hypoObservations, source);
  return {
    server: client.serverId,
    patient: { ...patient, birthDate: patient.birthDate },
    diabetesType: diabetesTypeOf(mappedConditions.conditions),
    hba1c: hba1c.results,
    conditions: mappedConditions.conditions,
    hypoglycaemia: hypoglycaemia.events,
    // A mistaken hypoglycaemia Condition is reported by both mappers: once is enough.
    skipped: [...new Map([...hba1c.skipped, ...mappedConditions.skipped, ...hypoglycaemia.skipped].map((s) => [`${s.resourceType}/${s.resourceId}`, s])).values()],
    fetchedAt: source.fetchedAt,
  };
}
