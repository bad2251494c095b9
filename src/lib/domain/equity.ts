import { ageOnDate } from './age';
import type { EthnicCategory, Sex } from './vocabulary';

/**
 * Who is reached (domain.md, "Equity"): the splits of a population by age band, sex, ethnic group and deprivation
 * quintile, each with every value listed, `unknown` included. Pure: the SQL counts per value, these name them.
 */

export const EQUITY_SPLITS = ['ageBand', 'sex', 'ethnicGroup', 'imdQuintile'] as const;
export type EquitySplit = (typeof EQUITY_SPLITS)[number];

export const AGE_BANDS = ['0-11', '12-17', '18-25', '26-39', '40-64', '65+', 'unknown'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];
/** The youngest age of each band but the first, in order. */
const AGE_BAND_FLOORS: readonly [number, AgeBand][] = [
  [65, '65+'],
  [40, '40-64'],
  [26, '26-39'],
  [18, '18-25'],
  [12, '12-17'],
  [0, '0-11'],
];

export const ETHNIC_GROUPS = ['white', 'mixed', 'asian', 'black', 'other', 'unknown'] as const;
export type EthnicGroup = (typeof ETHNIC_GROUPS)[number];

export const IMD_QUINTILES = ['1', '2', '3', '4', '5', 'unknown'] as const;
export type ImdQuintile = (typeof IMD_QUINTILES)[number];

export const SEX_VALUES = ['female', 'male', 'other', 'unknown'] as const satisfies readonly Sex[];

/** Every value of each split, in the order pages list them. */
export const SPLIT_VALUES: Record<EquitySplit, readonly string[]> = {
  ageBand: AGE_BANDS,
  sex: SEX_VALUES,
  ethnicGroup: ETHNIC_GROUPS,
  imdQuintile: IMD_QUINTILES,
};

export const SPLIT_VALUE_LABELS: Record<EquitySplit, Record<string, string>> = {
  ageBand: { '0-11': 'Aged 0 to 11', '12-17': 'Aged 12 to 17', '18-25': 'Aged 18 to 25', '26-39': 'Aged 26 to 39', '40-64': 'Aged 40 to 64', '65+': 'Aged 65 or over', unknown: 'Age not known' },
  sex: { female: 'Female', male: 'Male', other: 'Other', unknown: 'Sex not known' },
  ethnicGroup: { white: 'White', mixed: 'Mixed or multiple', asian: 'Asian or Asian British', black: 'Black or Black British', other: 'Other ethnic group', unknown: 'Not stated or not recorded' },
  imdQuintile: {
    '1': '1 (most deprived fifth)',
    '2': '2',
    '3': '3',
    '4': '4',
    '5': '5 (least deprived fifth)',
    unknown: 'Deprivation not known',
  },
};

/** The age band on `on`; unknown without a birth date (or one after `on`). */
export function ageBandOf(birthDate: string | null, on: string): AgeBand {
  if (birthDate === null || birthDate > on) return 'unknown';
  const age = ageOnDate(birthDate, on);
  return AGE_BAND_FLOORS.find(([floor]) => age >= floor)![1];
}

const GROUP_OF_LETTER: Record<EthnicCategory, EthnicGroup> = {
  A: 'white',
  B: 'white',
  C: 'white',
  D: 'mixed',
  E: 'mixed',
  F: 'mixed',
  G: 'mixed',
  H: 'asian',
  J: 'asian',
  K: 'asian',
  L: 'asian',
  M: 'black',
  N: 'black',
  P: 'black',
  R: 'other',
  S: 'other',
  Z: 'unknown',
};

/** The group of an NHS ethnic category letter; Z (not stated), none, or any other value is unknown. */
export function ethnicGroupOf(category: string | null | undefined): EthnicGroup {
  return (category && GROUP_OF_LETTER[category as EthnicCategory]) || 'unknown';
}

/** Quintile 1 (most deprived) to 5 from an IMD decile: ceil(decile / 2); unknown without a decile. */
export function imdQuintileOf(decile: number | null | undefined): ImdQuintile {
  if (decile === null || decile === undefined || !Number.isInteger(decile) || decile < 1 || decile > 10) return 'unknown';
  return String(Math.ceil(decile / 2)) as ImdQuintile;
}
