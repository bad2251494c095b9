import { authorize } from '../../domain/access';
import { isDisclosureControlled } from '../../domain/disclosure';
import { validation } from '../../domain/errors';
import { metricsSiteScope, resolvePeriod, WAIT_NAMES, type GroupBy, type Period } from '../../domain/metrics';
import {
  continuingPct,
  discloseAwaitingRow,
  discloseContinuationRow,
  discloseFundingRow,
  discloseSiteStarts,
  discloseWaitRow,
  seriesGroups,
  timeBuckets,
  WAIT_BINS,
  type ContinuationReport,
  type FundingDecisionRow,
  type FundingReport,
  type SeriesSite,
  type SiteStarts,
  type StartsSeries,
  type TimeBin,
  type WaitDistributions,
} from '../../domain/metrics-series';
import type { ContinuationQuery, FundingQuery, StartsQuery, WaitsQuery } from '../../schemas/metrics-series.schema';
import { FUNDING_ROUTES } from '../../schemas/referrals.schema';
import type { Ctx } from '../context';
import type { Db } from '../db/client';
import type { Reads } from '../db/read-replica';
import {
  awaitingFundingByGroup,
  barriersOpenIn,
  continuationByGroup,
  facilitationActivitiesIn,
  fundingByRoute,
  milestonesByGroupAndBin,
  seriesSites,
  waitBinCounts,
} from '../repositories/metrics-series.repository';
import { todayIso } from '../clock';

/**
 * The dashboard's aggregate series (domain/metrics-series.ts; definitions in each route's OpenAPI description).
 * Each is one SQL statement of counts (metrics-series.repository.ts); disclosure control is applied to its rows for
 * commissioners. Access is the metrics' own: `metrics:read`, clinicians their own sites, commissioners every site,
 * controlled.
 */
export class MetricsSeriesService {
  constructor(private readonly reads: Reads) {}

  async starts(ctx: Ctx, query: StartsQuery): Promise<StartsSeries> {
    return this.reads.run(async (db) => {
      const { period, sites, everySite } = await this.prepare(db, ctx, query);
      const bin: TimeBin = query.bin;
      const buckets = timeBuckets(period, bin);
      const siteIds = sites.map((s) => s.id);
      const empty = { ...period, bin, buckets, sites: [] };
      if (siteIds.length === 0) return empty;

      const groups = seriesGroups(sites, 'site');
      const counted = await milestonesByGroupAndBin(db, { groups, period, bin, milestone: 'started', therapy: query.therapy, everySite });
      const activities = await facilitationActivitiesIn(db, siteIds, period);
      const open = await barriersOpenIn(db, siteIds, period);

      const bucketIndex = new Map(buckets.map((b, i) => [b.start, i]));
      const byId = new Map(sites.map((s) => [s.id, s]));
      // Each site's starts, activities and barriers found in one pass over each list (a nation has 210 sites).
      const startsOf = new Map(siteIds.map((id) => [id, buckets.map(() => 0)]));
      for (const row of counted) startsOf.get(row.groupKey)![bucketIndex.get(row.bin)!]! += row.n;
      const activitiesOf = groupBy(activities, (a) => a.siteId);
      const barriersOf = groupBy(open, (b) => b.siteId);
      // Sites in the order of the metrics' rows by site.
      const bySite = groups.map(({ key }): SiteStarts => {
        const site = byId.get(key)!;
        const starts = startsOf.get(site.id)!;
        return {
          siteId: site.id,
          name: site.name,
          facilitationMode: site.facilitationMode,
          total: starts.reduce((a, b) => a + b, 0),
          starts,
          facilitation: (activitiesOf.get(site.id) ?? []).map((a) => ({ on: a.on, mode: a.mode, kind: a.kind, facilitator: a.facilitator, notes: a.notes })),
          barriers: (barriersOf.get(site.id) ?? []).map((b) => ({ category: b.category, description: b.description, raisedOn: b.raisedOn, resolvedOn: b.resolvedOn })),
          suppressed: [],
        };
      });
      return { ...empty, sites: this.controlled(ctx) ? bySite.map(discloseSiteStarts) : bySite };
    });
  }

