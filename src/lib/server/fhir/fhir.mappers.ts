import { instantOf } from '../../domain/calendar-date';
import type { DiabetesType } from '../../domain/eligibility';
import { toMmolMol, type Hba1cUnit } from '../../domain/hba1c';
import { isValidNhsNumber } from '../../domain/nhs-number';
import { normalisePostcode } from '../../domain/postcode';
import { ETHNIC_CATEGORIES, type EthnicCategory } from '../../domain/vocabulary';
import {
  ACTIVE_CLINICAL_STATUSES,
  DIABETES_CODES,
  DISCARDED_VERIFICATION_STATUSES,
  HBA1C_LOINC,
  HYPOGLYCAEMIA_CODES,
  SYSTEMS,
  UNUSABLE_OBSERVATION_STATUSES,
} from './codes';
import type { FhirCodeableConcept, FhirCondition, FhirObservation, FhirPatient } from './fhir.schemas';

/**
 * FHIR resources (already checked by fhir.schemas.ts) to the values Pump Pathway keeps. Pure: no clock, no
 * I/O; the server and the fetch time come in as `source`. Every value carries where it came from, and every
 * relevant resource that could not be used is reported as skipped with its reason, never silently dropped.
 */

export interface FetchSource {
  /** The FHIR base URL. */
  server: string;
  fetchedAt: Date;
}

export interface Provenance {
  server: string;
  resourceType: string;
  resourceId: string;
  versionId: string | null;
  lastUpdated: string | null;
  fetchedAt: Date;
}

export type SkipReason = 'status' | 'no-value' | 'unit' | 'no-date' | 'entered-in-error';

export interface Skipped {
  resourceType: string;
  resourceId: string;
  reason: SkipReason;
}

export interface MappedPatient {
  nhsNumber: string | null;
  givenName: string;
  familyName: string;
  /** Null when the record has none or only a year or month: the caller decides (the database needs a day). */
  birthDate: string | null;
  sex: 'male' | 'female' | 'other' | 'unknown';
  /** From the UK Core ethnic category extension; null when absent or not one of the NHS letters. */
  ethnicCategory: EthnicCategory | null;
  /** The home (else current) address's UK postcode; null when there is none or it is not a UK postcode. */
  postcode: string | null;
  fhirId: string;
  version: string | null;
  lastUpdated: string | null;
}

export interface MappedHba1c {
  /** As the source gave it: a date or a date-time with its own offset. */
  effective: string;
  effectiveAt: Date;
  mmolMol: number;
  original: { value: number; unit: Hba1cUnit };
  loincCode: string;
  provenance: Provenance;
}

export type ConditionKind = 'diabetes_type1' | 'diabetes_type2' | 'diabetes_other' | 'hypoglycaemia';

export interface MappedCondition {
  kind: ConditionKind;
  system: string;
  code: string;
  display: string | null;
  /** The clinical status code as given (null when the record has none). */
  clinicalStatus: string | null;
  /** Current: an active-like clinical status, or none given (diabetes does not go away by omission). */
  active: boolean;
  onset: string | null;
  provenance: Provenance;
}

export interface MappedHypoglycaemia {
  effective: string;
  effectiveAt: Date;
  description: string;
  provenance: Provenance;
}

export const FULL_DATE = /^\d{4}-\d{2}-\d{2}$/;

function provenanceOf(resource: { resourceType: string; id: string; meta?: { versionId?: string; lastUpdated?: string } }, source: FetchSource): Provenance {
  return {
    server: source.server,
    resourceType: resource.resourceType,
    resourceId: resource.id,
    versionId: resource.meta?.versionId ?? null,
    lastUpdated: resource.meta?.lastUpdated ?? null,
    fetchedAt: source.fetchedAt,
  };
}

function firstCoding(concept: FhirCodeableConcept | undefined, system: string, codes: ReadonlySet<string>) {
  return concept?.coding?.find((c) => c.system === system && c.code !== undefined && codes.has(c.code));
}

