import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addDays } from '../../domain/calendar-date';
import { dayOf, instantOn, isoOf } from './history.days';

describe('Day numbers in the demo simulation', () => {
  it('turn into the same calendar dates as calendar-date.ts, and back', () => {
    fc.assert(
      fc.property(fc.integer({ min: -40_000, max: 60_000 }), (day) => isoOf(day) === addDays('1970-01-01', day) && dayOf(isoOf(day)) === day),
    );
    expect(isoOf(dayOf('2024-02-29'))).toBe('2024-02-29');
    expect(isoOf(dayOf('2024-04-01'))).toBe('2024-04-01');
  });

  it('stamp instants on the right UTC day', () => {
    expect(instantOn(dayOf('2026-03-29'), 9 * 60 + 5).toISOString()).toBe('2026-03-29T09:05:00.000Z');
    expect(instantOn(dayOf('2026-03-29')).toISOString()).toBe('2026-03-29T00:00:00.000Z');
  });
});
