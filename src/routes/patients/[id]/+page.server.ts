import { fail, redirect, type ActionFailure } from '@sveltejs/kit';
import { can } from '$lib/domain/access';
import { createObservationBody, updatePatientBody } from '$lib/schemas/patients.schema';
import { normaliseNhsNumber } from '$lib/domain/nhs-number';
import { priorityGroupFromForm } from '$lib/priority-group';
import { createExistingTherapyBody, createReferralBody } from '$lib/schemas/referrals.schema';
import { todayIso } from '$lib/server/clock';
import { dateErrors, existingTherapyBody, formErrors } from '$lib/server/pages/existing-therapy-form';
import { failFromError, failFromFhir, failWith, formValues, NO_FHIR, parseForm, readForm, type FormFailure, type FieldLabels } from '$lib/server/pages/forms';
import { getOr404 } from '$lib/server/pages/load';
import { patientDetailsBody } from '$lib/server/pages/patient-details-form';
import { existingTherapyOf } from '$lib/existing-therapy.view';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => {
  const ctx = locals.ctx!;
  const patient = await getOr404(() => locals.services.patients.get(ctx, params.id));
  const canWrite = can(ctx.actor, 'patients:write', patient.siteId);
  const fromFhir = patient.context.hba1c.some((r) => r.source.kind === 'fhir');
  const [referrals, site, devices, fhirServer] = await Promise.all([
    locals.services.referrals.listForPatient(ctx, patient.id),
    locals.services.sites.get(ctx, patient.siteId),
    // The catalogue is for the form recording a therapy already in use, which only those who may refer see.
    canWrite ? locals.services.devices.list(ctx).then((d) => d.items) : [],
    // Results name their FHIR server by its id; the table shows its name.
    fromFhir && locals.services.fhir ? locals.services.fhir.serverName() : null,
  ]);
  return {
    patient,
    site,
    // Each record with what its list entry says, not its whole history.
    referrals: referrals.map(({ events, allowedEvents: _allowed, ...summary }) => ({ ...summary, existing: existingTherapyOf(events) })),
    devices,
    fhirServer,
    today: todayIso(),
    canWrite,
    // Without a valid NHS number the person cannot be sent in the national return: the details form opens to add one.
    needsNhsNumber: patient.nhsNumber === null || normaliseNhsNumber(patient.nhsNumber) === null,
    canRefresh: locals.services.fhir !== null && canWrite && Boolean(patient.fhirId || patient.nhsNumber),
    imported: url.searchParams.has('imported'),
    created: url.searchParams.has('created'),
    added: url.searchParams.has('added'),
    updated: url.searchParams.has('updated'),
  };
};

/** The forms' fields as their error messages name them. */
const HBA1C_FIELDS: FieldLabels = { effective: 'the date of the result', value: 'the result', unit: 'the unit' };
const REFERRAL_FIELDS: FieldLabels = {
  therapy: 'the therapy',
  receivedOn: 'the date the referral was received',
  source: 'who referred them',
  priorityGroup: 'the NHS England priority group',
};
const EXISTING_FIELDS: FieldLabels = { therapy: 'the therapy', startedOn: 'the start date', knownOn: 'the date they were known to be on it', funding: 'the funding' };

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
    const parsed = parseForm(createObservationBody, { kind: 'hba1c', ...values, value: values.value === undefined ? undefined : Number(values.value) }, HBA1C_FIELDS);
    if (!parsed.ok) return parsed.failure;
    try {
      await locals.services.patients.addObservation(locals.ctx!, params.id, parsed.data);
    } catch (e) {
      return failFromError(e, values);
    }
    redirect(303, `/patients/${params.id}?added=1#hba1c`);
  },
  details: async ({ request, locals, params }) => {
    const values = formValues(await readForm(request));
    const parsed = parseForm(updatePatientBody, patientDetailsBody(values), { ethnicCategory: 'the ethnic category' });
    if (!parsed.ok) return formFailure('details', parsed.failure.status, values, parsed.failure.data.errors);
    try {
      await locals.services.patients.update(locals.ctx!, params.id, parsed.data);
    } catch (e) {
      const failure = failFromError(e, values);
      return formFailure('details', failure.status, values, failure.data.errors, failure.data.message);
    }
    redirect(303, `/patients/${params.id}?updated=1`);
  },
  refer: async ({ request, locals, params }) => {
    const values = formValues(await readForm(request));
    const parsed = parseForm(createReferralBody, { ...priorityGroupFromForm(values), patientId: params.id }, REFERRAL_FIELDS);
    if (!parsed.ok) return parsed.failure;
    let id: string;
    try {
      id = (await locals.services.referrals.create(locals.ctx!, parsed.data)).id;
    } catch (e) {
      return failFromError(e, values);
    }
    redirect(303, `/referrals/${id}?created=1`);
  },
  existing: async ({ request, locals, params }) => {
    const ctx = locals.ctx!;
    const values = formValues(await readForm(request));
    const body = existingTherapyBody(values, params.id);
    const parsed = parseForm(createExistingTherapyBody, body, EXISTING_FIELDS);
    if (!parsed.ok) {
      // The schema stops before the date rules: run them too, so every problem is listed at once.
      const patient = await getOr404(() => locals.services.patients.get(ctx, params.id));
      const { errors } = parsed.failure.data;
      return formFailure('existing', parsed.failure.status, values, formErrors({ ...dateErrors(body, { today: todayIso(), birthDate: patient.birthDate }), ...errors }));
    }
    let id: string;
    try {
      id = (await locals.services.referrals.create(ctx, parsed.data)).id;
    } catch (e) {
      const failure = failFromError(e, values);
      return formFailure('existing', failure.status, values, formErrors(failure.data.errors), failure.data.message);
    }
    redirect(303, `/referrals/${id}?created=1`);
  },
};

/** A failure of one of the page's forms, marked as its own so that the page reopens that form and no other. */
function formFailure<F extends 'existing' | 'details'>(
  form: F,
  status: number,
  values: Record<string, unknown>,
  errors: FormFailure['errors'],
  message?: string,
): ActionFailure<FormFailure & { form: F }> {
  return fail(status, { values, errors, ...(message ? { message } : {}), form });
}
