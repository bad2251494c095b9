import { stringify } from 'csv-stringify/sync';
import type { NationalHclRow } from '../../domain/national-return';
import { NATIONAL_HCL_COLUMNS } from '../../domain/national-return.config';
import { neutraliseFormula } from './csv';

/**
 * The national HCL return as the file to upload: the configured headings, then one line per row in the columns'
 * order. Unknown values are empty cells. Every cell is text, neutralised against spreadsheet formulas.
 */
export function nationalHclCsv(rows: readonly NationalHclRow[]): string {
  const records = rows.map((row) => NATIONAL_HCL_COLUMNS.map(({ field }) => neutraliseFormula(String(row[field] ?? ''))));
  return stringify(records, { header: true, columns: NATIONAL_HCL_COLUMNS.map((c) => c.heading) });
}
