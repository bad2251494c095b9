import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addDays, daysBetween, instantOf, isCalendarDate, isLeapYear, parseCalendarDate, sameDayYearsBefore } from './calendar-date';

describe('calendar dates (YYYY-MM-DD, no time zone)', () => {
  it.each(['2024-02-29', '2025-02-28', '2000-02-29', '2025-12-31', '2025-01-01', '2025-04-30'])(
    'accepts %s as a real day',
    (value) => expect(isCalendarDate(value)).toBe(true),
  );

  it.each([
    ['2025-02-30', 'a 30th of February'],
    ['2025-02-29', 'a 29th of February outside a leap year'],
    ['1900-02-29', 'a 29th of February in a century year that is not a leap year'],
    ['2025-04-31', 'a 31st in a 30-day month'],
    ['2025-13-01', 'a thirteenth month'],
    ['2025-00-10', 'month zero'],
    ['2025-01-00', 'day zero'],
    ['2025-1-5', 'unpadded month and day'],
    ['25-01-05', 'a two-digit year'],
    ['2025-01-05T00:00:00Z', 'a date-time'],
    [' 2025-01-05', 'surrounding spaces'],
    ['', 'an empty string'],
  ])('rejects %s (%s)', (value) => expect(isCalendarDate(value)).toBe(false));

  it('rejects values that are not strings', () => {
    expect(isCalendarDate(20250105)).toBe(false);
    expect(isCalendarDate(null)).toBe(false);
  });

  it('knows the Gregorian leap years', () => {
    expect([1900, 2000, 2023, 2024, 2100].map(isLeapYear)).toEqual([false, true, false, true, false]);
  });

  it('parses the three parts as numbers', () => {
    expect(parseCalendarDate('2024-03-09')).toEqual({ year: 2024, month: 3, day: 9 });
  });
});

describe('the same day a year earlier', () => {
  it('is the same month and day', () => expect(sameDayYearsBefore('2024-06-15', 1)).toBe('2023-06-15'));
  it('keeps 29 February when the earlier year has one', () => expect(sameDayYearsBefore('2024-02-29', 4)).toBe('2020-02-29'));
  it('turns 29 February into 1 March when the earlier year has none', () =>
    expect(sameDayYearsBefore('2024-02-29', 1)).toBe('2023-03-01'));
  it('refuses a date that is not a real day', () => expect(() => sameDayYearsBefore('2025-02-30', 1)).toThrow(RangeError));
});

describe('days between two dates', () => {
  it('is zero for the same day', () => expect(daysBetween('2025-03-30', '2025-03-30')).toBe(0));
  it('counts across a month end', () => expect(daysBetween('2025-01-31', '2025-02-01')).toBe(1));
  it('counts 29 February in a leap year', () => expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2));
  it('is unaffected by the change to British Summer Time', () => expect(daysBetween('2025-03-29', '2025-03-31')).toBe(2));
  it('counts a whole leap year as 366 days', () => expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366));
  it('is negative when the second date is earlier', () => expect(daysBetween('2025-01-10', '2025-01-01')).toBe(-9));

  it('agrees with UTC day arithmetic for any pair of dates', () => {
    const day = fc
      .date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(2200, 11, 31)), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, day, (a, b) => {
        expect(daysBetween(a, b)).toBe((Date.parse(b) - Date.parse(a)) / 86_400_000);
      }),
    );
  });
});

describe('adding days to a calendar date', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-01'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2025-02-28', 1, '2025-03-01'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2026-03-01', -1, '2026-02-28'],
    ['2026-01-01', 90, '2026-04-01'],
    ['2000-02-29', 365, '2001-02-28'],
  ])('%s plus %i days is %s', (from, days, expected) => {
    expect(addDays(from, days)).toBe(expected);
  });

  it('is the inverse of counting the days between two dates', () => {
    fc.assert(
      fc.property(fc.integer({ min: -80_000, max: 80_000 }), fc.integer({ min: -4000, max: 4000 }), (start, days) => {
        const from = addDays('1970-01-01', start);
        return daysBetween(from, addDays(from, days)) === days && isCalendarDate(addDays(from, days));
      }),
    );
  });
});

describe('instantOf', () => {
  it.each([
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2024-02-29T10:00:00+02:00', '2024-02-29T08:00:00.000Z'],
    // As a person enters a result by hand (the API takes only Z).
    ['2024-02-29T10:15Z', '2024-02-29T10:15:00.000Z'],
    ['2024-02-29T10:15:30.25Z', '2024-02-29T10:15:30.250Z'],
    ['2024', null],
    ['2024-02', null],
    [undefined, null],
  ])('%s -> %s', (value, expected) => {
    expect(instantOf(value)?.toISOString() ?? null).toBe(expected);
  });
});
