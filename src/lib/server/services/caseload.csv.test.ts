import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nhsCheckDigit } from '../../domain/nhs-number';
import { CaseloadTooLargeError, parseCaseloadCsv } from './caseload.csv';

const TODAY = '2026-03-31';
const ADA = '9434765919';
const BOB = '9990000018';

const HEADER = 'nhs_number,given_name,family_name,birth_date,sex,diabetes_type,record,therapy,started_on,pump,funding,received_on';
const ADA_ON_HCL = `${ADA},Ada,Lovelace,17/05/1990,female,type1,on_therapy,hcl,2024-06-01,Omnipod 5,nhs,`;
const BOB_WAITING = `${BOB},Bob,Jones,1985-01-01,male,type1,waiting,csii,,,,2026-02-01`;

const bytes = (...lines: string[]) => Buffer.from(lines.join('\n') + '\n');
const parseLines = (...lines: string[]) => parseCaseloadCsv(bytes(...lines), TODAY);

/** The bytes in pieces of `size`, as a request body arrives; records and characters fall across the cuts. */
async function* inPieces(body: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let at = 0; at < body.length; at += size) yield body.subarray(at, at + size);
}

describe('a caseload file as a spreadsheet saves it', () => {
  it('is read with a byte-order mark, CRLF line ends and the header in any case and order', async () => {
    // The first heading quoted, as some spreadsheets write it: a mark not taken off would sit before the quote.
    const header = '"RECORD",Therapy,NHS_Number,Pump,Funding,Started_On,Received_On';
    const file = Buffer.from(`\uFEFF${header}\r\non_therapy,HCL,943 476 5919,Omnipod 5,NHS,01/06/2024,\r\nwaiting,csii,${BOB},,,,01/02/2026\r\n`);
    const { rows, errors, rowCount } = await parseCaseloadCsv(file, TODAY);
    expect(errors).toEqual([]);
    expect(rowCount).toBe(2);
    expect(rows).toEqual([
      { line: 2, nhsNumber: ADA, person: {}, record: 'on_therapy', therapy: 'hcl', startedOn: '2024-06-01', knownOn: TODAY, pump: 'Omnipod 5', funding: 'nhs' },
      { line: 3, nhsNumber: BOB, person: {}, record: 'waiting', therapy: 'csii', receivedOn: '2026-02-01', source: 'other_service' },
    ]);
  });

  it('takes quoted cells with commas and quotes in them', async () => {
    const { rows, errors } = await parseLines(HEADER, `${ADA},Ada,"O'Brien",17/05/1990,female,type1,on_therapy,hcl,,"Pump ""X"", model 2",nhs,`);
    expect(errors).toEqual([]);
    expect(rows[0]).toMatchObject({ pump: 'Pump "X", model 2', person: { familyName: "O'Brien" } });
  });

  it('numbers rows as the spreadsheet does, however many text lines a quoted cell spans', async () => {
    const { rows, errors } = await parseLines(HEADER, `${ADA},Ada,Lovelace,17/05/1990,female,type1,on_therapy,hcl,,"Omnipod\n\n5",nhs,`, BOB_WAITING);
    expect(errors).toEqual([{ line: 2, column: 'pump', message: 'Pump has a line break or another character that is not allowed' }]);
    expect(rows.map((r) => r.line)).toEqual([3]);
  });

  it('refuses a spreadsheet formula where a name should be', async () => {
    const { rows, errors } = await parseLines(HEADER, `${ADA},"=HYPERLINK(""http://x"",""y"")",Lovelace,17/05/1990,female,type1,on_therapy,hcl,,Omnipod 5,nhs,`);
    expect(rows).toEqual([]);
    expect(errors).toEqual([
      { line: 2, column: 'given_name', message: 'Given name must start with a letter and have only letters, spaces, hyphens, apostrophes and dots' },
    ]);
  });

  it('reports a row with too few cells in that row and reads on', async () => {
    const { rows, errors } = await parseLines(HEADER, `${ADA},Ada`, BOB_WAITING);
    expect(errors).toEqual([{ line: 2, column: null, message: 'This row has 2 cells but the header has 12: check for a missing or extra comma' }]);
    expect(rows.map((r) => r.line)).toEqual([3]);
  });

  it('refuses a row repeating an earlier one, naming the earlier line', async () => {
    const { rows, errors } = await parseLines(HEADER, ADA_ON_HCL, BOB_WAITING, ADA_ON_HCL);
    expect(rows.map((r) => r.line)).toEqual([2, 3]);
    expect(errors).toEqual([{ line: 4, column: null, message: expect.stringMatching(/^This row repeats line 2: /) }]);
  });

  it('checks only the header when it names an unknown column', async () => {
    const { rows, errors, rowCount } = await parseLines(`${HEADER},ward`, `${ADA_ON_HCL},5B`);
    expect(errors).toEqual([{ line: 1, column: 'ward', message: expect.stringMatching(/^Column M, "ward", is not a caseload column/) }]);
    expect([rows, rowCount]).toEqual([[], 0]);
  });

  it('with no bytes at all is refused', async () => {
    expect((await parseCaseloadCsv(Buffer.alloc(0), TODAY)).errors).toEqual([
      { line: 1, column: null, message: 'The file is empty: its first row must name the columns' },
    ]);
  });
});

