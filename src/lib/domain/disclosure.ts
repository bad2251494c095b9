import type { Actor } from './access';
import { COUNT_FIELDS, uptakePct, WAIT_NAMES, type MetricsRow, type WaitStat } from './metrics';

/**
 * Statistical disclosure control for commissioners (docs/metrics.md, "Disclosure control"), after the national
 * audits' practice (NHS England's HES/ECDS method, which the NDA follows): 0 stays 0; counts of 1 to 7 are
 * withheld; other counts are rounded to the nearest 5; a median or percentile over 1 to 7 values is withheld;
 * a rate is withheld when its numerator or denominator is.
 *
 * Rates are computed from the ROUNDED numerator and denominator, as that method does. A rate computed from
 * exact figures and shown to one decimal would give the exact count back (onTherapy = uptake x population,
 * to within less than one person once the population is a few hundred), and exact counts for a site and its
 * ICB would then reveal, by difference, a count of 1 to 7 that was withheld elsewhere.
 */

/** Counts from 1 up to this are withheld. */
export const LARGEST_WITHHELD_COUNT = 7;
export const ROUNDING_BASE = 5;
/** A median or percentile needs at least this many values to be shown. */
export const FEWEST_VALUES_FOR_STATISTIC = 8;

export interface Disclosed {
  value: number | null;
  withheld: boolean;
}

/** Only commissioners get disclosure-controlled figures; clinicians and admins see exact ones for their sites. */
export const isDisclosureControlled = (actor: Actor): boolean => actor.kind === 'user' && actor.role === 'commissioner';

function assertCount(count: number): void {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`A count must be a whole number of zero or more, not ${count}`);
}

/**
 * The nearest multiple of 5. Whole numbers are never half-way between two multiples of 5, so no tie-break
 * rule is needed (12 -> 10, 13 -> 15).
 */
export function roundToBase(count: number): number {
  assertCount(count);
  return Math.round(count / ROUNDING_BASE) * ROUNDING_BASE;
}

/** A count as a commissioner sees it. Null (unknown, e.g. no population figure) stays null and is not "withheld". */
export function discloseCount(count: number | null): Disclosed {
  if (count === null) return { value: null, withheld: false };
  assertCount(count);
  if (count === 0) return { value: 0, withheld: false };
  if (count <= LARGEST_WITHHELD_COUNT) return { value: null, withheld: true };
  return { value: roundToBase(count), withheld: false };
}

/**
 * A statistic (median, percentile) over `n` values. Over no values there is nothing to withhold: the value is
 * already null. Over 1 to 7 it is withheld.
 */
export function discloseStatistic(value: number | null, n: number): Disclosed {
  assertCount(n);
  if (n > 0 && n < FEWEST_VALUES_FOR_STATISTIC) return { value: null, withheld: true };
  return { value, withheld: false };
}

/** A rate from disclosed parts: withheld when either part is, else computed from the parts as disclosed. */
export function discloseRate(numerator: Disclosed, denominator: Disclosed, rate: (n: number | null, d: number | null) => number | null): Disclosed {
  if (numerator.withheld || denominator.withheld) return { value: null, withheld: true };
  return { value: rate(numerator.value, denominator.value), withheld: false };
}

/** The row a commissioner sees, made from the exact row: every count, rate and statistic controlled. */
export function discloseRow(exact: MetricsRow): MetricsRow {
  const suppressed: string[] = [];
  const note = (field: string, d: Disclosed) => {
    if (d.withheld) suppressed.push(field);
    return d.value;
  };
  const counts = Object.fromEntries(COUNT_FIELDS.map((field) => [field, discloseCount(exact[field])])) as Record<(typeof COUNT_FIELDS)[number], Disclosed>;
  const uptake = discloseRate(counts.onTherapy, counts.t1dPopulation, uptakePct);

  const row: MetricsRow = {
    key: exact.key,
    label: exact.label,
    t1dPopulation: note('t1dPopulation', counts.t1dPopulation),
    onTherapy: note('onTherapy', counts.onTherapy),
    existingOnTherapy: note('existingOnTherapy', counts.existingOnTherapy),
    uptakePct: note('uptakePct', uptake),
    referrals: note('referrals', counts.referrals),
    assessed: note('assessed', counts.assessed),
    eligible: note('eligible', counts.eligible),
    fundingRequested: note('fundingRequested', counts.fundingRequested),
    fundingApproved: note('fundingApproved', counts.fundingApproved),
    fundingDeclined: note('fundingDeclined', counts.fundingDeclined),
    started: note('started', counts.started),
    discontinued: note('discontinued', counts.discontinued),
    continuing12m: note('continuing12m', counts.continuing12m),
    waits: {} as MetricsRow['waits'],
    hba1cChange6m: { n: null, medianMmolMol: null },
    suppressed,
  };
  for (const name of WAIT_NAMES) {
    const wait = exact.waits[name];
    const n = wait.n ?? 0;
    const disclosed: WaitStat = {
      n: note(`waits.${name}.n`, discloseCount(wait.n)),
      medianDays: note(`waits.${name}.medianDays`, discloseStatistic(wait.medianDays, n)),
      p90Days: note(`waits.${name}.p90Days`, discloseStatistic(wait.p90Days, n)),
    };
    row.waits[name] = disclosed;
  }
  const change = exact.hba1cChange6m;
  row.hba1cChange6m = {
    n: note('hba1cChange6m.n', discloseCount(change.n)),
    medianMmolMol: note('hba1cChange6m.medianMmolMol', discloseStatistic(change.medianMmolMol, change.n ?? 0)),
  };
  return row;
}
