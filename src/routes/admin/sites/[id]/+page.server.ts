import { redirect } from '@sveltejs/kit';
import { updateSiteBody } from '$lib/schemas/sites.schema';
import { failFromError, failFromFhir, failWith, formValues, NO_FHIR, parseForm, readForm, type FieldLabels } from '$lib/server/pages/forms';
import { getOr404 } from '$lib/server/pages/load';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => ({
  site: await getOr404(() => locals.services.sites.get(locals.ctx!, params.id)),
  population: (await locals.services.population.history(locals.ctx!, params.id)).items,
  created: url.searchParams.has('created'),
  synced: url.searchParams.has('synced'),
  fhirConfigured: locals.services.fhir !== null,
  saved: url.searchParams.has('saved'),
});

export const actions: Actions = {
  sync: async ({ locals, params }) => {
    if (!locals.services.fhir) return failWith(503, NO_FHIR);
    try {
      await locals.services.fhir.syncPopulation(locals.ctx!, params.id);
    } catch (e) {
      return failFromFhir(e);
    }
    redirect(303, `/admin/sites/${params.id}?synced=1`);
  },
  update: async ({ request, locals, params }) => {
    const values = formValues(await readForm(request));
    // Blank count and date record no count; one without the other is an error the schema names.
    const body = {
      version: Number(values.version),
      name: values.name ?? '',
      icb: values.icb ?? '',
      t1dPopulation: values.t1dPopulation === undefined ? undefined : Number(values.t1dPopulation),
      t1dPopulationAsOf: values.t1dPopulationAsOf,
    };
    const parsed = parseForm(updateSiteBody, body, { icb: 'the integrated care board', t1dPopulationAsOf: 'the date of the count' });
    if (!parsed.ok) return parsed.failure;
    try {
      await locals.services.sites.update(locals.ctx!, params.id, parsed.data);
    } catch (e) {
      return failFromError(e, values);
    }
    redirect(303, `/admin/sites/${params.id}?saved=1`);
  },
};
