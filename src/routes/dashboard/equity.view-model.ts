import { countText, percentText, type Bar } from '$lib/components/charts/chart';
import type { EquitySplitRow, EquityView } from '$lib/domain/equity';
import type { EquityReport } from '$lib/schemas/equity.schema';
import { formatNumber } from '$lib/format';
import { days, type Column, type TableRow } from './dashboard.view-model';

/**
 * "Who is reached" (domain.md, "Equity"): uptake in each deprivation fifth and ethnic group beside the group's share
 * of the type 1 population, and the gap between the most and least deprived in words. Pure, tested beside it.
 */

/** One decimal, as uptake is given. */
const oneDecimal = (n: number) => Math.round(n * 10) / 10;

/** A value's share of a total, when both are known and the total is not 0. */
function shareOf(part: number | null, splits: readonly EquitySplitRow[], field: 't1dPopulation' | 'onTherapy'): number | null {
  if (part === null || splits.some((s) => s[field] === null)) return null;
  const total = splits.reduce((n, s) => n + s[field]!, 0);
  return total > 0 ? oneDecimal((100 * part) / total) : null;
}

const withheld = (s: EquitySplitRow, field: string) => s.suppressed.includes(field);

/** What "Who is reached" shows: deprivation and ethnic group over all the sites, and deprivation at each site. */
export const WHO_IS_REACHED = [
  { by: 'imdQuintile', groupBy: 'all' },
  { by: 'ethnicGroup', groupBy: 'all' },
  { by: 'imdQuintile', groupBy: 'site' },
] as const satisfies readonly EquityView[];

/** The gap in uptake between the most and least deprived fifths, in words; what stops it being given, when it cannot be. */
export function deprivationGap(splits: readonly EquitySplitRow[]): string {
  const most = splits.find((s) => s.value === '1');
  const least = splits.find((s) => s.value === '5');
  if (!most || !least) return '';
  if (most.uptakePct === null || least.uptakePct === null) {
    const why = withheld(most, 'uptakePct') || withheld(least, 'uptakePct') ? 'figures are withheld to protect patients' : 'there is no population count by deprivation for the period';
    return `The gap between the most and least deprived fifths cannot be given: ${why}.`;
  }
  const gap = oneDecimal(least.uptakePct - most.uptakePct);
  const where = `${formatNumber(most.uptakePct)}% of people with type 1 diabetes in the most deprived fifth are on therapy, against ${formatNumber(least.uptakePct)}% in the least deprived`;
  if (gap === 0) return `${where}: no gap.`;
  const ratio = most.uptakePct > 0 ? ` (${formatNumber(oneDecimal(least.uptakePct / most.uptakePct))} times as many)` : '';
  return gap > 0
    ? `${where}: a gap of ${formatNumber(gap)} percentage points${ratio}.`
    : `${where}: uptake is ${formatNumber(-gap)} percentage points higher in the most deprived fifth.`;
}

const COLUMNS: Column[] = [
  { label: 'Share of the type 1 population', numeric: true },
  { label: 'Share of people on therapy', numeric: true },
  { label: 'Type 1 population', numeric: true },
  { label: 'On therapy', numeric: true },
  { label: 'Uptake', numeric: true },
  { label: 'Referrals', numeric: true },
  { label: 'Starts', numeric: true },
  { label: 'Median days, referral to start', numeric: true },
];

const percentCell = (value: number | null, isWithheld: boolean) => (value === null ? (isWithheld ? 'withheld' : '') : `${formatNumber(value)}%`);

/** A split's chart and table for the whole area the user sees (the report grouped by `all`). */
export function equitySplitView(report: EquityReport) {
  const splits = report.rows[0]?.splits ?? [];
  const bars: Bar[] = splits.map((s) => ({ label: s.label, value: s.uptakePct, withheld: withheld(s, 'uptakePct'), text: percentText(s.uptakePct, withheld(s, 'uptakePct')) }));
  const table: TableRow[] = splits.map((s) => {
    const anyWithheld = (f: 't1dPopulation' | 'onTherapy') => splits.some((x) => withheld(x, f));
    return {
      key: s.value,
      label: s.label,
      cells: [
        percentCell(shareOf(s.t1dPopulation, splits, 't1dPopulation'), anyWithheld('t1dPopulation')),
        percentCell(shareOf(s.onTherapy, splits, 'onTherapy'), anyWithheld('onTherapy')),
        countText(s.t1dPopulation, withheld(s, 't1dPopulation')),
        countText(s.onTherapy, withheld(s, 'onTherapy')),
        percentCell(s.uptakePct, withheld(s, 'uptakePct')),
        countText(s.referrals, withheld(s, 'referrals')),
        countText(s.started, withheld(s, 'started')),
        withheld(s, 'referralToStartMedianDays') ? 'withheld' : days(s.referralToStartMedianDays),
      ],
    };
  });
  return { bars, max: Math.max(5, ...splits.map((s) => s.uptakePct ?? 0)), columns: COLUMNS, table, description: bars.map((b) => `${b.label}: ${b.text}`).join('; ') };
}

/** Each site's (or ICB's) uptake in the most and least deprived fifths, and the gap. */
export function siteGapTable(report: EquityReport) {
  const columns: Column[] = [
    { label: 'Uptake, most deprived fifth', numeric: true },
    { label: 'Uptake, least deprived fifth', numeric: true },
    { label: 'Gap (percentage points)', numeric: true },
  ];
  const table: TableRow[] = report.rows.map((r) => {
    const most = r.splits.find((s) => s.value === '1')!;
    const least = r.splits.find((s) => s.value === '5')!;
    const gap = most.uptakePct !== null && least.uptakePct !== null ? formatNumber(oneDecimal(least.uptakePct - most.uptakePct)) : '';
    return { key: r.key, label: r.label, cells: [percentCell(most.uptakePct, withheld(most, 'uptakePct')), percentCell(least.uptakePct, withheld(least, 'uptakePct')), gap] };
  });
  return { columns, table };
}
