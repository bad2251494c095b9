import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { xmrChart, type SpcValue } from './spc';

/** Daily bins from 2020-01-02, as NHSRplotthedots's tests date their points. */
const series = (values: (number | null)[]): SpcValue[] =>
  values.map((value, i) => ({ start: new Date(Date.UTC(2020, 0, 2 + i)).toISOString().slice(0, 10), value }));
const up = { improvement: 'up' as const };
const causes = (values: (number | null)[], options: Parameters<typeof xmrChart>[1] = up) => xmrChart(series(values), options).points.map((p) => p.specialCause);

// R: set.seed(123); rnorm(20), the series NHSRplotthedots's own tests chart.
const RNORM_123 = [
  -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621, -1.26506123, -0.68685285, -0.44566197, 1.2240818, 0.35981383,
  0.40077145, 0.11068272, -0.55584113, 1.78691314, 0.49785048, -1.96661716, 0.7013559, -0.47279141,
];

describe('the limits reproduce NHSRplotthedots', () => {
  const limits = (values: number[], rebaseAt?: string[]) => {
    const [p] = xmrChart(series(values), { improvement: 'up', rebaseAt }).points;
    return [p!.mean, p!.lpl, p!.upl].map((v) => Number(v!.toPrecision(3)));
  };

  it('charts its 20-point example at mean 0.142, limits -3.01 and 3.29, all common cause', () => {
    expect(limits(RNORM_123)).toEqual([0.142, -3.01, 3.29]);
    const chart = xmrChart(series(RNORM_123), up);
    expect(chart.points.every((p) => p.variation === 'common')).toBe(true);
    expect(chart.latest).toEqual({ variation: 'common' });
  });

  it('charts its two facets of ten points on their own: 0.0746 (-2.60, 2.75) and 0.209 (-3.28, 3.70)', () => {
    expect(limits(RNORM_123.slice(0, 10))).toEqual([0.0746, -2.6, 2.75]);
    expect(limits(RNORM_123.slice(10))).toEqual([0.209, -3.28, 3.7]);
  });

  it('is unchanged by a rebase on or before the first point', () => {
    expect(limits(RNORM_123, ['2020-01-01'])).toEqual([0.142, -3.01, 3.29]);
  });

  it('reports no special cause for two points near the limits on opposite sides of the mean', () => {
    const symmetric = Array.from({ length: 16 }, (_, i): number => (i % 2 === 0 ? 1 : -1));
    symmetric[14] = 5.5;
    symmetric[15] = -5.5;
    expect(causes(symmetric).slice(-2)).toEqual([null, null]);
  });
});

describe('the moving ranges', () => {
  it('screen out a range at or above 3.267 times their mean before averaging', () => {
    // Ranges 1 x 9 and 40: their mean is 4.9, so 40 is screened and the average range is 1.
    const values = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 51];
    const [p] = xmrChart(series(values), up).points;
    expect(p!.upl! - p!.mean!).toBeCloseTo(2.66);
    expect(p!.mean! - p!.lpl!).toBeCloseTo(2.66);
  });

  it('are not clamped at zero: a lower limit may be negative', () => {
    expect(xmrChart(series([0, 3, 0, 3, 1]), up).points[0]!.lpl).toBeLessThan(0);
  });

  it('give a one-point segment no limits', () => {
    expect(xmrChart(series([5]), up).points).toEqual([{ start: '2020-01-02', value: 5, mean: 5, lpl: null, upl: null, specialCause: null, variation: 'common' }]);
  });

  it('give a flat series limits on its mean and no signal', () => {
    const chart = xmrChart(series([4, 4, 4, 4, 4, 4, 4, 4]), up);
    expect(chart.points.map((p) => [p.lpl, p.upl, p.specialCause])).toEqual(Array(8).fill([4, 4, null]));
  });
});

