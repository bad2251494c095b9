/**
 * Calendar dates as the API carries them: `YYYY-MM-DD`, with no time and no zone. Everything here is plain
 * arithmetic on the three numbers, never `new Date(string)`, which reads a bare date as UTC midnight and then
 * shifts it by the machine's zone when read back with local getters. The one exception, instantOf, wants
 * exactly that UTC midnight, and is only ever read back as an instant.
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface CalendarDate {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Null for anything that is not a real day in the proleptic Gregorian calendar (2025-02-30, 2025-13-01). */
export function parseCalendarDate(value: string): CalendarDate | null {
  const match = ISO_DATE.exec(value);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12) return null;
  if (day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

export function isCalendarDate(value: unknown): value is string {
  return typeof value === 'string' && parseCalendarDate(value) !== null;
}

export function formatCalendarDate({ year, month, day }: CalendarDate): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function parseOrThrow(value: string): CalendarDate {
  const parsed = parseCalendarDate(value);
  if (!parsed) throw new RangeError(`Not a calendar date: ${JSON.stringify(value)}`);
  return parsed;
}

/**
 * The same day `years` years earlier. A 29 February that does not exist in the target year becomes 1 March,
 * the UK legal convention also used for birthdays (see age.ts), so the two rules never disagree.
 */
export function sameDayYearsBefore(value: string, years: number): string {
  const { year, month, day } = parseOrThrow(value);
  const target = year - years;
  if (month === 2 && day === 29 && !isLeapYear(target)) return formatCalendarDate({ year: target, month: 3, day: 1 });
  return formatCalendarDate({ year: target, month, day });
}

/** Days since 1970-01-01 (negative before), by the civil-from-days algorithm: no Date, no zone. */
export function dayNumber(value: string): number {
  const { year, month, day } = parseOrThrow(value);
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const monthFromMarch = (month + 9) % 12;
  const dayOfYear = Math.floor((153 * monthFromMarch + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** Whole days from `from` to `to` (negative when `to` is earlier); the unit of every wait the metrics report. */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** The calendar date of a day number (days since 1970-01-01): the inverse of dayNumber. */
export function fromDayNumber(day: number): string {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const dayOfMonth = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  return formatCalendarDate({ year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day: dayOfMonth });
}

/** The calendar date `days` after (or before, when negative) `value`. */
export const addDays = (value: string, days: number): string => fromDayNumber(dayNumber(value) + days);

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T/;

/**
 * The instant a result's date or date-time stands for, to order results by (imported and manually entered
 * alike): a date counts as the start of that day (UTC). A year or a year and month alone is too vague to place
 * a result in the 12-month eligibility window: null.
 */
export function instantOf(effective: string | undefined): Date | null {
  if (effective === undefined) return null;
  if (ISO_DATE.test(effective)) return new Date(`${effective}T00:00:00Z`);
  if (!DATE_TIME.test(effective)) return null;
  const at = new Date(effective);
  return Number.isNaN(at.getTime()) ? null : at;
}
