import { ageOnDate } from './age';
import { discloseCount, discloseRate, discloseStatistic, type Disclosed } from './disclosure';
import { uptakePct } from './metrics';
import type { EthnicCategory, Sex } from './vocabulary';

/**
 * Who is reached (domain.md, "Equity"): the splits of a population by age band, sex, ethnic group and deprivation
 * quintile, each with every value listed, `unknown` included. Pure: the SQL counts per value, these name them.
 */

export const EQUITY_SPLITS = ['ageBand', 'sex', 'ethnicGroup', 'imdQuintile'] as const;
export type EquitySplit = (typeof EQUITY_SPLITS)[number];

export const AGE_BANDS = ['0-11', '12-17', '18-25', '26-39', '40-64', '65+', 'unknown'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];
/** The youngest age of each band, oldest band first: the SQL of the equity figures bands ages by it too. */
export const AGE_BAND_FLOORS: readonly [number, AgeBand][] = [
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

/** The group of each NHS ethnic category letter: the SQL of the equity figures groups by it too. */
export const GROUP_OF_LETTER: Record<EthnicCategory, EthnicGroup> = {
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

/** What a split needs to know of one person of a population. */
export interface PopulationPerson {
  birthDate: string | null;
  sex: Sex;
  ethnicCategory: string | null;
  postcode: string | null;
}

export type SplitCounts = Record<EquitySplit, Record<string, number>>;

/**
 * A population counted by each split on `asOf` (ages on that date), every value listed, zeros included. A person's
 * deprivation comes from their postcode through `decileOf` (the postcode-to-decile table); none, unknown.
 */
export function splitCountsOf(people: readonly PopulationPerson[], asOf: string, decileOf: (postcode: string) => number | null): SplitCounts {
  const counts = Object.fromEntries(EQUITY_SPLITS.map((split) => [split, Object.fromEntries(SPLIT_VALUES[split].map((v) => [v, 0]))])) as SplitCounts;
  for (const person of people) {
    counts.ageBand[ageBandOf(person.birthDate, asOf)]! += 1;
    counts.sex[person.sex]! += 1;
    counts.ethnicGroup[ethnicGroupOf(person.ethnicCategory)]! += 1;
    counts.imdQuintile[imdQuintileOf(person.postcode === null ? null : decileOf(person.postcode))]! += 1;
  }
  return counts;
}

export const EQUITY_GROUP_BYS = ['site', 'icb', 'all'] as const;
export type EquityGroupBy = (typeof EQUITY_GROUP_BYS)[number];

/** One equity report: a split, counted per group. */
export interface EquityView {
  groupBy: EquityGroupBy;
  by: EquitySplit;
}

/** One value of a split in one group, exact: what the database counts. */
export interface EquityCounts {
  value: string;
  /** Null when the group has no split count on or before the period's end (or some of its sites have none). */
  t1dPopulation: number | null;
  onTherapy: number;
  referrals: number;
  started: number;
  /** How many referral-to-start waits ended in the period, and their median in days. */
  waits: number;
  referralToStartMedianDays: number | null;
}

export interface EquitySplitRow {
  value: string;
  label: string;
  t1dPopulation: number | null;
  onTherapy: number | null;
  uptakePct: number | null;
  referrals: number | null;
  started: number | null;
  referralToStartMedianDays: number | null;
  suppressed: string[];
}

export interface EquityRow {
  key: string;
  label: string;
  splits: EquitySplitRow[];
}

/**
 * A group's row: every value of the split in order, those the database had nothing for as zeros, and under
 * disclosure control each count withheld or rounded as in the metrics, the uptake from the rounded parts.
 */
export function equitySplits(split: EquitySplit, counts: readonly EquityCounts[], populationKnown: boolean, disclosed: boolean): EquitySplitRow[] {
  return SPLIT_VALUES[split].map((value) => {
    const c = counts.find((x) => x.value === value);
    const exact = {
      t1dPopulation: populationKnown ? (c?.t1dPopulation ?? 0) : null,
      onTherapy: c?.onTherapy ?? 0,
      referrals: c?.referrals ?? 0,
      started: c?.started ?? 0,
      waits: c?.waits ?? 0,
      median: c?.referralToStartMedianDays ?? null,
    };
    const label = SPLIT_VALUE_LABELS[split][value]!;
    if (!disclosed) {
      const { t1dPopulation, onTherapy, referrals, started, median } = exact;
      return { value, label, t1dPopulation, onTherapy, uptakePct: uptakePct(onTherapy, t1dPopulation), referrals, started, referralToStartMedianDays: median, suppressed: [] };
    }
    const suppressed: string[] = [];
    const note = (field: string, d: Disclosed) => {
      if (d.withheld) suppressed.push(field);
      return d.value;
    };
    const population = discloseCount(exact.t1dPopulation);
    const onTherapy = discloseCount(exact.onTherapy);
    return {
      value,
      label,
      t1dPopulation: note('t1dPopulation', population),
      onTherapy: note('onTherapy', onTherapy),
      uptakePct: note('uptakePct', discloseRate(onTherapy, population, uptakePct)),
      referrals: note('referrals', discloseCount(exact.referrals)),
      started: note('started', discloseCount(exact.started)),
      referralToStartMedianDays: note('referralToStartMedianDays', discloseStatistic(exact.median, exact.waits)),
      suppressed,
    };
  });
}
