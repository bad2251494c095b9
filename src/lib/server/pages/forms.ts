import { error, fail, type ActionFailure } from '@sveltejs/kit';
import type { z } from 'zod';
import { isDomainError } from '../../domain/errors';
import { PROBLEM_TYPES } from '../../problems';
import { choiceLabelOf, isDateMessage } from '../../schemas/common.schema';

export type FieldErrors = Record<string, string>;
export interface FormFailure {
  values: Record<string, unknown>;
  errors: FieldErrors;
  message?: string;
}

/**
 * How a form's errors name its fields, by field path: the words of the field's label as they read after "Enter" or
 * "Select" ("the date of birth", "who referred them"), so that the page says "Select the activity" where the API
 * says "Kind must be one of site_visit, ...". `{ select: ... }` marks a field chosen from a list (radios, a select)
 * that is not one of the schema's own lists, such as a site.
 */
export type FieldLabels = Record<string, string | { select: string }>;

/**
 * Validates a form with the same zod schema as the API; errors are keyed by dotted field path, first per field.
 * The schema's messages are written for API clients (field names, codes, YYYY-MM-DD); those that would show the
 * user something the page does not are said in the page's words, naming the field as `labels` gives it.
 */
export function parseForm<S extends z.ZodType>(
  schema: S,
  values: Record<string, unknown>,
  labels: FieldLabels = {},
): { ok: true; data: z.output<S> } | { ok: false; failure: ActionFailure<FormFailure> } {
  const parsed = schema.safeParse(values);
  if (parsed.success) return { ok: true, data: parsed.data };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const path = issue.path.join('.') || 'form';
    errors[path] ??= pageMessage(issue, values[String(issue.path[0])] === undefined, labels[path]);
  }
  return { ok: false, failure: fail(400, { values: safeValues(values), errors }) };
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** An example in the form the page's date fields show (dd/mm/yyyy). */
const DATE_EXAMPLE = 'for example 27/03/2026';

function pageMessage(issue: z.core.$ZodIssue, missing: boolean, label: FieldLabels[string] | undefined): string {
  const select = typeof label === 'object';
  const name = typeof label === 'object' ? label.select : label;
  if (isDateMessage(issue.message)) {
    if (missing) return name ? `Enter ${name}` : 'Enter a date';
    return name ? `${capitalised(name)} must be a real date, ${DATE_EXAMPLE}` : `Enter a real date, ${DATE_EXAMPLE}`;
  }
  if (issue.code === 'invalid_value' || (select && (missing || issue.code === 'invalid_format'))) {
    if (name) return `Select ${name}`;
    // A list's codes are the API's; without the page's own words for the field, the list's name will do.
    const listed = choiceLabelOf(issue.message);
    if (listed) return `Select the ${/^[A-Z]{2}/.test(listed) ? listed : listed.toLowerCase()}`;
  }
  if (!name) return issue.message;
  // Only "required" is reworded: a rule's own message (code "custom") says more than "Enter ...".
  if (missing && (issue.code === 'invalid_type' || issue.code === 'too_small')) return `Enter ${name}`;
  if (issue.code === 'invalid_type' && (issue.expected === 'number' || issue.expected === 'int')) return `${capitalised(name)} must be a number`;
  return issue.message;
}

/**
 * Turns an expected service failure into what a page shows: field errors and conflicts next to the form
 * (keeping what the user typed), missing or forbidden records as the real HTTP status.
 */
export function failFromError(e: unknown, values: Record<string, unknown>): ActionFailure<FormFailure> {
  if (!isDomainError(e)) throw e;
  const status = PROBLEM_TYPES[e.kind].status;
  if (e.kind === 'not_found' || e.kind === 'forbidden' || e.kind === 'unauthorized') error(status, e.detail);
  const errors: FieldErrors = {};
  for (const fe of e.errors ?? []) errors[fe.path] ??= fe.message;
  return fail(status, { values: safeValues(values), errors, message: e.detail });
}

/** What the user typed goes back to the form, except passwords. */
function safeValues(values: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(values).filter(([k]) => !/password/i.test(k)));
}

/**
 * The posted form. SvelteKit lets through every encoding a browser form can use, text/plain included, which
 * cannot be read as form data; nor can a broken multipart body. Either is the sender's mistake: 400, not a 500.
 */
export async function readForm(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch (e) {
    if (e instanceof TypeError) error(400, 'The form could not be read. Send it again from the page.');
    throw e; // a body over the size limit keeps SvelteKit's 413
  }
}

/** Form fields as strings; blank ones left out so that optional schema fields stay undefined. */
export function formValues(data: FormData, multi: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of data.entries()) {
    if (typeof v !== 'string' || multi.includes(k)) continue;
    if (v.trim() !== '') out[k] = v;
  }
  for (const k of multi) out[k] = data.getAll(k).filter((v): v is string => typeof v === 'string');
  return out;
}

/** A failure with a message for the whole form and no field errors. */
export const failWith = (status: number, message: string, values: Record<string, unknown> = {}) =>
  fail(status, { values: safeValues(values), errors: {} as FieldErrors, message });

export const NO_FHIR = 'No FHIR server is configured for this service.';

const FHIR_FAILURE: Partial<Record<string, string>> = {
  upstream_failed: "The hospital's FHIR server failed or sent something we could not read. Nothing was saved. Try again later; if it keeps happening, tell your IT team.",
  upstream_timeout: "The hospital's FHIR server did not answer in time. Nothing was saved. Try again in a few minutes.",
  unavailable: NO_FHIR,
};

/** An import's failure in plain words beside the form: a patient missing on the FHIR server is not a missing page. */
export function failFromFhir(e: unknown, values: Record<string, unknown> = {}): ActionFailure<FormFailure> {
  if (!isDomainError(e) || !['not_found', 'conflict', 'upstream_failed', 'upstream_timeout', 'unavailable'].includes(e.kind)) {
    return failFromError(e, values);
  }
  return failWith(PROBLEM_TYPES[e.kind].status, FHIR_FAILURE[e.kind] ?? e.detail, values);
}
