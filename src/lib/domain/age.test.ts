import { describe, expect, it } from 'vitest';
import { ageOnDate } from './age';

describe('age at a date', () => {
  it.each([
    ['2013-06-15', '2025-06-14', 11, 'the day before the 12th birthday'],
    ['2013-06-15', '2025-06-15', 12, 'on the 12th birthday'],
    ['2013-06-15', '2025-06-16', 12, 'the day after the 12th birthday'],
    ['2007-06-15', '2025-06-14', 17, 'the day before the 18th birthday'],
    ['2007-06-15', '2025-06-15', 18, 'on the 18th birthday'],
    ['1990-12-31', '2025-01-01', 34, 'early in the year for a December birthday'],
    ['1990-01-01', '2024-12-31', 34, 'late in the year for a January birthday'],
    ['2025-05-01', '2025-05-01', 0, 'on the day of birth'],
  ])('born %s, on %s is %i (%s)', (birthDate, onDate, age) => {
    expect(ageOnDate(birthDate, onDate)).toBe(age);
  });

  describe('born on 29 February', () => {
    it.each([
      ['2012-02-29', '2024-02-28', 11, 'the day before the 12th birthday in a leap year'],
      ['2012-02-29', '2024-02-29', 12, 'on the 12th birthday in a leap year'],
      ['2013-03-01', '2025-02-28', 11, 'compare: born 1 March, 28 February'],
      ['2012-02-29', '2025-02-28', 12, 'on 28 February of a common year, not yet 13'],
      ['2012-02-29', '2025-03-01', 13, 'on 1 March of a common year, which counts as the birthday'],
      ['2008-02-29', '2026-02-28', 17, 'on 28 February before the 18th birthday in a common year'],
      ['2008-02-29', '2026-03-01', 18, 'on 1 March, the 18th birthday in a common year'],
    ])('born %s, on %s is %i (%s)', (birthDate, onDate, age) => {
      expect(ageOnDate(birthDate, onDate)).toBe(age);
    });
  });

  it('refuses a date before birth', () => {
    expect(() => ageOnDate('2020-01-02', '2020-01-01')).toThrow(RangeError);
  });

  it('refuses dates that are not real days', () => {
    expect(() => ageOnDate('2013-02-30', '2025-01-01')).toThrow(RangeError);
    expect(() => ageOnDate('2013-02-03', '2025-02-29')).toThrow(RangeError);
  });
});
