import { sameDayYearsBefore } from '../../src/lib/domain/calendar-date';
import { HBA1C_RANGE, type Hba1cUnit } from '../../src/lib/domain/hba1c';
import { COUNT_FIELDS, WAIT_NAMES } from '../../src/lib/domain/metrics';
import { WAIT_BINS } from '../../src/lib/domain/metrics-series';
import { applyEvent, EVENT_TYPES, INITIAL_STATUS, PATHWAY, type EventType, type PathwayEvent, type ReferralStatus } from '../../src/lib/domain/pathway';
import { FACILITATION_MODES, type FacilitationMode } from '../../src/lib/domain/vocabulary';

/**
 * The definitions production computes elsewhere (the metrics in SQL, the pathway's stored statuses, HbA1c ranges
 * in the request schemas), written out plainly so that tests can check production against them.
 */

// ---------------------------------------------------------------------------------------------------------------
// Metrics (docs/metrics.md)

/** The median: the middle value, or the mean of the two middle values for an even count. Null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The rank of the nearest-rank p-th percentile among n values: ceil(p/100 x n), exactly, for whole p. */
export const nearestRank = (percent: number, n: number): number => Math.max(1, Math.ceil((percent * n) / 100));

/** The nearest-rank percentile: the ceil(p/100 x n)-th smallest value (p90 of 10 values is the 9th). */
export function nearestRankPercentile(values: readonly number[], percent: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[nearestRank(percent, sorted.length) - 1]!;
}

/** The strongest facilitation mode among those a site has received; 'none' when it has received nothing. */
export function strongestFacilitation(modes: Iterable<FacilitationMode>): FacilitationMode {
  const seen = new Set(modes);
  return FACILITATION_MODES.find((mode) => seen.has(mode)) ?? 'none';
}

/** The day twelve months after `date`: the same calendar day a year on (29 February -> 1 March). */
export const twelveMonthsAfter = (date: string): string => sameDayYearsBefore(date, -1);

/** The day twelve months before `date`, the opening day of an HbA1c baseline window (29 February -> 1 March). */
export const twelveMonthsBefore = (date: string): string => sameDayYearsBefore(date, 1);

/** Every key a metrics row may carry, at any depth: what a commissioner's response is allowed to contain. */
export const ROW_KEYS: readonly string[] = [
  'key',
  'label',
  'uptakePct',
  ...COUNT_FIELDS,
  'waits',
  ...WAIT_NAMES,
  'n',
  'medianDays',
  'p90Days',
  'hba1cChange6m',
  'medianMmolMol',
  'suppressed',
];

/** The bin of WAIT_BINS a wait of `days` falls in (waits are never negative: events cannot be dated before the previous one). */
export function waitBinIndex(days: number): number {
  return WAIT_BINS.findIndex((b) => days >= b.minDays && (b.maxDays === null || days <= b.maxDays));
}

// ---------------------------------------------------------------------------------------------------------------
// HbA1c

/** Whether a value typed in `unit` lies in the plausible range that manual entry accepts. */
export function isPlausibleHba1c(value: number, unit: Hba1cUnit): boolean {
  const { min, max } = HBA1C_RANGE[unit];
  return Number.isFinite(value) && value >= min && value <= max;
}

// ---------------------------------------------------------------------------------------------------------------
// The pathway table (src/lib/domain/pathway.ts)

/** Every status an event of this type can lead to. */
export function possibleNextStatuses(type: EventType): ReferralStatus[] {
  const { leadsTo } = PATHWAY[type];
  if (typeof leadsTo === 'string') return [leadsTo];
  return [...new Set(Object.values((leadsTo as { to: Record<string, ReferralStatus> }).to))];
}

/** A status no event leaves, whoever records it: the referral's story is over. */
export function isTerminal(status: ReferralStatus): boolean {
  return EVENT_TYPES.every((type) => !PATHWAY[type].from.includes(status));
}

/**
 * The status a referral's accepted events (oldest first) lead to from awaiting_assessment. Roles are not
 * rechecked: each event is applied as a role that may record it. Throws on a history the table does not allow.
 */
export function replay(events: readonly PathwayEvent[]): ReferralStatus {
  let status: ReferralStatus = INITIAL_STATUS;
  events.forEach((event, index) => {
    const result = applyEvent(status, event, PATHWAY[event.type].who[0]!);
    if (!result.ok) throw new Error(`Event ${index + 1} (${event.type}) cannot follow status ${status}`);
    status = result.next;
  });
  return status;
}
