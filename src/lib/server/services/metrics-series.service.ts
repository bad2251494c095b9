import { and, asc, gte, inArray, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import { authorize } from '../../domain/access';
import { isDisclosureControlled } from '../../domain/disclosure';
import { validation } from '../../domain/errors';
import { FACILITATION_ORDER, metricsSiteScope, resolvePeriod, WAIT_NAMES, type GroupBy, type Period, type WaitName } from '../../domain/metrics';
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
  type SeriesGroup,
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
import { barriers, facilitationActivities } from '../db/schema';
import { todayIso } from '../clock';
import { rowsOf } from '../db/client';
import { toNumber, WAIT_COLUMNS } from './metrics.service';

/**
 * The dashboard's aggregate series (domain/metrics-series.ts; definitions in each route's OpenAPI description).
 * Each is one SQL statement of counts over the indexed event type and date; only a row per group and bucket (or
 * bin, or commissioner and route) comes back, and disclosure control is applied to those for commissioners.
 * Access is the metrics' own: `metrics:read`, clinicians their own sites, commissioners every site, controlled.
 */

const count = (value: unknown): number => toNumber(value) ?? 0;

/** The scoped sites as a table the statements join: `site_groups(site_id, group_key)`. */
function siteGroupsTable(groups: readonly SeriesGroup[]): SQL {
  const pairs = groups.flatMap((g) => g.siteIds.map((id) => sql`(${id}::uuid, ${g.key}::text)`));
  return sql`site_groups(site_id, group_key) as (values ${sql.join(pairs, sql`, `)})`;
}

const therapyFilter = (therapy: string | undefined): SQL => (therapy ? sql`and r.therapy = ${therapy}::therapy` : sql``);

/**
 * `m`: the scoped referrals received by `to`, a row of milestones each (referral_milestones) with its group; after
 * siteGroupsTable in a with clause. Not materialised: a statement that reads it more than once would otherwise
 * copy every row into a temporary store first, which on the embedded database goes to disk.
 */
const milestonesOf = (to: string, therapy: string | undefined): SQL =>
  sql`m as not materialized (
    select m.*, g.group_key from referral_milestones m join site_groups g on g.site_id = m.site_id
    where m.received_on <= ${to}::date ${therapy ? sql`and m.therapy = ${therapy}::therapy` : sql``})`;

/** The day 12 months after a start, by the calendar convention of calendar-date.ts (29 February -> 1 March). */
const anniversary = (date: SQL): SQL =>
  sql`((${date}) + interval '1 year')::date + (case when extract(month from ${date}) = 2 and extract(day from ${date}) = 29 then 1 else 0 end)`;

function waitBinCase(days: SQL): SQL {
  const bounded = WAIT_BINS.flatMap((b, i) => (b.maxDays === null ? [] : [sql`when ${days} <= ${b.maxDays}::int then ${i}::int`]));
  return sql`case ${sql.join(bounded, sql` `)} else ${WAIT_BINS.length - 1}::int end`;
}

export class MetricsSeriesService {
  constructor(private readonly db: Db) {}

  async starts(ctx: Ctx, query: StartsQuery): Promise<StartsSeries> {
    const { period, sites } = await this.prepare(ctx, query);
    const bin: TimeBin = query.bin;
    const buckets = timeBuckets(period, bin);
    const siteIds = sites.map((s) => s.id);
    const empty = { ...period, bin, buckets, sites: [] };
    if (siteIds.length === 0) return empty;

    const counted = await this.run(sql`
      select r.site_id::text as site_id, to_char(date_trunc(${bin}, e.occurred_on::timestamp), 'YYYY-MM-DD') as bucket, count(*) as n
      from referral_events e
      join referrals r on r.id = e.referral_id
      where e.type = 'device_started' and e.occurred_on between ${period.from}::date and ${period.to}::date
        and r.site_id in (${sql.join(siteIds.map((id) => sql`${id}::uuid`), sql`, `)}) ${therapyFilter(query.therapy)}
      group by 1, 2`);
    const activities = await this.db
      .select()
      .from(facilitationActivities)
      .where(and(inArray(facilitationActivities.siteId, siteIds), gte(facilitationActivities.on, period.from), lte(facilitationActivities.on, period.to)))
      .orderBy(asc(facilitationActivities.on), asc(facilitationActivities.createdAt));
    // Barriers open at any time in the period: raised by its end, not resolved before its start.
    const open = await this.db
      .select()
      .from(barriers)
      .where(and(inArray(barriers.siteId, siteIds), lte(barriers.raisedOn, period.to), or(isNull(barriers.resolvedOn), gte(barriers.resolvedOn, period.from))))
      .orderBy(asc(barriers.raisedOn), asc(barriers.createdAt));

    const bucketIndex = new Map(buckets.map((b, i) => [b.start, i]));
    const byId = new Map(sites.map((s) => [s.id, s]));
    // Sites in the order of the metrics' rows by site.
    const bySite = seriesGroups(sites, 'site').map(({ key }): SiteStarts => {
      const site = byId.get(key)!;
      const starts = buckets.map(() => 0);
      for (const row of counted) if (row.site_id === site.id) starts[bucketIndex.get(String(row.bucket))!]! += count(row.n);
      return {
        siteId: site.id,
        name: site.name,
        facilitationMode: site.facilitationMode,
        total: starts.reduce((a, b) => a + b, 0),
        starts,
        facilitation: activities.filter((a) => a.siteId === site.id).map((a) => ({ on: a.on, mode: a.mode, kind: a.kind, facilitator: a.facilitator, notes: a.notes })),
        barriers: open.filter((b) => b.siteId === site.id).map((b) => ({ category: b.category, description: b.description, raisedOn: b.raisedOn, resolvedOn: b.resolvedOn })),
        suppressed: [],
      };
    });
    return { ...empty, sites: this.controlled(ctx) ? bySite.map(discloseSiteStarts) : bySite };
  }

  async waits(ctx: Ctx, query: WaitsQuery): Promise<WaitDistributions> {
    const { period, groups } = await this.prepareGroups(ctx, query);
    const bins = WAIT_BINS.map((b) => ({ ...b }));
    const rows = groups.map((g) => ({
      key: g.key,
      label: g.label,
      waits: Object.fromEntries(WAIT_NAMES.map((name) => [name, { n: 0, counts: WAIT_BINS.map(() => 0) }])) as WaitDistributions['rows'][number]['waits'],
      suppressed: [] as string[],
    }));
    const withSites = groups.filter((g) => g.siteIds.length > 0);
    if (withSites.length > 0) {
      const { from, to } = period;
      // A wait counts in the period its end falls in, as in the metrics report, so each distribution has the
      // report's n for its group.
      const byWait = WAIT_NAMES.map((name) => {
        const { start, end } = WAIT_COLUMNS[name];
        return sql`select group_key, ${name}::text as wait, ${end} - ${start} as days from m
          where ${end} between ${from}::date and ${to}::date and ${start} <= ${to}::date`;
      });
      const result = await this.run(sql`
        with ${siteGroupsTable(withSites)},
        ${milestonesOf(to, query.therapy)},
        waits as (${sql.join(byWait, sql` union all `)})
        select group_key, wait, ${waitBinCase(sql`days`)} as bin, count(*) as n
        from waits
        group by 1, 2, 3`);
      for (const r of result) {
        const wait = rows.find((row) => row.key === r.group_key)!.waits[r.wait as WaitName];
        wait.counts[Number(r.bin)]! += count(r.n);
        wait.n! += count(r.n);
      }
    }
    return { ...period, bins, rows: this.controlled(ctx) ? rows.map(discloseWaitRow) : rows };
  }

  async funding(ctx: Ctx, query: FundingQuery): Promise<FundingReport> {
    const { period, groups } = await this.prepareGroups(ctx, query);
    const { from, to } = period;
    const withSites = groups.filter((g) => g.siteIds.length > 0);
    const awaiting = new Map<string, number>();
    let decisions: FundingDecisionRow[] = [];
    if (withSites.length > 0) {
      const scoped = sql`${siteGroupsTable(withSites)}, ${milestonesOf(to, query.therapy)}`;
      const route = (q: string) => sql.raw(`${q}.payload->>'commissioner' as commissioner, ${q}.payload->>'route' as route`);
      // Each decision answers the submission just before it (the pathway allows nothing else between them). A
      // submission is unanswered at `to` when it is the referral's latest event by then (events are recorded in
      // date order); only a referral with no final funding decision by `to` can have one, and the milestones find
      // those without reading every submission.
      const byRouteStatement = sql`
        with ${scoped},
        -- The period's requests and decisions, found once for the two counts below.
        in_period as (
          select e.referral_id, e.seq, e.type, e.status_after, e.payload
          from referral_events e join m on m.referral_id = e.referral_id
          where e.type in ('funding_requested', 'funding_decision') and e.occurred_on between ${from}::date and ${to}::date
        ),
        tagged as (
          select ${route('q')}, 'submitted' as what from in_period q where q.type = 'funding_requested'
          union all
          select q.commissioner, q.route,
            case d.status_after when 'awaiting_start' then 'approved' when 'funding_declined' then 'declined' else 'moreInfo' end
          from in_period d
          cross join lateral (
            select ${route('q')} from referral_events q
            where q.referral_id = d.referral_id and q.type = 'funding_requested' and q.seq < d.seq
            order by q.seq desc limit 1
          ) q
          where d.type = 'funding_decision'
          union all
          select q.commissioner, q.route, 'awaitingDecision'
          from m
          cross join lateral (
            select q.type, ${route('q')} from referral_events q
            where q.referral_id = m.referral_id and q.occurred_on <= ${to}::date
            order by q.seq desc limit 1
          ) q
          where m.requested_on <= ${to}::date and (m.funding_decided_on is null or m.funding_decided_on > ${to}::date)
            and q.type = 'funding_requested'
        )
        select commissioner, route,
          count(*) filter (where what = 'submitted') as submitted,
          count(*) filter (where what = 'approved') as approved,
          count(*) filter (where what = 'declined') as declined,
          count(*) filter (where what = 'moreInfo') as more_info,
          count(*) filter (where what = 'awaitingDecision') as awaiting_decision
        from tagged group by 1, 2`;
      // Found eligible by `to`, with no final funding decision and no withdrawal by then.
      const waitingStatement = sql`
        with ${scoped}
        select group_key, count(*) as n
        from m
        where eligible_on <= ${to}::date and (funding_decided_on is null or funding_decided_on > ${to}::date)
          and not exists (select 1 from referral_events x where x.referral_id = m.referral_id and x.type = 'withdrawn' and x.occurred_on <= ${to}::date)
        group by 1`;
      const [byRoute, waiting] = await Promise.all([this.run(byRouteStatement), this.run(waitingStatement)]);
      decisions = byRoute.map((r) => ({
        commissioner: String(r.commissioner),
        route: String(r.route),
        submitted: count(r.submitted),
        approved: count(r.approved),
        declined: count(r.declined),
        moreInfo: count(r.more_info),
        awaitingDecision: count(r.awaiting_decision),
        suppressed: [],
      }));
      for (const r of waiting) awaiting.set(String(r.group_key), count(r.n));
    }
    const routeOrder = (route: string) => (FUNDING_ROUTES as readonly string[]).indexOf(route);
    decisions.sort((a, b) => (a.commissioner < b.commissioner ? -1 : a.commissioner > b.commissioner ? 1 : routeOrder(a.route) - routeOrder(b.route)));
    const groupRows = groups.map((g) => ({ key: g.key, label: g.label, awaitingFunding: awaiting.get(g.key) ?? 0, suppressed: [] }));
    return this.controlled(ctx)
      ? { ...period, decisions: decisions.map(discloseFundingRow), groups: groupRows.map(discloseAwaitingRow) }
      : { ...period, decisions, groups: groupRows };
  }

  async continuation(ctx: Ctx, query: ContinuationQuery): Promise<ContinuationReport> {
    const { period, groups } = await this.prepareGroups(ctx, query);
    const withSites = groups.filter((g) => g.siteIds.length > 0);
    const figures = new Map<string, { reached: number; continuing: number }>();
    if (withSites.length > 0) {
      const to = sql`${period.to}::date`;
      // continuing_12m_on is the start's first anniversary when therapy had not stopped by then.
      const result = await this.run(sql`
        with ${siteGroupsTable(withSites)},
        ${milestonesOf(period.to, query.therapy)}
        select group_key, count(distinct patient_id) as reached,
          count(distinct patient_id) filter (where continuing_12m_on <= ${to}) as continuing
        from m
        where started_on is not null and ${anniversary(sql`started_on`)} <= ${to}
        group by 1`);
      for (const r of result) figures.set(String(r.group_key), { reached: count(r.reached), continuing: count(r.continuing) });
    }
    const rows = groups.map((g) => {
      const f = figures.get(g.key) ?? { reached: 0, continuing: 0 };
      return { key: g.key, label: g.label, reached12m: f.reached, continuing12m: f.continuing, continuingPct: continuingPct(f.continuing, f.reached), suppressed: [] };
    });
    return { ...period, rows: this.controlled(ctx) ? rows.map(discloseContinuationRow) : rows };
  }

  // -------------------------------------------------------------------------------------------------------------

  private controlled(ctx: Ctx): boolean {
    return isDisclosureControlled(ctx.actor);
  }

  /** The access check, the period, and the sites the actor sees with each one's strongest facilitation by `to`. */
  private async prepare(ctx: Ctx, query: { from?: string | undefined; to?: string | undefined }): Promise<{ period: Period; sites: SeriesSite[] }> {
    authorize(ctx.actor, 'metrics:read');
    const period = resolvePeriod(query, todayIso());
    if (!period) throw validation([{ path: 'to', message: 'to cannot be before from' }]);
    const scope = metricsSiteScope(ctx.actor);
    if (scope?.length === 0) return { period, sites: [] };
    const rows = await this.db.execute(sql`
      select s.id::text as id, s.name, s.icb,
        coalesce((
          select max(case f.mode when 'active' then 2 when 'passive' then 1 else 0 end)
          from facilitation_activities f where f.site_id = s.id and f."on" <= ${period.to}::date
        ), 0) as strength
      from sites s
      ${scope ? sql`where s.id in (${sql.join(scope.map((id) => sql`${id}::uuid`), sql`, `)})` : sql``}`);
    const sites = rowsOf<{ id: string; name: string; icb: string; strength: unknown }>(rows).map((s) => ({
      id: s.id,
      name: s.name,
      icb: s.icb,
      // FACILITATION_ORDER is strongest first: active (2), passive (1), none (0).
      facilitationMode: FACILITATION_ORDER[2 - count(s.strength)]!,
    }));
    return { period, sites };
  }

  private async prepareGroups(ctx: Ctx, query: { from?: string | undefined; to?: string | undefined; groupBy: GroupBy }) {
    const { period, sites } = await this.prepare(ctx, query);
    return { period, groups: seriesGroups(sites, query.groupBy) };
  }

  /**
   * PostgreSQL's planner overestimates these aggregates, and past jit_above_cost it would spend longer compiling
   * than running them (as for the metrics report). PGlite has no JIT and accepts the setting.
   */
  private async run(statement: SQL): Promise<Record<string, unknown>[]> {
    const result = await this.db.transaction(async (tx) => {
      await tx.execute(sql`set local jit = off`);
      return tx.execute(statement);
    });
    return rowsOf<Record<string, unknown>>(result);
  }
}
