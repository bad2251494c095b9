import type { Role } from './access';

/**
 * The pump pathway as one table (docs/pathway.md, "Events"). Everything else here (what a role may
 * do next, where an event leads) is read off this table, so the UI's offered next steps, the API's 403/422
 * answers and the metrics can never disagree with each other.
 */

export const REFERRAL_STATUSES = [
  'awaiting_assessment',
  'deferred',
  'not_eligible',
  'awaiting_funding_request',
  'awaiting_funding_decision',
  'funding_more_info',
  'funding_declined',
  'awaiting_start',
  'on_therapy',
  'discontinued',
  'withdrawn',
  // A pump record that ended because the person moved on to closed loop: final, and not a discontinuation.
  'switched',
] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

export const INITIAL_STATUS = 'awaiting_assessment' satisfies ReferralStatus;

export const EVENT_TYPES = [
  'assessment',
  'funding_requested',
  'funding_decision',
  'device_started',
  'review',
  'withdrawn',
] as const;
/** The events a user records through POST /referrals/{id}/events. */
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Every event a referral's history may hold: the recorded steps, the creation of an existing-therapy record, and
 * the system's own `switched_to_hcl`, which closes a pump record when the person starts closed loop.
 */
export const RECORD_EVENT_TYPES = [...EVENT_TYPES, 'existing_therapy', 'switched_to_hcl'] as const;
export type RecordEventType = (typeof RECORD_EVENT_TYPES)[number];

/** Statuses from which nothing more can be recorded whoever asks. */
const FINAL_STATUSES: readonly ReferralStatus[] = ['switched'];

export const ASSESSMENT_DECISIONS = ['eligible', 'not_eligible', 'deferred'] as const;
export type AssessmentDecision = (typeof ASSESSMENT_DECISIONS)[number];
export const FUNDING_OUTCOMES = ['approved', 'declined', 'more_info'] as const;
export type FundingOutcome = (typeof FUNDING_OUTCOMES)[number];
export const REVIEW_DECISIONS = ['continue', 'discontinue'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/** The part of an event's payload that decides where it leads; the rest of the payload may ride along. */
export type PathwayEvent =
  | { type: 'assessment'; decision: AssessmentDecision }
  | { type: 'funding_requested' }
  | { type: 'funding_decision'; outcome: FundingOutcome }
  | { type: 'device_started' }
  | { type: 'review'; decision: ReviewDecision }
  | { type: 'withdrawn' };

/**
 * "Withdrawn: any status before on_therapy". Read as every status from which the referral can still move on
 * towards therapy. The dead ends not_eligible and funding_declined are excluded: they already close the
 * referral with their own recorded reason, and withdrawing afterwards would overwrite that outcome (and the
 * metrics' counts of ineligible and declined referrals) with a less informative one. A person who wants
 * another try after a decline or an ineligible assessment is referred again.
 */
const BEFORE_ON_THERAPY = [
  'awaiting_assessment',
  'deferred',
  'awaiting_funding_request',
  'awaiting_funding_decision',
  'funding_more_info',
  'awaiting_start',
] as const satisfies readonly ReferralStatus[];

type Payload<T extends EventType> = Omit<Extract<PathwayEvent, { type: T }>, 'type'>;

/** Either one fixed next status, or the next status chosen by one field of the payload. */
type LeadsTo<T extends EventType> = keyof Payload<T> extends never
  ? ReferralStatus
  : { [K in keyof Payload<T>]: { field: K; to: Record<Payload<T>[K] & string, ReferralStatus> } }[keyof Payload<T>];

export interface PathwayRow<T extends EventType> {
  from: readonly ReferralStatus[];
  /** Admins manage sites and users; they never record clinical events. Commissioners see aggregates only. */
  who: readonly Role[];
  leadsTo: LeadsTo<T>;
}

export const PATHWAY: { readonly [T in EventType]: PathwayRow<T> } = {
  assessment: {
    from: ['awaiting_assessment', 'deferred'],
    who: ['consultant'],
    leadsTo: {
      field: 'decision',
      to: { eligible: 'awaiting_funding_request', not_eligible: 'not_eligible', deferred: 'deferred' },
    },
  },
  funding_requested: {
    from: ['awaiting_funding_request', 'funding_more_info'],
    who: ['nurse', 'consultant'],
    leadsTo: 'awaiting_funding_decision',
  },
  funding_decision: {
    from: ['awaiting_funding_decision'],
    who: ['nurse', 'consultant'],
    leadsTo: {
      field: 'outcome',
      to: { approved: 'awaiting_start', declined: 'funding_declined', more_info: 'funding_more_info' },
    },
  },
  device_started: {
    from: ['awaiting_start'],
    who: ['nurse'],
    leadsTo: 'on_therapy',
  },
  review: {
    from: ['on_therapy'],
    who: ['nurse', 'consultant'],
    leadsTo: { field: 'decision', to: { continue: 'on_therapy', discontinue: 'discontinued' } },
  },
  withdrawn: {
    from: BEFORE_ON_THERAPY,
    who: ['nurse', 'consultant'],
    leadsTo: 'withdrawn',
  },
};

export type ApplyResult =
  | { ok: true; next: ReferralStatus }
  | { ok: false; reason: 'invalid_transition' | 'forbidden_role'; currentStatus: ReferralStatus };

function row(type: EventType): PathwayRow<EventType> {
  const found = (PATHWAY as Record<string, PathwayRow<EventType> | undefined>)[type];
  if (!found) throw new TypeError(`Unknown pathway event type: ${JSON.stringify(type)}`);
  return found;
}

/** Where an event leads, ignoring who records it and where the referral stands. */
function destination(event: PathwayEvent): ReferralStatus {
  const { leadsTo } = row(event.type);
  if (typeof leadsTo === 'string') return leadsTo;
  const { field, to } = leadsTo as { field: string; to: Record<string, ReferralStatus> };
  const value = (event as unknown as Record<string, unknown>)[field];
  const next = typeof value === 'string' ? to[value] : undefined;
  // The request schemas reject such payloads first; reaching here is a programming error, not a user's.
  if (!next) throw new TypeError(`A ${event.type} event needs ${field} to be one of ${Object.keys(to).join(', ')}`);
  return next;
}

/**
 * The status an event leads to, or why it cannot be recorded. The role is checked before the status: a role
 * that may never record this kind of event gets the same answer whatever state the referral is in, except on a
 * switched record, which takes no event from anyone.
 */
export function applyEvent(status: ReferralStatus, event: PathwayEvent, role: Role): ApplyResult {
  if (FINAL_STATUSES.includes(status)) return { ok: false, reason: 'invalid_transition', currentStatus: status };
  const { from, who } = row(event.type);
  if (!who.includes(role)) return { ok: false, reason: 'forbidden_role', currentStatus: status };
  if (!from.includes(status)) return { ok: false, reason: 'invalid_transition', currentStatus: status };
  return { ok: true, next: destination(event) };
}

/** The steps a user in this role can record next, in pathway order: what the referral page offers. */
export function allowedEvents(status: ReferralStatus, role: Role): EventType[] {
  return EVENT_TYPES.filter((type) => PATHWAY[type].from.includes(status) && PATHWAY[type].who.includes(role));
}