  async waits(ctx: Ctx, query: WaitsQuery): Promise<WaitDistributions> {
    return this.reads.run(async (db) => {
      const { period, groups } = await this.prepareGroups(db, ctx, query);
      const bins = WAIT_BINS.map((b) => ({ ...b }));
      const rows = groups.map((g) => ({
        key: g.key,
        label: g.label,
        waits: Object.fromEntries(WAIT_NAMES.map((name) => [name, { n: 0, counts: WAIT_BINS.map(() => 0) }])) as WaitDistributions['rows'][number]['waits'],
        suppressed: [] as string[],
      }));
      const withSites = groups.filter((g) => g.siteIds.length > 0);
      if (withSites.length > 0) {
        const rowOf = new Map(rows.map((row) => [row.key, row]));
        for (const r of await waitBinCounts(db, { groups: withSites, period, therapy: query.therapy })) {
          const wait = rowOf.get(r.groupKey)!.waits[r.wait];
          wait.counts[r.bin]! += r.n;
          wait.n! += r.n;
        }
      }
      return { ...period, bins, rows: this.controlled(ctx) ? rows.map(discloseWaitRow) : rows };
    });
  }

  async funding(ctx: Ctx, query: FundingQuery): Promise<FundingReport> {
    return this.reads.run(async (db) => {
      const { period, groups } = await this.prepareGroups(db, ctx, query);
      const withSites = groups.filter((g) => g.siteIds.length > 0);
      const awaiting = new Map<string, number>();
      let decisions: FundingDecisionRow[] = [];
      if (withSites.length > 0) {
        const scope = { groups: withSites, period, therapy: query.therapy };
        const [byRoute, waiting] = await Promise.all([fundingByRoute(db, scope), awaitingFundingByGroup(db, scope)]);
        decisions = byRoute.map((r) => ({ ...r, suppressed: [] }));
        for (const r of waiting) awaiting.set(r.groupKey, r.n);
      }
      const routeOrder = (route: string) => (FUNDING_ROUTES as readonly string[]).indexOf(route);
      decisions.sort((a, b) => (a.commissioner < b.commissioner ? -1 : a.commissioner > b.commissioner ? 1 : routeOrder(a.route) - routeOrder(b.route)));
      const groupRows = groups.map((g) => ({ key: g.key, label: g.label, awaitingFunding: awaiting.get(g.key) ?? 0, suppressed: [] }));
      return this.controlled(ctx)
        ? { ...period, decisions: decisions.map(discloseFundingRow), groups: groupRows.map(discloseAwaitingRow) }
        : { ...period, decisions, groups: groupRows };
    });
  }

  async continuation(ctx: Ctx, query: ContinuationQuery): Promise<ContinuationReport> {
    return this.reads.run(async (db) => {
      const { period, groups } = await this.prepareGroups(db, ctx, query);
      const withSites = groups.filter((g) => g.siteIds.length > 0);
      const figures = new Map<string, { reached: number; continuing: number }>();
      if (withSites.length > 0) {
        for (const r of await continuationByGroup(db, { groups: withSites, period, therapy: query.therapy })) figures.set(r.groupKey, r);
      }
      const rows = groups.map((g) => {
        const f = figures.get(g.key) ?? { reached: 0, continuing: 0 };
        return { key: g.key, label: g.label, reached12m: f.reached, continuing12m: f.continuing, continuingPct: continuingPct(f.continuing, f.reached), suppressed: [] };
      });
      return { ...period, rows: this.controlled(ctx) ? rows.map(discloseContinuationRow) : rows };
    });
  }

  // -------------------------------------------------------------------------------------------------------------

  private controlled(ctx: Ctx): boolean {
    return isDisclosureControlled(ctx.actor);
  }

  /**
   * The access check, the period, and the sites the actor sees with each one's strongest facilitation by `to`
   * (`everySite` when they see every site there is).
   */
  private async prepare(db: Db, ctx: Ctx, query: { from?: string | undefined; to?: string | undefined }): Promise<{ period: Period; sites: SeriesSite[]; everySite: boolean }> {
    authorize(ctx.actor, 'metrics:read');
    const period = resolvePeriod(query, todayIso());
    if (!period) throw validation([{ path: 'to', message: 'to cannot be before from' }]);
    const scope = metricsSiteScope(ctx.actor);
    if (scope?.length === 0) return { period, sites: [], everySite: false };
    return { period, sites: await seriesSites(db, period.to, scope), everySite: scope === undefined };
  }

  private async prepareGroups(db: Db, ctx: Ctx, query: { from?: string | undefined; to?: string | undefined; groupBy: GroupBy }) {
    const { period, sites } = await this.prepare(db, ctx, query);
    return { period, groups: seriesGroups(sites, query.groupBy) };
  }
}

/** The items by a key of each, each list in the items' order. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
