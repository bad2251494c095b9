import { error } from '@sveltejs/kit';
import { can, reachesSite } from '$lib/domain/access';
import { lastCompleteQuarter, recentQuarters } from '$lib/domain/national-return';
import { nationalHclQuery } from '$lib/schemas/national-return.schema';
import { todayIso } from '$lib/server/clock';
import { getOr404 } from '$lib/server/pages/load';
import type { PageServerLoad } from './$types';

/**
 * The national HCL return of a site and quarter: who is in it, who is left out and why, and the file to upload.
 * Showing it is an export like the API's (the service audits it). The site defaults to the user's first, the
 * quarter to the last complete one.
 */
export const load: PageServerLoad = async ({ locals, url }) => {
  const ctx = locals.ctx!;
  if (!can(ctx.actor, 'exports:national')) error(403, 'The national returns are for the sites\' clinicians and administrators');
  const sites = (await locals.services.sites.list(ctx, { limit: 500 })).items.filter((s) => reachesSite(ctx.actor, s.id));
  const today = todayIso();
  const chosen = {
    siteId: url.searchParams.get('siteId') || sites[0]?.id || '',
    quarter: url.searchParams.get('quarter') || lastCompleteQuarter(today),
  };
  const quarters = recentQuarters(today, 8);
  if (!quarters.includes(chosen.quarter)) quarters.unshift(chosen.quarter);
  const parsed = nationalHclQuery.safeParse(chosen);
  if (!parsed.success || !sites.length) return { sites, quarters, chosen, report: null, csvUrl: null };
  const report = await getOr404(() => locals.services.nationalReturns.hcl(ctx, parsed.data));
  const csvUrl = `/api/v1/exports/national-hcl.csv?${new URLSearchParams(parsed.data)}`;
  return { sites, quarters, chosen, report, csvUrl };
};
