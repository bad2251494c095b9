import { redirect } from '@sveltejs/kit';
import { isDomainError } from '$lib/domain/errors';
import { WORKLIST_GROUPS } from '$lib/domain/worklist';
import type { PageServerLoad } from './$types';

/** Each role's home: the nurse's worklist, the consultant's eligibility queue, the sites for the others. */
export const load: PageServerLoad = async ({ locals }) => {
  const ctx = locals.ctx!;
  // The commissioner's home is the dashboard.
  if (ctx.actor.role === 'commissioner') redirect(303, '/dashboard');
  const { items: sites } = await locals.services.sites.list(ctx, { limit: 500 });
  const role = ctx.actor.role;
  const mySites = role === 'nurse' || role === 'consultant' ? sites.filter((s) => ctx.actor.siteIds.includes(s.id)) : sites;
  if (role === 'nurse') {
    const items = await locals.services.referrals.worklist(ctx);
    const groups = WORKLIST_GROUPS.map((g) => ({ key: g.key, label: g.label, items: items.filter((i) => i.group === g.key) }));
    return { role, sites: mySites, groups, queue: null, userCount: 0, fhir: null };
  }
  if (role === 'consultant') {
    const queue = await locals.services.referrals.eligibilityQueue(ctx, { limit: 200 });
    return { role, sites: mySites, groups: null, queue: queue.items, userCount: 0, fhir: null };
  }
  const userCount = (await locals.services.users.list(ctx, { limit: 500 })).items.length;
  return { role, sites: mySites, groups: null, queue: null, userCount, fhir: await fhirStatus(locals.services, ctx) };
};

/** For the admin's overview: which FHIR server this deployment reads, or why it cannot. */
async function fhirStatus(services: App.Locals['services'], ctx: NonNullable<App.Locals['ctx']>) {
  if (!services.fhir) return { state: 'none' as const };
  try {
    return { state: 'ok' as const, ...(await services.fhir.serverInfo(ctx)) };
  } catch (e) {
    return { state: 'error' as const, detail: isDomainError(e) ? e.detail : 'The FHIR server could not be reached' };
  }
}
