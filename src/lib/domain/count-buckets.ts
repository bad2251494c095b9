import { addDays, daysInMonth, formatCalendarDate, parseCalendarDate } from './calendar-date';

/**
 * The database keeps its counts of dated facts per day, per month and per year (milestone_counts and funding_counts:
 * `grain`, and `bucket`, the first day of it), so that any period is read as a few whole years and months and the
 * days left at either end, whatever its length.
 */

export const COUNT_GRAINS = ['day', 'month', 'year'] as const;
export type CountGrain = (typeof COUNT_GRAINS)[number];

/** Consecutive buckets of one grain, `first` to `last` by their first days; `first` null reaches back to the start. */
export interface BucketRange {
  grain: CountGrain;
  first: string | null;
  last: string;
}

function bucketStart(grain: CountGrain, date: string): string {
  if (grain === 'day') return date;
  const { year, month } = parseCalendarDate(date)!;
  return formatCalendarDate({ year, month: grain === 'month' ? month : 1, day: 1 });
}

function bucketEnd(grain: CountGrain, start: string): string {
  if (grain === 'day') return start;
  const { year, month } = parseCalendarDate(start)!;
  const lastMonth = grain === 'month' ? month : 12;
  return formatCalendarDate({ year, month: lastMonth, day: daysInMonth(year, lastMonth) });
}

/**
 * The fewest buckets that together hold exactly the days `from` to `to` (both included; `from` null: every day up
 * to `to`), largest first wherever a whole one fits, using only the grains given ('day' must be one).
 */
export function bucketsCovering(from: string | null, to: string, grains: readonly CountGrain[] = COUNT_GRAINS): BucketRange[] {
  if (!grains.includes('day')) throw new RangeError('Counts can only be covered exactly with days among the grains');
  const largestFirst = [...COUNT_GRAINS].reverse().filter((g) => grains.includes(g));
  const ranges: BucketRange[] = [];
  let day = from;
  if (day === null) {
    // Everything before the first bucket of the largest grain that does not end by `to` (perhaps none).
    const grain = largestFirst[0]!;
    const current = bucketStart(grain, to);
    const lastWhole = bucketEnd(grain, current) === to ? current : bucketStart(grain, addDays(current, -1));
    ranges.push({ grain, first: null, last: lastWhole });
    day = addDays(bucketEnd(grain, lastWhole), 1);
  }
  while (day <= to) {
    const at = day;
    const grain = largestFirst.find((g) => bucketStart(g, at) === at && bucketEnd(g, at) <= to) ?? 'day';
    const previous = ranges.at(-1);
    if (previous?.grain === grain && addDays(bucketEnd(grain, previous.last), 1) === at) previous.last = at;
    else ranges.push({ grain, first: at, last: at });
    day = addDays(bucketEnd(grain, at), 1);
  }
  return ranges;
}
