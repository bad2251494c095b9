import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { metricsSiteScope, resolvePeriod, uptakePct } from './metrics';
import {
  median,
  nearestRank,
  nearestRankPercentile,
  strongestFacilitation,
  twelveMonthsAfter,
  twelveMonthsBefore,
} from '../../../tests/support/oracles';

describe('the period', () => {
  it('defaults to the twelve months ending today', () => {
    expect(resolvePeriod({}, '2026-03-31')).toEqual({ from: '2025-04-01', to: '2026-03-31' });
  });

  it('defaults from to twelve months before a given to', () => {
    expect(resolvePeriod({ to: '2025-12-31' }, '2026-11-26')).toEqual({ from: '2025-01-01', to: '2025-12-31' });
    // 29 February looks back to 1 March (the calendar convention), so the period starts on 2 March.
    expect(resolvePeriod({ to: '2024-02-29' }, '2026-11-26')).toEqual({ from: '2023-03-02', to: '2024-02-29' });
  });

  it('keeps to at today when only from is given', () => {
    expect(resolvePeriod({ from: '2026-01-01' }, '2026-11-26')).toEqual({ from: '2026-01-01', to: '2026-11-26' });
  });

  it('allows a single day, and refuses from after to', () => {
    expect(resolvePeriod({ from: '2026-01-01', to: '2026-01-01' }, '2026-11-26')).toEqual({ from: '2026-01-01', to: '2026-01-01' });
    expect(resolvePeriod({ from: '2026-01-02', to: '2026-01-01' }, '2026-11-26')).toBeNull();
    expect(resolvePeriod({ from: '2026-12-01' }, '2026-11-26')).toBeNull();
  });
});

describe('twelve months on and back', () => {
  it.each([
    ['2025-06-30', '2026-06-30'],
    ['2024-02-29', '2025-03-01'],
    ['2023-02-28', '2024-02-28'],
    ['2023-03-01', '2024-03-01'],
  ])('%s + 12 months = %s', (date, later) => {
    expect(twelveMonthsAfter(date)).toBe(later);
  });

  it('opens a baseline window on the same day a year before (29 February -> 1 March)', () => {
    expect(twelveMonthsBefore('2025-10-01')).toBe('2024-10-01');
    expect(twelveMonthsBefore('2028-02-29')).toBe('2027-03-01');
  });
});

describe('median', () => {
  it('is null for no values', () => expect(median([])).toBeNull());
  it('is the middle value of an odd count', () => expect(median([49, 22, 59])).toBe(49));
  it('is the mean of the two middle values of an even count', () => {
    expect(median([14, 13])).toBe(13.5);
    expect(median([-12, 2, -10, -6])).toBe(-8);
  });
  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('p90 by nearest rank', () => {
  it.each([
    [1, 1],
    [2, 2],
    [5, 5],
    [9, 9],
    [10, 9],
    [11, 10],
    [19, 18],
    [20, 18],
    [21, 19],
    [100, 90],
    [101, 91],
  ])('of %i values is the %i-th smallest', (n, rank) => {
    expect(nearestRank(90, n)).toBe(rank);
    expect(nearestRankPercentile(Array.from({ length: n }, (_, i) => n - i), 90)).toBe(rank);
  });

  it('is ceil(0.9 n) exactly, as PostgreSQL computes percentile_disc(0.9) in double precision, for n up to 2 million', () => {
    // percentile_disc takes the ceil(fraction x n)-th row with fraction and n as doubles: no rounding slip.
    for (let n = 1; n <= 2_000_000; n++) {
      if (Math.ceil(0.9 * n) !== Math.floor((9 * n + 9) / 10)) throw new Error(`differs at ${n}`);
    }
  });

  it('is null for no values, and one of the values otherwise', () => {
    expect(nearestRankPercentile([], 90)).toBeNull();
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 200 }), (values) => {
        const p90 = nearestRankPercentile(values, 90)!;
        const below = values.filter((v) => v <= p90).length;
        // The smallest value with at least 90% of the values at or below it.
        return values.includes(p90) && below >= 0.9 * values.length && values.filter((v) => v < p90).length < 0.9 * values.length;
      }),
    );
  });
});

describe('uptake', () => {
  it.each([
    [8, 640, 1.3], // 1.25: halves round up
    [7, 640, 1.1], // 1.09375
    [0, 250, 0],
    [1, 3, 33.3],
    [2, 3, 66.7],
    [250, 250, 100],
  ])('%i of %i is %s%%', (on, population, pct) => {
    expect(uptakePct(on, population)).toBe(pct);
  });

  it('is null without a population', () => {
    expect(uptakePct(5, null)).toBeNull();
    expect(uptakePct(0, 0)).toBeNull();
    expect(uptakePct(null, 100)).toBeNull();
  });

  it('rounds halves up, whatever floating point would make of them', () => {
    fc.assert(
      fc.property(fc.nat(100_000), fc.integer({ min: 1, max: 100_000 }), (on, population) => {
        const tenths = uptakePct(on, population)! * 10;
        const exact = (1000 * on) / population;
        return Math.abs(Math.round(tenths) - exact) <= 0.5 && (Math.round(tenths) - exact !== -0.5);
      }),
    );
  });
});

describe('facilitation mode', () => {
  it('is the strongest received', () => {
    expect(strongestFacilitation([])).toBe('none');
    expect(strongestFacilitation(['none'])).toBe('none');
    expect(strongestFacilitation(['passive', 'none'])).toBe('passive');
    expect(strongestFacilitation(['passive', 'active', 'none'])).toBe('active');
  });
});

describe('who sees which sites', () => {
  it('gives admins and commissioners every site, clinicians their own', () => {
    expect(metricsSiteScope({ kind: 'user', userId: 'u', email: 'e', name: 'n', role: 'admin', siteIds: [] })).toBeUndefined();
    expect(metricsSiteScope({ kind: 'user', userId: 'u', email: 'e', name: 'n', role: 'commissioner', siteIds: [] })).toBeUndefined();
    expect(metricsSiteScope({ kind: 'user', userId: 'u', email: 'e', name: 'n', role: 'nurse', siteIds: ['a'] })).toEqual(['a']);
    expect(metricsSiteScope({ kind: 'user', userId: 'u', email: 'e', name: 'n', role: 'consultant', siteIds: [] })).toEqual([]);
  });
});
