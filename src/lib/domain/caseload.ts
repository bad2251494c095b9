import { isCalendarDate } from './calendar-date';
import { listOf, readDate, readName, readNhsNumber, readOneOf, readPostcode, readWholeNumber, readYear, type Read } from './caseload-cells';
import type { ExistingTherapyPayload } from './existing-therapy';
import {
  DIABETES_TYPES,
  ETHNIC_CATEGORIES,
  FUNDING_KINDS,
  PRIORITY_GROUPS,
  REFERRAL_SOURCES,
  SEXES,
  THERAPIES,
  type DiabetesType,
  type EthnicCategory,
  type FundingKind,
  type PriorityGroup,
  type ReferralSource,
  type Sex,
  type Therapy,
} from './vocabulary';

/**
 * A caseload file brings a service's people into the product at once: each row is a person on insulin pump or
 * HCL therapy now, or a person waiting for one (docs/api.md, the caseload import). This module reads the header
 * and each row on its own; caseload-file.ts checks rows against each other. What needs the database (whether a
 * person is registered, the device catalogue, records already held) is the service's.
 */

export const CASELOAD_RECORDS = ['on_therapy', 'waiting'] as const;
export type CaseloadRecord = (typeof CASELOAD_RECORDS)[number];

/** Every column a caseload file may have, each with the words its messages use for it. */
export const CASELOAD_COLUMNS = {
  nhs_number: 'NHS number',
  given_name: 'Given name',
  family_name: 'Family name',
  birth_date: 'Date of birth',
  sex: 'Sex',
  diabetes_type: 'Diabetes type',
  ethnic_category: 'Ethnic category',
  postcode: 'Postcode',
  imd_decile: 'IMD decile',
  record: 'Record',
  therapy: 'Therapy',
  started_on: 'Start date',
  started_year: 'Start year',
  known_on: 'Date known to be on therapy',
  pump: 'Pump',
  cgm: 'CGM',
  algorithm: 'Algorithm',
  funding: 'Funding',
  received_on: 'Date received',
  source: 'Source',
  priority_group: 'Priority group',
} as const;
export type CaseloadColumn = keyof typeof CASELOAD_COLUMNS;

const COLUMN_NAMES = Object.keys(CASELOAD_COLUMNS) as CaseloadColumn[];
const REQUIRED_COLUMNS: readonly CaseloadColumn[] = ['nhs_number', 'record', 'therapy'];
const ONLY_FOR: Record<CaseloadRecord, readonly CaseloadColumn[]> = {
  on_therapy: ['started_on', 'started_year', 'known_on', 'pump', 'cgm', 'algorithm', 'funding'],
  waiting: ['received_on', 'source', 'priority_group'],
};

/** Longer than any name, postcode or device name: a longer cell is a paste gone wrong, not data. */
export const MAX_CELL_LENGTH = 200;

/**
 * A problem found in the file. `line` is the spreadsheet's row number (the header is 1), or null for the file as a
 * whole; `column` is the column's name, or null when the problem is the row's (its number of cells) or the file's.
 */
export interface CaseloadError {
  line: number | null;
  column: string | null;
  message: string;
}

/** What a row says about the person; blank cells are absent. */
export interface CaseloadPerson {
  givenName?: string;
  familyName?: string;
  birthDate?: string;
  sex?: Sex;
  diabetesType?: DiabetesType;
  ethnicCategory?: EthnicCategory;
  postcode?: string;
  imdDecile?: number;
}

interface CaseloadRowBase {
  /** The spreadsheet row number the row came from. */
  line: number;
  /** Ten digits, no spaces. */
  nhsNumber: string;
  person: CaseloadPerson;
  therapy: Therapy;
}

/** A person on therapy now: an existing-therapy record. Device names are checked against the catalogue later. */
export interface OnTherapyRow extends CaseloadRowBase, ExistingTherapyPayload {
  record: 'on_therapy';
}

