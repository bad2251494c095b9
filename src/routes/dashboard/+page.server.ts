import { z } from 'zod';
import { isDisclosureControlled } from '$lib/domain/disclosure';
import { yearsEndingOn } from '$lib/domain/metrics';
import { TIME_BINS } from '$lib/domain/metrics-series';
import { metricsQuery } from '$lib/schemas/metrics.schema';
import { DEFAULT_TIME_BIN } from '$lib/schemas/metrics-series.schema';
import { parseForm } from '$lib/server/pages/forms';
import { todayIso } from '$lib/server/clock';
import type { PageServerLoad } from './$types';

/** The metrics query, and the width of the time axis's buckets. */
const dashboardQuery = metricsQuery.extend({ bin: z.enum(TIME_BINS, 'Choose months or quarters').default(DEFAULT_TIME_BIN) });

export const load: PageServerLoad = async ({ locals, url }) => {
  const ctx = locals.ctx!;
  const raw = Object.fromEntries([...url.searchParams].filter(([, v]) => v !== ''));
  const parsed = parseForm(dashboardQuery, raw, { from: 'the from date', to: 'the to date', therapy: 'the therapy', groupBy: 'what to compare' });
  const { bin, ...query } = parsed.ok ? parsed.data : dashboardQuery.parse({});
  const series = locals.services.metricsSeries;
  const equity = (by: 'imdQuintile' | 'ethnicGroup', groupBy: 'all' | 'site') => locals.services.equity.report(ctx, { ...query, by, groupBy });
  const [report, starts, waits, funding, continuation, deprivation, ethnicity, deprivationBySite] = await Promise.all([
    locals.services.metrics.report(ctx, query),
    series.starts(ctx, { ...query, bin }),
    series.waits(ctx, query),
    series.funding(ctx, query),
    series.continuation(ctx, query),
    equity('imdQuintile', 'all'),
    equity('ethnicGroup', 'all'),
    equity('imdQuintile', 'site'),
  ]);
  return {
    report,
    starts,
    waits,
    funding,
    continuation,
    equity: { deprivation, ethnicity, deprivationBySite },
    query: { ...query, bin, from: report.from, to: report.to },
    errors: parsed.ok ? {} : parsed.failure.data.errors,
    controlled: isDisclosureControlled(ctx.actor),
    // One year shows where sites are; the longer periods show how they got there (facilitation, then starts).
    recentPeriods: [1, 2, 5].map((years) => ({ years, ...yearsEndingOn(todayIso(), years) })),
  };
};
