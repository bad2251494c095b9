import { authorize } from '../../domain/access';
import { isDisclosureControlled } from '../../domain/disclosure';
import { validation } from '../../domain/errors';
import { metricsSiteScope, resolvePeriod } from '../../domain/metrics';
import { seriesGroups, type SeriesGroup } from '../../domain/metrics-series';
import { binEnd, IMPROVEMENT, spcBins, spcGroup, type BinnedValue, type SpcMeasure } from '../../domain/spc-series';
import type { SpcCharts, SpcQuery } from '../../schemas/spc.schema';
import type { Ctx } from '../context';
import type { Db } from '../db/client';
import type { Reads } from '../db/read-replica';
import { firstActiveFacilitation, seriesSites, spcValues } from '../repositories/metrics-series.repository';
import { todayIso } from '../clock';

/** Weekly bins over ten years and more would be a chart nobody can read, and a statement nobody should wait for. */
const MOST_BINS = 600;

/**
 * Improvement (SPC) charts of a measure per group (api.md; the calculation in domain/spc.ts). Access is the
 * metrics' own: clinicians their own sites, commissioners every site with disclosure control, admins every site.
 */
export class SpcService {
  constructor(private readonly reads: Reads) {}

  async charts(ctx: Ctx, query: SpcQuery): Promise<SpcCharts> {
    const [charts] = await this.chartsOf(ctx, query, [query.measure]);
    return charts!;
  }

  /**
   * The charts of several measures over the same query (the dashboard's): the sites, their rebase dates and the
   * counted measures' values are each read once for them all.
   */
  async chartsOf(ctx: Ctx, query: Omit<SpcQuery, 'measure'>, measures: readonly SpcMeasure[]): Promise<SpcCharts[]> {
    authorize(ctx.actor, 'metrics:read');
    const period = resolvePeriod(query, todayIso());
    if (!period) throw validation([{ path: 'to', message: 'to cannot be before from' }]);
    const { bin } = query;
    const bins = spcBins(period, bin);
    if (bins.length > MOST_BINS) throw validation([{ path: 'from', message: `The period has ${bins.length} ${bin}s: at most ${MOST_BINS} can be charted` }]);
    const answers = (groups: SpcCharts['groups'][]) => measures.map((measure, i): SpcCharts => ({ measure, bin, improvement: IMPROVEMENT[measure], groups: groups[i] ?? [] }));

    const scope = metricsSiteScope(ctx.actor);
    if (scope?.length === 0) return answers([]);
    return this.reads.run(async (db) => {
      const sites = await seriesSites(db, period.to, scope);
      if (sites.length === 0) return answers([]);
      const groups: SeriesGroup[] =
        query.groupBy === 'all' ? [{ key: 'all', label: 'All sites', siteIds: sites.map((s) => s.id) }] : seriesGroups(sites, query.groupBy);

      const [from, to] = [bins[0]!, binEnd(bins.at(-1)!, bin)];
      const [values, rebaseOn] = await Promise.all([
        spcValues(db, { groups: groups.filter((g) => g.siteIds.length > 0), from, to, bin, measures, therapy: query.therapy, everySite: scope === undefined }),
        rebaseDates(db, query, groups, period),
      ]);
      const controlled = isDisclosureControlled(ctx.actor);
      return answers(
        measures.map((measure) => {
          const empty: BinnedValue = measure === 'referral_to_start_days' ? { value: null, n: 0 } : { value: 0, n: 0 };
          // Each group's values by bin, found in one pass over the rows (a nation has 210 sites and thousands of rows).
          const byGroup = new Map<string, Map<string, BinnedValue>>();
          for (const r of values.get(measure) ?? []) {
            if (!byGroup.has(r.groupKey)) byGroup.set(r.groupKey, new Map());
            byGroup.get(r.groupKey)!.set(r.bin, r);
          }
          return groups.map((group) => {
            const found = byGroup.get(group.key);
            const points = bins.map((start) => found?.get(start) ?? empty);
            return spcGroup(group, bins, points, { measure, bin, rebaseOn: rebaseOn.get(group.key) ?? [], controlled });
          });
        }),
      );
    });
  }
}

/** Each group's rebase dates: the ones asked for, or a site's first active facilitation in the period. */
async function rebaseDates(db: Db, query: Pick<SpcQuery, 'rebase' | 'groupBy'>, groups: readonly SeriesGroup[], period: { from: string; to: string }): Promise<Map<string, string[]>> {
  const { rebase } = query;
  if (rebase.kind === 'dates') return new Map(groups.map((g) => [g.key, rebase.dates]));
  if (rebase.kind === 'none' || query.groupBy !== 'site') return new Map();
  const firsts = await firstActiveFacilitation(
    db,
    groups.flatMap((g) => g.siteIds),
    period,
  );
  return new Map(firsts.map((f) => [f.siteId, [f.on]]));
}
