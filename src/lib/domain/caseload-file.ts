import {
  CASELOAD_COLUMNS,
  isBlankRow,
  readCaseloadHeader,
  readCaseloadRow,
  type CaseloadColumn,
  type CaseloadError,
  type CaseloadHeader,
  type CaseloadPerson,
  type CaseloadRow,
} from './caseload';
import { formatNhsNumber } from './nhs-number';

/**
 * A caseload file as a whole: the header, then each row, then each valid row against the rows before it. The
 * reader takes the file's records one at a time, so a parser can stream the file through it and keep no more
 * than the typed rows and the first problems.
 */

const PERSON_COLUMNS: Record<keyof CaseloadPerson, CaseloadColumn> = {
  givenName: 'given_name',
  familyName: 'family_name',
  birthDate: 'birth_date',
  sex: 'sex',
  diabetesType: 'diabetes_type',
  ethnicCategory: 'ethnic_category',
  postcode: 'postcode',
  imdDecile: 'imd_decile',
};
const PERSON_KEYS = Object.keys(PERSON_COLUMNS) as (keyof CaseloadPerson)[];

// "Ada" and "ADA" name the same person; a spreadsheet's capitals are no conflict.
const sameValue = (key: keyof CaseloadPerson, a: unknown, b: unknown) =>
  key === 'givenName' || key === 'familyName' ? String(a).toLowerCase() === String(b).toLowerCase() : a === b;

/** What the rows say about one person, each detail with the line it was first given on. */
export interface CaseloadPersonEntry {
  nhsNumber: string;
  /** The first line the person is on. */
  line: number;
  person: CaseloadPerson;
  lines: Partial<Record<keyof CaseloadPerson, number>>;
}

/**
 * A person's details gathered from all their rows: a detail left blank on one row may be given on another. Rows
 * that disagree are refused by the reader, so the first value given is the value.
 */
export function peopleOf(rows: readonly CaseloadRow[]): Map<string, CaseloadPersonEntry> {
  const people = new Map<string, CaseloadPersonEntry>();
  for (const row of rows) gather(people, row);
  return people;
}

function gather(people: Map<string, CaseloadPersonEntry>, row: CaseloadRow): CaseloadError[] {
  const entry = people.get(row.nhsNumber) ?? { nhsNumber: row.nhsNumber, line: row.line, person: {}, lines: {} };
  people.set(row.nhsNumber, entry);
  const errors: CaseloadError[] = [];
  for (const key of PERSON_KEYS) {
    const value = row.person[key];
    if (value === undefined) continue;
    const earlier = entry.lines[key];
    if (earlier === undefined) {
      Object.assign(entry.person, { [key]: value });
      entry.lines[key] = row.line;
    } else if (!sameValue(key, entry.person[key], value)) {
      const column = PERSON_COLUMNS[key];
      const message = `${CASELOAD_COLUMNS[column]} differs from line ${earlier} for the same NHS number (${formatNhsNumber(row.nhsNumber)}): one of the two is wrong`;
      errors.push({ line: row.line, column, message });
    }
  }
  return errors;
}

const NEW_PATIENT_DETAILS: readonly (keyof CaseloadPerson)[] = ['givenName', 'familyName', 'birthDate', 'sex', 'diabetesType'];

/**
 * A person not yet registered becomes a patient from the file, so the file must give what a patient record needs.
 * Only the service knows who is registered; this says what is missing, at the person's first line.
 */
export function newPatientErrors(entry: CaseloadPersonEntry): CaseloadError[] {
  return NEW_PATIENT_DETAILS.filter((key) => entry.person[key] === undefined).map((key) => {
    const column = PERSON_COLUMNS[key];
    return { line: entry.line, column, message: `${CASELOAD_COLUMNS[column]} is required for a person not yet registered (NHS number ${formatNhsNumber(entry.nhsNumber)})` };
  });
}

/**
 * What makes two rows the same record: the person, the record, the therapy and its key date (the start, as
 * precisely as it is known, for a person on therapy; the day received for a person waiting).
 */
function recordKey(row: CaseloadRow): { key: string; what: string } {
  if (row.record === 'waiting') {
    return { key: `${row.nhsNumber} waiting ${row.therapy} ${row.receivedOn}`, what: `waiting for ${row.therapy}, received the same day` };
  }
  const start = row.startedOn ?? row.startedYear ?? 'unknown';
  return { key: `${row.nhsNumber} on_therapy ${row.therapy} ${start}`, what: `on ${row.therapy} from the same start` };
}