describe('a file that is not UTF-8 CSV', () => {
  const NOT_UTF8 = { line: null, column: null, message: 'The file is not UTF-8 text: save it from your spreadsheet as CSV UTF-8' };

  it('is refused when it has Latin-1 bytes, such as é saved as E9', async () => {
    const file = Buffer.concat([bytes(HEADER), Buffer.from(`${ADA},Ren`), Buffer.from([0xe9]), Buffer.from(',Lovelace,17/05/1990,female,type1,on_therapy,hcl,,Omnipod 5,nhs,\n')]);
    const { rows, errors } = await parseCaseloadCsv(file, TODAY);
    expect(errors).toEqual([NOT_UTF8]);
    expect(rows).toEqual([]);
  });

  it('is refused when it ends part way through a character', async () => {
    const file = Buffer.concat([bytes(HEADER, ADA_ON_HCL), Buffer.from([0xc3])]);
    expect((await parseCaseloadCsv(file, TODAY)).errors).toEqual([NOT_UTF8]);
  });

  it('is not confused with UTF-8 whose characters fall across two pieces of the body', async () => {
    const file = bytes(HEADER, `${ADA},Zoë,Lovelace,17/05/1990,female,type1,on_therapy,hcl,,Omnipod 5,nhs,`);
    for (const size of [1, 2, 3, 7]) {
      const { rows, errors } = await parseCaseloadCsv(inPieces(file, size), TODAY);
      expect(errors).toEqual([]);
      expect(rows[0]!.person.givenName).toBe('Zoë');
    }
  });

  it('is refused at the row where a quote opens and never closes', async () => {
    const { rows, errors } = await parseLines(HEADER, ADA_ON_HCL, `${BOB},"Bob,Jones,1985-01-01,male,type1,waiting,csii,,,,2026-02-01`, ADA_ON_HCL);
    expect(rows.map((r) => r.line)).toEqual([2]);
    expect(errors).toEqual([{ line: 3, column: null, message: expect.stringMatching(/^A quote \(".*never closed/) }]);
  });

  it('is refused at the row where a quoted cell has text after its closing quote', async () => {
    const { errors } = await parseLines(HEADER, ADA_ON_HCL, `${BOB},"Bob"by,Jones,1985-01-01,male,type1,waiting,csii,,,,2026-02-01`);
    expect(errors).toEqual([{ line: 3, column: null, message: expect.stringMatching(/more text after its closing quote/) }]);
  });

  it('is refused at the row where a quote sits in the middle of an unquoted cell', async () => {
    const { errors } = await parseLines(HEADER, `${ADA},A"d"a,Lovelace,17/05/1990,female,type1,on_therapy,hcl,,Omnipod 5,nhs,`);
    expect(errors).toEqual([{ line: 2, column: null, message: expect.stringMatching(/quote \("\) in the middle/) }]);
  });
});

describe('a file too big for its own good', () => {
  it('has a 1 MB cell refused in its row, and the rest of the file read', async () => {
    const { rows, errors } = await parseLines(HEADER, `${ADA},${'A'.repeat(1_000_000)},Lovelace,17/05/1990,female,type1,on_therapy,hcl,,Omnipod 5,nhs,`, BOB_WAITING);
    expect(errors).toEqual([{ line: 2, column: 'given_name', message: 'Given name is longer than 200 characters' }]);
    expect(rows.map((r) => r.line)).toEqual([3]);
  });

  it('stops at a row of more than a mebibyte, such as a quote that swallows the file, yet reads the body to its end', async () => {
    const file = bytes(HEADER, ADA_ON_HCL, `${BOB},"${'B'.repeat(2 * 1024 * 1024)}`, BOB_WAITING);
    let piecesRead = 0;
    async function* body() {
      for await (const piece of inPieces(file, 64 * 1024)) {
        piecesRead++;
        yield piece;
      }
    }
    const { rows, errors, sha256 } = await parseCaseloadCsv(body(), TODAY);
    expect(rows.map((r) => r.line)).toEqual([2]);
    expect(errors).toEqual([{ line: 3, column: null, message: expect.stringMatching(/^This row is longer than 1,048,576 characters/) }]);
    expect(piecesRead).toBe(Math.ceil(file.length / (64 * 1024)));
    expect(sha256).toBe(createHash('sha256').update(file).digest('hex'));
  });

  it('over the size limit is refused outright, for the route to answer 413', async () => {
    await expect(parseCaseloadCsv(bytes(HEADER, ADA_ON_HCL), TODAY, { maxBytes: 100 })).rejects.toBeInstanceOf(CaseloadTooLargeError);
  });

  it('with more rows than the limit is refused at the first row past it', async () => {
    const file = bytes(HEADER, ADA_ON_HCL, BOB_WAITING, ADA_ON_HCL.replace('2024-06-01', '2024-07-01'));
    expect(await parseCaseloadCsv(file, TODAY, { maxRows: 3 })).toMatchObject({ rowCount: 3, errors: [] });
    expect(await parseCaseloadCsv(file, TODAY, { maxRows: 2 })).toMatchObject({
      rowCount: 2,
      errors: [{ line: 4, column: null, message: 'The file has more than 2 rows: split it into files of 2 rows or fewer' }],
    });
  });

  it('of 100,000 rows is read to the end, listing the first 1,000 problems and counting the rest', { timeout: 120_000 }, async () => {
    const people = 100_000;
    async function* body(): AsyncIterable<Uint8Array> {
      yield Buffer.from(`${HEADER}\n`);
      let lines: string[] = [];
      let prefix = 100_000_000;
      for (let i = 1; i <= people; i++) {
        let check = nhsCheckDigit(String(prefix));
        while (check === null) check = nhsCheckDigit(String(++prefix));
        // Every 50th row has its check digit wrong.
        const nhsNumber = `${prefix++}${i % 50 === 0 ? (check + 1) % 10 : check}`;
        lines.push(`${nhsNumber},Person,Number${'abcdefghij'[i % 10]},01/02/1980,female,type1,waiting,hcl,,,,2026-01-05`);
        if (lines.length === 1000) {
          yield Buffer.from(`${lines.join('\n')}\n`);
          lines = [];
        }
      }
    }
    const { rows, errors, rowCount } = await parseCaseloadCsv(body(), TODAY);
    expect(rowCount).toBe(100_000);
    expect(rows).toHaveLength(98_000);
    expect(errors).toHaveLength(1_001);
    expect(errors[0]).toEqual({ line: 51, column: 'nhs_number', message: 'NHS number is not valid: check the digits' });
    expect(errors.at(-1)).toEqual({ line: null, column: null, message: 'And 1,000 more problems: correct these and check the file again' });
  });
});

describe("the file's SHA-256", () => {
  it('is of its bytes as sent, whether the body comes whole or in pieces', async () => {
    const file = Buffer.from(`\uFEFF${HEADER}\r\n${ADA_ON_HCL}\r\n`);
    const expected = createHash('sha256').update(file).digest('hex');
    expect((await parseCaseloadCsv(file, TODAY)).sha256).toBe(expected);
    expect((await parseCaseloadCsv(inPieces(file, 5), TODAY)).sha256).toBe(expected);
  });
});

describe('a body that fails while arriving', () => {
  it('fails the parse with its own error, not a report', async () => {
    const lost = new Error('connection reset');
    async function* body() {
      yield bytes(HEADER);
      throw lost;
    }
    await expect(parseCaseloadCsv(body(), TODAY)).rejects.toBe(lost);
  });
});