function displayOf(concept: FhirCodeableConcept | undefined, coding: { display?: string } | undefined): string | null {
  return coding?.display ?? concept?.text ?? null;
}

// ---------------------------------------------------------------- Patient

const NAME_USE_ORDER = ['official', 'usual', undefined, 'temp', 'nickname', 'anonymous', 'maiden', 'old'];

/** The NHS number from the UK Core identifier, if valid; an invalid one is ignored rather than trusted. */
export function nhsNumberOf(patient: Pick<FhirPatient, 'identifier'>): string | null {
  for (const identifier of patient.identifier ?? []) {
    if (identifier.system !== SYSTEMS.nhsNumber || identifier.use === 'old') continue;
    const digits = identifier.value?.replace(/\s/g, '') ?? '';
    if (isValidNhsNumber(digits)) return digits;
  }
  return null;
}

export function mapPatient(patient: FhirPatient): MappedPatient {
  const names = [...(patient.name ?? [])].sort((a, b) => NAME_USE_ORDER.indexOf(a.use) - NAME_USE_ORDER.indexOf(b.use));
  const name = names[0];
  const given = (name?.given ?? []).join(' ').trim();
  const family = name?.family?.trim() ?? '';
  return {
    nhsNumber: nhsNumberOf(patient),
    givenName: given,
    // A name given only as text is kept whole rather than split by guesswork.
    familyName: family || (given ? '' : (name?.text?.trim() ?? '')),
    birthDate: patient.birthDate && FULL_DATE.test(patient.birthDate) ? patient.birthDate : null,
    sex: patient.gender ?? 'unknown',
    ethnicCategory: ethnicCategoryOf(patient),
    postcode: postcodeOf(patient),
    fhirId: patient.id,
    version: patient.meta?.versionId ?? null,
    lastUpdated: patient.meta?.lastUpdated ?? null,
  };
}

/** UK Core's extension for the NHS ethnic category, whose coding's code is the letter (domain.md, "Equity"). */
export function ethnicCategoryOf(patient: Pick<FhirPatient, 'extension'>): EthnicCategory | null {
  const extension = patient.extension?.find((e) => e.url.endsWith('Extension-UKCore-EthnicCategory'));
  const letters = (extension?.valueCodeableConcept?.coding ?? []).map((c) => c.code);
  return ETHNIC_CATEGORIES.find((letter) => letters.includes(letter)) ?? null;
}

/** An old, billing or temporary address, or one whose period has ended, is not where the person lives. */
const NOT_LIVED_AT = new Set(['old', 'billing', 'temp']);

export function postcodeOf(patient: Pick<FhirPatient, 'address'>): string | null {
  const current = (patient.address ?? []).filter((a) => !NOT_LIVED_AT.has(a.use ?? '') && a.period?.end === undefined);
  const ordered = [...current.filter((a) => a.use === 'home'), ...current.filter((a) => a.use !== 'home')];
  for (const address of ordered) {
    const postcode = address.postalCode === undefined ? null : normalisePostcode(address.postalCode);
    if (postcode) return postcode;
  }
  return null;
}

// ---------------------------------------------------------------- HbA1c

const HBA1C_CODES: ReadonlySet<string> = new Set(Object.keys(HBA1C_LOINC));

/**
 * The quantity's unit: the UCUM code when there is one (machine-readable), else the human-readable unit.
 * The LOINC code is not used to guess a missing unit: a result in the wrong unit is worse than none.
 */
export function hba1cUnitOf(quantity: NonNullable<FhirObservation['valueQuantity']>): Hba1cUnit | null {
  const ucum = quantity.system === undefined || quantity.system === SYSTEMS.ucum ? quantity.code : undefined;
  for (const candidate of [ucum, quantity.unit]) {
    const unit = candidate?.trim().toLowerCase();
    if (unit === '%') return '%';
    if (unit === 'mmol/mol') return 'mmol/mol';
    if (unit !== undefined && candidate === ucum) return null; // a UCUM code we do not know: do not fall back
  }
  return null;
}

