/**
 * XmR charts as NHS England's "Making Data Count" reads them, with the defaults of the NHS-R community's
 * NHSRplotthedots (domain.md, "Statistical process control"): screened moving ranges, limits at 2.66 average
 * moving ranges, and four rules in order of precedence. Pure: the service bins the values and says where the
 * segments start.
 */

export const SPECIAL_CAUSES = ['above_upl', 'below_lpl', 'trend_up', 'trend_down', 'two_of_three_high', 'two_of_three_low', 'shift_high', 'shift_low'] as const;
export type SpecialCause = (typeof SPECIAL_CAUSES)[number];
export const VARIATIONS = ['improvement', 'concern', 'common'] as const;
export type Variation = (typeof VARIATIONS)[number];
/** Which way is better for the measure: more starts is "up", shorter waits "down". */
export type Improvement = 'up' | 'down';

export interface SpcValue {
  /** The bin's first day, YYYY-MM-DD; points arrive in time order. */
  start: string;
  /** null when the bin has no value: left out of every calculation, as if it were not there. */
  value: number | null;
}

export interface SpcPoint extends SpcValue {
  mean: number | null;
  lpl: number | null;
  upl: number | null;
  specialCause: SpecialCause | null;
  /** null for a bin without a value. */
  variation: Variation | null;
}

export interface SpcChart {
  points: SpcPoint[];
  /** The variation of the latest point that has a value; null when none has. */
  latest: { variation: Variation | null };
}

/** Limits sit this many average moving ranges from the mean (3 sigma for individuals). */
export const LIMIT_FACTOR = 2.66;
/** A moving range at or above this many times their mean is screened out before the average is taken. */
export const SCREEN_FACTOR = 3.267;
/** "Near a limit": beyond two thirds of the way from the mean to the limit (2 sigma). */
const NEAR_FACTOR = (2 / 3) * LIMIT_FACTOR;
/** Runs and trends of this many points are a signal. */
const RUN = 7;

type Direction = 1 | -1;

/**
 * The chart of one group: each segment (from one rebase to the next) is calculated on its own, and no rule looks
 * across a segment boundary. A rebase date starts a new segment at the first point on or after it.
 */
export function xmrChart(values: readonly SpcValue[], { improvement, rebaseAt = [] }: { improvement: Improvement; rebaseAt?: readonly string[] }): SpcChart {
  const segmentOf = (start: string) => {
    let segment = 0;
    for (const d of rebaseAt) if (d <= start) segment++;
    return segment;
  };
  const points: SpcPoint[] = [];
  for (let i = 0; i < values.length; ) {
    const segment = segmentOf(values[i]!.start);
    let j = i;
    while (j < values.length && segmentOf(values[j]!.start) === segment) j++;
    points.push(...segmentChart(values.slice(i, j), improvement));
    i = j;
  }
  const latest = points.findLast((p) => p.value !== null);
  return { points, latest: { variation: latest?.variation ?? null } };
}

function segmentChart(bins: readonly SpcValue[], improvement: Improvement): SpcPoint[] {
  const present = bins.filter((b): b is SpcValue & { value: number } => b.value !== null);
  if (present.length === 0) return bins.map((b) => pointOf(b, null, null, null, null, null));
  const y = present.map((b) => b.value);
  const mean = average(y);
  const mR = averageMovingRange(y);
  const lpl = mR === null ? null : mean - LIMIT_FACTOR * mR;
  const upl = mR === null ? null : mean + LIMIT_FACTOR * mR;
  const causes = specialCauses(y, mean, mR);
  const improves: Direction = improvement === 'up' ? 1 : -1;
  let k = 0;
  return bins.map((b) => {
    if (b.value === null) return pointOf(b, mean, lpl, upl, null, null);
    const cause = causes[k++]!;
    return pointOf(b, mean, lpl, upl, cause, cause === null ? 'common' : directionOf(cause) === improves ? 'improvement' : 'concern');
  });
}

/**
 * A point written out field by field: Node 20's V8 takes a slow path for an object spread followed by more
 * properties (about 4 µs a point), which made a region's charts cost milliseconds.
 */
