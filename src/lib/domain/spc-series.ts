import { addDays, dayNumber, daysInMonth, formatCalendarDate, parseCalendarDate } from './calendar-date';
import { discloseCount, discloseStatistic } from './disclosure';
import type { Period } from './metrics';
import { pointOf, xmrChart, type Improvement, type SpcPoint, type SpcValue, type Variation } from './spc';

/**
 * The improvement charts' series (api.md, "Improvement (SPC) charts"): which measures, their bins, and each group's
 * chart from its binned values, with disclosure control for commissioners. The SQL gives the values; no I/O here.
 */

export const SPC_MEASURES = ['referrals', 'starts', 'referral_to_start_days'] as const;
export type SpcMeasure = (typeof SPC_MEASURES)[number];
export const SPC_BINS = ['month', 'week'] as const;
export type SpcBin = (typeof SPC_BINS)[number];

/** More people referred and started is better; a shorter wait is. */
export const IMPROVEMENT: Record<SpcMeasure, Improvement> = { referrals: 'up', starts: 'up', referral_to_start_days: 'down' };

/** The first day of the calendar month, or of the ISO week (Monday), holding `date`. */
export function binStart(date: string, bin: SpcBin): string {
  if (bin === 'month') return `${date.slice(0, 8)}01`;
  const day = dayNumber(date);
  // Day 0, 1 January 1970, was a Thursday: three days after a Monday.
  return addDays(date, -(((day + 3) % 7) + 7) % 7);
}

/** The last day of the bin starting on `start`. */
export function binEnd(start: string, bin: SpcBin): string {
  if (bin === 'week') return addDays(start, 6);
  const { year, month } = parseCalendarDate(start)!;
  return formatCalendarDate({ year, month, day: daysInMonth(year, month) });
}

/** Every bin from the one holding `from` to the one holding `to`, by its first day, oldest first. */
export function spcBins({ from, to }: Period, bin: SpcBin): string[] {
  const bins: string[] = [];
  for (let start = binStart(from, bin); start <= to; start = addDays(binEnd(start, bin), 1)) bins.push(start);
  return bins;
}

/** One bin's value as the SQL gives it: a count, or a median with the number of waits behind it (null for none). */
export interface BinnedValue {
  value: number | null;
  n: number;
}

export interface SpcGroup {
  key: string;
  label: string;
  rebasedOn: string[];
  withheld: boolean;
  points: SpcPoint[];
  latest: { variation: Variation | null };
}

/**
 * A group's chart. Rebase dates start a segment at the bin holding them; only those after the first bin split
 * anything, and only they are reported in `rebasedOn`. A commissioner's chart is drawn on the values as disclosed,
 * and not at all (every mean, limit and signal null, `withheld`) when any of them is withheld.
 */
export function spcGroup(
  group: { key: string; label: string },
  bins: readonly string[],
  values: readonly BinnedValue[],
  { measure, bin, rebaseOn, controlled }: { measure: SpcMeasure; bin: SpcBin; rebaseOn: readonly string[]; controlled: boolean },
): SpcGroup {
  const rebasedOn = [...new Set(rebaseOn.map((d) => binStart(d, bin)))].filter((start) => start > bins[0]! && start <= bins.at(-1)!).sort();
  // A nation's dashboard charts 630 groups: each point is made once, as disclosed.
  let withheld = false;
  const series = bins.map((start, i): SpcValue => {
    const { value, n } = values[i]!;
    if (!controlled) return { start, value };
    const disclosed = measure === 'referral_to_start_days' ? discloseStatistic(value, n) : discloseCount(value);
    withheld ||= disclosed.withheld;
    return { start, value: disclosed.value };
  });
  if (withheld) {
    return {
      ...group,
      rebasedOn,
      withheld: true,
      points: series.map((p) => pointOf(p, null, null, null, null, null)),
      latest: { variation: null },
    };
  }
  return { ...group, rebasedOn, withheld: false, ...xmrChart(series, { improvement: IMPROVEMENT[measure], rebaseAt: rebasedOn }) };
}
