import { describe, expect, it } from 'vitest';
import { columnLetter, readCaseloadHeader, readCaseloadRow, type CaseloadColumn, type CaseloadHeader } from './caseload';

const TODAY = '2026-03-31';
const ADA = '9434765919';

function headerOf(names: string[]): CaseloadHeader {
  const result = readCaseloadHeader(names);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.header;
}

const COLUMNS: CaseloadColumn[] = [
  'nhs_number', 'given_name', 'family_name', 'birth_date', 'sex', 'diabetes_type', 'ethnic_category', 'postcode', 'imd_decile',
  'record', 'therapy', 'started_on', 'started_year', 'known_on', 'pump', 'cgm', 'algorithm', 'funding', 'received_on', 'source',
  'priority_group',
];
const HEADER = headerOf(COLUMNS);

type Cells = Partial<Record<CaseloadColumn, string>>;

/** Ada Lovelace on HCL since 2024, NHS funded, her details all given. */
const onHcl: Cells = {
  nhs_number: '943 476 5919',
  given_name: 'Ada',
  family_name: 'Lovelace',
  birth_date: '17/05/1990',
  sex: 'female',
  diabetes_type: 'type1',
  record: 'on_therapy',
  therapy: 'hcl',
  started_on: '2024-06-01',
  pump: 'Omnipod 5',
  cgm: 'Dexcom G6',
  algorithm: 'SmartAdjust',
  funding: 'nhs',
};

/** Ada waiting for HCL, referred by her consultant. */
const waitingForHcl: Cells = { nhs_number: ADA, record: 'waiting', therapy: 'hcl', received_on: '2026-01-12', source: 'consultant' };

const read = (cells: Cells, line = 2, today = TODAY) => readCaseloadRow(HEADER, COLUMNS.map((c) => cells[c] ?? ''), line, today);

function rowOf(cells: Cells) {
  const result = read(cells);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.row;
}

function errorsOf(cells: Cells) {
  const result = read(cells);
  if (result.ok) throw new Error(`No error in ${JSON.stringify(result.row)}`);
  return result.errors.map(({ column, message }) => ({ column, message }));
}

describe('the header row', () => {
  it('takes the names in any order and any case, with spaces around them', () => {
    const header = headerOf(['  Therapy', 'RECORD ', 'Nhs_Number']);
    expect(header.columns).toEqual(['therapy', 'record', 'nhs_number']);
  });

  it('refuses an unknown name at line 1, naming it and its column', () => {
    const result = readCaseloadHeader(['nhs_number', 'record', 'therapy', 'Surname']);
    expect(result).toEqual({
      ok: false,
      errors: [{ line: 1, column: 'Surname', message: expect.stringMatching(/^Column D, "Surname", is not a caseload column: the columns are nhs_number, given_name/) }],
    });
  });

  it('suggests the name a near miss was meant to be', () => {
    const result = readCaseloadHeader(['NHS Number', 'record', 'therapy', 'birth-date']);
    expect(!result.ok && result.errors.map((e) => e.message)).toEqual([
      'Column A, "NHS Number", is not a caseload column: did you mean nhs_number?',
      'Column D, "birth-date", is not a caseload column: did you mean birth_date?',
      'The file has no nhs_number column: every row needs one',
    ]);
  });

  it('refuses a name given twice, naming both columns', () => {
    const result = readCaseloadHeader(['nhs_number', 'record', 'therapy', 'NHS_NUMBER']);
    expect(result).toEqual({ ok: false, errors: [{ line: 1, column: 'nhs_number', message: 'The column nhs_number appears twice, in columns A and D: keep one' }] });
  });

  it('refuses a file without nhs_number, record or therapy, one error for each', () => {
    const result = readCaseloadHeader(['given_name']);
    expect(!result.ok && result.errors.map((e) => e.column)).toEqual(['nhs_number', 'record', 'therapy']);
  });

  it('names an unknown heading by its start when it is long', () => {
    const result = readCaseloadHeader(['nhs_number', 'record', 'therapy', 'x'.repeat(1_000_000)]);
    expect(!result.ok && result.errors[0]).toEqual({ line: 1, column: `${'x'.repeat(40)}…`, message: expect.stringMatching(/^Column D, "x{40}…", is not/) });
  });

  it('refuses an empty first row, asking for the column names', () => {
    expect(readCaseloadHeader(['', ' '])).toEqual({ ok: false, errors: [{ line: 1, column: null, message: expect.stringMatching(/^The first row is empty/) }] });
  });

  it('allows a blank heading, but not a value under it', () => {
    const header = headerOf(['nhs_number', 'record', 'therapy', 'received_on', '']);
    expect(header.columns[4]).toBeNull();
    const row = [ADA, 'waiting', 'hcl', '2026-01-12'];
    expect(readCaseloadRow(header, [...row, ''], 2, TODAY).ok).toBe(true);
    expect(readCaseloadRow(header, [...row, 'note'], 2, TODAY)).toEqual({
      ok: false,
      errors: [{ line: 2, column: null, message: 'Column E has no heading but this row has a value in it: name the column or empty it' }],
    });
  });

  it('names columns as the spreadsheet does', () => {
    expect([0, 25, 26, 27, 51, 52, 701, 702].map(columnLetter)).toEqual(['A', 'Z', 'AA', 'AB', 'AZ', 'BA', 'ZZ', 'AAA']);
  });
});

