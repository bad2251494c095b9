import { describe, expect, it } from 'vitest';
import { todayIso } from './server/clock';
import { formatNumber, formatUkDate, formatUkDateTime } from './format';

describe('dates and numbers on screen', () => {
  it('shows a calendar date in UK form, whatever time of day it carries', () => {
    expect(formatUkDate('2026-03-31')).toBe('31 March 2026');
    expect(formatUkDate('2026-03-31T23:30:00Z')).toBe('31 March 2026');
  });

  it('shows an instant in UK time, summer time included', () => {
    expect(formatUkDateTime(new Date('2026-07-01T23:30:00Z'))).toBe('2 Jul 2026, 00:30:00');
    expect(formatUkDateTime(new Date('2026-01-15T09:05:07Z'))).toBe('15 Jan 2026, 09:05:07');
  });

  it('groups thousands', () => expect(formatNumber(1234567)).toBe('1,234,567'));

  it("takes today's date in London, where the service is", () => {
    expect(todayIso(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01');
    expect(todayIso(new Date('2026-12-31T23:30:00Z'))).toBe('2026-12-31');
  });
});
