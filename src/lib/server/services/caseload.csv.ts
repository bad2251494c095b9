import { createHash } from 'node:crypto';
import { setImmediate as turn } from 'node:timers/promises';
import { CsvError, parse } from 'csv-parse';
import { CASELOAD_LIMITS, CASELOAD_MAX_BYTES, CaseloadReader, type CaseloadLimits, type CaseloadReading } from '../../domain/caseload-file';
import type { CaseloadError } from '../../domain/caseload';
import { feed } from './csv';

/**
 * A caseload file (docs/api.md, the caseload import) read from the request body as it arrives: UTF-8, a
 * byte-order mark allowed, comma-separated, quoted as RFC 4180. The rules for what the rows say are in
 * lib/domain/caseload*.ts; this turns bytes into records for them, and says in a clinic user's words when the
 * bytes are not a CSV file at all.
 */

export { CASELOAD_MAX_BYTES };

// A memory guard, not a rule about data: a real row is 21 cells of at most 200 characters, and a longer cell is
// reported as too long by the row's own checks. A record past this size is a quote never closed swallowing the
// rest of the file, or not a caseload file at all, so reading stops there rather than hold it.
export const MAX_RECORD_CHARACTERS = 1024 * 1024;

// A body handed over whole is still fed to the parser in pieces, so no step holds two copies of the text.
const PIECE_BYTES = 64 * 1024;

// Checking a mebibyte of rows takes some 400 ms of the one thread. A body already in memory (or arriving faster
// than it is checked) would hold the event loop for the whole file: every 128 KiB, other requests get a turn.
const TURN_BYTES = 128 * 1024;

export interface CaseloadCsvLimits extends CaseloadLimits {
  maxBytes: number;
}

export const CASELOAD_CSV_LIMITS: CaseloadCsvLimits = { ...CASELOAD_LIMITS, maxBytes: CASELOAD_MAX_BYTES };

export interface CaseloadCsv extends CaseloadReading {
  /** SHA-256 of the file's bytes, in hex, for the audit of an apply. */
  sha256: string;
}

/** The body is larger than the import takes: the route answers 413, not a report. */
export class CaseloadTooLargeError extends Error {
  override readonly name = 'CaseloadTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`A caseload file must be at most ${maxBytes / (1024 * 1024)} MiB`);
  }
}

const NOT_UTF8 = 'The file is not UTF-8 text: save it from your spreadsheet as CSV UTF-8';

/** What a parser's complaint means to someone who made the file in a spreadsheet. */
function csvProblem(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'A quote (") opened in this row is never closed, so the rest of the file cannot be read: close it, or remove it';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'A quoted cell in this row has more text after its closing quote: inside quotes, write a quote as two ("")';
    case 'INVALID_OPENING_QUOTE':
      return 'A cell in this row has a quote (") in the middle: put the whole cell in quotes and write the quote as two ("")';
    case 'CSV_MAX_RECORD_SIZE':
      return `This row is longer than ${MAX_RECORD_CHARACTERS.toLocaleString('en-GB')} characters, so the rest of the file was not read: check for a quote (") that is never closed`;
    default:
      return 'This row cannot be read as CSV: save the file from your spreadsheet as CSV UTF-8';
  }
}

// Thrown from inside the parser to end it once the reader needs no more rows; caught below, never seen outside.
const ENOUGH = new Error('enough rows read');

async function* piecesOf(body: AsyncIterable<Uint8Array> | Uint8Array): AsyncIterable<Uint8Array> {
  if (body instanceof Uint8Array) {
    for (let at = 0; at < body.length; at += PIECE_BYTES) yield body.subarray(at, at + PIECE_BYTES);
  } else {
    yield* body;
  }
}


/**
 * Reads a caseload file, checking it row by row as it streams in: memory holds the typed rows, what the checks
 * across rows remember of them, the first problems and one chunk of the file, never the whole text. `today` (YYYY-MM-DD) is the service's date. A body over `maxBytes` throws
 * CaseloadTooLargeError. Once a problem stops the reading (not UTF-8, broken quoting, too many rows), the rest
 * of the body is still read, unparsed, so the request completes and the hash covers the whole file.
 */
export async function parseCaseloadCsv(
  body: AsyncIterable<Uint8Array> | Uint8Array,
  today: string,
  limits: Partial<CaseloadCsvLimits> = {},
): Promise<CaseloadCsv> {
  const { maxBytes, ...readerLimits } = { ...CASELOAD_CSV_LIMITS, ...limits };
  const reader = new CaseloadReader(today, readerLimits);
  const hash = createHash('sha256');
  // Fatal: a Latin-1 "é" (byte E9) is refused, not turned into "�" and stored in someone's name.
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const parser = parse({
    bom: true,
    // A short or long row reaches the reader, which reports it for that row, instead of ending the parse.
    relax_column_count: true,
    max_record_size: MAX_RECORD_CHARACTERS,
    // Each record is read as soon as it is parsed and nothing is passed on, so nothing queues up.
    on_record: (cells: string[]) => {
      if (!reader.read(cells)) throw ENOUGH;
      return null;
    },
  });
  parser.on('error', () => {}); // each error also reaches the write or end that caused it, handled there
  parser.resume();

  const stop = (problem: CaseloadError) => {
    reader.stop([problem]);
    parser.destroy();
  };
  const parsing = async (chunk?: Uint8Array): Promise<boolean> => {
    try {
      await feed(parser, chunk);
      return true;
    } catch (error) {
      if (error instanceof CsvError) stop({ line: reader.nextLine, column: null, message: csvProblem(error) });
      else if (error === ENOUGH) parser.destroy();
      else throw error;
      return false;
    }
  };
  const isUtf8 = (chunk?: Uint8Array) => {
    try {
      // The text is not kept: csv-parse decodes the same bytes, now known to be good.
      if (chunk !== undefined) utf8.decode(chunk, { stream: true });
      else utf8.decode();
      return true;
    } catch {
      stop({ line: null, column: null, message: NOT_UTF8 });
      return false;
    }
  };

  let bytes = 0;
  let reading = true;
  try {
    for await (const chunk of piecesOf(body)) {
      bytes += chunk.length;
      if (bytes > maxBytes) throw new CaseloadTooLargeError(maxBytes);
      hash.update(chunk);
      if (reading) reading = isUtf8(chunk) && (await parsing(chunk));
      if (Math.floor(bytes / TURN_BYTES) > Math.floor((bytes - chunk.length) / TURN_BYTES)) await turn();
    }
    if (reading && isUtf8()) await parsing();
  } finally {
    parser.destroy();
  }
  return { ...reader.finish(), sha256: hash.digest('hex') };
}
