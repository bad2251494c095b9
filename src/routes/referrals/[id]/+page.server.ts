import { redirect } from '@sveltejs/kit';
import { eventBody } from '$lib/schemas/referrals.schema';
import { todayIso } from '$lib/server/clock';
import { eventBodyFromForm } from '$lib/server/pages/event-form';
import { failFromError, parseForm, readForm } from '$lib/server/pages/forms';
import { getOr404 } from '$lib/server/pages/load';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => {
  const ctx = locals.ctx!;
  const referral = await getOr404(() => locals.services.referrals.get(ctx, params.id));
  const [patient, site, devices] = await Promise.all([
    locals.services.patients.get(ctx, referral.patientId),
    locals.services.sites.get(ctx, referral.siteId),
    referral.allowedEvents.includes('device_started') ? locals.services.devices.list(ctx).then((d) => d.items) : [],
  ]);
  return { referral, patient, site, devices, today: todayIso(), created: url.searchParams.has('created'), recorded: url.searchParams.get('recorded') };
};

export const actions: Actions = {
  event: async ({ request, locals, params }) => {
    const values = eventBodyFromForm(await readForm(request));
    const parsed = parseForm(eventBody, values);
    if (!parsed.ok) return parsed.failure;
    try {
      await locals.services.referrals.recordEvent(locals.ctx!, params.id, parsed.data);
    } catch (e) {
      return failFromError(e, values);
    }
    redirect(303, `/referrals/${params.id}?recorded=${parsed.data.type}`);
  },
};