describe('a person on therapy now', () => {
  it('becomes an existing-therapy row, the NHS number as ten digits and dates as YYYY-MM-DD', () => {
    expect(rowOf(onHcl)).toEqual({
      line: 2,
      nhsNumber: ADA,
      person: { givenName: 'Ada', familyName: 'Lovelace', birthDate: '1990-05-17', sex: 'female', diabetesType: 'type1' },
      record: 'on_therapy',
      therapy: 'hcl',
      startedOn: '2024-06-01',
      knownOn: TODAY,
      pump: 'Omnipod 5',
      cgm: 'Dexcom G6',
      algorithm: 'SmartAdjust',
      funding: 'nhs',
    });
  });

  it('was known to be on therapy on the day of the import unless the file says when', () => {
    expect(rowOf(onHcl)).toMatchObject({ knownOn: TODAY });
    expect(rowOf({ ...onHcl, known_on: '01/02/2026' })).toMatchObject({ knownOn: '2026-02-01' });
  });

  it('may give the start as a date, a year alone, both when they agree, or neither', () => {
    expect(rowOf({ ...onHcl, started_on: '', started_year: '2019' })).toMatchObject({ startedYear: 2019 });
    expect(rowOf({ ...onHcl, started_year: '2024' })).toMatchObject({ startedOn: '2024-06-01', startedYear: 2024 });
    const unknownStart = rowOf({ ...onHcl, started_on: '' });
    expect(unknownStart).not.toHaveProperty('startedOn');
    expect(unknownStart).not.toHaveProperty('startedYear');
  });

  it('refuses a start year that disagrees with the start date', () => {
    expect(errorsOf({ ...onHcl, started_year: '2023' })).toEqual([
      { column: 'started_year', message: 'Start year must be the year of the start date (2024), or be left blank' },
    ]);
  });

  it('refuses a start year that is not four digits, is in the future or is before the birth year', () => {
    expect(errorsOf({ ...onHcl, started_on: '', started_year: '19' })).toEqual([
      { column: 'started_year', message: 'Start year must be a year written with four digits, such as 2019' },
    ]);
    expect(errorsOf({ ...onHcl, started_on: '', started_year: '2027' })).toEqual([{ column: 'started_year', message: 'Start year cannot be in the future' }]);
    expect(errorsOf({ ...onHcl, started_on: '', started_year: '1989' })).toEqual([
      { column: 'started_year', message: 'Start year cannot be before the year of birth' },
    ]);
  });

  it('was known to be on therapy no later than today and no earlier than its start', () => {
    expect(errorsOf({ ...onHcl, known_on: '2026-04-01' })).toEqual([{ column: 'known_on', message: 'Date known to be on therapy cannot be in the future' }]);
    expect(errorsOf({ ...onHcl, known_on: '2024-05-31' })).toEqual([
      { column: 'known_on', message: 'Date known to be on therapy cannot be before the start date' },
    ]);
    expect(errorsOf({ ...onHcl, started_on: '', started_year: '2024', known_on: '2023-12-31' })).toEqual([
      { column: 'known_on', message: 'Date known to be on therapy cannot be before the start year' },
    ]);
    expect(rowOf({ ...onHcl, known_on: '2024-06-01' })).toMatchObject({ knownOn: '2024-06-01' });
  });

  it('started no later than today and no earlier than birth', () => {
    expect(errorsOf({ ...onHcl, started_on: '2026-04-01' })).toEqual([{ column: 'started_on', message: 'Start date cannot be in the future' }]);
    expect(errorsOf({ ...onHcl, started_on: '1990-05-16' })).toEqual([{ column: 'started_on', message: 'Start date cannot be before the date of birth' }]);
  });

  it('names the pump and the funding; the CGM and the algorithm are optional', () => {
    expect(errorsOf({ ...onHcl, pump: '', funding: '' })).toEqual([
      { column: 'pump', message: 'Pump is required' },
      { column: 'funding', message: 'Funding is required' },
    ]);
    const row = rowOf({ ...onHcl, therapy: 'csii', cgm: '', algorithm: '' });
    expect(row).not.toHaveProperty('cgm');
    expect(row).not.toHaveProperty('algorithm');
  });

  it('is funded by the NHS or not', () => {
    expect(rowOf({ ...onHcl, funding: 'non_nhs' })).toMatchObject({ funding: 'non_nhs' });
    expect(errorsOf({ ...onHcl, funding: 'private' })).toEqual([{ column: 'funding', message: 'Funding must be nhs or non_nhs' }]);
  });

  it('has nothing in the columns for people waiting', () => {
    expect(errorsOf({ ...onHcl, received_on: '2026-01-12', source: 'gp', priority_group: 'adult' })).toEqual([
      { column: 'received_on', message: 'Date received is only for rows whose record is waiting: leave it blank when the record is on_therapy' },
      { column: 'source', message: 'Source is only for rows whose record is waiting: leave it blank when the record is on_therapy' },
      { column: 'priority_group', message: 'Priority group is only for rows whose record is waiting: leave it blank when the record is on_therapy' },
    ]);
  });
});

