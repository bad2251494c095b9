import type { FieldError } from './errors';
import type { FundingKind } from './vocabulary';

/**
 * What an existing-therapy record says about when therapy began (api.md, "Existing therapy"): the start date
 * when known, else its year when only that is known, else nothing; and the date the service knew the person to be
 * on it, which the record's figures and the events after it are dated from.
 */
export interface ExistingStart {
  startedOn?: string;
  startedYear?: number;
  knownOn: string;
}

/**
 * Every way the dates of an existing-therapy record cannot be right, all at once, by field. Validated dates in
 * YYYY-MM-DD compare as strings. `today` is the service's calendar date; `birthDate` the patient's.
 */
export function existingStartErrors({ startedOn, startedYear, knownOn }: ExistingStart, { today, birthDate }: { today: string; birthDate: string }): FieldError[] {
  const errors: FieldError[] = [];
  if (knownOn > today) errors.push({ path: 'knownOn', message: 'The date known to be on therapy cannot be in the future' });
  else if (knownOn < birthDate) errors.push({ path: 'knownOn', message: 'The date known to be on therapy cannot be before the date of birth' });
  if (startedOn !== undefined) {
    if (startedOn < birthDate) errors.push({ path: 'startedOn', message: 'The start cannot be before the date of birth' });
    else if (startedOn > knownOn) errors.push({ path: 'startedOn', message: 'The start cannot be after the date known to be on therapy' });
  }
  if (startedYear !== undefined) {
    if (startedOn !== undefined && Number(startedOn.slice(0, 4)) !== startedYear) {
      errors.push({ path: 'startedYear', message: `The year started (${startedYear}) does not agree with the start date (${startedOn})` });
    } else if (startedYear > Number(knownOn.slice(0, 4))) {
      errors.push({ path: 'startedYear', message: 'The year started cannot be after the date known to be on therapy' });
    } else if (startedYear < Number(birthDate.slice(0, 4))) {
      errors.push({ path: 'startedYear', message: 'The year started cannot be before the year of birth' });
    }
  }
  return errors;
}

/** The date the record counts as on therapy from (domain.md, `onTherapy`): the start when known, else knownOn. */
export const onTherapyFrom = ({ startedOn, knownOn }: ExistingStart): string => startedOn ?? knownOn;

/** The start's year when anything says it: from the date, else the year given; null when the start is unknown. */
export const startYear = ({ startedOn, startedYear }: Pick<ExistingStart, 'startedOn' | 'startedYear'>): number | null =>
  startedOn !== undefined ? Number(startedOn.slice(0, 4)) : (startedYear ?? null);

/**
 * What an existing_therapy event records (api.md, "Existing therapy"): the start, the devices and the funding. A
 * type, not an interface, so that it is a plain record of fields where events' payloads are.
 */
export type ExistingTherapyPayload = {
  startedOn?: string;
  startedYear?: number;
  knownOn: string;
  pump: string;
  cgm?: string;
  algorithm?: string;
  funding: FundingKind;
};

/**
 * The event's payload from what a request or an import row carried: only the record's own fields, in one order,
 * absent ones left out. The patient and the origin belong to the record, not to its first event.
 */
export function existingTherapyPayload(input: ExistingTherapyPayload): ExistingTherapyPayload {
  const { startedOn, startedYear, knownOn, pump, cgm, algorithm, funding } = input;
  return {
    ...(startedOn !== undefined ? { startedOn } : {}),
    ...(startedYear !== undefined ? { startedYear } : {}),
    knownOn,
    pump,
    ...(cgm !== undefined ? { cgm } : {}),
    ...(algorithm !== undefined ? { algorithm } : {}),
    funding,
  };
}
