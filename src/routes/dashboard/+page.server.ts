import { metricsQuery } from '$lib/schemas/metrics.schema';
import { parseForm } from '$lib/server/pages/forms';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const raw = Object.fromEntries([...url.searchParams].filter(([, v]) => v !== ''));
  const parsed = parseForm(metricsQuery, raw);
  const query = parsed.ok ? parsed.data : metricsQuery.parse({});
  const report = await locals.services.metrics.report(locals.ctx!, query);
  return {
    report,
    query: { ...query, from: report.from, to: report.to },
    errors: parsed.ok ? {} : parsed.failure.data.errors,
    controlled: locals.actor!.role === 'commissioner',
  };
};
