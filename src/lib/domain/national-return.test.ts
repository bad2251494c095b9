import { describe, expect, it } from 'vitest';
import {
  buildNationalHclReturn,
  financialQuarter,
  lastCompleteQuarter,
  PROBLEMS,
  quarterOf,
  recentQuarters,
  yearStartedPump,
  type NationalHclCandidate,
} from './national-return';
import { CLOSED_LOOP_CODES, NATIONAL_HCL_COLUMNS, nationalHclFileName, UNKNOWN_YEAR_STARTED_PUMP } from './national-return.config';
import { isValidNhsNumber } from './nhs-number';

const Q4 = financialQuarter('2025-Q4')!;
const ADA = '9434765919';
const BOB = '9434765870';

const onHcl = (over: Partial<NationalHclCandidate> = {}): NationalHclCandidate =>
  ({
    kind: 'on_hcl',
    patientId: 'p1',
    nhsNumber: ADA,
    birthDate: '1990-05-17',
    pumpStartYears: [2019, 2024],
    startedOn: '2024-06-01',
    onTherapyFrom: '2024-06-01',
    endedOn: null,
    funding: 'nhs',
    ...over,
  }) as NationalHclCandidate;
/** An HCL record that began before the service used the product, known to it since `knownOn`. */
const existingHcl = (knownOn: string, over: Partial<NationalHclCandidate> = {}) => onHcl({ startedOn: null, onTherapyFrom: knownOn, ...over });
const declined = (over: Partial<NationalHclCandidate> = {}): NationalHclCandidate =>
  ({ kind: 'declined', patientId: 'p1', nhsNumber: ADA, birthDate: '1990-05-17', pumpStartYears: [], declinedOn: '2026-02-14', ...over }) as NationalHclCandidate;

describe('financial quarters', () => {
  it.each([
    ['2025-Q1', '2025-04-01', '2025-06-30'],
    ['2025-Q2', '2025-07-01', '2025-09-30'],
    ['2025-Q3', '2025-10-01', '2025-12-31'],
    ['2025-Q4', '2026-01-01', '2026-03-31'],
  ])('%s runs from %s to %s', (quarter, from, to) => {
    expect(financialQuarter(quarter)).toEqual({ quarter, from, to });
  });

  it.each(['2025-Q0', '2025-Q5', '2025Q1', '25-Q1', '2025-q1', '2025-Q1 ', ''])('%j is not a quarter', (quarter) => {
    expect(financialQuarter(quarter)).toBeNull();
  });

  it.each([
    ['2026-01-01', '2025-Q4'],
    ['2026-03-31', '2025-Q4'],
    ['2026-04-01', '2026-Q1'],
    ['2026-09-30', '2026-Q2'],
    ['2026-12-05', '2026-Q3'],
  ])('%s falls in %s', (date, quarter) => expect(quarterOf(date)).toBe(quarter));

  it.each([
    ['2026-12-05', '2026-Q2'],
    ['2026-04-01', '2025-Q4'],
    ['2026-03-31', '2025-Q3'],
    ['2026-07-01', '2026-Q1'],
  ])('on %s the last complete quarter is %s', (today, quarter) => expect(lastCompleteQuarter(today)).toBe(quarter));

  it('offers the latest complete quarters, newest first, across the year\'s turn', () => {
    expect(recentQuarters('2026-05-10', 3)).toEqual(['2025-Q4', '2025-Q3', '2025-Q2']);
  });
});