function effectiveOf(observation: FhirObservation): string | undefined {
  return observation.effectiveDateTime ?? observation.effectiveInstant ?? observation.effectivePeriod?.start;
}

export function mapHba1cObservations(
  observations: readonly FhirObservation[],
  source: FetchSource,
): { results: MappedHba1c[]; skipped: Skipped[] } {
  const results: MappedHba1c[] = [];
  const skipped: Skipped[] = [];
  for (const observation of observations) {
    const coding = firstCoding(observation.code, SYSTEMS.loinc, HBA1C_CODES);
    if (!coding?.code) continue; // not an HbA1c: not ours to report
    const skip = (reason: SkipReason) => skipped.push({ resourceType: 'Observation', resourceId: observation.id, reason });
    if (UNUSABLE_OBSERVATION_STATUSES.has(observation.status)) {
      skip('status');
      continue;
    }
    const value = observation.valueQuantity?.value;
    if (value === undefined || !Number.isFinite(value) || value <= 0) {
      skip('no-value');
      continue;
    }
    const unit = hba1cUnitOf(observation.valueQuantity!);
    if (unit === null) {
      skip('unit');
      continue;
    }
    const effective = effectiveOf(observation);
    const effectiveAt = instantOf(effective);
    if (effective === undefined || effectiveAt === null) {
      skip('no-date');
      continue;
    }
    const converted = toMmolMol({ value, unit });
    results.push({
      effective,
      effectiveAt,
      mmolMol: converted.mmolMol,
      original: { value: converted.original.value, unit: converted.original.unit },
      loincCode: coding.code,
      provenance: provenanceOf(observation, source),
    });
  }
  return { results, skipped };
}

// ---------------------------------------------------------------- Conditions

const KIND_CODES: readonly [ConditionKind, ReadonlySet<string>][] = [
  ['diabetes_type1', new Set(DIABETES_CODES.type1)],
  ['diabetes_type2', new Set(DIABETES_CODES.type2)],
  ['diabetes_other', new Set([...DIABETES_CODES.other, ...DIABETES_CODES.unspecified])],
  ['hypoglycaemia', new Set(HYPOGLYCAEMIA_CODES)],
];
const OTHER_TYPE_CODES: ReadonlySet<string> = new Set(DIABETES_CODES.other);

const statusCode = (concept: FhirCodeableConcept | undefined) => concept?.coding?.find((c) => c.code !== undefined)?.code ?? null;

/** The diabetes and hypoglycaemia Conditions (others are not ours to keep); refuted or mistaken ones skipped. */
export function mapConditions(conditions: readonly FhirCondition[], source: FetchSource): { conditions: MappedCondition[]; skipped: Skipped[] } {
  const mapped: MappedCondition[] = [];
  const skipped: Skipped[] = [];
  for (const condition of conditions) {
    // The first kind (in KIND_CODES order) any SNOMED coding matches: a type 1 code outranks the rest.
    let match: { kind: ConditionKind; code: string; display: string | null } | null = null;
    for (const [kind, codes] of KIND_CODES) {
      const coding = firstCoding(condition.code, SYSTEMS.snomed, codes);
      if (coding?.code) {
        match = { kind, code: coding.code, display: displayOf(condition.code, coding) };
        break;
      }
    }
    if (!match) continue;
    const verification = statusCode(condition.verificationStatus);
    if (verification !== null && DISCARDED_VERIFICATION_STATUSES.has(verification)) {
      skipped.push({ resourceType: 'Condition', resourceId: condition.id, reason: 'entered-in-error' });
      continue;
    }
    const clinicalStatus = statusCode(condition.clinicalStatus);
    // Properties listed rather than spread from `match`: V8 builds the spread-then-extend literal many times
    // slower, and a population count maps tens of thousands of Conditions.
    mapped.push({
      kind: match.kind,
      code: match.code,
      display: match.display,
      system: SYSTEMS.snomed,
      clinicalStatus,
      active: clinicalStatus === null || ACTIVE_CLINICAL_STATUSES.has(clinicalStatus),
      onset: condition.onsetDateTime ?? condition.onsetPeriod?.start ?? null,
      provenance: provenanceOf(condition, source),
    });
  }
  return { conditions: mapped, skipped };
}

