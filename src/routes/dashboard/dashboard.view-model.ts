import { countText, percentText, scaleMax, WITHHELD, type Bar } from '$lib/components/charts/chart';
import { FACILITATION_LABELS, WAIT_NAMES, type GroupBy, type MetricsRow, type Period, type WaitName } from '$lib/domain/metrics';
import { WAIT_BINS, type ContinuationReport, type FundingReport, type StartsSeries, type TimeBin, type WaitDistributions } from '$lib/domain/metrics-series';
import { formatNumber, formatUkDate } from '$lib/format';
import { BARRIER_LABEL, FACILITATION_KIND_LABEL, GROUP_BY_LABEL, ROUTE_LABEL, THERAPY_LABEL, WAIT_LABEL } from '$lib/labels';

/**
 * What the dashboard shows, worked out from what its server load returns: the words, figures, summaries, chart
 * inputs and table rows of each section. Pure, so that the rules of how figures read are tested here; the
 * section components only lay them out.
 */

type Therapy = keyof typeof THERAPY_LABEL;

export interface DashboardQuery extends Period {
  groupBy: GroupBy;
  therapy?: Therapy;
  bin: TimeBin;
}

/** A column of a figures table. Figures are right-aligned (numeric); words are not. */
export interface Column {
  label: string;
  numeric: boolean;
}

/** A row of a figures table: its header (a link to the site when the groups are sites), then one text per column. */
export interface TableRow {
  key: string;
  label: string;
  href?: string;
  cells: string[];
}

const figures = (labels: readonly string[]): Column[] => labels.map((label) => ({ label, numeric: true }));

// ---------------------------------------------------------------------------------------------------------------
// How figures read

/** A count withheld by disclosure control (1 to 7, for commissioners) reads "1-7", as the national audits print it. */
export const shown = (value: number | null, field: string, suppressed: readonly string[]): string => countText(value, suppressed.includes(field));

/** A percentage in a table: "withheld" when disclosure control withheld it, blank when there is none. */
const percentCell = (value: number | null, withheld: boolean): string => (value === null ? (withheld ? 'withheld' : '') : `${value}%`);

/** Days to one decimal place (a median may fall between two days). */
export const days = (value: number | null): string => (value === null ? '' : formatNumber(Math.round(value * 10) / 10));

const routeLabel = (route: string): string => ROUTE_LABEL[route as keyof typeof ROUTE_LABEL] ?? route;

/** Groups that are sites link to the site's page. */
export const siteLink = (groupBy: GroupBy, key: string): string | undefined => (groupBy === 'site' ? `/sites/${key}` : undefined);

const bar = (label: string, value: number | null, withheld: boolean, text: string): Bar => ({ label, value, withheld, text });

/** A chart's accessible description when its bars say it all. */
const barsDescription = (bars: readonly Bar[]): string => bars.map((b) => `${b.label}: ${b.text}`).join('; ');

// ---------------------------------------------------------------------------------------------------------------
// The report's header and its query

export const ANY_THERAPY = 'Pumps and closed loop';

export const periodText = (p: Period): string => `${formatUkDate(p.from)} to ${formatUkDate(p.to)}`;

export const filtersText = (q: DashboardQuery): string =>
  `${GROUP_BY_LABEL[q.groupBy]} compared; ${q.therapy ? THERAPY_LABEL[q.therapy] : ANY_THERAPY.toLowerCase()}; starts counted by ${q.bin}.`;

/**
 * The figures as a spreadsheet, for the same period, groups and therapy: headings in words, withheld cells marked,
 * the period and filters written in the file (programs use the API's /api/v1/metrics.csv).
 */
export const csvHref = (q: DashboardQuery): string =>
  `/dashboard/figures.csv?${new URLSearchParams({ from: q.from, to: q.to, groupBy: q.groupBy, ...(q.therapy ? { therapy: q.therapy } : {}) })}`;