describe('the rows of the return', () => {
  it('reports a pathway start as NHS funded, started on its start date, observed on the quarter\'s last day', () => {
    expect(buildNationalHclReturn([onHcl()], Q4)).toEqual({
      rows: [{ nhsNumber: ADA, dateOfBirth: '1990-05-17', closedLoop: '01', dateStartedClosedLoop: '2024-06-01', observationDate: '2026-03-31', yearStartedPump: 2019 }],
      problems: [],
    });
  });

  it('reports HCL not funded by the NHS as 02', () => {
    expect(buildNationalHclReturn([onHcl({ funding: 'non_nhs' })], Q4).rows[0]!.closedLoop).toBe('02');
  });

  it('reports a decline as 04, with no start date, observed on the day it was declined', () => {
    expect(buildNationalHclReturn([declined()], Q4).rows[0]).toMatchObject({ closedLoop: '04', dateStartedClosedLoop: null, observationDate: '2026-02-14' });
  });

  it('gives the placeholder year to someone who declined and never had a pump', () => {
    expect(buildNationalHclReturn([declined({ pumpStartYears: [] })], Q4).rows[0]!.yearStartedPump).toBe(1910);
  });

  it('leaves the start date blank when it is not known', () => {
    expect(buildNationalHclReturn([onHcl({ startedOn: null })], Q4).rows[0]!.dateStartedClosedLoop).toBeNull();
  });

  it('reports an existing record not funded by the NHS as 02, and one known only by its year with a blank start date', () => {
    expect(buildNationalHclReturn([existingHcl('2024-12-01', { funding: 'non_nhs', pumpStartYears: [2021] })], Q4).rows[0]).toMatchObject({
      closedLoop: '02',
      dateStartedClosedLoop: null,
      yearStartedPump: 2021,
    });
  });

  it('has one row per person, preferring being on HCL to having declined it', () => {
    const { rows } = buildNationalHclReturn([declined(), onHcl(), declined({ declinedOn: '2026-03-01' })], Q4);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.closedLoop).toBe('01');
  });

  it('of two HCL records, reports the one still going at the quarter\'s end over one that ended in it', () => {
    const stopped = onHcl({ startedOn: '2025-09-01', onTherapyFrom: '2025-09-01', endedOn: '2026-02-01' });
    const going = existingHcl('2024-12-01', { funding: 'non_nhs' });
    expect(buildNationalHclReturn([stopped, going], Q4).rows.map((r) => r.closedLoop)).toEqual(['02']);
    expect(buildNationalHclReturn([going, stopped], Q4).rows.map((r) => r.closedLoop)).toEqual(['02']);
  });

  it('counts a record that ended on the quarter\'s last day as ended, and one that ended after it as going', () => {
    const endsOnLastDay = onHcl({ startedOn: '2025-09-01', onTherapyFrom: '2025-09-01', endedOn: '2026-03-31' });
    const endsAfter = onHcl({ startedOn: '2024-02-01', onTherapyFrom: '2024-02-01', endedOn: '2026-04-01' });
    expect(buildNationalHclReturn([endsOnLastDay, endsAfter], Q4).rows.map((r) => r.dateStartedClosedLoop)).toEqual(['2024-02-01']);
  });

  it('of two HCL records both going (or both ended), reports the latest start, an existing one counting from the day it was known', () => {
    const { rows } = buildNationalHclReturn(
      [onHcl({ startedOn: '2025-01-10', onTherapyFrom: '2025-01-10' }), existingHcl('2024-12-01'), onHcl({ startedOn: '2024-02-01', onTherapyFrom: '2024-02-01' })],
      Q4,
    );
    expect(rows.map((r) => r.dateStartedClosedLoop)).toEqual(['2025-01-10']);
    const ended = { endedOn: '2026-01-15' };
    expect(buildNationalHclReturn([existingHcl('2025-03-01', ended), onHcl({ startedOn: '2025-01-10', onTherapyFrom: '2025-01-10', ...ended })], Q4).rows[0]!.dateStartedClosedLoop).toBeNull();
  });

  it('of two HCL records from the same day, prefers a known start date, then NHS funding', () => {
    const unknownStart = existingHcl('2025-01-10', { funding: 'nhs' });
    const knownStart = onHcl({ startedOn: '2025-01-10', onTherapyFrom: '2025-01-10', funding: 'non_nhs' });
    expect(buildNationalHclReturn([unknownStart, knownStart], Q4).rows[0]).toMatchObject({ dateStartedClosedLoop: '2025-01-10', closedLoop: '02' });
    const selfFunded = onHcl({ funding: 'non_nhs' });
    expect(buildNationalHclReturn([selfFunded, onHcl()], Q4).rows[0]!.closedLoop).toBe('01');
    expect(buildNationalHclReturn([onHcl(), selfFunded], Q4).rows[0]!.closedLoop).toBe('01');
  });

  it('of two declines, reports the latest', () => {
    const { rows } = buildNationalHclReturn([declined({ declinedOn: '2026-03-01' }), declined({ declinedOn: '2026-01-05' })], Q4);
    expect(rows.map((r) => r.observationDate)).toEqual(['2026-03-01']);
  });

  it('orders rows by NHS number', () => {
    const { rows } = buildNationalHclReturn([onHcl({ patientId: 'p2', nhsNumber: ADA }), onHcl({ patientId: 'p1', nhsNumber: BOB })], Q4);
    expect(rows.map((r) => r.nhsNumber)).toEqual([BOB, ADA].sort());
  });
});