/**
 * The type the active diagnoses establish. An active type 1 code wins over an active type 2 one: a person
 * coded with both is far more often a type 1 patient with a stray code than the reverse, and calling them
 * type 2 would exclude them from pumps under TA151-1.5 before a consultant ever looks (who still decides).
 * "Diabetes mellitus" with no type leaves the type unknown.
 */
export function diabetesTypeOf(conditions: readonly MappedCondition[]): DiabetesType {
  const active = conditions.filter((c) => c.active);
  if (active.some((c) => c.kind === 'diabetes_type1')) return 'type1';
  if (active.some((c) => c.kind === 'diabetes_type2')) return 'type2';
  if (active.some((c) => c.kind === 'diabetes_other' && OTHER_TYPE_CODES.has(c.code))) return 'other';
  return 'unknown';
}

// ---------------------------------------------------------------- Hypoglycaemia

const HYPO_CODES: ReadonlySet<string> = new Set(HYPOGLYCAEMIA_CODES);

/**
 * Hypoglycaemia episodes: each hypoglycaemia Condition (dated by onset, else when recorded) and each
 * Observation coded as one (dated by its effective time, else when issued).
 */
export function mapHypoglycaemia(
  conditions: readonly FhirCondition[],
  observations: readonly FhirObservation[],
  source: FetchSource,
): { events: MappedHypoglycaemia[]; skipped: Skipped[] } {
  const events: MappedHypoglycaemia[] = [];
  const skipped: Skipped[] = [];
  const add = (
    resource: FhirCondition | FhirObservation,
    concept: FhirCodeableConcept | undefined,
    effective: string | undefined,
  ) => {
    const coding = firstCoding(concept, SYSTEMS.snomed, HYPO_CODES);
    if (!coding) return false;
    const effectiveAt = instantOf(effective);
    if (effective === undefined || effectiveAt === null) {
      skipped.push({ resourceType: resource.resourceType, resourceId: resource.id, reason: 'no-date' });
      return true;
    }
    events.push({ effective, effectiveAt, description: displayOf(concept, coding) ?? 'Hypoglycaemia', provenance: provenanceOf(resource, source) });
    return true;
  };

  for (const condition of conditions) {
    if (!firstCoding(condition.code, SYSTEMS.snomed, HYPO_CODES)) continue;
    const verification = statusCode(condition.verificationStatus);
    if (verification !== null && DISCARDED_VERIFICATION_STATUSES.has(verification)) {
      skipped.push({ resourceType: 'Condition', resourceId: condition.id, reason: 'entered-in-error' });
      continue;
    }
    add(condition, condition.code, condition.onsetDateTime ?? condition.onsetPeriod?.start ?? condition.recordedDate);
  }
  for (const observation of observations) {
    const coded = firstCoding(observation.code, SYSTEMS.snomed, HYPO_CODES) ? observation.code : observation.valueCodeableConcept;
    if (!firstCoding(coded, SYSTEMS.snomed, HYPO_CODES)) continue;
    if (UNUSABLE_OBSERVATION_STATUSES.has(observation.status)) {
      skipped.push({ resourceType: 'Observation', resourceId: observation.id, reason: 'status' });
      continue;
    }
    add(observation, coded, effectiveOf(observation) ?? observation.issued);
  }
  return { events, skipped };
}
