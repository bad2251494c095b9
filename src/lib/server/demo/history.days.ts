import { dayNumber, fromDayNumber } from '../../domain/calendar-date';

/**
 * The simulation counts days as integers (days since 1970-01-01): adding a wait is then one addition, and
 * dates become YYYY-MM-DD strings only when needed. Nothing goes through a zoned Date.
 */

const MS_PER_DAY = 86_400_000;

export const dayOf = (iso: string): number => dayNumber(iso);

/**
 * Dates repeat a great deal (every result, event and payload carries one): one shared string per day saves
 * the work and the memory. Strings are immutable, so sharing them is safe; the cache is bounded by the days
 * a history spans.
 */
const isoCache = new Map<number, string>();

/** The calendar date of a day number, made once per day. */
export function isoOf(day: number): string {
  let iso = isoCache.get(day);
  if (iso === undefined) {
    iso = fromDayNumber(day);
    isoCache.set(day, iso);
  }
  return iso;
}

/** An instant on that calendar day, `minutes` after midnight UTC (UTC working hours stay on the same UK day). */
export const instantOn = (day: number, minutes = 0): Date => new Date(day * MS_PER_DAY + minutes * 60_000);
