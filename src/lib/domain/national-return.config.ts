/**
 * What the national platform (the National Diabetes Audit's hybrid closed loop collection) asks for, in one place:
 * the file's name, its column headings in order, the codes and the placeholder year. When the platform's
 * specification changes, this file changes and nothing else should need to.
 */

/** The columns of the return, in the file's order: the JSON field, the CSV heading, and what the page calls it. */
export const NATIONAL_HCL_COLUMNS = [
  { field: 'nhsNumber', heading: 'NHS_NUMBER', label: 'NHS number' },
  { field: 'dateOfBirth', heading: 'DATE_OF_BIRTH', label: 'Date of birth' },
  { field: 'closedLoop', heading: 'CLOSED_LOOP', label: 'Closed loop' },
  { field: 'dateStartedClosedLoop', heading: 'DATE_STARTED_CLOSED_LOOP', label: 'Date started closed loop' },
  { field: 'observationDate', heading: 'OBSERVATION_DATE', label: 'Observation date' },
  { field: 'yearStartedPump', heading: 'YEAR_STARTED_PUMP', label: 'Year started pump' },
] as const;

/** CLOSED_LOOP: whether the person uses hybrid closed loop, and who funds it. */
export const CLOSED_LOOP_CODES = {
  nhsFunded: '01',
  notNhsFunded: '02',
  offeredButDeclined: '04',
} as const;

export type ClosedLoopCode = (typeof CLOSED_LOOP_CODES)[keyof typeof CLOSED_LOOP_CODES];

/** What the page says each code means. */
export const CLOSED_LOOP_LABELS: Record<ClosedLoopCode, string> = {
  '01': 'Yes, NHS funded',
  '02': 'Yes, not NHS funded',
  '04': 'No, offered but declined',
};

/** YEAR_STARTED_PUMP when the year is not known. */
export const UNKNOWN_YEAR_STARTED_PUMP = 1910;

/** The name of the file to upload, e.g. nda-hcl-RX101-2025-Q4.csv. */
export const nationalHclFileName = (odsCode: string, quarter: string): string => `nda-hcl-${odsCode}-${quarter}.csv`;
