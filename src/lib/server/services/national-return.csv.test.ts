import { describe, expect, it } from 'vitest';
import type { NationalHclRow } from '../../domain/national-return';
import { nationalHclCsv } from './national-return.csv';

const row: NationalHclRow = { nhsNumber: '9434765919', dateOfBirth: '1990-05-17', closedLoop: '04', dateStartedClosedLoop: null, observationDate: '2026-02-14', yearStartedPump: 1910 };

describe('the national HCL return as CSV', () => {
  it('has the configured headings, then a line per row with blanks for unknown values', () => {
    expect(nationalHclCsv([row])).toBe(
      'NHS_NUMBER,DATE_OF_BIRTH,CLOSED_LOOP,DATE_STARTED_CLOSED_LOOP,OBSERVATION_DATE,YEAR_STARTED_PUMP\n9434765919,1990-05-17,04,,2026-02-14,1910\n',
    );
  });

  it('neutralises a cell that a spreadsheet would run as a formula', () => {
    expect(nationalHclCsv([{ ...row, nhsNumber: '=HYPERLINK("x")' }]).split('\n')[1]).toMatch(/^"'=HYPERLINK\(""x""\)",/);
  });
});