/** Links to the periods ending today, keeping the rest of the query; the one shown is marked current. */
export function recentPeriodLinks(q: DashboardQuery, periods: readonly (Period & { years: number })[]) {
  const kept = Object.fromEntries(Object.entries(q).filter(([k, v]) => v !== undefined && k !== 'from' && k !== 'to'));
  return periods.map((p) => ({
    years: p.years,
    text: p.years === 1 ? 'Last 12 months' : `Last ${p.years} years`,
    href: `?${new URLSearchParams({ ...kept, from: p.from, to: p.to })}`,
    current: p.from === q.from && p.to === q.to,
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Uptake against NICE's benchmark

const NICE_BENCHMARK = 12;

/** Highest and lowest when there are several figures; where the one figure stands when there is one. */
function uptakeSummary(groups: number, sorted: readonly MetricsRow[], reached: number): string {
  if (!sorted.length) return 'No uptake figure: no population count, or figures withheld.';
  const [top, bottom] = [sorted[0]!, sorted.at(-1)!];
  if (sorted.length === 1) {
    return `${top.label} at ${top.uptakePct}%, ${reached ? 'at or above' : 'below'} the ${NICE_BENCHMARK}% benchmark.${groups > 1 ? ' No figure for the others.' : ''}`;
  }
  return `Highest ${top.label} at ${top.uptakePct}%, lowest ${bottom.label} at ${bottom.uptakePct}%. ${reached} of ${sorted.length} at or above the ${NICE_BENCHMARK}% benchmark.`;
}

export function uptakeView(rows: readonly MetricsRow[], groupBy: GroupBy) {
  const known = rows.filter((r) => r.uptakePct !== null);
  const sorted = [...known].sort((a, b) => b.uptakePct! - a.uptakePct!);
  const reached = known.filter((r) => r.uptakePct! >= NICE_BENCHMARK).length;
  return {
    summary: uptakeSummary(rows.length, sorted, reached),
    bars: rows.map((r) => {
      const withheld = r.suppressed.includes('uptakePct');
      return bar(r.label, r.uptakePct, withheld, percentText(r.uptakePct, withheld));
    }),
    reference: { value: NICE_BENCHMARK, label: `NICE benchmark ${NICE_BENCHMARK}%` },
    // Room beyond the benchmark line, so that it is never drawn on the chart's edge.
    max: Math.max(NICE_BENCHMARK + 3, ...rows.map((r) => r.uptakePct ?? 0)),
    columns: figures(['Type 1 population', 'On therapy', 'Of whom already on it when recorded', 'Uptake']),
    table: rows.map(
      (r): TableRow => ({
        key: r.key,
        label: r.label,
        href: siteLink(groupBy, r.key),
        cells: [
          shown(r.t1dPopulation, 't1dPopulation', r.suppressed),
          shown(r.onTherapy, 'onTherapy', r.suppressed),
          shown(r.existingOnTherapy, 'existingOnTherapy', r.suppressed),
          percentCell(r.uptakePct, r.suppressed.includes('uptakePct')),
        ],
      }),
    ),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Starts over time, with facilitation and barriers

export function startsView(starts: StartsSeries) {
  const summary = starts.sites
    .map((s) => {
      const first = s.facilitation[0];
      const help = first
        ? `${s.facilitation.length} facilitation ${s.facilitation.length === 1 ? 'activity' : 'activities'} (first ${first.mode}, ${formatUkDate(first.on)})`
        : 'no facilitation in the period';
      const open = s.barriers.filter((b) => !b.resolvedOn || b.resolvedOn > starts.to).length;
      return `${s.name}: ${countText(s.total, s.suppressed.includes('total')) || 0} starts, ${help}, ${open} ${open === 1 ? 'barrier' : 'barriers'} still open.`;
    })
    .join(' ');
  return {
    summary,
    chartTitle: `Device starts per ${starts.bin} per site, with facilitation and barriers`,
    caption: `Device starts per ${starts.bin}`,
    columns: figures([...starts.buckets.map((b) => b.label), 'Total']),
    table: starts.sites.map(
      (s): TableRow => ({ key: s.siteId, label: s.name, cells: [...s.starts.map((value, i) => shown(value, `starts.${i}`, s.suppressed)), shown(s.total, 'total', s.suppressed)] }),
    ),
    eventColumns: [
      { label: 'What', numeric: false },
      { label: 'When', numeric: false },
    ],
    /** Each site's facilitation, then its barriers. */
    events: starts.sites.flatMap((s): TableRow[] => [
      ...s.facilitation.map((f, k) => ({
        key: `${s.siteId} facilitation ${k}`,
        label: s.name,
        cells: [`${FACILITATION_LABELS[f.mode]}: ${FACILITATION_KIND_LABEL[f.kind]}${f.notes ? ` (${f.notes})` : ''}`, formatUkDate(f.on)],
      })),
      ...s.barriers.map((b, k) => ({
        key: `${s.siteId} barrier ${k}`,
        label: s.name,
        cells: [`${BARRIER_LABEL[b.category]} barrier: ${b.description}`, `Raised ${formatUkDate(b.raisedOn)}${b.resolvedOn ? `, resolved ${formatUkDate(b.resolvedOn)}` : ', still open'}`],
      })),
    ]),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The pathway in the period

/** The steps from referral to start, as the funnel draws them. */
const FUNNEL = [
  ['referrals', 'Referred'],
  ['assessed', 'Assessed'],
  ['eligible', 'Eligible'],
  ['fundingRequested', 'Funding requested'],
  ['fundingApproved', 'Funding approved'],
  ['started', 'Started'],
] as const;
/** Ways out of the pathway: in its table, not its funnel. */
const FLOW_EXTRA = [
  ['fundingDeclined', 'Funding declined'],
  ['discontinued', 'Discontinued'],
] as const;
const FLOW = [...FUNNEL, ...FLOW_EXTRA];
const WAITING_ON_FUNDING = 'Waiting on funding at the end';

export function flowView(rows: readonly MetricsRow[], funding: FundingReport, groupBy: GroupBy) {
  const awaitingOf = (key: string) => funding.groups.find((g) => g.key === key)!;
  return {
    // Every group's funnel on one scale.
    max: scaleMax(
      rows.flatMap((r) => [...FUNNEL.map(([f]) => r[f]), awaitingOf(r.key).awaitingFunding]),
      rows.some((r) => r.suppressed.length > 0),
    ),
    funnels: rows.map((r) => {
      const w = awaitingOf(r.key);
      const waiting = countText(w.awaitingFunding, w.suppressed.length > 0);
      return {
        key: r.key,
        label: r.label,
        href: siteLink(groupBy, r.key),
        title: `The pathway at ${r.label}`,
        summary: `${r.label}: ${FUNNEL.map(([f, label]) => `${label.toLowerCase()} ${shown(r[f], f, r.suppressed) || 0}`).join(', ')}; ${waiting || 0} waiting on funding at the end of the period.`,
        bars: [
          ...FUNNEL.map(([f, label]) => bar(label, r[f], r.suppressed.includes(f), shown(r[f], f, r.suppressed))),
          bar(WAITING_ON_FUNDING, w.awaitingFunding, w.suppressed.length > 0, waiting),
        ],
      };
    }),
    columns: figures([...FLOW.map(([, label]) => label), WAITING_ON_FUNDING]),
    table: rows.map((r): TableRow => {
      const w = awaitingOf(r.key);
      return {
        key: r.key,
        label: r.label,
        cells: [...FLOW.map(([f]) => shown(r[f], f, r.suppressed)), shown(w.awaitingFunding, 'awaitingFunding', w.suppressed)],
      };
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Waits

/** The bins of days, as WAIT_BINS defines them: 0-30 ... over 365. */
export const WAIT_BIN_LABELS = WAIT_BINS.map((b) => (b.maxDays === null ? `over ${b.minDays - 1}` : `${b.minDays}-${b.maxDays}`));

export function waitsView(rows: readonly MetricsRow[], waits: WaitDistributions) {
  const summary = (w: WaitName) =>
    rows
      .map((r) => {
        const stat = r.waits[w];
        const typical = stat.medianDays === null ? '' : `, median ${days(stat.medianDays)} days, 90th centile ${stat.p90Days} days`;
        return `${r.label}: ${shown(stat.n, `waits.${w}.n`, r.suppressed) || 0} waits${typical}`;
      })
      .join('; ') + '.';
  return {
    // Every wait's chart on one count scale.
    yMax: scaleMax(
      waits.rows.flatMap((r) => WAIT_NAMES.flatMap((w) => r.waits[w].counts)),
      waits.rows.some((r) => r.suppressed.length > 0),
    ),
    waits: WAIT_NAMES.map((w) => ({
      name: w,
      label: WAIT_LABEL[w],
      chartTitle: `${WAIT_LABEL[w]}: waits in bins of days`,
      summary: summary(w),
      histogram: waits.rows.map((r) => ({ label: r.label, counts: r.waits[w].counts, withheld: r.waits[w].counts.map((_, i) => r.suppressed.includes(`waits.${w}.counts.${i}`)) })),
    })),
    columns: figures(WAIT_NAMES.map((w) => `${WAIT_LABEL[w]}: n, median, 90th centile`)),
    table: rows.map(
      (r): TableRow => ({
        key: r.key,
        label: r.label,
        cells: WAIT_NAMES.map((w) => `${shown(r.waits[w].n, `waits.${w}.n`, r.suppressed)}; ${days(r.waits[w].medianDays)}; ${r.waits[w].p90Days ?? ''}`),
      }),
    ),
    binColumns: [{ label: 'Wait', numeric: false }, ...figures(WAIT_BIN_LABELS.map((label) => `${label} days`))],
    binTable: waits.rows.flatMap((r) =>
      WAIT_NAMES.map(
        (w): TableRow => ({
          key: `${r.key} ${w}`,
          label: r.label,
          cells: [WAIT_LABEL[w], ...r.waits[w].counts.map((value, i) => shown(value, `waits.${w}.counts.${i}`, r.suppressed))],
        }),
      ),
    ),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Funding decisions by commissioner and route

const FUNDING_FIGURES = ['submitted', 'approved', 'declined', 'moreInfo', 'awaitingDecision'] as const;
/** What the chart draws: the outcomes, and what is still waiting; FundingBars names them in this order. */
const CHARTED = ['approved', 'declined', 'moreInfo', 'awaitingDecision'] as const;

export function fundingView(funding: FundingReport) {
  const { decisions } = funding;
  const figure = (d: (typeof decisions)[number], f: (typeof FUNDING_FIGURES)[number]) => countText(d[f], d.suppressed.includes(f)) || 0;
  return {
    summary: decisions.length
      ? decisions
          .map((d) => `${d.commissioner}, ${routeLabel(d.route)}: ${figure(d, 'approved')} approved, ${figure(d, 'declined')} declined, ${figure(d, 'awaitingDecision')} awaiting a decision`)
          .join('; ') + '.'
      : 'No funding requests or decisions in the period.',
    blocks: [...new Set(decisions.map((d) => d.commissioner))].map((commissioner) => ({
      commissioner,
      routes: decisions
        .filter((d) => d.commissioner === commissioner)
        .map((d) => ({ label: routeLabel(d.route), figures: CHARTED.map((f) => ({ value: d[f], withheld: d.suppressed.includes(f) })) })),
    })),
    columns: figures(['Submitted', 'Approved', 'Declined', 'More information asked', 'Awaiting decision at the end']),
    table: decisions.map(
      (d): TableRow => ({ key: `${d.commissioner} ${d.route}`, label: `${d.commissioner}: ${routeLabel(d.route)}`, cells: FUNDING_FIGURES.map((f) => shown(d[f], f, d.suppressed)) }),
    ),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Continuation and HbA1c change

export function outcomesView(rows: readonly MetricsRow[], continuation: ContinuationReport, controlled: boolean) {
  const continuationBars = continuation.rows.map((r) => {
    const withheld = r.suppressed.includes('continuingPct');
    const text = r.continuingPct === null || withheld ? percentText(r.continuingPct, withheld) : `${r.continuingPct}% (${countText(r.continuing12m, false)} of ${countText(r.reached12m, false)})`;
    return bar(r.label, r.continuingPct, withheld, text);
  });
  const hba1cBars = rows.map((r) => {
    const withheld = r.suppressed.includes('hba1cChange6m.medianMmolMol');
    const value = r.hba1cChange6m.medianMmolMol;
    return bar(r.label, value, withheld, withheld ? 'withheld' : value === null ? 'no results' : `${formatNumber(value)} mmol/mol`);
  });
  const changes = rows.map((r) => r.hba1cChange6m.medianMmolMol ?? 0);
  return {
    continuationBars,
    continuationSummary: barsDescription(continuationBars),
    hba1cBars,
    hba1cSummary: barsDescription(hba1cBars),
    // Room for a rise and a fall even when every site moved one way.
    hba1cDomain: [Math.min(-5, ...changes), Math.max(10, ...changes)] as [number, number],
    columns: figures(['Reached 12 months', 'Still on therapy', 'Continuing', 'HbA1c: people', 'HbA1c: median change (mmol/mol)']),
    // The continuation rows are the metrics' groups, in the same order.
    table: rows.map((r, i): TableRow => {
      const c = continuation.rows[i]!;
      const medianWithheld = r.suppressed.includes('hba1cChange6m.medianMmolMol');
      return {
        key: r.key,
        label: r.label,
        cells: [
          shown(c.reached12m, 'reached12m', c.suppressed),
          shown(c.continuing12m, 'continuing12m', c.suppressed),
          percentCell(c.continuingPct, c.suppressed.includes('continuingPct')),
          shown(r.hba1cChange6m.n, 'hba1cChange6m.n', r.suppressed),
          medianWithheld ? 'withheld' : days(r.hba1cChange6m.medianMmolMol),
        ],
      };
    }),
    footnote: controlled ? `Withheld figures read ${WITHHELD}; a median or percentage is withheld when it rests on fewer than 8 people.` : '',
  };
}
