import { addDays, formatCalendarDate } from './calendar-date';
import type { Period } from './metrics';
import { binStart } from './spc-series';

/**
 * The months the dashboard's improvement charts cover: whole months, since a month still under way would read as a
 * fall in every count.
 */

/**
 * Fewest months a chart covers. Making Data Count asks for 15 to 20 points before the limits mean much, and a
 * site's chart split at facilitation needs months on both sides: a shorter period is charted back this far.
 */
export const SPC_MIN_MONTHS = 24;

/** The charted months, what became of the month under way (counted whole, it would read as a fall), and whether they go back further than the period. */
export interface SpcMonths extends Period {
  underWay: 'left out' | 'shown' | null;
  widened: boolean;
}

/**
 * The months to chart for the dashboard's period: from the first day of the month holding its start (the charts
 * count whole months, and a rebase at facilitation looks for it in these months), or SPC_MIN_MONTHS back when that
 * is earlier, to the last month that has ended by `today`; the month under way only when the period holds no other.
 */
export function spcMonths(period: Period, today: string): SpcMonths {
  const lastWhole = addDays(binStart(today, 'month'), -1);
  const periodFrom = binStart(period.from, 'month');
  if (periodFrom > lastWhole) return { from: periodFrom, to: period.to, underWay: 'shown', widened: false };
  const to = period.to <= lastWhole ? period.to : lastWhole;
  const earliest = monthsBefore(binStart(to, 'month'), SPC_MIN_MONTHS - 1);
  const from = periodFrom < earliest ? periodFrom : earliest;
  return { from, to, underWay: to === period.to ? null : 'left out', widened: from < periodFrom };
}

/** The first day of the month `count` months before the month starting on `monthStart`. */
function monthsBefore(monthStart: string, count: number): string {
  const [year, month] = monthStart.split('-').map(Number) as [number, number];
  const index = year * 12 + (month - 1) - count;
  return formatCalendarDate({ year: Math.floor(index / 12), month: (index % 12) + 1, day: 1 });
}
