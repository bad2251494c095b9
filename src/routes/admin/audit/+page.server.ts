import { auditQuery } from '$lib/schemas/audit.schema';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const raw = Object.fromEntries([...url.searchParams].filter(([, v]) => v !== ''));
  const parsed = auditQuery.safeParse(raw);
  const page = await locals.services.audit.list(locals.ctx!, parsed.success ? { ...parsed.data, limit: 100 } : { limit: 100 });
  return { ...page, filters: raw, invalid: !parsed.success };
};
