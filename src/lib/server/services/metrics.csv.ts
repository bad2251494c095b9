import { stringify } from 'csv-stringify/sync';
import { COUNT_FIELDS, WAIT_NAMES, type MetricsReport, type MetricsRow } from '../../domain/metrics';
import { neutraliseFormula } from './csv';

/**
 * The metrics report as CSV: the JSON rows flattened, one column per leaf field named by its dotted path, in
 * the JSON's order. Withheld and unknown values are empty cells; `suppressed` is one cell joined with ';'.
 */

type Cell = string | number | null;

const [POPULATION, ON_THERAPY, EXISTING_ON_THERAPY, ...FLOW_COUNTS] = COUNT_FIELDS;

export const METRICS_CSV_COLUMNS: readonly string[] = [
  'key',
  'label',
  POPULATION,
  ON_THERAPY,
  EXISTING_ON_THERAPY,
  'uptakePct',
  ...FLOW_COUNTS,
  ...WAIT_NAMES.flatMap((name) => [`waits.${name}.n`, `waits.${name}.medianDays`, `waits.${name}.p90Days`]),
  'hba1cChange6m.n',
  'hba1cChange6m.medianMmolMol',
  'suppressed',
];

function cells(row: MetricsRow): Cell[] {
  return [
    neutraliseFormula(row.key),
    neutraliseFormula(row.label),
    row.t1dPopulation,
    row.onTherapy,
    row.existingOnTherapy,
    row.uptakePct,
    ...FLOW_COUNTS.map((field) => row[field]),
    ...WAIT_NAMES.flatMap((name) => [row.waits[name].n, row.waits[name].medianDays, row.waits[name].p90Days]),
    row.hba1cChange6m.n,
    row.hba1cChange6m.medianMmolMol,
    row.suppressed.join(';'),
  ];
}

export function metricsCsv(report: MetricsReport): string {
  const records = report.rows.map((row) => cells(row).map((cell) => (cell === null ? '' : String(cell))));
  return stringify(records, { header: true, columns: [...METRICS_CSV_COLUMNS] });
}

/** The attachment's file name: what, grouped how, for which period (and therapy). */
export function metricsCsvFilename(report: MetricsReport, query: { groupBy: string; therapy?: string | undefined }): string {
  const therapy = query.therapy ? `-${query.therapy}` : '';
  return `pump-pathway-metrics-by-${query.groupBy}${therapy}-${report.from}-to-${report.to}.csv`;
}
