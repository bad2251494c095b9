import type { Actor } from './access';
import { addDays, sameDayYearsBefore } from './calendar-date';
import { FACILITATION_MODES, type FacilitationMode } from './vocabulary';

/**
 * Implementation metrics (docs/metrics.md): the shape of a report and the pure parts of
 * its definitions. Production computes every aggregate in SQL (metrics.repository.ts); tests check the SQL against
 * the definitions written out plainly in tests/support/oracles.ts.
 */

export const GROUP_BYS = ['site', 'icb', 'facilitation'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

/** Strongest first: a site's mode is the strongest it has received (docs/metrics.md, "Period and groups"). */
export const FACILITATION_ORDER = FACILITATION_MODES;
// Kept for the metrics services, which import it from here.
export type { FacilitationMode };
export const FACILITATION_LABELS: Record<FacilitationMode, string> = {
  active: 'Active facilitation',
  passive: 'Passive facilitation',
  none: 'No facilitation',
};

export const WAIT_NAMES = ['referralToAssessment', 'assessmentToFundingDecision', 'fundingApprovalToStart', 'referralToStart'] as const;
export type WaitName = (typeof WAIT_NAMES)[number];

/** Whole-number counts of people or events, in the order a row presents them. */
export const COUNT_FIELDS = [
  't1dPopulation',
  'onTherapy',
  'existingOnTherapy',
  'referrals',
  'assessed',
  'eligible',
  'fundingRequested',
  'fundingApproved',
  'fundingDeclined',
  'started',
  'discontinued',
  'continuing12m',
] as const;
export type CountField = (typeof COUNT_FIELDS)[number];

export interface WaitStat {
  n: number | null;
  medianDays: number | null;
  p90Days: number | null;
}

export interface Hba1cChange {
  n: number | null;
  medianMmolMol: number | null;
}

export interface MetricsRow {
  key: string;
  label: string;
  t1dPopulation: number | null;
  onTherapy: number | null;
  /** How many of onTherapy are on therapy through existing records alone (a patient with both counts as pathway). */
  existingOnTherapy: number | null;
  uptakePct: number | null;
  referrals: number | null;
  assessed: number | null;
  eligible: number | null;
  fundingRequested: number | null;
  fundingApproved: number | null;
  fundingDeclined: number | null;
  started: number | null;
  discontinued: number | null;
  continuing12m: number | null;
  waits: Record<WaitName, WaitStat>;
  hba1cChange6m: Hba1cChange;
  /** Dotted names of the fields withheld by disclosure control (commissioners only). */
  suppressed: string[];
}

export interface Period {
  from: string;
  to: string;
}

export interface MetricsReport extends Period {
  rows: MetricsRow[];
}

/**
 * The reporting period. `to` defaults to today; `from` to the day after the same date a year before `to`
 * (twelve months ending on `to`, both ends included: 2025-04-01 to 2026-03-31). A 29 February `to` looks back
 * to 1 March, by the calendar convention of calendar-date.ts, and the period then starts on 2 March.
 * Null when `from` falls after `to`.
 */
export function resolvePeriod(query: { from?: string; to?: string }, today: string): Period | null {
  const to = query.to ?? today;
  const from = query.from ?? yearsEndingOn(to, 1).from;
  return from <= to ? { from, to } : null;
}

/** The `years` whole years ending on `to`, both ends included: 2 years to 2026-03-31 start on 2024-04-01. */
export const yearsEndingOn = (to: string, years: number): Period => ({ from: addDays(sameDayYearsBefore(to, years), 1), to });

/**
 * onTherapy / t1dPopulation x 100 to one decimal, halves rounded up (1.25 -> 1.3), in integer arithmetic so
 * that a tie is never lost to binary floating point. Null without a population (none known, or zero).
 */
export function uptakePct(onTherapy: number | null, population: number | null): number | null {
  if (onTherapy === null || population === null || population <= 0) return null;
  return Math.floor((2000 * onTherapy + population) / (2 * population)) / 10;
}

/**
 * The sites whose figures the actor sees: undefined means every site. Commissioners compare every site (as
 * disclosure-controlled aggregates); nurses and consultants see their own sites only.
 */
export function metricsSiteScope(actor: Actor): string[] | undefined {
  return actor.kind === 'system' || actor.role === 'admin' || actor.role === 'commissioner' ? undefined : actor.siteIds;
}

/** A row with nothing in it: a group with no sites or no activity. */
export function emptyRow(key: string, label: string): MetricsRow {
  const wait = (): WaitStat => ({ n: 0, medianDays: null, p90Days: null });
  return {
    key,
    label,
    t1dPopulation: null,
    onTherapy: 0,
    existingOnTherapy: 0,
    uptakePct: null,
    referrals: 0,
    assessed: 0,
    eligible: 0,
    fundingRequested: 0,
    fundingApproved: 0,
    fundingDeclined: 0,
    started: 0,
    discontinued: 0,
    continuing12m: 0,
    waits: { referralToAssessment: wait(), assessmentToFundingDecision: wait(), fundingApprovalToStart: wait(), referralToStart: wait() },
    hba1cChange6m: { n: 0, medianMmolMol: null },
    suppressed: [],
  };
}