/** Checks each valid row against the valid rows before it, in the order of the file. */
export function acrossRows(): (row: CaseloadRow) => CaseloadError[] {
  const people = new Map<string, CaseloadPersonEntry>();
  const records = new Map<string, number>();
  return (row) => {
    const errors = gather(people, row);
    const { key, what } = recordKey(row);
    const earlier = records.get(key);
    if (earlier === undefined) records.set(key, row.line);
    else errors.push({ line: row.line, column: null, message: `This row repeats line ${earlier}: the same person ${what}. Remove one of them` });
    return errors;
  };
}

export interface CaseloadLimits {
  /** Data rows a file may have; a longer file is refused, not half read. */
  maxRows: number;
  /** Problems listed; the rest are counted in a last line. */
  maxErrors: number;
}

export const CASELOAD_LIMITS: CaseloadLimits = { maxRows: 100_000, maxErrors: 1_000 };

/** The largest file taken, in bytes: room for the most rows a file may have, with every column filled. */
export const CASELOAD_MAX_BYTES = 20 * 1024 * 1024;

/** The file read: its valid rows, every problem (up to the limit), and how many data rows it had. */
export interface CaseloadReading {
  rows: CaseloadRow[];
  errors: CaseloadError[];
  /** Data rows read, blank rows not counted. */
  rowCount: number;
  /** Problems past the limit, counted in the last entry of `errors` rather than listed. */
  unlisted: number;
}

const COUNT = new Intl.NumberFormat('en-GB');

/** The last entry of a list of problems cut at the limit: how many more there are. */
export function moreProblems(unlisted: number): CaseloadError {
  const more = `${COUNT.format(unlisted)} more ${unlisted === 1 ? 'problem' : 'problems'}`;
  return { line: null, column: null, message: `And ${more}: correct these and check the file again` };
}

/**
 * Reads a caseload file one record at a time, the header first. Lines are the spreadsheet's row numbers: the
 * nth record is line n, however many text lines a quoted cell spans, because that is the row a user finds in
 * their spreadsheet. Blank rows are skipped but still numbered. Any problem means the file must not be applied.
 */
export class CaseloadReader {
  readonly #today: string;
  readonly #limits: CaseloadLimits;
  readonly #check = acrossRows();
  readonly #rows: CaseloadRow[] = [];
  readonly #errors: CaseloadError[] = [];
  #unlisted = 0;
  #line = 0;
  #rowCount = 0;
  #header: CaseloadHeader | null = null;
  #stopped = false;

  constructor(today: string, limits: CaseloadLimits = CASELOAD_LIMITS) {
    this.#today = today;
    this.#limits = limits;
  }

  /** The spreadsheet row number the next record will have. */
  get nextLine(): number {
    return this.#line + 1;
  }

  /** Takes the file's next record; false when the rest of the file need not be read. */
  read(cells: readonly string[]): boolean {
    if (this.#stopped) return false;
    const line = ++this.#line;
    if (this.#header === null) {
      const header = readCaseloadHeader(cells);
      if (!header.ok) return this.stop(header.errors);
      this.#header = header.header;
      return true;
    }
    if (isBlankRow(cells)) return true;
    if (++this.#rowCount > this.#limits.maxRows) {
      this.#rowCount--;
      const max = COUNT.format(this.#limits.maxRows);
      return this.stop([{ line, column: null, message: `The file has more than ${max} rows: split it into files of ${max} rows or fewer` }]);
    }
    const result = readCaseloadRow(this.#header, cells, line, this.#today);
    const errors = result.ok ? this.#check(result.row) : result.errors;
    if (errors.length > 0) this.#note(errors);
    else if (result.ok) this.#rows.push(result.row);
    return true;
  }

  /**
   * Notes the problems that end the reading (the file's encoding, its quoting, its size); always false. They are
   * listed even past the limit, since they say why the rest of the file was not checked.
   */
  stop(errors: readonly CaseloadError[]): false {
    this.#errors.push(...errors);
    this.#stopped = true;
    return false;
  }

  #note(errors: readonly CaseloadError[]): void {
    for (const error of errors) {
      if (this.#errors.length < this.#limits.maxErrors) this.#errors.push(error);
      else this.#unlisted++;
    }
  }

  finish(): CaseloadReading {
    const errors = [...this.#errors];
    if (this.#header === null && errors.length === 0) {
      errors.push({ line: 1, column: null, message: 'The file is empty: its first row must name the columns' });
    }
    if (this.#unlisted > 0) errors.push(moreProblems(this.#unlisted));
    return { rows: this.#rows, errors, rowCount: this.#rowCount, unlisted: this.#unlisted };
  }
}
