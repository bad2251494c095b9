import { describe, expect, it } from 'vitest';
import { EVENT_DATE_FIELD, checkEventDate, isCalendarDate } from './event-dates';
import { EVENT_TYPES } from './pathway';

const context = { today: '2025-06-15', opensOn: '2025-03-01', previousEventDate: '2025-04-10' };

describe('the date on a pathway event', () => {
  describe('is accepted', () => {
    it.each([
      ['today', '2025-06-15'],
      ['between the previous event and today', '2025-05-20'],
      ['on the same day as the previous event', '2025-04-10'],
    ])('%s (%s)', (_, date) => expect(checkEventDate({ ...context, date })).toBeNull());

    it('on the day the referral was received, when there is no earlier event', () => {
      expect(checkEventDate({ ...context, previousEventDate: null, date: '2025-03-01' })).toBeNull();
      expect(checkEventDate({ today: '2025-06-15', opensOn: '2025-03-01', date: '2025-03-01' })).toBeNull();
    });

    it('on 29 February in a leap year', () => {
      expect(checkEventDate({ today: '2024-03-10', opensOn: '2024-02-01', date: '2024-02-29' })).toBeNull();
    });
  });

  describe('is refused', () => {
    it.each([
      ['2025-02-30', 'a 30th of February'],
      ['2025-02-29', 'a 29th of February outside a leap year'],
      ['2025-04-31', 'a 31st of April'],
      ['2025-13-01', 'a thirteenth month'],
      ['15/06/2025', 'a UK-style date'],
      ['2025-06-15T09:00:00Z', 'a date-time'],
      ['', 'no date'],
    ])('when it is not a real date: %s (%s)', (date) => {
      expect(checkEventDate({ ...context, date })).toEqual({ message: 'Enter a real date in the format YYYY-MM-DD' });
    });

    it('tomorrow, since it cannot be in the future', () => {
      expect(checkEventDate({ ...context, date: '2025-06-16' })).toEqual({ message: 'Date cannot be in the future' });
    });

    it('the day before the referral was received', () => {
      expect(checkEventDate({ ...context, previousEventDate: null, date: '2025-02-28' })).toEqual({
        message: 'Date cannot be before the referral was received (2025-03-01)',
      });
    });

    it('the day before the previous event', () => {
      expect(checkEventDate({ ...context, date: '2025-04-09' })).toEqual({
        message: 'Date cannot be before the previous event on the referral (2025-04-10)',
      });
    });

    it('a future date is reported as future before anything else', () => {
      expect(checkEventDate({ ...context, date: '2026-01-01', previousEventDate: '2026-02-01' })?.message).toBe(
        'Date cannot be in the future',
      );
    });
  });

  it('treats a bad today or received date from the server as a bug, not as the user’s mistake', () => {
    expect(() => checkEventDate({ ...context, today: '2025-02-30', date: '2025-01-01' })).toThrow(RangeError);
    expect(() => checkEventDate({ ...context, opensOn: '', date: '2025-05-01' })).toThrow(RangeError);
  });

  it('re-exports the calendar check for the request schemas', () => {
    expect(isCalendarDate('2025-02-30')).toBe(false);
    expect(isCalendarDate('2024-02-29')).toBe(true);
  });
});

describe('which payload field carries the date of each event', () => {
  it('names one for every event type, as in the events table of docs/pathway.md', () => {
    expect(Object.keys(EVENT_DATE_FIELD).sort()).toEqual([...EVENT_TYPES].sort());
    expect(EVENT_DATE_FIELD).toEqual({
      assessment: 'assessedOn',
      funding_requested: 'submittedOn',
      funding_decision: 'decidedOn',
      device_started: 'startedOn',
      review: 'reviewedOn',
      withdrawn: 'on',
    });
  });
});
