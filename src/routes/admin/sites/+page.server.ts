import { redirect } from '@sveltejs/kit';
import { createSiteBody } from '$lib/schemas/sites.schema';
import { failFromError, formValues, parseForm, readForm, type FieldLabels } from '$lib/server/pages/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => ({
  sites: (await locals.services.sites.list(locals.ctx!, { limit: 500 })).items,
});

/** The form's fields as its error messages name them. */
const SITE_FIELDS: FieldLabels = { icb: 'the integrated care board' };

export const actions: Actions = {
  create: async ({ request, locals }) => {
    const values = formValues(await readForm(request));
    const parsed = parseForm(createSiteBody, values, SITE_FIELDS);
    if (!parsed.ok) return parsed.failure;
    let id: string;
    try {
      id = (await locals.services.sites.create(locals.ctx!, parsed.data)).id;
    } catch (e) {
      return failFromError(e, values);
    }
    redirect(303, `/admin/sites/${id}?created=1`);
  },
};
