import { CASELOAD_COLUMNS, type CaseloadColumn } from './caseload';

/**
 * What each column of a caseload file is for, in the words the import page and the API reference both use, and a
 * template that passes the check. Kept beside the columns, so a column added to the file is explained here too.
 */

export interface ColumnGuide {
  columns: readonly CaseloadColumn[];
  /** Which rows the columns are for, and whether they must be filled. */
  needed: string;
  values: string;
}

export const CASELOAD_GUIDE: readonly ColumnGuide[] = [
  { columns: ['nhs_number'], needed: 'Every row', values: '10 digits, spaces allowed, with a valid check digit' },
  { columns: ['record'], needed: 'Every row', values: 'on_therapy (on a pump or closed loop now) or waiting (waiting to be assessed)' },
  { columns: ['therapy'], needed: 'Every row', values: 'csii (insulin pump) or hcl (hybrid closed loop)' },
  {
    columns: ['given_name', 'family_name', 'birth_date', 'sex', 'diabetes_type'],
    needed: 'A person not yet registered (blank keeps what a registered person has)',
    values: 'birth_date as YYYY-MM-DD or DD/MM/YYYY; sex female, male, other or unknown; diabetes_type type1, type2, other or unknown',
  },
  {
    columns: ['ethnic_category', 'postcode', 'imd_decile'],
    needed: 'Optional',
    values: 'an NHS ethnic category letter (A-H, J-N, P, R, S, or Z for not stated); a UK postcode; an IMD decile from 1 (most deprived) to 10',
  },
  { columns: ['pump', 'funding'], needed: 'on_therapy rows', values: 'pump as the device catalogue names it; funding nhs or non_nhs' },
  {
    columns: ['started_on', 'started_year', 'known_on', 'cgm', 'algorithm'],
    needed: 'on_therapy rows, optional',
    values:
      'the start date, or only its year when that is all that is known (blank when not known); the date the service knew of it (the day of the import if blank); cgm and algorithm as the catalogue names them',
  },
  { columns: ['received_on'], needed: 'waiting rows', values: 'the date the referral was received' },
  {
    columns: ['source', 'priority_group'],
    needed: 'waiting rows, optional',
    values: 'source gp, consultant, self or other_service (the default); priority_group for HCL only: child, pregnancy, existing_pump_user or adult',
  },
];

/** Every column, in the order of CASELOAD_COLUMNS: the template's header. */
const TEMPLATE_COLUMNS = Object.keys(CASELOAD_COLUMNS) as CaseloadColumn[];

// Made-up people with NHS numbers from the 999 range, which the NHS keeps for testing and no real person holds.
const TEMPLATE_ROWS: Partial<Record<CaseloadColumn, string>>[] = [
  {
    nhs_number: '999 990 0011',
    given_name: 'Alex',
    family_name: 'Example',
    birth_date: '1987-04-12',
    sex: 'female',
    diabetes_type: 'type1',
    ethnic_category: 'A',
    postcode: 'LS1 4AP',
    imd_decile: '3',
    record: 'on_therapy',
    therapy: 'hcl',
    started_on: '2023-06-01',
    pump: 'Insulet Omnipod 5',
    cgm: 'Dexcom G6',
    algorithm: 'SmartAdjust',
    funding: 'nhs',
  },
  {
    nhs_number: '999 990 0038',
    given_name: 'Sam',
    family_name: 'Example',
    birth_date: '14/09/1979',
    sex: 'male',
    diabetes_type: 'type1',
    record: 'on_therapy',
    therapy: 'csii',
    started_year: '2016',
    pump: 'Tandem t:slim X2',
    funding: 'non_nhs',
  },
  {
    nhs_number: '999 990 0046',
    given_name: 'Jo',
    family_name: 'Example',
    birth_date: '2012-02-20',
    sex: 'unknown',
    diabetes_type: 'type1',
    record: 'waiting',
    therapy: 'hcl',
    received_on: '2024-11-04',
    source: 'gp',
    priority_group: 'child',
  },
];

/** The template file: every column, and a row of each kind to copy. No cell needs quoting. */
export function caseloadTemplateCsv(): string {
  const lines = [TEMPLATE_COLUMNS.join(','), ...TEMPLATE_ROWS.map((row) => TEMPLATE_COLUMNS.map((c) => row[c] ?? '').join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