describe('a person waiting', () => {
  it('becomes a referral row', () => {
    expect(rowOf(waitingForHcl)).toEqual({
      line: 2,
      nhsNumber: ADA,
      person: {},
      record: 'waiting',
      therapy: 'hcl',
      receivedOn: '2026-01-12',
      source: 'consultant',
    });
  });

  it('was referred by another service unless the file says who', () => {
    expect(rowOf({ ...waitingForHcl, source: '' })).toMatchObject({ source: 'other_service' });
    expect(errorsOf({ ...waitingForHcl, source: 'friend' })).toEqual([{ column: 'source', message: 'Source must be gp, consultant, self or other_service' }]);
  });

  it('needs the date the referral was received, no later than today and no earlier than birth', () => {
    expect(errorsOf({ ...waitingForHcl, received_on: '' })).toEqual([{ column: 'received_on', message: 'Date received is required' }]);
    expect(errorsOf({ ...waitingForHcl, received_on: '2026-04-01' })).toEqual([{ column: 'received_on', message: 'Date received cannot be in the future' }]);
    expect(errorsOf({ ...waitingForHcl, birth_date: '2026-01-13' })).toEqual([
      { column: 'received_on', message: 'Date received cannot be before the date of birth' },
    ]);
  });

  it('may have a priority group, for HCL only', () => {
    expect(rowOf({ ...waitingForHcl, priority_group: 'pregnancy' })).toMatchObject({ priorityGroup: 'pregnancy' });
    expect(errorsOf({ ...waitingForHcl, priority_group: 'urgent' })).toEqual([
      { column: 'priority_group', message: 'Priority group must be child, pregnancy, existing_pump_user or adult' },
    ]);
    expect(errorsOf({ ...waitingForHcl, therapy: 'csii', priority_group: 'adult' })).toEqual([
      { column: 'priority_group', message: 'Priority group is only for HCL referrals: leave it blank when the therapy is csii' },
    ]);
  });

  it('has nothing in the columns for people on therapy', () => {
    expect(errorsOf({ ...waitingForHcl, pump: 'Omnipod 5', funding: 'nhs' }).map((e) => e.column)).toEqual(['pump', 'funding']);
  });
});

