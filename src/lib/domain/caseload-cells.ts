import { formatCalendarDate, parseCalendarDate } from './calendar-date';
import { normaliseNhsNumber } from './nhs-number';
import { normalisePostcode, POSTCODE_MESSAGE } from './postcode';

/**
 * Reading one cell of a caseload file (see caseload.ts) into a value, or saying in a clinic user's words what is
 * wrong with it. Cells arrive trimmed and never blank: whether a blank is allowed is the row's business.
 */

export type Read<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const wrong = (message: string): Read<never> => ({ ok: false, message });

/** "a or b", "a, b, c or d": how a message lists the values a cell may take. */
export function listOf(values: readonly string[]): string {
  return values.length === 1 ? values[0]! : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}

/**
 * One of a list's values. Case is ignored ("Female", "HCL") because spreadsheets capitalise what people type;
 * the value returned is spelled as in the list.
 */
export function readOneOf<const T extends string>(label: string, values: readonly T[], text: string): Read<T> {
  const found = values.find((v) => v.toLowerCase() === text.toLowerCase());
  return found === undefined ? wrong(`${label} must be ${listOf(values)}`) : ok(found);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
// Spreadsheets set to UK dates export 05/03/2024; one-digit days and months (5/3/2024) are the same format
// written by hand, and are never read as US month-first dates.
const UK_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/** The earliest date the file may hold: anything earlier is a mistyped year, not a record. */
export const EARLIEST_DATE = '1900-01-01';

/** A date written YYYY-MM-DD or DD/MM/YYYY, as YYYY-MM-DD. */
export function readDate(label: string, text: string): Read<string> {
  let iso: string | null = null;
  if (ISO_DATE.test(text)) iso = text;
  const uk = UK_DATE.exec(text);
  if (uk) iso = `${uk[3]}-${uk[2]!.padStart(2, '0')}-${uk[1]!.padStart(2, '0')}`;
  if (iso === null) return wrong(`${label}: enter the date as YYYY-MM-DD or DD/MM/YYYY`);
  const date = parseCalendarDate(iso);
  if (!date) return wrong(`${label} is not a real date`);
  const value = formatCalendarDate(date);
  if (value < EARLIEST_DATE) return wrong(`${label} is before 1900: check the year`);
  return ok(value);
}

/** A whole number from min to max, written in digits alone ("7", not "7.0" or "seven"). */
export function readWholeNumber(label: string, text: string, min: number, max: number): Read<number> {
  const n = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
  return n >= min && n <= max ? ok(n) : wrong(`${label} must be a whole number from ${min} to ${max}`);
}

/** A year written with four digits, from 1900 to this year. */
export function readYear(label: string, text: string, today: string): Read<number> {
  if (!/^\d{4}$/.test(text)) return wrong(`${label} must be a year written with four digits, such as 2019`);
  const year = Number(text);
  if (year < 1900) return wrong(`${label} is before 1900: check the year`);
  if (year > Number(today.slice(0, 4))) return wrong(`${label} cannot be in the future`);
  return ok(year);
}

/** Ten digits, spaces allowed between them, with a valid check digit; returned as the ten digits alone. */
export function readNhsNumber(text: string): Read<string> {
  const digits = normaliseNhsNumber(text);
  if (digits !== null) return ok(digits);
  const tenDigits = /^[\d ]+$/.test(text) && text.replaceAll(' ', '').length === 10;
  return wrong(tenDigits ? 'NHS number is not valid: check the digits' : 'NHS number must be 10 digits');
}

// A name starts with a letter (so a spreadsheet formula such as =HYPERLINK(...) is refused, never stored) and
// then has letters of any alphabet, their accents, spaces, hyphens, apostrophes (straight or curly) and dots:
// "Zoë", "O'Brien", "Smith-Jones", "St. John".
const NAME = /^\p{L}[\p{L}\p{M} '’.-]*$/u;
export const NAME_MAX_LENGTH = 100;

export function readName(label: string, text: string): Read<string> {
  if (text.length > NAME_MAX_LENGTH) return wrong(`${label} must be ${NAME_MAX_LENGTH} characters or fewer`);
  if (!NAME.test(text)) return wrong(`${label} must start with a letter and have only letters, spaces, hyphens, apostrophes and dots`);
  return ok(text);
}

/** A UK postcode, in capitals with one space before the inward code: "ls14ap" becomes "LS1 4AP". */
export function readPostcode(text: string): Read<string> {
  const postcode = normalisePostcode(text);
  return postcode === null ? wrong(POSTCODE_MESSAGE) : ok(postcode);
}
