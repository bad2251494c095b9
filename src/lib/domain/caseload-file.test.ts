import { describe, expect, it } from 'vitest';
import { CaseloadReader, newPatientErrors, peopleOf, type CaseloadLimits } from './caseload-file';

const TODAY = '2026-03-31';
const ADA = '9434765919';
const BOB = '9990000018';

const HEADER = ['nhs_number', 'given_name', 'birth_date', 'record', 'therapy', 'started_on', 'pump', 'funding', 'received_on'];
// nhs_number, given_name, birth_date, record, therapy, started_on, pump, funding, received_on
const adaOnHcl = [ADA, 'Ada', '1990-05-17', 'on_therapy', 'hcl', '2024-06-01', 'Omnipod 5', 'nhs', ''];
const adaWaitingForCsii = [ADA, '', '', 'waiting', 'csii', '', '', '', '2026-01-12'];
const bobWaitingForHcl = [BOB, 'Bob', '1985-01-01', 'waiting', 'hcl', '', '', '', '2026-02-01'];

function readFile(records: string[][], limits?: CaseloadLimits) {
  const reader = new CaseloadReader(TODAY, limits);
  for (const cells of records) if (!reader.read(cells)) break;
  return reader.finish();
}

describe('a caseload file', () => {
  it('is a header, then one row per record, numbered as the spreadsheet numbers them (the header is line 1)', () => {
    const { rows, errors, rowCount } = readFile([HEADER, adaOnHcl, adaWaitingForCsii, bobWaitingForHcl]);
    expect(errors).toEqual([]);
    expect(rowCount).toBe(3);
    expect(rows.map((r) => [r.line, r.nhsNumber, r.record, r.therapy])).toEqual([
      [2, ADA, 'on_therapy', 'hcl'],
      [3, ADA, 'waiting', 'csii'],
      [4, BOB, 'waiting', 'hcl'],
    ]);
  });

  it('skips blank rows, which still count in the line numbers', () => {
    const { rows, errors, rowCount } = readFile([HEADER, [''], adaOnHcl, HEADER.map(() => ' '), bobWaitingForHcl]);
    expect(errors).toEqual([]);
    expect(rowCount).toBe(2);
    expect(rows.map((r) => r.line)).toEqual([3, 5]);
  });

  it('with a bad header has only the header checked', () => {
    const { rows, errors, rowCount } = readFile([[...HEADER, 'notes'], adaOnHcl]);
    expect(errors).toEqual([{ line: 1, column: 'notes', message: expect.stringMatching(/^Column J, "notes", is not a caseload column/) }]);
    expect(rows).toEqual([]);
    expect(rowCount).toBe(0);
  });

  it('with nothing in it is refused', () => {
    expect(readFile([]).errors).toEqual([{ line: 1, column: null, message: 'The file is empty: its first row must name the columns' }]);
  });

  it('keeps only the valid rows, and every problem of the others', () => {
    const { rows, errors } = readFile([HEADER, adaOnHcl, [BOB, 'Bob', '1985-01-01', 'waiting', 'hcl', '', '', '', ''], [ADA, 'short']]);
    expect(rows.map((r) => r.line)).toEqual([2]);
    expect(errors.map((e) => [e.line, e.column])).toEqual([
      [3, 'received_on'],
      [4, null],
    ]);
  });
});

