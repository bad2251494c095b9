import { redirect } from '@sveltejs/kit';
import { reachesSite } from '$lib/domain/access';
import { isDomainError } from '$lib/domain/errors';
import { WORKLIST_GROUPS } from '$lib/domain/worklist';
import { HOME } from '$lib/navigation';
import type { PageServerLoad } from './$types';

/** Each role's home: the nurse's worklist, the consultant's eligibility queue, the sites for the others. */
export const load: PageServerLoad = async ({ locals, url }) => {
  const ctx = locals.ctx!;
  const home = HOME[ctx.actor.role];
  if (home === 'dashboard') redirect(303, '/dashboard');
  const { items: sites } = await locals.services.sites.list(ctx, { limit: 500 });
  const mySites = sites.filter((s) => reachesSite(ctx.actor, s.id));
  if (home === 'worklist') {
    const items = await locals.services.referrals.worklist(ctx);
    const groups = WORKLIST_GROUPS.map((g) => ({ key: g.key, label: g.label, items: items.filter((i) => i.group === g.key) }));
    return { home, sites: mySites, groups, queue: null, queueSiteId: '', userCount: 0, fhir: null };
  }
  if (home === 'eligibility-queue') {
    // Only one of the consultant's own sites narrows the queue; anything else in the address shows them all.
    const asked = url.searchParams.get('siteId');
    const siteId = mySites.some((s) => s.id === asked) ? asked! : undefined;
    const queue = await locals.services.referrals.eligibilityQueue(ctx, { siteId, limit: 200 });
    return { home, sites: mySites, groups: null, queue: queue.items, queueSiteId: siteId ?? '', userCount: 0, fhir: null };
  }
  const userCount = (await locals.services.users.list(ctx, { limit: 500 })).items.length;
  return { home, sites: mySites, groups: null, queue: null, queueSiteId: '', userCount, fhir: await fhirStatus(locals.services, ctx) };
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
