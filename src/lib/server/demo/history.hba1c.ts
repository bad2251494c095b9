import { mmolMolToPercent, percentToMmolMol } from '../../domain/hba1c';
import { isoOf } from './history.days';
import type { Prng } from './prng';

/**
 * A person's HbA1c over time: a personal level that wanders around its mean from test to test, and falls
 * after a pump or closed loop starts (the effect the metrics' hba1cChange6m reads). Results are kept in a
 * list sorted by day, so an assessment reads exactly what a clinician would have seen on that day.
 */

export interface SimHba1c {
  day: number;
  /** YYYY-MM-DD: manual results carry a date only. */
  effective: string;
  /** The underlying level, before rounding to what the lab reports. */
  level: number;
  mmolMol: number;
  originalValue: string;
  originalUnit: 'mmol/mol' | '%';
}

/** Keeps every result inside the plausible 45-100 mmol/mol band, also after a round trip through %. */
const LOWEST = 46;
const HIGHEST = 99;

/** Weeks over which a new device's effect builds up to its full size. */
const EFFECT_RAMP_DAYS = 90;

function setLevel(result: SimHba1c, level: number): void {
  result.level = level;
  const mmolMol = Math.min(HIGHEST, Math.max(LOWEST, Math.round(level)));
  if (result.originalUnit === '%') {
    // Reported in DCCT %, to one decimal, and converted as the product converts it.
    const percent = mmolMolToPercent(mmolMol);
    result.originalValue = String(percent);
    result.mmolMol = percentToMmolMol(percent);
  } else {
    result.originalValue = String(mmolMol);
    result.mmolMol = mmolMol;
  }
}

export function hba1cResult(day: number, level: number, inPercent: boolean): SimHba1c {
  const result: SimHba1c = {
    day,
    effective: isoOf(day),
    level,
    mmolMol: 0,
    originalValue: '',
    originalUnit: inPercent ? '%' : 'mmol/mol',
  };
  setLevel(result, level);
  return result;
}

/** Share of results that arrive in DCCT % (older labs, results from abroad or from another service). */
const PERCENT_SHARE = 0.1;

/** Results every 3 to 6 months from `fromDay` to `toDay`, wandering around `meanLevel`. */
export function hba1cSchedule(rng: Prng, fromDay: number, toDay: number, meanLevel: number): SimHba1c[] {
  const results: SimHba1c[] = [];
  let deviation = rng.normal(0, 4);
  for (let day = fromDay; day <= toDay; day += rng.int(90, 180)) {
    deviation = 0.7 * deviation + rng.normal(0, 4);
    results.push(hba1cResult(day, meanLevel + deviation, rng.chance(PERCENT_SHARE)));
  }
  return results;
}

/** The latest result on or before `day` and at most `maxAgeDays` old. */
export function latestResult(results: readonly SimHba1c[], day: number, maxAgeDays: number): SimHba1c | null {
  for (let i = results.length - 1; i >= 0; i--) {
    const result = results[i]!;
    if (result.day > day) continue;
    return day - result.day <= maxAgeDays ? result : null;
  }
  return null;
}

/** The results from `days` before `day` up to `day`, oldest first. */
export function recentResults(results: readonly SimHba1c[], day: number, days: number): SimHba1c[] {
  let end = results.length;
  while (end > 0 && results[end - 1]!.day > day) end--;
  let start = end;
  while (start > 0 && results[start - 1]!.day >= day - days) start--;
  return results.slice(start, end);
}

/** Lowers every later result by the device's effect, building up over the first weeks. */
export function applyDeviceEffect(results: readonly SimHba1c[], startDay: number, fall: number): void {
  for (const result of results) {
    if (result.day <= startDay) continue;
    setLevel(result, result.level - fall * Math.min(1, (result.day - startDay) / EFFECT_RAMP_DAYS));
  }
}

/** Adds a result in day order (after any result on the same day). */
export function insertResult(results: SimHba1c[], result: SimHba1c): void {
  let i = results.length;
  while (i > 0 && results[i - 1]!.day > result.day) i--;
  results.splice(i, 0, result);
}

export function randomPercentUnit(rng: Prng): boolean {
  return rng.chance(PERCENT_SHARE);
}