describe('rows against each other', () => {
  it('refuses a row repeating an earlier one (same person, record, therapy and start), on the later line', () => {
    const { rows, errors } = readFile([HEADER, adaOnHcl, bobWaitingForHcl, adaOnHcl]);
    expect(rows.map((r) => r.line)).toEqual([2, 3]);
    expect(errors).toEqual([{ line: 4, column: null, message: 'This row repeats line 2: the same person on hcl from the same start. Remove one of them' }]);
  });

  it('refuses a repeated referral received the same day', () => {
    const { errors } = readFile([HEADER, bobWaitingForHcl, [BOB, '', '', 'Waiting', 'HCL', '', '', '', '01/02/2026']]);
    expect(errors).toEqual([
      { line: 3, column: null, message: 'This row repeats line 2: the same person waiting for hcl, received the same day. Remove one of them' },
    ]);
  });

  it('takes two rows with an unknown start on the same therapy as the same record', () => {
    const unknownStart = [ADA, '', '', 'on_therapy', 'csii', '', 'Tandem t:slim X2', 'nhs', ''];
    expect(readFile([HEADER, unknownStart, unknownStart]).errors.map((e) => e.line)).toEqual([3]);
  });

  it('takes rows that differ in therapy, record or key date as different records', () => {
    const rows = [
      adaOnHcl,
      adaOnHcl.with(4, 'csii'),
      adaOnHcl.with(5, '2025-06-01'),
      adaWaitingForCsii,
      adaWaitingForCsii.with(8, '2026-01-13'),
    ];
    expect(readFile([HEADER, ...rows]).errors).toEqual([]);
  });

  it('refuses the same NHS number with different details, naming the line that gave them first', () => {
    const { errors } = readFile([HEADER, adaOnHcl, adaWaitingForCsii.with(2, '17/05/1991')]);
    expect(errors).toEqual([
      { line: 3, column: 'birth_date', message: 'Date of birth differs from line 2 for the same NHS number (943 476 5919): one of the two is wrong' },
    ]);
  });

  it('takes a name differing only in capitals, or a detail left blank, as no conflict', () => {
    expect(readFile([HEADER, adaOnHcl, adaWaitingForCsii.with(1, 'ADA'), adaWaitingForCsii.with(4, 'hcl')]).errors).toEqual([]);
  });
});

describe('the people in a file', () => {
  it('are one per NHS number, with the details gathered from all their rows', () => {
    const { rows } = readFile([HEADER, adaWaitingForCsii, bobWaitingForHcl, adaOnHcl]);
    const people = peopleOf(rows);
    expect([...people.keys()]).toEqual([ADA, BOB]);
    expect(people.get(ADA)).toEqual({ nhsNumber: ADA, line: 2, person: { givenName: 'Ada', birthDate: '1990-05-17' }, lines: { givenName: 4, birthDate: 4 } });
  });

  it('need a name, birth date, sex and diabetes type when not yet registered', () => {
    const { rows } = readFile([HEADER, adaWaitingForCsii, adaOnHcl]);
    expect(newPatientErrors(peopleOf(rows).get(ADA)!)).toEqual([
      { line: 2, column: 'family_name', message: 'Family name is required for a person not yet registered (NHS number 943 476 5919)' },
      { line: 2, column: 'sex', message: 'Sex is required for a person not yet registered (NHS number 943 476 5919)' },
      { line: 2, column: 'diabetes_type', message: 'Diabetes type is required for a person not yet registered (NHS number 943 476 5919)' },
    ]);
  });
});

describe('the limits', () => {
  const waitingFrom = (n: number) => [ADA, '', '', 'waiting', 'hcl', '', '', '', `${n}/01/2026`.padStart(10, '0')];

  it('list the first problems and count the rest', () => {
    const { errors } = readFile([HEADER, ...Array.from({ length: 5 }, () => [ADA, 'short'])], { maxRows: 100, maxErrors: 3 });
    expect(errors.map((e) => e.line)).toEqual([2, 3, 4, null]);
    expect(errors.at(-1)).toEqual({ line: null, column: null, message: 'And 2 more problems: correct these and check the file again' });
  });

  it('refuse a file with too many rows at the first row past the limit, and read no further', () => {
    const rows = Array.from({ length: 4 }, (_, i) => waitingFrom(i + 1));
    const reader = new CaseloadReader(TODAY, { maxRows: 3, maxErrors: 10 });
    expect([HEADER, ...rows].map((cells) => reader.read(cells))).toEqual([true, true, true, true, false]);
    expect(reader.read(waitingFrom(9))).toBe(false);
    const { errors, rowCount } = reader.finish();
    expect(rowCount).toBe(3);
    expect(errors).toEqual([{ line: 5, column: null, message: 'The file has more than 3 rows: split it into files of 3 rows or fewer' }]);
  });

  it('always list a problem that stopped the reading, even past the limit', () => {
    const reader = new CaseloadReader(TODAY, { maxRows: 100, maxErrors: 1 });
    reader.read(HEADER);
    reader.read([ADA]);
    reader.read([ADA]);
    reader.stop([{ line: reader.nextLine, column: null, message: 'A quote is never closed' }]);
    expect(reader.finish().errors.map((e) => [e.line, e.message])).toEqual([
      [2, 'This row has 1 cell but the header has 9: check for a missing or extra comma'],
      [4, 'A quote is never closed'],
      [null, 'And 1 more problem: correct these and check the file again'],
    ]);
  });
});