/** A person waiting: a pathway referral awaiting assessment. */
export interface WaitingRow extends CaseloadRowBase {
  record: 'waiting';
  receivedOn: string;
  source: ReferralSource;
  priorityGroup?: PriorityGroup;
}

export type CaseloadRow = OnTherapyRow | WaitingRow;

/** The file's columns in order: each cell's column, or null under a heading left blank. */
export interface CaseloadHeader {
  columns: readonly (CaseloadColumn | null)[];
}

/** A, B, ... Z, AA, AB: the spreadsheet's name for the column at a 0-based index. */
export function columnLetter(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

/** Text from the file, shortened for a message: a 1 MB cell is named by its start. */
const shortened = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

/**
 * The header row: names in any order and any case, spaces around them ignored. A heading left blank is allowed
 * (spreadsheets export a formatted but empty column that way); a value under it is an error in that row.
 */
export function readCaseloadHeader(cells: readonly string[]): { ok: true; header: CaseloadHeader } | { ok: false; errors: CaseloadError[] } {
  const fail = (column: string | null, message: string): CaseloadError => ({ line: 1, column, message });
  const names = cells.map((c) => c.trim().toLowerCase());
  if (names.every((n) => n === '')) {
    return { ok: false, errors: [fail(null, `The first row is empty: it must name the columns, such as ${listOf(REQUIRED_COLUMNS)}`)] };
  }

  const errors: CaseloadError[] = [];
  const columns: (CaseloadColumn | null)[] = [];
  const firstAt = new Map<CaseloadColumn, number>();
  names.forEach((name, index) => {
    if (name === '') return columns.push(null);
    const column = COLUMN_NAMES.find((c) => c === name);
    if (column === undefined) {
      // "NHS Number" and "birth-date" are near misses worth naming; anything else gets the whole list.
      const near = COLUMN_NAMES.find((c) => c === name.replace(/[\s-]+/g, '_'));
      const hint = near ? `did you mean ${near}?` : `the columns are ${COLUMN_NAMES.join(', ')}`;
      const written = shortened(cells[index]!.trim());
      errors.push(fail(written, `Column ${columnLetter(index)}, ${JSON.stringify(written)}, is not a caseload column: ${hint}`));
      return columns.push(null);
    }
    const first = firstAt.get(column);
    if (first !== undefined) {
      errors.push(fail(column, `The column ${column} appears twice, in columns ${columnLetter(first)} and ${columnLetter(index)}: keep one`));
      return columns.push(null);
    }
    firstAt.set(column, index);
    return columns.push(column);
  });
  for (const column of REQUIRED_COLUMNS) {
    if (!firstAt.has(column)) errors.push(fail(column, `The file has no ${column} column: every row needs one`));
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, header: { columns } };
}

/** The object without its undefined properties: a blank cell is an absent key, not a key holding undefined. */
function withoutBlanks<T extends object>(value: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** A row whose cells are all blank: an empty line, or a spreadsheet row of commas. It is skipped. */
export const isBlankRow = (cells: readonly string[]): boolean => cells.every((c) => c.trim() === '');

// PostgreSQL cannot store NUL or a lone surrogate, and no cell of a caseload has a use for a line break, a tab or
// any other control character (a quoted cell may hold them, which is how they would arrive).
const NOT_PLAIN_TEXT = /\p{Cc}|\p{Cs}/u;

/** A row's cells by column, trimmed, blanks left out, with the problems found in them so far. */
class RowCells {
  readonly errors: CaseloadError[] = [];
  readonly #text = new Map<CaseloadColumn, string>();
  // Filled, but too long or holding a control character: reported once, and not then called missing.
  readonly #refused = new Set<CaseloadColumn>();

  constructor(
    header: CaseloadHeader,
    cells: readonly string[],
    readonly line: number,
    readonly today: string,
  ) {
    cells.forEach((cell, index) => {
      const value = cell.trim();
      if (value === '') return;
      const column = header.columns[index];
      if (!column) return this.fail(null, `Column ${columnLetter(index)} has no heading but this row has a value in it: name the column or empty it`);
      const label = CASELOAD_COLUMNS[column];
      if (value.length > MAX_CELL_LENGTH) this.fail(column, `${label} is longer than ${MAX_CELL_LENGTH} characters`);
      else if (NOT_PLAIN_TEXT.test(value)) this.fail(column, `${label} has a line break or another character that is not allowed`);
      else return this.#text.set(column, value);
      return this.#refused.add(column);
    });
  }

  fail(column: string | null, message: string): void {
    this.errors.push({ line: this.line, column, message });
  }

  given(column: CaseloadColumn): boolean {
    return this.#text.has(column) || this.#refused.has(column);
  }

  text(column: CaseloadColumn): string | undefined {
    return this.#text.get(column);
  }

  need(column: CaseloadColumn): void {
    if (!this.given(column)) this.fail(column, `${CASELOAD_COLUMNS[column]} is required`);
  }

  /**
   * The cell's value, or undefined when it is blank or wrong (its error noted): rules comparing values then skip
   * it rather than pile a second error on the first.
   */
  read<T>(column: CaseloadColumn, reader: (value: string) => Read<T>): T | undefined {
    const value = this.#text.get(column);
    if (value === undefined) return undefined;
    const result = reader(value);
    if (result.ok) return result.value;
    this.fail(column, result.message);
    return undefined;
  }

  /** A date no later than today. */
  date(column: CaseloadColumn): string | undefined {
    const value = this.read(column, (v) => readDate(CASELOAD_COLUMNS[column], v));
    if (value === undefined || value <= this.today) return value;
    this.fail(column, `${CASELOAD_COLUMNS[column]} cannot be in the future`);
    return undefined;
  }

  notBefore(column: CaseloadColumn, value: string | undefined, earliest: string | undefined, what: string): void {
    if (value !== undefined && earliest !== undefined && value < earliest) this.fail(column, `${CASELOAD_COLUMNS[column]} cannot be before ${what}`);
  }
}

type RecordPart<R extends CaseloadRow> = Omit<R, keyof CaseloadRowBase | 'record'>;

function onTherapyPart(c: RowCells, birthDate: string | undefined): RecordPart<OnTherapyRow> | undefined {
  c.need('pump');
  c.need('funding');
  const startedOn = c.date('started_on');
  const startedYear = c.read('started_year', (v) => readYear('Start year', v, c.today));
  // The day of the import is when the service knew, unless the file says otherwise.
  const knownOn = c.given('known_on') ? c.date('known_on') : c.today;
  const pump = c.text('pump');
  const funding = c.read('funding', (v) => readOneOf('Funding', FUNDING_KINDS, v));

  c.notBefore('started_on', startedOn, birthDate, 'the date of birth');
  if (startedYear !== undefined && birthDate !== undefined && startedYear < Number(birthDate.slice(0, 4))) {
    c.fail('started_year', 'Start year cannot be before the year of birth');
  }
  if (startedOn !== undefined && startedYear !== undefined && Number(startedOn.slice(0, 4)) !== startedYear) {
    c.fail('started_year', `Start year must be the year of the start date (${startedOn.slice(0, 4)}), or be left blank`);
  }
  if (startedOn !== undefined) c.notBefore('known_on', knownOn, startedOn, 'the start date');
  else if (startedYear !== undefined) c.notBefore('known_on', knownOn?.slice(0, 4), String(startedYear), 'the start year');

  if (!knownOn || !pump || !funding) return undefined;
  return withoutBlanks<RecordPart<OnTherapyRow>>({ startedOn, startedYear, knownOn, pump, cgm: c.text('cgm'), algorithm: c.text('algorithm'), funding });
}

function waitingPart(c: RowCells, birthDate: string | undefined, therapy: Therapy | undefined): RecordPart<WaitingRow> | undefined {
  c.need('received_on');
  const receivedOn = c.date('received_on');
  const source = c.given('source') ? c.read('source', (v) => readOneOf('Source', REFERRAL_SOURCES, v)) : 'other_service';
  const priorityGroup = c.read('priority_group', (v) => readOneOf('Priority group', PRIORITY_GROUPS, v));

  c.notBefore('received_on', receivedOn, birthDate, 'the date of birth');
  if (priorityGroup !== undefined && therapy === 'csii') {
    c.fail('priority_group', 'Priority group is only for HCL referrals: leave it blank when the therapy is csii');
  }

  if (!receivedOn || !source) return undefined;
  return withoutBlanks<RecordPart<WaitingRow>>({ receivedOn, source, priorityGroup });
}

/**
 * One data row, checked on its own: the typed row, or every problem it has. `line` is its spreadsheet row
 * number; `today` (YYYY-MM-DD, the service's date) is the latest date a row may hold and the default known-on
 * date. A row with the wrong number of cells gets that one error and no other: its cells may sit under the wrong
 * headings, and errors about them would mislead.
 */
export function readCaseloadRow(
  header: CaseloadHeader,
  cells: readonly string[],
  line: number,
  today: string,
): { ok: true; row: CaseloadRow } | { ok: false; errors: CaseloadError[] } {
  // today comes from the server's clock, not the file: a bad one is a bug.
  if (!isCalendarDate(today)) throw new RangeError(`today is not a calendar date: ${JSON.stringify(today)}`);
  const width = header.columns.length;
  if (cells.length !== width) {
    const message = `This row has ${cells.length} ${cells.length === 1 ? 'cell' : 'cells'} but the header has ${width}: check for a missing or extra comma`;
    return { ok: false, errors: [{ line, column: null, message }] };
  }

  const c = new RowCells(header, cells, line, today);
  c.need('nhs_number');
  c.need('record');
  c.need('therapy');
  const nhsNumber = c.read('nhs_number', readNhsNumber);
  const record = c.read('record', (v) => readOneOf('Record', CASELOAD_RECORDS, v));
  const therapy = c.read('therapy', (v) => readOneOf('Therapy', THERAPIES, v));
  const birthDate = c.date('birth_date');
  const person = withoutBlanks<CaseloadPerson>({
    givenName: c.read('given_name', (v) => readName('Given name', v)),
    familyName: c.read('family_name', (v) => readName('Family name', v)),
    birthDate,
    sex: c.read('sex', (v) => readOneOf('Sex', SEXES, v)),
    diabetesType: c.read('diabetes_type', (v) => readOneOf('Diabetes type', DIABETES_TYPES, v)),
    ethnicCategory: c.read('ethnic_category', (v) => readOneOf('Ethnic category', ETHNIC_CATEGORIES, v)),
    postcode: c.read('postcode', readPostcode),
    imdDecile: c.read('imd_decile', (v) => readWholeNumber('IMD decile', v, 1, 10)),
  });
  if (record === undefined) return { ok: false, errors: c.errors };

  const other = record === 'on_therapy' ? 'waiting' : 'on_therapy';
  for (const column of ONLY_FOR[other]) {
    if (c.given(column)) c.fail(column, `${CASELOAD_COLUMNS[column]} is only for rows whose record is ${other}: leave it blank when the record is ${record}`);
  }
  const base = nhsNumber && therapy ? { line, nhsNumber, person, therapy } : undefined;
  if (record === 'on_therapy') {
    const part = onTherapyPart(c, birthDate);
    if (c.errors.length === 0 && base && part) return { ok: true, row: { ...base, record, ...part } };
  } else {
    const part = waitingPart(c, birthDate, therapy);
    if (c.errors.length === 0 && base && part) return { ok: true, row: { ...base, record, ...part } };
  }
  return { ok: false, errors: c.errors };
}
