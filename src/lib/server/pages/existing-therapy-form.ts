import { existingStartErrors } from '../../domain/existing-therapy';
import { isoDate } from '../../schemas/common.schema';
import type { FieldErrors } from './forms';

/**
 * The patient page's "Record a therapy already in use" form and the API's existing-therapy body. The page also has
 * a referral form with its own therapy radios, so this form's are named `existingTherapy`: field ids, and the error
 * summary's links to them, must be unique on the page.
 */
export const THERAPY_FIELD = 'existingTherapy';

/** The form's fields in the order it asks for them, which is the order its errors are listed in. */
const FIELD_ORDER = [THERAPY_FIELD, 'startedOn', 'startedYear', 'knownOn', 'pump', 'cgm', 'algorithm', 'funding'];

/** The form's values (strings, blanks already left out) as the API's body for the patient. */
export function existingTherapyBody(values: Record<string, unknown>, patientId: string): Record<string, unknown> {
  const { [THERAPY_FIELD]: therapy, startedYear, ...rest } = values;
  const year = typeof startedYear === 'string' ? startedYear.trim() : startedYear;
  return {
    ...pick(rest, ['startedOn', 'knownOn', 'pump', 'cgm', 'algorithm', 'funding']),
    patientId,
    origin: 'existing',
    therapy,
    // A year typed as digits is a number; anything else goes through as typed, for the schema to refuse in words.
    ...(year === undefined ? {} : { startedYear: typeof year === 'string' && /^\d+$/.test(year) ? Number(year) : year }),
  };
}

/** Errors keyed by the API's field names, re-keyed by the form's and listed in the form's order. */
export function formErrors(errors: FieldErrors): FieldErrors {
  const keyed = Object.entries(errors).map(([path, message]) => [path === 'therapy' ? THERAPY_FIELD : path, message] as const);
  const rank = (k: string) => (FIELD_ORDER.includes(k) ? FIELD_ORDER.indexOf(k) : FIELD_ORDER.length);
  return Object.fromEntries(keyed.sort(([a], [b]) => rank(a) - rank(b)));
}

/**
 * The date rules the service applies (a start after the date known, a year that disagrees with the date...), run on
 * the dates that are well formed, for a form the schema has already refused for other reasons: so that the person
 * sees every problem at once rather than one round at a time. The service still checks everything on the next send.
 */
export function dateErrors(body: Record<string, unknown>, on: { today: string; birthDate: string }): FieldErrors {
  const date = (v: unknown) => (isoDate.safeParse(v).success ? (v as string) : undefined);
  const knownOn = date(body.knownOn);
  if (!knownOn) return {};
  const startedOn = date(body.startedOn);
  const startedYear = typeof body.startedYear === 'number' && Number.isInteger(body.startedYear) ? body.startedYear : undefined;
  const errors: FieldErrors = {};
  for (const e of existingStartErrors({ knownOn, ...(startedOn ? { startedOn } : {}), ...(startedYear !== undefined ? { startedYear } : {}) }, on)) {
    errors[e.path] ??= e.message;
  }
  return errors;
}

const pick = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
