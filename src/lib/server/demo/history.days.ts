import { dayNumber } from '../../domain/calendar-date';

/**
 * The simulation counts days as integers (days since 1970-01-01): adding a wait is then one addition, and
 * dates become YYYY-MM-DD strings only when needed. Nothing goes through a zoned Date.
 */

const MS_PER_DAY = 86_400_000;

export const dayOf = (iso: string): number => dayNumber(iso);

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * The calendar date of a day number: calendar-date.ts's addDays without parsing a string first, since the
 * simulation makes hundreds of thousands of these (same civil-from-days algorithm, tested against it).
 */
export function isoOf(day: number): string {
  let iso = isoCache.get(day);
  if (iso === undefined) {
    iso = civilFromDays(day);
    isoCache.set(day, iso);
  }
  return iso;
}

/**
 * Dates repeat a great deal (every result, event and payload carries one): one shared string per day saves
 * the work and the memory. Strings are immutable, so sharing them is safe; the cache is bounded by the days
 * a history spans.
 */
const isoCache = new Map<number, string>();

function civilFromDays(day: number): string {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const dayOfMonth = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(dayOfMonth)}`;
}

/** An instant on that calendar day, `minutes` after midnight UTC (UTC working hours stay on the same UK day). */
export const instantOn = (day: number, minutes = 0): Date => new Date(day * MS_PER_DAY + minutes * 60_000);