describe('every row', () => {
  it('needs an NHS number, a record and a therapy', () => {
    expect(errorsOf({})).toEqual([
      { column: 'nhs_number', message: 'NHS number is required' },
      { column: 'record', message: 'Record is required' },
      { column: 'therapy', message: 'Therapy is required' },
    ]);
  });

  it('has an NHS number of ten digits, spaces allowed, with a valid check digit', () => {
    expect(rowOf({ ...waitingForHcl, nhs_number: '943 476 5919' }).nhsNumber).toBe(ADA);
    expect(errorsOf({ ...waitingForHcl, nhs_number: '9434765918' })).toEqual([{ column: 'nhs_number', message: 'NHS number is not valid: check the digits' }]);
    expect(errorsOf({ ...waitingForHcl, nhs_number: '943-476-5919' })).toEqual([{ column: 'nhs_number', message: 'NHS number must be 10 digits' }]);
    expect(errorsOf({ ...waitingForHcl, nhs_number: '9.43477E+09' })).toEqual([{ column: 'nhs_number', message: 'NHS number must be 10 digits' }]);
  });

  it('is a person on therapy or waiting, for CSII or HCL, in any case', () => {
    expect(rowOf({ ...waitingForHcl, record: 'Waiting', therapy: 'HCL' })).toMatchObject({ record: 'waiting', therapy: 'hcl' });
    expect(errorsOf({ ...waitingForHcl, record: 'referral', therapy: 'pump' })).toEqual([
      { column: 'record', message: 'Record must be on_therapy or waiting' },
      { column: 'therapy', message: 'Therapy must be csii or hcl' },
    ]);
  });

  it('treats a blank cell, or one of spaces, as absent', () => {
    expect(rowOf({ ...waitingForHcl, given_name: '   ', sex: '' }).person).toEqual({});
  });

  it('gives every problem of the row at once', () => {
    const errors = errorsOf({ ...onHcl, nhs_number: '123', sex: 'f', birth_date: '1990-13-01', funding: '' });
    expect(errors.map((e) => e.column)).toEqual(['nhs_number', 'birth_date', 'sex', 'funding']);
  });

  it('has as many cells as the header has names: a row with more or fewer gets one error and no other', () => {
    const short = readCaseloadRow(HEADER, ['not a number', 'waiting'], 7, TODAY);
    expect(short).toEqual({
      ok: false,
      errors: [{ line: 7, column: null, message: 'This row has 2 cells but the header has 21: check for a missing or extra comma' }],
    });
    const long = readCaseloadRow(HEADER, [...COLUMNS.map((c) => waitingForHcl[c] ?? ''), ''], 7, TODAY);
    expect(!long.ok && long.errors[0]!.message).toBe('This row has 22 cells but the header has 21: check for a missing or extra comma');
  });
});

describe('a cell', () => {
  it('of up to 200 characters is read; a longer one, even 1 MB, is refused without being quoted', () => {
    expect(rowOf({ ...onHcl, pump: 'P'.repeat(200) }).record).toBe('on_therapy');
    expect(errorsOf({ ...onHcl, pump: 'P'.repeat(201) })).toEqual([{ column: 'pump', message: 'Pump is longer than 200 characters' }]);
    expect(errorsOf({ ...onHcl, given_name: 'A'.repeat(1024 * 1024) })).toEqual([{ column: 'given_name', message: 'Given name is longer than 200 characters' }]);
  });

  it.each([
    ['a line break', 'Omnipod\n5'],
    ['a tab', 'Omnipod\t5'],
    ['a NUL', 'Omnipod\u00005'],
    ['a lone surrogate', 'Omnipod \ud800'],
  ])('may not hold %s', (_, pump) => {
    expect(errorsOf({ ...onHcl, pump })).toEqual([{ column: 'pump', message: 'Pump has a line break or another character that is not allowed' }]);
  });
});

