import { addDays, daysBetween } from './calendar-date';
import type { ReferralStatus } from './pathway';

/** How often someone on therapy is reviewed, and how early a review shows as due. */
export const REVIEW_INTERVAL_DAYS = 182;
export const REVIEW_DUE_NOTICE_DAYS = 14;

/**
 * What needs doing next, in pathway order, and after how many days in that state an item is overdue. The
 * thresholds are service standards a team can argue about, not NICE rules: kept here in one place.
 */
export const WORKLIST_GROUPS = [
  { key: 'assessment', label: 'Awaiting assessment', statuses: ['awaiting_assessment', 'deferred'], overdueAfterDays: 42 },
  { key: 'funding_request', label: 'Awaiting funding request', statuses: ['awaiting_funding_request', 'funding_more_info'], overdueAfterDays: 14 },
  { key: 'funding_decision', label: 'Awaiting funding decision', statuses: ['awaiting_funding_decision'], overdueAfterDays: 28 },
  { key: 'start', label: 'Awaiting start', statuses: ['awaiting_start'], overdueAfterDays: 56 },
  { key: 'review', label: 'Reviews due', statuses: ['on_therapy'], overdueAfterDays: REVIEW_INTERVAL_DAYS },
] as const satisfies readonly { key: string; label: string; statuses: readonly ReferralStatus[]; overdueAfterDays: number }[];

export type WorklistGroupKey = (typeof WORKLIST_GROUPS)[number]['key'];
export const WORKLIST_STATUSES: ReferralStatus[] = WORKLIST_GROUPS.flatMap((g) => [...g.statuses]);

export interface WorklistPlacement {
  group: WorklistGroupKey;
  daysWaiting: number;
  /** The last day within the group's standard: for a review, the date it falls due. */
  dueOn: string;
  /** Days from `dueOn` to today: past it when positive, still to come when negative. */
  daysOverdue: number;
  overdue: boolean;
}

/**
 * Where a referral sits on the nurse's worklist, or null when nothing is due: a deferred referral before its
 * reassessment date, or someone on therapy whose next review is not yet near. Days count from the last step, so a
 * review falls due REVIEW_INTERVAL_DAYS after the start or the last review (docs/pathway.md).
 */
export function placeOnWorklist(
  r: { status: ReferralStatus; lastEventOn: string; reassessOn: string | null },
  today: string,
): WorklistPlacement | null {
  const group = WORKLIST_GROUPS.find((g) => (g.statuses as readonly ReferralStatus[]).includes(r.status));
  if (!group) return null;
  if (r.status === 'deferred' && (!r.reassessOn || r.reassessOn > today)) return null;
  const daysWaiting = daysBetween(r.lastEventOn, today);
  if (group.key === 'review' && daysWaiting < REVIEW_INTERVAL_DAYS - REVIEW_DUE_NOTICE_DAYS) return null;
  const dueOn = addDays(r.lastEventOn, group.overdueAfterDays);
  const daysOverdue = daysWaiting - group.overdueAfterDays;
  return { group: group.key, daysWaiting, dueOn, daysOverdue, overdue: daysOverdue > 0 };
}
