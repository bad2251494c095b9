import { isCalendarDate } from './calendar-date';
import type { EventType } from './pathway';

export { isCalendarDate } from './calendar-date';

/** The payload field that carries each event's date (docs/pathway.md, "Event dates"), for error paths and ordering. */
export const EVENT_DATE_FIELD = {
  assessment: 'assessedOn',
  funding_requested: 'submittedOn',
  funding_decision: 'decidedOn',
  device_started: 'startedOn',
  review: 'reviewedOn',
  withdrawn: 'on',
} as const satisfies Record<EventType, string>;

export interface EventDateContext {
  /** The event's date as entered. */
  date: string;
  /** Today's calendar date where the service runs (the caller decides the zone; Europe/London for the NHS). */
  today: string;
  /** The date the record opened: a referral's receipt, or the day an existing therapy became known. */
  opensOn: string;
  /** Which of the two `opensOn` is, for the message. */
  opening?: 'received' | 'known';
  /** The date of the referral's latest event so far, if any. */
  previousEventDate?: string | null;
}

export interface EventDateError {
  message: string;
}

/**
 * Why an event cannot carry this date, or null when it can. Events happen in order on or after the referral's
 * arrival and never in the future; the same day as the previous event (or as the referral) is fine, since an
 * assessment and a funding request often share a clinic day. Validated dates in YYYY-MM-DD compare as strings.
 */
export function checkEventDate({ date, today, opensOn, opening = 'received', previousEventDate }: EventDateContext): EventDateError | null {
  // today and opensOn come from the server and the database, not the user: a bad one is a bug.
  if (!isCalendarDate(today)) throw new RangeError(`today is not a calendar date: ${JSON.stringify(today)}`);
  if (!isCalendarDate(opensOn)) throw new RangeError(`opensOn is not a calendar date: ${JSON.stringify(opensOn)}`);
  if (!isCalendarDate(date)) return { message: 'Enter a real date in the format YYYY-MM-DD' };
  if (date > today) return { message: 'Date cannot be in the future' };
  if (date < opensOn) {
    return {
      message:
        opening === 'known' ? `Date cannot be before the therapy was recorded as known (${opensOn})` : `Date cannot be before the referral was received (${opensOn})`,
    };
  }
  if (previousEventDate && date < previousEventDate) {
    return { message: `Date cannot be before the previous event on the referral (${previousEventDate})` };
  }
  return null;
}
