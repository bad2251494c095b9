import { error, fail, redirect } from '@sveltejs/kit';
import { can, reachesSite } from '$lib/domain/access';
import { isDomainError } from '$lib/domain/errors';
import { createPatientBody, importPatientBody } from '$lib/schemas/patients.schema';
import { appContext } from '$lib/server/app-context';
import { todayIso } from '$lib/server/clock';
import { failFromError, failFromFhir, failWith, type FieldErrors, formValues, NO_FHIR, parseForm, readForm, type FieldLabels } from '$lib/server/pages/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const actor = locals.actor!;
  if (!can(actor, 'patients:write')) error(403, 'Only clinicians add patients');
  const { items } = await locals.services.sites.list(locals.ctx!, { limit: 500 });
  const sites = items.filter((s) => reachesSite(actor, s.id));
  const codes = new Set(sites.map((s) => s.odsCode));
  return {
    sites,
    today: todayIso(),
    fhirConfigured: locals.services.fhir !== null,
    demoExamples: (appContext().demoFhirExamples ?? []).filter((e) => codes.has(e.odsCode)).map((e) => e.nhsNumber),
  };
};

/**
 * The FHIR form's one field takes an NHS number or a FHIR id. Ten digits, or digits written with spaces, are
 * an NHS number and must pass its check; anything else (a bare number of another length included: some
 * servers number their patients) is taken as the id the FHIR server gave the patient.
 */
function importTargetOf(values: Record<string, unknown>) {
  const typed = typeof values.importTarget === 'string' ? values.importTarget.trim() : '';
  const isNhsNumber = /^\d{10}$/.test(typed) || (/^[\d ]+$/.test(typed) && typed.includes(' '));
  // The API's own schema, one branch of it: a union's errors would not say which field is wrong.
  const [byNhsNumber, byFhirId] = importPatientBody.options;
  const parsed =
    isNhsNumber || typed === ''
      ? parseForm(byNhsNumber, { siteId: values.importSiteId, nhsNumber: typed })
      : parseForm(byFhirId, { siteId: values.importSiteId, fhirId: typed });
  if (parsed.ok) return parsed;
  // The import form's fields are named apart from the manual form's, so errors land beside the right one.
  const { nhsNumber, fhirId, siteId } = parsed.failure.data.errors;
  const errors: FieldErrors = {};
  if (typed === '') errors.importTarget = 'Enter an NHS number or a FHIR patient id';
  else if (nhsNumber ?? fhirId) errors.importTarget = (nhsNumber ?? fhirId)!;
  if (siteId) errors.importSiteId = 'Choose the site';
  return { ok: false as const, failure: fail(400, { values, errors, message: undefined }) };
}

/** An NHS number already registered: beside the field, with the way to the patient when the service named them. */
async function duplicateOf(e: unknown, values: Record<string, unknown>, locals: App.Locals) {
  if (!isDomainError(e) || e.kind !== 'conflict') return undefined;
  const id = typeof e.extra?.existingPatientId === 'string' ? e.extra.existingPatientId : undefined;
  const existing = id ? await locals.services.patients.get(locals.ctx!, id) : undefined;
  const message = existing ? 'This NHS number is already registered' : 'This NHS number is already registered at another site';
  return fail(409, {
    values,
    errors: { nhsNumber: message } as FieldErrors,
    message: undefined,
    existing: existing ? { id: existing.id, name: `${existing.familyName.toUpperCase()}, ${existing.givenName}` } : null,
  });
}

/** The hand-entry form's fields as its error messages name them. */
const PATIENT_FIELDS: FieldLabels = {
  givenName: 'the given name',
  familyName: 'the family name',
  birthDate: 'the date of birth',
  sex: 'the sex',
  diabetesType: 'the diabetes type',
  siteId: { select: 'the site' },
};

export const actions: Actions = {
  /** Step one: what the FHIR server holds, read and mapped as an import would, with nothing written. */
  lookup: async ({ request, locals }) => {
    const values = formValues(await readForm(request));
    const target = importTargetOf(values);
    if (!target.ok) return target.failure;
    if (!locals.services.fhir) return failWith(503, NO_FHIR, values);
    try {
      return { values, target: target.data, preview: await locals.services.fhir.preview(locals.ctx!, target.data) };
    } catch (e) {
      return failFromFhir(e, values);
    }
  },
  /** Step two: the import itself, for the target the summary was shown for (carried in hidden fields). */
  import: async ({ request, locals }) => {
    const values = formValues(await readForm(request));
    const target = importTargetOf(values);
    if (!target.ok) return target.failure;
    if (!locals.services.fhir) return failWith(503, NO_FHIR, values);
    let id: string;
    try {
      id = (await locals.services.fhir.importPatient(locals.ctx!, target.data)).patientId;
    } catch (e) {
      return failFromFhir(e, values);
    }
    redirect(303, `/patients/${id}?imported=1`);
  },
  create: async ({ request, locals }) => {
    const values = formValues(await readForm(request));
    const parsed = parseForm(createPatientBody, values, PATIENT_FIELDS);
    if (!parsed.ok) return parsed.failure;
    let id: string;
    try {
      id = (await locals.services.patients.create(locals.ctx!, parsed.data)).id;
    } catch (e) {
      return (await duplicateOf(e, values, locals)) ?? failFromError(e, values);
    }
    redirect(303, `/patients/${id}?created=1`);
  },
};
