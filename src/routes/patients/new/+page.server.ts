import { error, redirect } from '@sveltejs/kit';
import { createPatientBody } from '$lib/schemas/patients.schema';
import { failFromError, formValues, parseForm } from '$lib/server/pages/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const actor = locals.actor!;
  if (actor.role !== 'nurse' && actor.role !== 'consultant') error(403, 'Only clinicians add patients');
  const { items } = await locals.services.sites.list(locals.ctx!, { limit: 500 });
  return { sites: items.filter((s) => actor.siteIds.includes(s.id)) };
};

export const actions: Actions = {
  default: async ({ request, locals }) => {
    const values = formValues(await request.formData());
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
