import { redirect } from '@sveltejs/kit';
import { createDeviceBody, updateDeviceBody } from '$lib/schemas/devices.schema';
import { failFromError, formValues, parseForm, readForm, type FieldLabels } from '$lib/server/pages/forms';
import { recordId } from '$lib/server/pages/load';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => ({
  devices: (await locals.services.devices.list(locals.ctx!, { includeRetired: true })).items,
  saved: url.searchParams.get('saved'),
});

/** The form's fields as its error messages name them. */
const DEVICE_FIELDS: FieldLabels = { kind: 'the kind of device' };

export const actions: Actions = {
  create: async ({ request, locals }) => {
    const values = formValues(await readForm(request));
    const parsed = parseForm(createDeviceBody, values, DEVICE_FIELDS);
    if (!parsed.ok) return parsed.failure;
    try {
      await locals.services.devices.create(locals.ctx!, parsed.data);
    } catch (e) {
      return failFromError(e, values);
    }
    redirect(303, `/admin/devices?saved=${encodeURIComponent(parsed.data.name)}`);
  },
  toggle: async ({ request, locals }) => {
    const values = formValues(await readForm(request));
    const parsed = parseForm(updateDeviceBody, { version: Number(values.version), active: values.active === 'true' });
    if (!parsed.ok) return parsed.failure;
    const id = recordId(values.id);
    try {
      await locals.services.devices.update(locals.ctx!, id, parsed.data);
    } catch (e) {
      return failFromError(e, values);
    }
    redirect(303, '/admin/devices');
  },
};
