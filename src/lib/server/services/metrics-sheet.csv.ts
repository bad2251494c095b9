import { stringify } from 'csv-stringify/sync';
import { WAIT_NAMES, type GroupBy, type MetricsReport, type MetricsRow } from '../../domain/metrics';
import { formatUkDate } from '../../format';
import { GROUP_BY_LABEL, THERAPY_LABEL, WAIT_LABEL } from '../../labels';
import { neutraliseFormula } from './csv';

/**
 * The dashboard's download: the metrics as a spreadsheet a person reads, unlike `GET /api/v1/metrics.csv`, which
 * keeps the API's field names for programs (metrics.csv.ts). It opens with what the figures are (the period, the
 * grouping, the therapy, whether disclosure control applied), then a table with headings in words. A withheld
 * count reads "1-7" and a withheld rate or median "withheld", as on the page; a blank cell is a figure that does
 * not exist (no population count, no waits ended in the period). Text goes through neutraliseFormula; numbers
 * stay numbers, so a negative HbA1c change is still a number.
 */

type Cell = string | number;

export const WITHHELD_COUNT = '1-7';
export const WITHHELD_FIGURE = 'withheld';

const GROUP_HEADING: Record<GroupBy, string> = { site: 'Site', icb: 'ICB', facilitation: 'Facilitation mode' };

const COUNTS = [
  ['t1dPopulation', 'Type 1 population'],
  ['onTherapy', 'On therapy at the end'],
  ['existingOnTherapy', 'Of whom already on it when recorded'],
] as const;
const FLOW = [
  ['referrals', 'Referred in the period'],
  ['assessed', 'Assessed in the period'],
  ['eligible', 'Found eligible in the period'],
  ['fundingRequested', 'Funding requested in the period'],
  ['fundingApproved', 'Funding approved in the period'],
  ['fundingDeclined', 'Funding declined in the period'],
  ['started', 'Started in the period'],
  ['discontinued', 'Discontinued in the period'],
  ['continuing12m', 'Still on therapy 12 months after starting'],
] as const;

export function metricsSheetHeadings(groupBy: GroupBy): string[] {
  return [
    GROUP_HEADING[groupBy],
    ...COUNTS.map(([, label]) => label),
    'Uptake (% of the type 1 population)',
    ...FLOW.map(([, label]) => label),
    ...WAIT_NAMES.flatMap((name) => [`${WAIT_LABEL[name]}: people`, `${WAIT_LABEL[name]}: median days`, `${WAIT_LABEL[name]}: 90th percentile days`]),
    'HbA1c change at 6 months: people',
    'HbA1c change at 6 months: median (mmol/mol)',
  ];
}

const count = (row: MetricsRow, field: string, value: number | null): Cell => (row.suppressed.includes(field) ? WITHHELD_COUNT : (value ?? ''));
const figure = (row: MetricsRow, field: string, value: number | null): Cell => (row.suppressed.includes(field) ? WITHHELD_FIGURE : (value ?? ''));

function rowCells(row: MetricsRow): Cell[] {
  return [
    neutraliseFormula(row.label),
    ...COUNTS.map(([field]) => count(row, field, row[field])),
    figure(row, 'uptakePct', row.uptakePct),
    ...FLOW.map(([field]) => count(row, field, row[field])),
    ...WAIT_NAMES.flatMap((name) => {
      const w = row.waits[name];
      return [count(row, `waits.${name}.n`, w.n), figure(row, `waits.${name}.medianDays`, w.medianDays), figure(row, `waits.${name}.p90Days`, w.p90Days)];
    }),
    count(row, 'hba1cChange6m.n', row.hba1cChange6m.n),
    figure(row, 'hba1cChange6m.medianMmolMol', row.hba1cChange6m.medianMmolMol),
  ];
}

export interface SheetQuery {
  groupBy: GroupBy;
  therapy?: keyof typeof THERAPY_LABEL | undefined;
}

export function metricsSheetCsv(report: MetricsReport, query: SheetQuery, controlled: boolean): string {
  const about: Cell[][] = [
    ['Pump Pathway implementation figures'],
    ['Period', `${formatUkDate(report.from)} to ${formatUkDate(report.to)}`],
    ['Compared', GROUP_BY_LABEL[query.groupBy]],
    ['Therapy', query.therapy ? THERAPY_LABEL[query.therapy] : 'Pumps and closed loop'],
    [
      'Figures',
      controlled
        ? `Disclosure-controlled: counts from 1 to 7 are withheld and marked ${WITHHELD_COUNT}; other counts are rounded to the nearest 5, and uptake is worked out from the rounded counts. A rate or median that cannot be given is marked ${WITHHELD_FIGURE}.`
        : 'Exact figures for your sites.',
    ],
    ['Blank cells', 'No figure: no population count for the period, or nothing ended in it.'],
    ['Flow counts', 'Steps taken in the period, whenever the person was referred: more can be assessed than referred.'],
    [],
  ];
  const records = [...about.map((r) => r.map((c) => (typeof c === 'string' ? neutraliseFormula(c) : c))), metricsSheetHeadings(query.groupBy), ...report.rows.map(rowCells)];
  // A byte-order mark, so that spreadsheets open the file as UTF-8 (site names may carry accents).
  return `\ufeff${stringify(records)}`;
}

/** The download's name: what, grouped how, for which period (and therapy). */
export function metricsSheetFilename(report: MetricsReport, query: SheetQuery): string {
  const therapy = query.therapy ? `-${query.therapy}` : '';
  return `pump-pathway-figures-by-${query.groupBy}${therapy}-${report.from}-to-${report.to}.csv`;
}
