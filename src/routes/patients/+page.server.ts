import { can } from '$lib/domain/access';
import { patientQuery } from '$lib/schemas/patients.schema';
import type { PageServerLoad } from './$types';
import { getOr404 } from '$lib/server/pages/load';

export const load: PageServerLoad = async ({ locals, url }) => {
  const parsed = patientQuery.safeParse(Object.fromEntries(url.searchParams));
  const query = parsed.success ? parsed.data : { limit: 50 };
  const page = await getOr404(() => locals.services.patients.search(locals.ctx!, query));
  return { q: url.searchParams.get('q') ?? '', ...page, canAdd: can(locals.actor!, 'patients:write') };
};