describe("the person's details", () => {
  it.each(["O'Brien", 'O’Brien', 'Smith-Jones', 'St. John', 'Zoë', 'Nguyễn', 'de la Cruz'])('accepts the name %s', (name) => {
    expect(rowOf({ ...onHcl, family_name: name }).person.familyName).toBe(name);
  });

  it.each([
    ['=HYPERLINK("http://x","y")', 'a spreadsheet formula'],
    ['-Smith', 'a leading hyphen'],
    ['@Smith', 'a leading at sign'],
    ['Smith2', 'a digit'],
    ['Smith, Jr', 'a comma'],
  ])('refuses the name %s (%s)', (name) => {
    expect(errorsOf({ ...onHcl, given_name: name })).toEqual([
      { column: 'given_name', message: 'Given name must start with a letter and have only letters, spaces, hyphens, apostrophes and dots' },
    ]);
  });

  it('refuses a name over 100 characters', () => {
    expect(errorsOf({ ...onHcl, family_name: 'a'.repeat(101) })).toEqual([{ column: 'family_name', message: 'Family name must be 100 characters or fewer' }]);
  });

  it('takes sex and diabetes type as the patients API does, in any case', () => {
    expect(rowOf({ ...onHcl, sex: 'Male', diabetes_type: 'TYPE2' }).person).toMatchObject({ sex: 'male', diabetesType: 'type2' });
    expect(errorsOf({ ...onHcl, sex: 'f', diabetes_type: 'type 1' })).toEqual([
      { column: 'sex', message: 'Sex must be female, male, other or unknown' },
      { column: 'diabetes_type', message: 'Diabetes type must be type1, type2, other or unknown' },
    ]);
  });

  it('takes an ethnic category letter, A to H, J to N, P, R, S or Z', () => {
    expect(rowOf({ ...onHcl, ethnic_category: 'z' }).person.ethnicCategory).toBe('Z');
    for (const letter of ['I', 'O', 'Q', 'AB', '1']) {
      expect(errorsOf({ ...onHcl, ethnic_category: letter })[0]).toMatchObject({ column: 'ethnic_category', message: expect.stringMatching(/^Ethnic category must be A, B, C/) });
    }
  });

  it('takes a UK postcode, in capitals with one space before the last three characters', () => {
    for (const [typed, stored] of [['ls14ap', 'LS1 4AP'], ['SW1A  1AA', 'SW1A 1AA'], ['m1 1ae', 'M1 1AE'], ['EC1A1BB', 'EC1A 1BB']]) {
      expect(rowOf({ ...onHcl, postcode: typed }).person.postcode).toBe(stored);
    }
    for (const postcode of ['LS1', '12345', 'LS1 4A', 'LS1-4AP']) {
      expect(errorsOf({ ...onHcl, postcode })).toEqual([{ column: 'postcode', message: 'Postcode must be a UK postcode, such as LS1 4AP' }]);
    }
  });

  it('takes an IMD decile from 1 to 10', () => {
    expect(rowOf({ ...onHcl, imd_decile: '10' }).person.imdDecile).toBe(10);
    for (const decile of ['0', '11', '3.5', 'low']) {
      expect(errorsOf({ ...onHcl, imd_decile: decile })).toEqual([{ column: 'imd_decile', message: 'IMD decile must be a whole number from 1 to 10' }]);
    }
  });
});

describe('dates in the file', () => {
  it.each([
    ['1990-05-17', '1990-05-17'],
    ['17/05/1990', '1990-05-17'],
    ['7/5/1990', '1990-05-07'],
    ['29/02/2024', '2024-02-29'],
  ])('read %s as %s', (typed, stored) => {
    expect(rowOf({ ...onHcl, birth_date: typed }).person.birthDate).toBe(stored);
  });

  it.each(['17-05-1990', '1990/05/17', '17 May 1990', '05/17/90', '19900517'])('refuse %s, asking for either format', (typed) => {
    expect(errorsOf({ ...onHcl, birth_date: typed })).toEqual([{ column: 'birth_date', message: 'Date of birth: enter the date as YYYY-MM-DD or DD/MM/YYYY' }]);
  });

  it('refuse a day that does not exist', () => {
    expect(errorsOf({ ...onHcl, birth_date: '31/02/1990' })).toEqual([{ column: 'birth_date', message: 'Date of birth is not a real date' }]);
    expect(errorsOf({ ...onHcl, birth_date: '1990-05-32' })).toEqual([{ column: 'birth_date', message: 'Date of birth is not a real date' }]);
  });

  it('refuse a year before 1900 or a day after today', () => {
    expect(errorsOf({ ...onHcl, birth_date: '17/05/0990' })).toEqual([{ column: 'birth_date', message: 'Date of birth is before 1900: check the year' }]);
    expect(errorsOf({ ...onHcl, birth_date: '2026-04-01', started_on: '' })).toEqual([{ column: 'birth_date', message: 'Date of birth cannot be in the future' }]);
  });

  it('are checked against the server’s today, which must itself be a date', () => {
    expect(() => read(onHcl, 2, '31/03/2026')).toThrow(RangeError);
  });
});
