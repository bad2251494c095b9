import type { PageServerLoad } from './$types';

/** Each role's home. The sites a clinician works at come first; commissioners and admins see every site. */
export const load: PageServerLoad = async ({ locals }) => {
  const ctx = locals.ctx!;
  const { items: sites } = await locals.services.sites.list(ctx, { limit: 500 });
  const mine = ctx.actor.role === 'nurse' || ctx.actor.role === 'consultant' ? sites.filter((s) => ctx.actor.siteIds.includes(s.id)) : sites;
  const users = ctx.actor.role === 'admin' ? (await locals.services.users.list(ctx, { limit: 500 })).items : [];
  return { role: ctx.actor.role, sites: mine, userCount: users.length };
};
