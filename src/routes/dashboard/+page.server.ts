import { z } from 'zod';
import { isDisclosureControlled } from '$lib/domain/disclosure';
import { resolvePeriod, yearsEndingOn } from '$lib/domain/metrics';
import { TIME_BINS } from '$lib/domain/metrics-series';
import { SPC_MEASURES } from '$lib/domain/spc-series';
import { spcMonths } from '$lib/domain/spc-months';
import { metricsQuery } from '$lib/schemas/metrics.schema';
import { DEFAULT_TIME_BIN } from '$lib/schemas/metrics-series.schema';
import { parseForm } from '$lib/server/pages/forms';
import { todayIso } from '$lib/server/clock';
import type { PageServerLoad } from './$types';
import { WHO_IS_REACHED } from './equity.view-model';

/** The metrics query, and the width of the time axis's buckets. */
const dashboardQuery = metricsQuery.extend({ bin: z.enum(TIME_BINS, 'Choose months or quarters').default(DEFAULT_TIME_BIN) });

export const load: PageServerLoad = async ({ locals, url }) => {
  const ctx = locals.ctx!;
  const raw = Object.fromEntries([...url.searchParams].filter(([, v]) => v !== ''));
  const parsed = parseForm(dashboardQuery, raw, { from: 'the from date', to: 'the to date', therapy: 'the therapy', groupBy: 'what to compare' });
  const { bin, ...query } = parsed.ok ? parsed.data : dashboardQuery.parse({});
  const series = locals.services.metricsSeries;
  const today = todayIso();
  // A period that ends before it starts fails in the report below, with its message; the charts never draw it.
  const spcPeriod = spcMonths(resolvePeriod(query, today) ?? yearsEndingOn(today, 1), today);
  // Improvement charts by whole month, each site's split where its hands-on facilitation began: every measure at once.
  const spcQuery = { ...query, from: spcPeriod.from, to: spcPeriod.to, bin: 'month', rebase: { kind: query.groupBy === 'site' ? 'facilitation' : 'none' } } as const;
  const [report, starts, waits, funding, continuation, [deprivation, ethnicity, deprivationBySite], spc] = await Promise.all([
    locals.services.metrics.report(ctx, query),
    series.starts(ctx, { ...query, bin }),
    series.waits(ctx, query),
    series.funding(ctx, query),
    series.continuation(ctx, query),
    locals.services.equity.reports(ctx, query, WHO_IS_REACHED),
    locals.services.spc.chartsOf(ctx, spcQuery, SPC_MEASURES),
  ]);
  return {
    report,
    starts,
    waits,
    funding,
    continuation,
    equity: { deprivation, ethnicity, deprivationBySite },
    spc: { months: spcPeriod, charts: spc },
    query: { ...query, bin, from: report.from, to: report.to },
    errors: parsed.ok ? {} : parsed.failure.data.errors,
    controlled: isDisclosureControlled(ctx.actor),
    // One year shows where sites are; the longer periods show how they got there (facilitation, then starts).
    recentPeriods: [1, 2, 5].map((years) => ({ years, ...yearsEndingOn(today, years) })),
  };
};
