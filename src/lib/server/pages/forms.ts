import { error, fail, type ActionFailure } from '@sveltejs/kit';
import type { z } from 'zod';
import { isDomainError } from '../../domain/errors';
import { PROBLEM_TYPES } from '../../problems';

export type FieldErrors = Record<string, string>;
export interface FormFailure {
  values: Record<string, unknown>;
  errors: FieldErrors;
  message?: string;
}

/** Validates a form with the same zod schema as the API; errors are keyed by dotted field path, first per field. */
export function parseForm<S extends z.ZodType>(
  schema: S,
  values: Record<string, unknown>,
): { ok: true; data: z.output<S> } | { ok: false; failure: ActionFailure<FormFailure> } {
  const parsed = schema.safeParse(values);
  if (parsed.success) return { ok: true, data: parsed.data };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const path = issue.path.join('.') || 'form';
    errors[path] ??= issue.message;
  }
  return { ok: false, failure: fail(400, { values: safeValues(values), errors }) };
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