describe('the year the person started a pump', () => {
  it('is the earliest start year of their pump and closed loop records, a year-only record included', () => {
    expect(yearStartedPump([2019, 2024])).toBe(2019);
    expect(yearStartedPump([2024, 2015])).toBe(2015);
    expect(yearStartedPump([2021])).toBe(2021);
  });

  it('is not known (1910) when any record does not say when it started: that record could be the earliest', () => {
    expect(yearStartedPump([2019, null])).toBe(1910);
    expect(yearStartedPump([null])).toBe(1910);
  });

  it('is not known (1910) for someone with no pump or closed loop record', () => {
    expect(yearStartedPump([])).toBe(1910);
  });

  it('is what the row says', () => {
    expect(buildNationalHclReturn([existingHcl('2024-12-01', { pumpStartYears: [2016, null] })], Q4).rows[0]!.yearStartedPump).toBe(1910);
    expect(buildNationalHclReturn([onHcl({ pumpStartYears: [2025, 2012] })], Q4).rows[0]!.yearStartedPump).toBe(2012);
  });
});

describe('the problems of the return', () => {
  it('leaves out a person with no NHS number and says why', () => {
    expect(buildNationalHclReturn([onHcl({ nhsNumber: null })], Q4)).toEqual({
      rows: [],
      problems: [{ patientId: 'p1', nhsNumber: null, problem: PROBLEMS.noNhsNumber }],
    });
  });

  it('leaves out a person whose NHS number is not a valid one', () => {
    expect(buildNationalHclReturn([onHcl({ nhsNumber: '=1+2' })], Q4).problems).toEqual([{ patientId: 'p1', nhsNumber: '=1+2', problem: PROBLEMS.invalidNhsNumber }]);
  });

  it('lists each missing item of a person once', () => {
    const { rows, problems } = buildNationalHclReturn([onHcl({ nhsNumber: null, birthDate: null }), declined({ nhsNumber: null, birthDate: null })], Q4);
    expect(rows).toEqual([]);
    expect(problems.map((p) => p.problem)).toEqual([PROBLEMS.noNhsNumber, PROBLEMS.noBirthDate]);
  });
});

describe('the configuration', () => {
  it('names the columns as the national platform does, in its order', () => {
    expect(NATIONAL_HCL_COLUMNS.map((c) => c.heading)).toEqual([
      'NHS_NUMBER',
      'DATE_OF_BIRTH',
      'CLOSED_LOOP',
      'DATE_STARTED_CLOSED_LOOP',
      'OBSERVATION_DATE',
      'YEAR_STARTED_PUMP',
    ]);
  });

  it('has the codes, the unknown year and the file name of the specification', () => {
    expect(CLOSED_LOOP_CODES).toEqual({ nhsFunded: '01', notNhsFunded: '02', offeredButDeclined: '04' });
    expect(UNKNOWN_YEAR_STARTED_PUMP).toBe(1910);
    expect(nationalHclFileName('RX101', '2025-Q4')).toBe('nda-hcl-RX101-2025-Q4.csv');
  });

  it('uses valid NHS numbers in these tests', () => {
    expect([ADA, BOB].every(isValidNhsNumber)).toBe(true);
  });
});
