import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { emptyRow, type MetricsReport, type MetricsRow } from '../../domain/metrics';
import { METRICS_CSV_COLUMNS } from './metrics.csv';
import { metricsSheetCsv, metricsSheetFilename } from './metrics-sheet.csv';

const row = (key: string, label: string, fields: Partial<MetricsRow> = {}): MetricsRow => ({ ...emptyRow(key, label), ...fields });
const report = (rows: MetricsRow[]): MetricsReport => ({ from: '2025-07-01', to: '2026-06-30', rows });
const read = (csv: string): string[][] => parse(csv.replace(/^\ufeff/, ''), { relax_column_count: true });

describe("the dashboard's download", () => {
  it('writes the period, the grouping, the therapy and whether figures are controlled in the file', () => {
    const lines = read(metricsSheetCsv(report([row('a', 'Riverside')]), { groupBy: 'site', therapy: 'hcl' }, true));
    expect(lines[1]).toEqual(['Period', '1 July 2025 to 30 June 2026']);
    expect(lines[2]).toEqual(['Compared', 'Sites']);
    expect(lines[3]).toEqual(['Therapy', 'Hybrid closed loop (HCL)']);
    expect(lines[4]![1]).toMatch(/^Disclosure-controlled: counts from 1 to 7 are withheld and marked 1-7/);
    expect(lines[4]![1]).toContain('uptake is worked out from the rounded counts');
    expect(read(metricsSheetCsv(report([]), { groupBy: 'icb' }, false))[4]).toEqual(['Figures', 'Exact figures for your sites.']);
  });

  it('heads its columns in words, and marks withheld cells apart from missing ones', () => {
    const lines = read(
      metricsSheetCsv(
        report([
          row('a', 'Riverside', { t1dPopulation: 400, onTherapy: null, uptakePct: null, referrals: 35, suppressed: ['onTherapy', 'uptakePct'] }),
          row('b', 'Moorside', { t1dPopulation: null, uptakePct: null }),
        ]),
        { groupBy: 'site' },
        true,
      ),
    );
    const headings = lines.find((l) => l[0] === 'Site')!;
    expect(headings.slice(0, 6)).toEqual(['Site', 'Type 1 population', 'On therapy at the end', 'Of whom already on it when recorded', 'Uptake (% of the type 1 population)', 'Referred in the period']);
    for (const field of METRICS_CSV_COLUMNS) expect(headings).not.toContain(field); // the API's field names are for programs
    const at = (label: string, heading: string) => lines.find((l) => l[0] === label)![headings.indexOf(heading)];
    expect(at('Riverside', 'On therapy at the end')).toBe('1-7');
    expect(at('Riverside', 'Uptake (% of the type 1 population)')).toBe('withheld');
    expect(at('Riverside', 'Type 1 population')).toBe('400');
    expect(at('Moorside', 'Type 1 population')).toBe('');
  });

  it('neutralises text that a spreadsheet would run as a formula, and keeps numbers as numbers', () => {
    const csv = metricsSheetCsv(
      report([row('a', '=HYPERLINK("x")', { hba1cChange6m: { n: 10, medianMmolMol: -5 } }), row('b', '+1'), row('c', '-2'), row('d', '@SUM(A1)')]),
      { groupBy: 'site' },
      false,
    );
    const lines = read(csv);
    const labels = lines.slice(-4).map((l) => l[0]);
    expect(labels).toEqual(['\'=HYPERLINK("x")', "'+1", "'-2", "'@SUM(A1)"]);
    expect(lines.at(-4)!.at(-1)).toBe('-5');
    for (const line of lines) expect(line[0] ?? '').not.toMatch(/^[=+\-@]/);
  });

  it('is named for what it holds', () => {
    expect(metricsSheetFilename(report([]), { groupBy: 'icb', therapy: 'csii' })).toBe('pump-pathway-figures-by-icb-csii-2025-07-01-to-2026-06-30.csv');
  });
});
