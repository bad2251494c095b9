import { daysBetween } from '../../domain/calendar-date';
import { yearsEndingOn } from '../../domain/metrics';
import { changeAfterRebase } from '../../domain/spc-reading';
import { spcMonths } from '../../domain/spc-months';
import { binStart, IMPROVEMENT, SPC_MEASURES, spcBins, spcGroup, type BinnedValue, type SpcGroup, type SpcMeasure } from '../../domain/spc-series';
import { generateHistory } from './history.generator';
import type { GeneratedHistory, HistoryOptions, HistorySite } from './history.types';

/**
 * Whether a demo history tells the study's story on the improvement charts the dashboard opens with: at the sites
 * given hands-on facilitation, starts and waits vary by chance alone before it, and after it a run of months above
 * (starts) or below (waits) the earlier mean shows a sustained improvement; everywhere else, every measure shows only
 * common-cause variation.
 *
 * The pathway is simulated honestly, so a steady site's few starts a month, and the median of their few waits, now
 * and then make a chance signal: with four rules over 24 months it happens to most of them. A demo showing one
 * would tell a commissioner that a site without help had changed. Each site therefore has the first of its possible
 * histories (HistorySite.variant; each site draws on its own random stream) whose charts tell its part.
 */

/** Variants tried for each site before it keeps its first, whatever it shows. */
const VARIANTS_TRIED = 40;

/** The demo's history, each site's the first of its variants whose charts tell the story. */
export function historyTellingTheStory(options: HistoryOptions): GeneratedHistory {
  const chosen = new Map<string, number>();
  for (let variant = 0; variant < VARIANTS_TRIED; variant++) {
    const sites = options.sites.map((site) => ({ ...site, variant: chosen.get(site.id) ?? variant }));
    const history = generateHistory({ ...options, sites });
    const charts = storyCharts(history, sites, options.today);
    for (const site of sites) if (!chosen.has(site.id) && siteStoryProblems(site, charts.get(site.id)!).length === 0) chosen.set(site.id, variant);
    if (chosen.size === sites.length) return history;
  }
  return generateHistory({ ...options, sites: options.sites.map((site) => ({ ...site, variant: chosen.get(site.id) ?? 0 })) });
}

/** Where the charts depart from the story, in words ("RDM04 starts: a signal at a site without hands-on help"); none when they tell it. */
export function storyProblems(history: GeneratedHistory, sites: readonly HistorySite[], today: string): string[] {
  const charts = storyCharts(history, sites, today);
  return sites.flatMap((site) => siteStoryProblems(site, charts.get(site.id)!));
}

function siteStoryProblems(site: HistorySite, charts: ReadonlyMap<SpcMeasure, SpcGroup>): string[] {
  return SPC_MEASURES.flatMap((measure) => {
    const chart = charts.get(measure)!;
    if (site.profile !== 'active') {
      return chart.points.some((p) => p.specialCause !== null) ? [`${site.odsCode} ${measure}: a signal at a site without hands-on help`] : [];
    }
    if (measure === 'referrals') return [];
    const rebase = chart.rebasedOn.at(-1);
    if (rebase && chart.points.some((p) => p.start < rebase && p.specialCause !== null)) {
      return [`${site.odsCode} ${measure}: a signal before hands-on facilitation`];
    }
    const change = changeAfterRebase(chart);
    const better = IMPROVEMENT[measure] === 'up' ? 1 : -1;
    // "Starts rose after hands-on facilitation in March: a run of 8 months above the earlier mean", and nothing worse.
    const sustained = change?.run?.side === better;
    const worse = change !== null && (better === 1 ? change.below : change.above) > 0;
    return sustained && !worse ? [] : [`${site.odsCode} ${measure}: no sustained improvement after hands-on facilitation`];
  });
}

/**
 * Each site's improvement chart of each measure over the dashboard's first months, split where its hands-on
 * facilitation began, from the history's own records by the metrics' definitions (api.md): pathway referrals by the
 * day received, pathway starts by the day of the device start, and the median of their waits from referral.
 */
export function storyCharts(history: GeneratedHistory, sites: readonly HistorySite[], today: string): Map<string, Map<SpcMeasure, SpcGroup>> {
  const months = spcMonths(yearsEndingOn(today, 1), today);
  const bins = spcBins(months, 'month');
  const inMonths = (day: string) => day >= months.from && day <= months.to;
  const received = new Map<string, { siteId: string; receivedOn: string }>();
  const referrals = new Map<string, string[]>();
  const waits = new Map<string, { bin: string; days: number }[]>();
  for (const r of history.referrals) {
    if (r.origin !== 'pathway' || r.receivedOn === null) continue;
    received.set(r.id, { siteId: r.siteId, receivedOn: r.receivedOn });
    if (inMonths(r.receivedOn)) push(referrals, r.siteId, binStart(r.receivedOn, 'month'));
  }
  for (const e of history.events) {
    const referral = e.type === 'device_started' ? received.get(e.referralId) : undefined;
    if (referral && inMonths(e.occurredOn)) push(waits, referral.siteId, { bin: binStart(e.occurredOn, 'month'), days: daysBetween(referral.receivedOn, e.occurredOn) });
  }

  return new Map(
    sites.map((site) => {
      const group = { key: site.id, label: site.odsCode };
      const rebaseOn = site.profile === 'active' && site.facilitationStartsOn ? [site.facilitationStartsOn] : [];
      const chart = (measure: SpcMeasure, values: BinnedValue[]) => spcGroup(group, bins, values, { measure, bin: 'month', rebaseOn, controlled: false });
      const counts = (starts: readonly string[]) => bins.map((bin) => starts.filter((s) => s === bin).length).map((n) => ({ value: n, n }));
      const siteWaits = waits.get(site.id) ?? [];
      return [
        site.id,
        new Map<SpcMeasure, SpcGroup>([
          ['referrals', chart('referrals', counts(referrals.get(site.id) ?? []))],
          ['starts', chart('starts', counts(siteWaits.map((w) => w.bin)))],
          ['referral_to_start_days', chart('referral_to_start_days', bins.map((bin) => medianOf(siteWaits.filter((w) => w.bin === bin).map((w) => w.days))))],
        ]),
      ];
    }),
  );
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The median as PostgreSQL's percentile_cont(0.5) gives it: the mean of the middle two of an even count. */
function medianOf(values: number[]): BinnedValue {
  if (values.length === 0) return { value: null, n: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return { value: sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2, n: sorted.length };
}