export function pointOf(b: SpcValue, mean: number | null, lpl: number | null, upl: number | null, specialCause: SpecialCause | null, variation: Variation | null): SpcPoint {
  return { start: b.start, value: b.value, mean, lpl, upl, specialCause, variation };
}

const average = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** The mean moving range after screening; null for a single point, which has none. */
function averageMovingRange(y: readonly number[]): number | null {
  if (y.length < 2) return null;
  const ranges = y.slice(1).map((v, i) => Math.abs(v - y[i]!));
  const raw = average(ranges);
  // Every range equal to zero (a flat series) would screen itself out: there is no variation to screen.
  if (raw === 0) return 0;
  return average(ranges.filter((r) => r < SCREEN_FACTOR * raw));
}

function directionOf(cause: SpecialCause): Direction {
  return /(_upl|_up|_high)$/.test(cause) ? 1 : -1;
}

/** Each point's special cause, the first rule that applies: outside the limits, trend, two of three, shift. */
function specialCauses(y: readonly number[], mean: number, mR: number | null): (SpecialCause | null)[] {
  const n = y.length;
  const causes: (SpecialCause | null)[] = Array.from({ length: n }, () => null);
  const flag = (i: number, cause: SpecialCause) => (causes[i] ??= cause);
  const side = y.map((v) => Math.sign(v - mean));

  if (mR !== null) {
    const [lpl, upl] = [mean - LIMIT_FACTOR * mR, mean + LIMIT_FACTOR * mR];
    y.forEach((v, i) => (v > upl ? flag(i, 'above_upl') : v < lpl ? flag(i, 'below_lpl') : undefined));
  }

  for (const [i, direction] of trendDirections(y)) flag(i, direction === 1 ? 'trend_up' : 'trend_down');

  if (mR !== null) {
    const [nearLow, nearHigh] = [mean - NEAR_FACTOR * mR, mean + NEAR_FACTOR * mR];
    const outside = (v: number) => v > mean + LIMIT_FACTOR * mR || v < mean - LIMIT_FACTOR * mR;
    const near = (v: number, s: number) => !outside(v) && (s === 1 ? v > nearHigh : v < nearLow);
    for (let i = 0; i + 2 < n; i++) {
      const s = side[i]!;
      if (s === 0 || side[i + 1] !== s || side[i + 2] !== s) continue;
      let nearOnes = 0;
      for (let k = i; k <= i + 2; k++) if (near(y[k]!, s)) nearOnes++;
      if (nearOnes < 2) continue;
      for (let k = i; k <= i + 2; k++) if (near(y[k]!, s)) flag(k, s === 1 ? 'two_of_three_high' : 'two_of_three_low');
    }
  }

  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && side[j + 1] === side[i]) j++;
    if (side[i] !== 0 && j - i + 1 >= RUN) for (let k = i; k <= j; k++) flag(k, side[i] === 1 ? 'shift_high' : 'shift_low');
    i = j + 1;
  }
  return causes;
}

/**
 * The points that are part of a run of 7 or more, each strictly higher (or lower) than the one before, with the
 * direction each takes. A point takes the direction of the step after it when that step is part of a trend (so
 * the peak between a rise and a fall belongs to the fall, as NHSRplotthedots has it), else of the step before.
 */
function trendDirections(y: readonly number[]): Map<number, Direction> {
  // step[i] is the step from point i-1 to point i; trendStep[i] says it is part of a run of RUN-1 such steps.
  const step = y.map((v, i) => (i === 0 ? 0 : Math.sign(v - y[i - 1]!)));
  const trendStep = step.map(() => false);
  for (let i = 1; i < y.length; ) {
    let j = i;
    while (j + 1 < y.length && step[j + 1] === step[i]) j++;
    if (step[i] !== 0 && j - i + 1 >= RUN - 1) for (let k = i; k <= j; k++) trendStep[k] = true;
    i = j + 1;
  }
  const directions = new Map<number, Direction>();
  y.forEach((_, i) => {
    if (trendStep[i + 1]) directions.set(i, step[i + 1] as Direction);
    else if (trendStep[i]) directions.set(i, step[i] as Direction);
  });
  return directions;
}
