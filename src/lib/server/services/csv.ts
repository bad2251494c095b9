import type { Parser } from 'csv-parse';

/**
 * Text typed by people (site and ICB names, identifiers from other systems) ends up in exported files: a cell
 * starting with =, +, -, @, tab or CR would run as a formula when the file is opened in a spreadsheet (OWASP "CSV
 * injection"). A leading ' makes it plain text. For text only: the metrics CSV passes its numbers as they are, so a
 * negative HbA1c change stays a number.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** Settles once a csv-parse parser has taken the chunk (or, with no chunk, reached the end), with its error if any. */
export const feed = (parser: Parser, chunk?: Uint8Array) =>
  new Promise<void>((resolve, reject) => {
    const done = (error?: Error | null) => (error ? reject(error) : resolve());
    if (chunk !== undefined) parser.write(chunk, done);
    else parser.end(done);
  });
