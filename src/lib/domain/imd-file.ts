import type { FieldError } from './errors';
import { normalisePostcode } from './postcode';

/**
 * The postcode-to-deprivation file an admin loads (docs/api.md, `POST /api/v1/reference/imd`): a header row naming
 * `postcode` and `imd_decile` (other columns, such as those of the national postcode directory, are ignored), then
 * one postcode a row. Pure: the service streams the rows through it and stores what it passes.
 */

/** The national file of about 1.7 million postcodes is some 20 MiB: room for one written with quotes and more columns. */
export const IMD_FILE_MAX_BYTES = 64 * 1024 * 1024;

/** How many problems a refusal lists: enough to see what is wrong with a file, not a million lines of it. */
export const IMD_FILE_MAX_ERRORS = 20;

export interface ImdRow {
  /** Capitals, no spaces: how the table keys a postcode. */
  postcode: string;
  decile: number;
}

/** A postcode the way the table keys it: capitals, no spaces (null when it is not a UK postcode). */
export const compactPostcode = (text: string): string | null => normalisePostcode(text)?.replace(' ', '') ?? null;

export class ImdFileReader {
  private columns: { postcode: number; decile: number } | null = null;
  private headerRefused = false;
  private line = 0;
  readonly errors: FieldError[] = [];

  /** Reads the next record: the row it holds, or null for the header, a blank line or a problem (kept in `errors`). */
  read(cells: string[]): ImdRow | null {
    this.line += 1;
    if (this.columns === null) {
      this.columns = this.header(cells);
      return null;
    }
    if (cells.every((c) => c.trim() === '')) return null;
    const postcode = compactPostcode(cells[this.columns.postcode] ?? '');
    const decileText = (cells[this.columns.decile] ?? '').trim();
    const decile = /^\d{1,2}$/.test(decileText) ? Number(decileText) : NaN;
    if (postcode === null) return this.problem(`"${(cells[this.columns.postcode] ?? '').slice(0, 20)}" is not a UK postcode`);
    if (!(decile >= 1 && decile <= 10)) return this.problem(`The IMD decile must be a whole number from 1 to 10, not "${decileText.slice(0, 20)}"`);
    return { postcode, decile };
  }

  /** Whether more rows are worth reading: a file without its header, or past the problems listed, is refused anyway. */
  get wanted(): boolean {
    return !this.headerRefused && this.errors.length < IMD_FILE_MAX_ERRORS;
  }

  /** A problem with the file as a whole (it is not CSV at all), found by whoever reads its bytes. */
  refuse(message: string): void {
    this.errors.push({ path: 'file', message });
  }

  /** Problems of a file that had no rows to read at all. */
  finish(): FieldError[] {
    if (this.line === 0) this.errors.push({ path: 'file', message: 'The file is empty: it needs a header row postcode,imd_decile' });
    return this.errors;
  }

  private header(cells: string[]) {
    const names = cells.map((c) => c.trim().toLowerCase());
    const postcode = names.indexOf('postcode');
    const decile = names.indexOf('imd_decile');
    if (postcode >= 0 && decile >= 0) return { postcode, decile };
    this.headerRefused = true;
    this.errors.push({ path: 'line 1', message: 'The first row must name the columns postcode and imd_decile' });
    return null;
  }

  private problem(message: string): null {
    if (this.errors.length < IMD_FILE_MAX_ERRORS) this.errors.push({ path: `line ${this.line}`, message });
    return null;
  }
}