describe('the rules, the first that applies naming the point', () => {
  // Noise of 0 and 20 gives an average moving range of about 20: limits near -20 and 40 around a mean near 10,
  // wide enough for the patterns below to sit inside them unless a test puts a point outside.
  const noise = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 ? 20 : 0));
  const flat = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11];

  it('flags a point beyond a limit', () => {
    expect(xmrChart(series([...flat, 20]), up).points.at(-1)).toMatchObject({ specialCause: 'above_upl', variation: 'improvement' });
    expect(xmrChart(series([...flat, 0]), { improvement: 'down' }).points.at(-1)).toMatchObject({ specialCause: 'below_lpl', variation: 'improvement' });
  });

  it('flags every point of a run of 7 each higher than the one before, not a run of 6', () => {
    const trend7 = [...noise(6), 3, 4, 5, 6, 7, 8, 9, 0, 20, 0];
    expect(causes(trend7)).toEqual([...Array(6).fill(null), ...Array(7).fill('trend_up'), null, null, null]);
    const trend6 = [...noise(6), 3, 4, 5, 6, 7, 8, 0, 20, 0];
    expect(causes(trend6)).toEqual(Array(15).fill(null));
  });

  it('breaks a trend on a point equal to the one before', () => {
    expect(causes([...noise(6), 3, 4, 5, 5, 6, 7, 8, 0, 20, 0]).some((c) => c?.startsWith('trend'))).toBe(false);
  });

  it('gives the peak between a rise and a fall to the fall', () => {
    const peak = [...noise(4), 1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1, 20, 0, 20];
    expect(causes(peak).slice(4, 17)).toEqual([...Array(6).fill('trend_up'), ...Array(7).fill('trend_down')]);
  });

  it('flags the near points of three in a row on one side of the mean with two near a limit', () => {
    // Mean 14.6, average range ~22.9: near the upper limit is beyond 55.4, the limit 75.8.
    const got = causes([...noise(20), 58, 30, 58, 0, 20]);
    expect(got.slice(20, 23)).toEqual(['two_of_three_high', null, 'two_of_three_high']);
    expect(got.filter((c) => c !== null)).toHaveLength(2);
  });

  it('does not count a point beyond a limit as near it', () => {
    // 66 is near the upper limit (beyond 61.5); 120 is outside it, so there are not two near points.
    expect(causes([...noise(20), 66, 30, 120, 0, 20]).slice(20, 23)).toEqual([null, null, 'above_upl']);
  });

  it('flags every point of a run of 7 on one side of the mean, and a point on the mean breaks the run', () => {
    const shift = [...noise(6), 14, 16, 14, 16, 14, 16, 14, 0, 20, 0];
    expect(causes(shift)).toEqual([...Array(5).fill(null), ...Array(8).fill('shift_high'), null, null, null]);
    // The value that equals the mean of the series it is in: the sum of the others over their number.
    const broken = [...shift];
    broken[9] = 0;
    broken[9] = broken.reduce((sum, v) => sum + v, 0) / (broken.length - 1);
    expect(causes(broken)).toEqual(Array(16).fill(null));
  });

  it('prefers outside over trend, and two of three over shift', () => {
    const risingOut = [...noise(8), 1, 2, 3, 4, 5, 6, 100, 0, 20];
    expect(causes(risingOut).slice(8, 15)).toEqual([...Array(6).fill('trend_up'), 'above_upl']);
    const highRun = [...noise(20), 30, 52, 30, 52, 30, 30, 30, 0, 20];
    expect(causes(highRun).slice(19, 27)).toEqual(['shift_high', 'shift_high', 'two_of_three_high', 'shift_high', 'two_of_three_high', 'shift_high', 'shift_high', 'shift_high']);
  });

  it('calls a signal in the direction of improvement improvement, and the other way concern', () => {
    const values = [...flat, 20];
    expect(xmrChart(series(values), { improvement: 'up' }).latest.variation).toBe('improvement');
    expect(xmrChart(series(values), { improvement: 'down' }).latest.variation).toBe('concern');
    expect(xmrChart(series([...noise(6), 9, 8, 7, 6, 5, 4, 3]), { improvement: 'down' }).latest.variation).toBe('improvement');
  });
});

describe('bins without a value', () => {
  it('are left out, their neighbours consecutive for the ranges and the runs', () => {
    const withGaps = [0, 20, 0, 20, 3, null, 4, 5, null, 6, 7, 8, 9, 0, 20];
    const got = xmrChart(series(withGaps), up).points;
    expect(got.filter((p) => p.specialCause === 'trend_up')).toHaveLength(7);
    expect(got[5]).toMatchObject({ value: null, specialCause: null, variation: null });
    expect(got[5]!.mean).toBe(got[0]!.mean);
    const without = xmrChart(series(withGaps.filter((v) => v !== null)), up).points;
    expect(got.filter((p) => p.value !== null).map((p) => [p.mean, p.lpl, p.upl, p.specialCause])).toEqual(
      without.map((p) => [p.mean, p.lpl, p.upl, p.specialCause]),
    );
  });

  it('leave the latest variation to the latest point with a value', () => {
    expect(xmrChart(series([...[10, 11, 10, 11, 10, 11, 10, 11], 30, null]), up).latest).toEqual({ variation: 'improvement' });
    expect(xmrChart(series([null, null]), up)).toEqual({
      points: series([null, null]).map((b) => ({ ...b, mean: null, lpl: null, upl: null, specialCause: null, variation: null })),
      latest: { variation: null },
    });
  });
});

describe('rebasing', () => {
  it('calculates each segment on its own, no rule looking across the boundary', () => {
    // Six high points, then six low ones: one run of 12 below... or two segments with no shift at all.
    const values = [20, 21, 20, 21, 20, 21, 10, 11, 10, 11, 10, 11];
    const whole = xmrChart(series(values), up).points;
    const split = xmrChart(series(values), { improvement: 'up', rebaseAt: [series(values)[6]!.start] }).points;
    expect(new Set(whole.map((p) => p.mean)).size).toBe(1);
    expect(split.slice(0, 6).every((p) => p.mean === 20.5)).toBe(true);
    expect(split.slice(6).every((p) => p.mean === 10.5)).toBe(true);
    expect(split.every((p) => p.specialCause === null)).toBe(true);
  });

  it('at a date gives exactly what charting each side alone gives', () => {
    const value = fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 60 }), fc.double({ min: 0, max: 400, noNaN: true }));
    fc.assert(
      fc.property(fc.array(value, { minLength: 2, maxLength: 60 }), fc.nat(), fc.constantFrom<'up' | 'down'>('up', 'down'), (values, cut, improvement) => {
        const bins = series(values);
        const at = 1 + (cut % (bins.length - 1));
        const rebased = xmrChart(bins, { improvement, rebaseAt: [bins[at]!.start] }).points;
        const before = xmrChart(bins.slice(0, at), { improvement }).points;
        const after = xmrChart(bins.slice(at), { improvement }).points;
        expect(rebased).toEqual([...before, ...after]);
      }),
      { numRuns: 300 },
    );
  });
});
