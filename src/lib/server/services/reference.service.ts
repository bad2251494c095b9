import { setImmediate as turn } from 'node:timers/promises';
import { CsvError, parse } from 'csv-parse';
import { authorize } from '../../domain/access';
import { validation } from '../../domain/errors';
import { IMD_FILE_MAX_BYTES, ImdFileReader, type ImdRow } from '../../domain/imd-file';
import type { Db, Tx } from '../db/client';
import { isUniqueViolation, sqlDetail } from '../db/errors';
import { feed } from './csv';
import { writeAudit } from '../repositories/audit.repository';
import { clearImdPostcodes, copyDecilesToRecords, countImdPostcodes, insertImdPostcodes } from '../repositories/imd.repository';
import type { Ctx } from '../context';

export { IMD_FILE_MAX_BYTES };
// Ten thousand rows a statement: few round trips, and each batch's arrays stay small.
const BATCH_ROWS = 10_000;
// A memory guard: a real row is a postcode and a number; a longer record is a quote never closed.
const MAX_RECORD_CHARACTERS = 64 * 1024;
const REFUSED = 'Nothing was loaded: put right the problems listed in errors, then load the file again';

/** The body is larger than the load takes: the route answers 413. */
export class ImdFileTooLargeError extends Error {
  override readonly name = 'ImdFileTooLargeError';
}

/**
 * Reference tables loaded by admins. The postcode-to-deprivation table is replaced whole in one transaction while
 * the file streams in: readers keep the old table until the new one is complete, and a file with a problem anywhere
 * leaves the old table as it was.
 */
export class ReferenceService {
  constructor(private readonly db: Db) {}

  /** How many postcodes the table holds: what the admin page shows before a load. */
  async imdTableSize(ctx: Ctx): Promise<{ postcodes: number }> {
    authorize(ctx.actor, 'reference:manage');
    return { postcodes: await countImdPostcodes(this.db) };
  }

  async replaceImd(ctx: Ctx, body: AsyncIterable<Uint8Array>): Promise<{ postcodes: number }> {
    authorize(ctx.actor, 'reference:manage');
    return this.db.transaction(async (tx) => {
      const before = await countImdPostcodes(tx);
      await clearImdPostcodes(tx);
      const postcodes = await loadRows(tx, body);
      await copyDecilesToRecords(tx);
      await writeAudit(tx, ctx, { action: 'reference.imd_replace', entityType: 'reference', entityId: null, before: { postcodes: before }, after: { postcodes } });
      return { postcodes };
    });
  }
}

/**
 * Parses the body as it arrives and inserts the rows batch by batch, in this transaction; throws a validation error
 * listing the file's problems (the caller's transaction then rolls back). Once the file is known to be refused, the
 * rest of the body is still read, unparsed, so that the refusal reaches the sender.
 */
async function loadRows(tx: Tx, body: AsyncIterable<Uint8Array>): Promise<number> {
  const reader = new ImdFileReader();
  let rows: ImdRow[] = [];
  const parser = parse({
    bom: true,
    relax_column_count: true,
    max_record_size: MAX_RECORD_CHARACTERS,
    on_record: (cells: string[]) => {
      const row = reader.wanted ? reader.read(cells) : null;
      if (row) rows.push(row);
      return null;
    },
  });
  parser.on('error', () => {}); // each error also reaches the write that caused it, handled there
  parser.resume();
  let bytes = 0;
  let stored = 0;
  const store = async () => {
    await insertRows(tx, rows, stored);
    stored += rows.length;
    rows = [];
  };
  const parsing = async (chunk?: Uint8Array) => {
    try {
      await feed(parser, chunk);
    } catch (e) {
      if (!(e instanceof CsvError)) throw e;
      reader.refuse('The file cannot be read as CSV: save it as plain comma-separated text, UTF-8, with one postcode a row');
    }
  };
  try {
    for await (const chunk of body) {
      bytes += chunk.length;
      if (bytes > IMD_FILE_MAX_BYTES) throw new ImdFileTooLargeError(`A postcode file must be at most ${IMD_FILE_MAX_BYTES / (1024 * 1024)} MiB`);
      if (!reader.wanted) continue;
      await parsing(chunk);
      // Past the first problem the file will be refused and the transaction rolled back: rows are only checked.
      if (reader.errors.length > 0) rows = [];
      else if (rows.length >= BATCH_ROWS) {
        await store();
        await turn();
      }
    }
    if (reader.wanted) await parsing();
  } finally {
    parser.destroy();
  }
  const errors = reader.finish();
  if (errors.length > 0) throw validation(errors, REFUSED);
  await store();
  return stored;
}

async function insertRows(tx: Tx, rows: ImdRow[], before: number): Promise<void> {
  try {
    await insertImdPostcodes(tx, rows);
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const postcode = /\(postcode\)=\(([^)]*)\)/.exec(sqlDetail(e) ?? '')?.[1];
    const which = postcode ? `The postcode ${postcode}` : 'A postcode';
    throw validation([{ path: 'file', message: `${which} appears more than once in the first ${before + rows.length} rows: each postcode needs one row` }], REFUSED);
  }
}
