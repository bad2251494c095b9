import { redirect } from '@sveltejs/kit';
import { can } from '$lib/domain/access';
import { createBarrierBody, createFacilitationBody, updateBarrierBody } from '$lib/schemas/implementation.schema';
import { todayIso } from '$lib/server/clock';
import { failFromError, formValues, parseForm, readForm, type FieldLabels } from '$lib/server/pages/forms';
import { getOr404, recordId } from '$lib/server/pages/load';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => {
  const ctx = locals.ctx!;
  const site = await getOr404(() => locals.services.sites.get(ctx, params.id));
  const [facilitation, barriers] = await Promise.all([
    locals.services.implementation.listFacilitation(ctx, site.id),
    locals.services.implementation.listBarriers(ctx, site.id),
  ]);
  const canLog = can(ctx.actor, 'implementation:write', site.id);
  return { site, facilitation: facilitation.items, barriers: barriers.items, canLog, today: todayIso(), saved: url.searchParams.get('saved') };
};

/** The forms' fields as their error messages name them. */
const FACILITATION_FIELDS: FieldLabels = { on: 'the date of the activity', mode: 'the mode', kind: 'the activity' };
const BARRIER_FIELDS: FieldLabels = { raisedOn: 'the date the barrier was raised', category: 'the category', resolvedOn: 'the date it was resolved' };

export const actions: Actions = {
  facilitation: async ({ request, locals, params }) => {
    const values = formValues(await readForm(request));
    const parsed = parseForm(createFacilitationBody, values, FACILITATION_FIELDS);
    if (!parsed.ok) return parsed.failure;
    try {
      await locals.services.implementation.logFacilitation(locals.ctx!, params.id, parsed.data);
    } catch (e) {
      return failFromError(e, values);
    }
    redirect(303, `/sites/${params.id}?saved=facilitation`);
  },
  barrier: async ({ request, locals, params }) => {
    const values = formValues(await readForm(request));
    const parsed = parseForm(createBarrierBody, values, BARRIER_FIELDS);
    if (!parsed.ok) return parsed.failure;
    try {
      await locals.services.implementation.raiseBarrier(locals.ctx!, params.id, parsed.data);
    } catch (e) {
      return failFromError(e, values);
    }
    redirect(303, `/sites/${params.id}?saved=barrier`);
  },
  resolve: async ({ request, locals, params }) => {
    const values = formValues(await readForm(request));
    const parsed = parseForm(updateBarrierBody, { version: Number(values.version), resolvedOn: values.resolvedOn ?? null }, { resolvedOn: 'the date it was resolved' });
    if (!parsed.ok) return parsed.failure;
    const id = recordId(values.id);
    try {
      await locals.services.implementation.resolveBarrier(locals.ctx!, id, parsed.data);
    } catch (e) {
      return failFromError(e, values);
    }
    redirect(303, `/sites/${params.id}?saved=resolved`);
  },
};
