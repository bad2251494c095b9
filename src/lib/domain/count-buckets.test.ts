import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, fromDayNumber } from './calendar-date';
import { bucketsCovering, type BucketRange, type CountGrain } from './count-buckets';

/** Every day a range of buckets holds, from `since` when it reaches back to the start. */
function daysOf(ranges: BucketRange[], since: string): string[] {
  const days: string[] = [];
  for (const { grain, first, last } of ranges) {
    const end = grain === 'day' ? last : grain === 'month' ? addDays(nextMonth(last), -1) : `${last.slice(0, 4)}-12-31`;
    for (let d = first ?? since; d <= end; d = addDays(d, 1)) days.push(d);
  }
  return days;
}
const nextMonth = (start: string) => {
  const [y, m] = [Number(start.slice(0, 4)), Number(start.slice(5, 7))];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
};

describe('the buckets covering a period', () => {
  it('reads whole months and the days left at either end', () => {
    expect(bucketsCovering('2025-11-15', '2026-03-04', ['day', 'month'])).toEqual([
      { grain: 'day', first: '2025-11-15', last: '2025-11-30' },
      { grain: 'month', first: '2025-12-01', last: '2026-02-01' },
      { grain: 'day', first: '2026-03-01', last: '2026-03-04' },
    ]);
  });

  it('reads whole years where they fit', () => {
    expect(bucketsCovering('2023-12-01', '2026-01-31')).toEqual([
      { grain: 'month', first: '2023-12-01', last: '2023-12-01' },
      { grain: 'year', first: '2024-01-01', last: '2025-01-01' },
      { grain: 'month', first: '2026-01-01', last: '2026-01-01' },
    ]);
  });

  it('reaches back to the start for a stock at a date', () => {
    expect(bucketsCovering(null, '2026-10-31')).toEqual([
      { grain: 'year', first: null, last: '2025-01-01' },
      { grain: 'month', first: '2026-01-01', last: '2026-10-01' },
    ]);
    expect(bucketsCovering(null, '2026-12-31')).toEqual([{ grain: 'year', first: null, last: '2026-01-01' }]);
    expect(bucketsCovering(null, '2026-03-02', ['day', 'month'])).toEqual([
      { grain: 'month', first: null, last: '2026-02-01' },
      { grain: 'day', first: '2026-03-01', last: '2026-03-02' },
    ]);
  });

  it('holds every day of the period once and no other, with at most five ranges', () => {
    const day = fc.integer({ min: daysBetween('1970-01-01', '2019-01-01'), max: daysBetween('1970-01-01', '2027-12-31') }).map(fromDayNumber);
    const grains = fc.constantFrom<CountGrain[]>(['day'], ['day', 'month'], ['day', 'month', 'year']);
    fc.assert(
      fc.property(day, day, grains, fc.boolean(), (a, b, g, open) => {
        const [from, to] = a <= b ? [a, b] : [b, a];
        const since = '2018-06-15';
        const ranges = bucketsCovering(open ? null : from, to, g);
        const expected: string[] = [];
        for (let d = open ? since : from; d <= to; d = addDays(d, 1)) expected.push(d);
        expect(daysOf(ranges, since).filter((d) => d >= since)).toEqual(expected);
        expect(ranges.every((r) => g.includes(r.grain))).toBe(true);
        if (g.length === 3) expect(ranges.length).toBeLessThanOrEqual(5);
      }),
      { numRuns: 300 },
    );
  });

  it('needs days to cover a period exactly', () => {
    expect(() => bucketsCovering('2026-01-01', '2026-12-31', ['month'])).toThrow(RangeError);
  });
});
