import { error, fail, redirect } from '@sveltejs/kit';
import { createPatientBody, importPatientBody } from '$lib/schemas/patients.schema';
import { appContext } from '$lib/server/app-context';
import { failFromError, failFromFhir, failWith, formValues, NO_FHIR, parseForm, readForm, type FieldErrors } from '$lib/server/pages/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const actor = locals.actor!;
  if (actor.role !== 'nurse' && actor.role !== 'consultant') error(403, 'Only clinicians add patients');
  const { items } = await locals.services.sites.list(locals.ctx!, { limit: 500 });
  const sites = items.filter((s) => actor.siteIds.includes(s.id));
  const codes = new Set(sites.map((s) => s.odsCode));
  return {
    sites,
    fhirConfigured: locals.services.fhir !== null,
    demoExamples: (appContext().demoFhirExamples ?? []).filter((e) => codes.has(e.odsCode)).map((e) => e.nhsNumber),
  };
};

export const actions: Actions = {
  import: async ({ request, locals }) => {
    const values = formValues(await readForm(request));
    const parsed = parseForm(importPatientBody, { siteId: values.importSiteId, nhsNumber: values.importNhsNumber ?? '' });
    if (!parsed.ok) {
      // The import form's fields are named apart from the manual form's, so errors land beside the right one.
      const { nhsNumber, siteId, form } = parsed.failure.data.errors;
      const errors: FieldErrors = {};
      if (nhsNumber ?? form) errors.importNhsNumber = nhsNumber ?? form!;
      if (siteId) errors.importSiteId = siteId;
      return fail(400, { values, errors, message: undefined });
    }
    if (!locals.services.fhir) return failWith(503, NO_FHIR, values);
    let id: string;
    try {
      id = (await locals.services.fhir.importPatient(locals.ctx!, parsed.data)).patientId;
    } catch (e) {
      return failFromFhir(e, values);
    }
    redirect(303, `/patients/${id}?imported=1`);
  },
  create: async ({ request, locals }) => {
    const values = formValues(await readForm(request));
    const parsed = parseForm(createPatientBody, values);
    if (!parsed.ok) return parsed.failure;
    let id: string;
    try {
      id = (await locals.services.patients.create(locals.ctx!, parsed.data)).id;
    } catch (e) {
      return failFromError(e, values);
    }
    redirect(303, `/patients/${id}?created=1`);
  },
};
