import { daysInMonth, formatCalendarDate, parseCalendarDate } from './calendar-date';
import { discloseCount, discloseRate, type Disclosed } from './disclosure';
import { FACILITATION_LABELS, uptakePct, type GroupBy, type Period, type WaitName } from './metrics';
import { FACILITATION_MODES, type BarrierCategory, type FacilitationKind, type FacilitationMode } from './vocabulary';

/**
 * The aggregate series behind the dashboard's charts (docs/metrics.md; the i-PARIHS site
 * comparison made from data): starts per month or quarter per site with the site's facilitation and barriers,
 * the distribution of each wait, funding decisions by commissioner and route, and continuation at 12 months.
 * The SQL computes exact counts; what is here shapes them and applies disclosure control, with no I/O.
 */

export const TIME_BINS = ['month', 'quarter'] as const;
export type TimeBin = (typeof TIME_BINS)[number];

/** One step of the time axis: the calendar month or quarter starting on `start`, cut to the period. */
export interface TimeBucket {
  start: string;
  from: string;
  to: string;
  label: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Every month or calendar quarter that meets the period, oldest first. The first and last are cut to the
 * period (`from`/`to`), so a count in a partial bucket is never read as a whole month's. Quarters are named by
 * their months (Apr-Jun 2026): NHS quarters run from April, calendar ones from January, and both share these
 * boundaries.
 */
export function timeBuckets({ from, to }: Period, bin: TimeBin): TimeBucket[] {
  const first = parseCalendarDate(from)!;
  const span = bin === 'month' ? 1 : 3;
  let year = first.year;
  let month = bin === 'month' ? first.month : first.month - ((first.month - 1) % 3);
  const buckets: TimeBucket[] = [];
  for (;;) {
    const start = formatCalendarDate({ year, month, day: 1 });
    if (start > to) return buckets;
    const lastMonth = month + span - 1;
    const end = formatCalendarDate({ year, month: lastMonth, day: daysInMonth(year, lastMonth) });
    const label = bin === 'month' ? `${MONTHS[month - 1]} ${year}` : `${MONTHS[month - 1]}-${MONTHS[lastMonth - 1]} ${year}`;
    buckets.push({ start, from: start < from ? from : start, to: end > to ? to : end, label });
    month += span;
    if (month > 12) {
      month -= 12;
      year += 1;
    }
  }
}

/** Bins of days for the wait distributions: the first month, the second, the third, to six months, to a year, longer. */
export const WAIT_BINS = [
  { key: '0-30', minDays: 0, maxDays: 30 },
  { key: '31-60', minDays: 31, maxDays: 60 },
  { key: '61-90', minDays: 61, maxDays: 90 },
  { key: '91-180', minDays: 91, maxDays: 180 },
  { key: '181-365', minDays: 181, maxDays: 365 },
  { key: 'over-365', minDays: 366, maxDays: null },
] as const satisfies readonly { key: string; minDays: number; maxDays: number | null }[];
export type WaitBin = (typeof WAIT_BINS)[number];

export interface SeriesSite {
  id: string;
  name: string;
  icb: string;
  facilitationMode: FacilitationMode;
}

export interface SeriesGroup {
  key: string;
  label: string;
  siteIds: string[];
}

/**
 * The groups a series is reported in, as the metrics rows are: every site (or ICB) the actor sees, ordered by
 * label then key in code-point order (PGlite and a server collate differently), or always the three
 * facilitation modes, strongest first, each with the sites that had it as their strongest by `to`.
 */
export function seriesGroups(sites: readonly SeriesSite[], groupBy: GroupBy): SeriesGroup[] {
  const groups = new Map<string, SeriesGroup>();
  if (groupBy === 'facilitation') for (const mode of FACILITATION_MODES) groups.set(mode, { key: mode, label: FACILITATION_LABELS[mode], siteIds: [] });
  for (const site of sites) {
    const [key, label] = groupBy === 'site' ? [site.id, site.name] : groupBy === 'icb' ? [site.icb, site.icb] : [site.facilitationMode, FACILITATION_LABELS[site.facilitationMode]];
    const group = groups.get(key) ?? { key, label, siteIds: [] };
    group.siteIds.push(site.id);
    groups.set(key, group);
  }
  const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const list = [...groups.values()];
  return groupBy === 'facilitation' ? list : list.sort((a, b) => byCodePoint(a.label, b.label) || byCodePoint(a.key, b.key));
}

// ---------------------------------------------------------------------------------------------------------------
// Shapes

export interface FacilitationMark {
  on: string;
  mode: FacilitationMode;
  kind: FacilitationKind;
  facilitator: string | null;
  notes: string | null;
}

export interface BarrierSpan {
  category: BarrierCategory;
  description: string;
  raisedOn: string;
  resolvedOn: string | null;
}

export interface SiteStarts {
  siteId: string;
  name: string;
  /** The strongest facilitation the site had on or before `to`, as the metrics' facilitation groups read it. */
  facilitationMode: FacilitationMode;
  total: number | null;
  /** One count per bucket, in the buckets' order. */
  starts: (number | null)[];
  facilitation: FacilitationMark[];
  barriers: BarrierSpan[];
  suppressed: string[];
}

export interface StartsSeries extends Period {
  bin: TimeBin;
  buckets: TimeBucket[];
  sites: SiteStarts[];
}

export interface WaitHistogram {
  n: number | null;
  /** One count per bin of WAIT_BINS, in its order. */
  counts: (number | null)[];
}

export interface WaitDistributionRow {
  key: string;
  label: string;
  waits: Record<WaitName, WaitHistogram>;
  suppressed: string[];
}

export interface WaitDistributions extends Period {
  bins: { key: string; minDays: number; maxDays: number | null }[];
  rows: WaitDistributionRow[];
}

export interface FundingDecisionRow {
  commissioner: string;
  route: string;
  submitted: number | null;
  approved: number | null;
  declined: number | null;
  moreInfo: number | null;
  awaitingDecision: number | null;
  suppressed: string[];
}

export interface AwaitingFundingRow {
  key: string;
  label: string;
  awaitingFunding: number | null;
  suppressed: string[];
}

export interface FundingReport extends Period {
  decisions: FundingDecisionRow[];
  groups: AwaitingFundingRow[];
}

export interface ContinuationRow {
  key: string;
  label: string;
  reached12m: number | null;
  continuing12m: number | null;
  continuingPct: number | null;
  suppressed: string[];
}

export interface ContinuationReport extends Period {
  rows: ContinuationRow[];
}

/** continuing12m / reached12m x 100, one decimal, halves up: the same rounding as uptake. */
export const continuingPct = uptakePct;

// ---------------------------------------------------------------------------------------------------------------
// Disclosure control (docs/metrics.md): the same rules as the metrics row, applied to every count here.

/** Disclosed values, with the dotted name of each withheld one added to `suppressed`. */
export function withheldNoter(suppressed: string[]) {
  return (field: string, d: Disclosed): number | null => {
    if (d.withheld) suppressed.push(field);
    return d.value;
  };
}

export function discloseSiteStarts(exact: SiteStarts): SiteStarts {
  const suppressed: string[] = [];
  const note = withheldNoter(suppressed);
  const total = note('total', discloseCount(exact.total));
  const starts = exact.starts.map((count, i) => note(`starts.${i}`, discloseCount(count)));
  return { ...exact, total, starts, suppressed };
}

export function discloseWaitRow(exact: WaitDistributionRow): WaitDistributionRow {
  const suppressed: string[] = [];
  const note = withheldNoter(suppressed);
  const waits = Object.fromEntries(
    Object.entries(exact.waits).map(([name, h]) => [
      name,
      { n: note(`waits.${name}.n`, discloseCount(h.n)), counts: h.counts.map((c, i) => note(`waits.${name}.counts.${i}`, discloseCount(c))) },
    ]),
  ) as Record<WaitName, WaitHistogram>;
  return { ...exact, waits, suppressed };
}

export function discloseFundingRow(exact: FundingDecisionRow): FundingDecisionRow {
  const suppressed: string[] = [];
  const note = withheldNoter(suppressed);
  return {
    commissioner: exact.commissioner,
    route: exact.route,
    submitted: note('submitted', discloseCount(exact.submitted)),
    approved: note('approved', discloseCount(exact.approved)),
    declined: note('declined', discloseCount(exact.declined)),
    moreInfo: note('moreInfo', discloseCount(exact.moreInfo)),
    awaitingDecision: note('awaitingDecision', discloseCount(exact.awaitingDecision)),
    suppressed,
  };
}

export function discloseAwaitingRow(exact: AwaitingFundingRow): AwaitingFundingRow {
  const suppressed: string[] = [];
  return { ...exact, awaitingFunding: withheldNoter(suppressed)('awaitingFunding', discloseCount(exact.awaitingFunding)), suppressed };
}

/** As uptake: the rate is withheld with either part, else computed from the rounded parts. */
export function discloseContinuationRow(exact: ContinuationRow): ContinuationRow {
  const suppressed: string[] = [];
  const note = withheldNoter(suppressed);
  const reached = discloseCount(exact.reached12m);
  const continuing = discloseCount(exact.continuing12m);
  return {
    key: exact.key,
    label: exact.label,
    reached12m: note('reached12m', reached),
    continuing12m: note('continuing12m', continuing),
    continuingPct: note('continuingPct', discloseRate(continuing, reached, continuingPct)),
    suppressed,
  };
}
