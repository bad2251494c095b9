import type { DiabetesType } from '../../domain/eligibility';
import type { Hba1cUnit } from '../../domain/hba1c';
import type { MappedPatient } from './fhir.mappers';
import type { PatientRecord } from './import.fetch';

/**
 * What an import would bring in, shown to the nurse before anything is written: the record as the importer
 * maps it (the same fetch and mapping, so the summary cannot promise what the import would not do), reduced
 * to what a person checks to be sure it is the right patient.
 */

export type LocalMatch =
  /** Not in Pump Pathway yet: the import registers them. */
  | { state: 'new' }
  /** Already registered at the chosen site: the import refreshes them. */
  | { state: 'registered'; patientId: string }
  /** The import would be refused (409), for this reason. */
  | { state: 'refused'; reason: string };

export interface ImportPreview {
  /** The FHIR server's base URL, as configured. */
  serverUrl: string;
  patient: Pick<MappedPatient, 'fhirId' | 'nhsNumber' | 'givenName' | 'familyName' | 'sex'> & { birthDate: string };
  diabetesType: DiabetesType;
  hba1c: {
    count: number;
    latest: { effective: string; value: number; unit: Hba1cUnit; mmolMol: number } | null;
  };
  /** Newest first. */
  hypoglycaemia: { effective: string; description: string }[];
  /** Relevant resources the import would leave out (entered in error, no value, unknown unit...). */
  skipped: number;
  local: LocalMatch;
}

const newestFirst = <T extends { effectiveAt: Date }>(items: readonly T[]) => [...items].sort((a, b) => b.effectiveAt.getTime() - a.effectiveAt.getTime());

export function previewOf(record: PatientRecord, serverUrl: string, local: LocalMatch): ImportPreview {
  const { fhirId, nhsNumber, givenName, familyName, sex, birthDate } = record.patient;
  const latest = newestFirst(record.hba1c)[0];
  return {
    serverUrl,
    patient: { fhirId, nhsNumber, givenName, familyName, sex, birthDate },
    diabetesType: record.diabetesType,
    hba1c: {
      count: record.hba1c.length,
      latest: latest ? { effective: latest.effective, value: latest.original.value, unit: latest.original.unit, mmolMol: latest.mmolMol } : null,
    },
    hypoglycaemia: newestFirst(record.hypoglycaemia).map(({ effective, description }) => ({ effective, description })),
    skipped: record.skipped.length,
    local,
  };
}
