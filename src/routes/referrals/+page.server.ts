import { reachesSite } from '$lib/domain/access';
import { referralQuery } from '$lib/schemas/referrals.schema';
import { getOr404 } from '$lib/server/pages/load';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const ctx = locals.ctx!;
  const raw = Object.fromEntries([...url.searchParams].filter(([, v]) => v !== ''));
  const parsed = referralQuery.safeParse(raw);
  const query = parsed.success ? parsed.data : { limit: 50 };
  const [page, sites] = await Promise.all([
    getOr404(() => locals.services.referrals.list(ctx, { ...query, limit: Math.min(query.limit, 200) })),
    locals.services.sites.list(ctx, { limit: 500 }),
  ]);
  const reachable = sites.items.filter((s) => reachesSite(ctx.actor, s.id));
  return { ...page, sites: reachable, filters: { siteId: query.siteId ?? '', status: query.status ?? '', therapy: query.therapy ?? '' } };
};
