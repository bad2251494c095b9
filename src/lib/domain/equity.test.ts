import { describe, expect, it } from 'vitest';
import { ageBandOf, ETHNIC_GROUPS, ethnicGroupOf, imdQuintileOf, splitCountsOf, SPLIT_VALUE_LABELS, SPLIT_VALUES, EQUITY_SPLITS } from './equity';
import { ETHNIC_CATEGORIES } from './vocabulary';

describe('age bands, on the last day of the period', () => {
  it.each([
    ['2014-07-02', '0-11'],
    ['2014-07-01', '12-17'],
    ['2013-07-01', '12-17'],
    ['2008-07-02', '12-17'],
    ['2008-07-01', '18-25'],
    ['2000-07-01', '26-39'],
    ['1986-07-02', '26-39'],
    ['1986-07-01', '40-64'],
    ['1961-07-01', '65+'],
  ])('someone born %s is in %s on 1 July 2026', (birthDate, band) => expect(ageBandOf(birthDate, '2026-07-01')).toBe(band));

  it('reaches 12 on 1 March in a common year when born on 29 February', () => {
    expect(ageBandOf('2012-02-29', '2024-02-28')).toBe('0-11');
    expect(ageBandOf('2012-02-29', '2024-02-29')).toBe('12-17');
    expect(ageBandOf('2013-02-28', '2025-02-28')).toBe('12-17');
  });

  it('is unknown without a birth date, or one after the day', () => {
    expect(ageBandOf(null, '2026-07-01')).toBe('unknown');
    expect(ageBandOf('2027-01-01', '2026-07-01')).toBe('unknown');
  });
});

describe('ethnic groups from the NHS letters', () => {
  it.each([
    ['A', 'white'], ['B', 'white'], ['C', 'white'],
    ['D', 'mixed'], ['G', 'mixed'],
    ['H', 'asian'], ['J', 'asian'], ['K', 'asian'], ['L', 'asian'],
    ['M', 'black'], ['N', 'black'], ['P', 'black'],
    ['R', 'other'], ['S', 'other'],
    ['Z', 'unknown'],
  ])('%s is %s', (letter, group) => expect(ethnicGroupOf(letter)).toBe(group));

  it.each([null, undefined, '', 'I', 'O', 'Q', '99', 'a', 'white'])('%j is unknown', (value) => expect(ethnicGroupOf(value)).toBe('unknown'));

  it('puts every letter in one of the groups', () => {
    for (const letter of ETHNIC_CATEGORIES) expect(ETHNIC_GROUPS).toContain(ethnicGroupOf(letter));
  });
});

describe('deprivation quintiles from IMD deciles', () => {
  it.each([[1, '1'], [2, '1'], [3, '2'], [4, '2'], [5, '3'], [6, '3'], [7, '4'], [8, '4'], [9, '5'], [10, '5']])('decile %i is quintile %s', (decile, quintile) =>
    expect(imdQuintileOf(decile)).toBe(quintile),
  );
  it.each([null, undefined, 0, 11, 2.5])('%j is unknown', (decile) => expect(imdQuintileOf(decile)).toBe('unknown'));
});

it('names every value of every split, unknown included', () => {
  for (const split of EQUITY_SPLITS) {
    expect(SPLIT_VALUES[split]).toContain('unknown');
    expect(Object.keys(SPLIT_VALUE_LABELS[split]).sort()).toEqual([...SPLIT_VALUES[split]].sort());
  }
});

describe('a population counted by each split', () => {
  const table: Record<string, number> = { 'LS1 4AP': 1, 'LS2 9JT': 10 };
  const decileOf = (postcode: string) => table[postcode] ?? null;
  const counts = splitCountsOf(
    [
      { birthDate: '2015-06-01', sex: 'female', ethnicCategory: 'H', postcode: 'LS1 4AP' },
      { birthDate: '2008-06-02', sex: 'male', ethnicCategory: 'A', postcode: 'LS2 9JT' },
      { birthDate: null, sex: 'unknown', ethnicCategory: 'X', postcode: 'ZZ9 9ZZ' },
      { birthDate: '1950-01-01', sex: 'female', ethnicCategory: null, postcode: null },
    ],
    '2026-06-01',
    decileOf,
  );

  it('ages people on the date of the count', () => {
    // The second person turns 18 the day after the count.
    expect(counts.ageBand).toEqual({ '0-11': 1, '12-17': 1, '18-25': 0, '26-39': 0, '40-64': 0, '65+': 1, unknown: 1 });
  });

  it('lists every value of every split, zeros included', () => {
    for (const split of EQUITY_SPLITS) expect(Object.keys(counts[split])).toEqual([...SPLIT_VALUES[split]]);
    expect(counts.sex).toEqual({ female: 2, male: 1, other: 0, unknown: 1 });
  });

  it('counts a category that is not an NHS letter, or none, as unknown', () => {
    expect(counts.ethnicGroup).toEqual({ white: 1, mixed: 0, asian: 1, black: 0, other: 0, unknown: 2 });
  });

  it('looks deprivation up from the postcode; a postcode the table lacks, or none, is unknown', () => {
    expect(counts.imdQuintile).toEqual({ '1': 1, '2': 0, '3': 0, '4': 0, '5': 1, unknown: 2 });
  });
});
