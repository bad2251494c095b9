import { redirect } from '@sveltejs/kit';
import { can } from '$lib/domain/access';
import { createObservationBody } from '$lib/schemas/patients.schema';
import { createReferralBody } from '$lib/schemas/referrals.schema';
import { todayIso } from '$lib/server/clock';
import { failFromError, failFromFhir, failWith, formValues, NO_FHIR, parseForm, readForm } from '$lib/server/pages/forms';
import { getOr404 } from '$lib/server/pages/load';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => {
  const ctx = locals.ctx!;
  const patient = await getOr404(() => locals.services.patients.get(ctx, params.id));
  const [referrals, site] = await Promise.all([
    locals.services.referrals.list(ctx, { patientId: patient.id, limit: 100 }),
    locals.services.sites.get(ctx, patient.siteId),
  ]);
  const canWrite = can(ctx.actor, 'patients:write', patient.siteId);
  return {
    patient,
    site,
    referrals: referrals.items,
    today: todayIso(),
    canWrite,
    canRefresh: locals.services.fhir !== null && canWrite && Boolean(patient.fhirId || patient.nhsNumber),
    imported: url.searchParams.has('imported'),
    created: url.searchParams.has('created'),
    added: url.searchParams.has('added'),
  };
};

export const actions: Actions = {
  refresh: async ({ locals, params }) => {
    const ctx = locals.ctx!;
    const patient = await getOr404(() => locals.services.patients.get(ctx, params.id));
    if (!locals.services.fhir) return failWith(503, NO_FHIR);
    const target = patient.fhirId ? { siteId: patient.siteId, fhirId: patient.fhirId } : { siteId: patient.siteId, nhsNumber: patient.nhsNumber! };
    try {
      await locals.services.fhir.importPatient(ctx, target);
    } catch (e) {
      return failFromFhir(e);
    }
    redirect(303, `/patients/${params.id}?imported=1`);
  },
  addHba1c: async ({ request, locals, params }) => {
    const values = formValues(await readForm(request));
    const parsed = parseForm(createObservationBody, { kind: 'hba1c', ...values, value: values.value === undefined ? undefined : Number(values.value) });
    if (!parsed.ok) return parsed.failure;
    try {
      await locals.services.patients.addObservation(locals.ctx!, params.id, parsed.data);
    } catch (e) {
      return failFromError(e, values);
    }
    redirect(303, `/patients/${params.id}?added=1#hba1c`);
  },
  refer: async ({ request, locals, params }) => {
    const values = formValues(await readForm(request));
    const parsed = parseForm(createReferralBody, { ...values, patientId: params.id });
    if (!parsed.ok) return parsed.failure;
    let id: string;
    try {
      id = (await locals.services.referrals.create(locals.ctx!, parsed.data)).id;
    } catch (e) {
      return failFromError(e, values);
    }
    redirect(303, `/referrals/${id}?created=1`);
  },
};
