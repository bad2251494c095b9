/**
 * The code systems, codes and identifier systems the FHIR integration reads. They are reference data, kept in
 * one place (code sets are configuration, not literals scattered in code; docs/eligibility.md, "Codes", lists them): a service that codes
 * type 1 diabetes with a further SNOMED CT descendant adds it here, and the mappers, the import and the
 * population count all follow.
 */

export const SYSTEMS = {
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
  ucum: 'http://unitsofmeasure.org',
  nhsNumber: 'https://fhir.nhs.uk/Id/nhs-number',
  odsOrganisation: 'https://fhir.nhs.uk/Id/ods-organization-code',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
} as const;

/** LOINC HbA1c codes and the unit each reports in (the quantity's own unit still decides the conversion). */
export const HBA1C_LOINC: Readonly<Record<string, '%' | 'mmol/mol'>> = {
  '4548-4': '%', // Hemoglobin A1c/Hemoglobin.total in Blood
  '17856-6': '%', // ... by HPLC
  '59261-8': 'mmol/mol', // ... by IFCC protocol: the UK unit
};

/**
 * SNOMED CT diabetes codes by the type they establish. Only the parent codes and a few
 * descendants whose meaning is certain; a local terminology server's descendants can be added per site.
 */
export const DIABETES_CODES = {
  type1: [
    '46635009', // Diabetes mellitus type 1
    '313435000', // Type 1 diabetes mellitus without complication
  ],
  type2: [
    '44054006', // Diabetes mellitus type 2 (Synthea writes this one)
    '313436004', // Type 2 diabetes mellitus without complication
    '237599002', // Insulin treated type 2 diabetes mellitus
  ],
  other: [
    '11687002', // Gestational diabetes mellitus
    '8801005', // Secondary diabetes mellitus
  ],
  /**
   * "Diabetes mellitus" with no type: kept as a condition (kind diabetes_other) but it says nothing about the
   * type, so on its own it leaves the patient's type unknown rather than "other".
   */
  unspecified: [
    '73211009', // Diabetes mellitus
  ],
} as const satisfies Record<string, readonly string[]>;

export const HYPOGLYCAEMIA_CODES = [
  '302866003', // Hypoglycaemia
  '237633009', // Hypoglycaemia due to diabetes mellitus
  '237632004', // Hypoglycaemic event due to diabetes mellitus
] as const;

/** Observation statuses whose result must never be used (the others, preliminary included, are kept). */
export const UNUSABLE_OBSERVATION_STATUSES: ReadonlySet<string> = new Set(['entered-in-error', 'cancelled']);

/** Condition clinical statuses that mean the condition is current. */
export const ACTIVE_CLINICAL_STATUSES: ReadonlySet<string> = new Set(['active', 'recurrence', 'relapse']);

/** Condition verification statuses that mean the diagnosis must be ignored. */
export const DISCARDED_VERIFICATION_STATUSES: ReadonlySet<string> = new Set(['entered-in-error', 'refuted']);

/** `system|code` search tokens, comma-joined, for a FHIR token search over several codes (an OR). */
export function tokenList(system: string, codes: readonly string[]): string {
  return codes.map((code) => `${system}|${code}`).join(',');
}

export const HBA1C_CODE_SEARCH = tokenList(SYSTEMS.loinc, Object.keys(HBA1C_LOINC));
export const HYPOGLYCAEMIA_CODE_SEARCH = tokenList(SYSTEMS.snomed, HYPOGLYCAEMIA_CODES);
export const TYPE1_CODE_SEARCH = tokenList(SYSTEMS.snomed, DIABETES_CODES.type1);
export const ACTIVE_CLINICAL_STATUS_SEARCH = [...ACTIVE_CLINICAL_STATUSES].join(',');
