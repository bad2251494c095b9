import { CLOSED_LOOP_CODES, UNKNOWN_YEAR_STARTED_PUMP, type ClosedLoopCode } from './national-return.config';
import { isValidNhsNumber } from './nhs-number';

/**
 * The quarterly national return of hybrid closed loop (HCL) use: who is in it for a financial quarter, and what
 * each person's row says. The records come from the repository already chosen by the quarter; the rules that
 * shape a row from them live here. Headings, codes and file names are in national-return.config.ts.
 */

export const QUARTER_FORMAT = /^(\d{4})-Q([1-4])$/;

export interface FinancialQuarter {
  /** As written: 2025-Q4. */
  quarter: string;
  /** Its first and last days, both included. */
  from: string;
  to: string;
}

// Financial quarters start in April: Q1 April to June, Q2 July to September, Q3 October to December, and Q4
// January to March of the next calendar year.
const QUARTER_DAYS = [
  { from: '04-01', to: '06-30', yearOffset: 0 },
  { from: '07-01', to: '09-30', yearOffset: 0 },
  { from: '10-01', to: '12-31', yearOffset: 0 },
  { from: '01-01', to: '03-31', yearOffset: 1 },
] as const;

/** The days of a financial quarter written YYYY-QN (the year the financial year starts in), or null. */
export function financialQuarter(quarter: string): FinancialQuarter | null {
  const match = QUARTER_FORMAT.exec(quarter);
  if (!match) return null;
  const days = QUARTER_DAYS[Number(match[2]) - 1]!;
  const year = String(Number(match[1]) + days.yearOffset).padStart(4, '0');
  return { quarter, from: `${year}-${days.from}`, to: `${year}-${days.to}` };
}

/** The financial quarter a date (YYYY-MM-DD) falls in. */
export function quarterOf(date: string): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  if (month <= 3) return `${year - 1}-Q4`;
  return `${year}-Q${Math.floor((month - 4) / 3) + 1}`;
}

/** The latest financial quarter that has ended before `today`: the one a return is due for. */
export function lastCompleteQuarter(today: string): string {
  const [year, n] = quarterOf(today).split('-Q').map(Number) as [number, number];
  return n === 1 ? `${year - 1}-Q4` : `${year}-Q${n - 1}`;
}

/** The `count` latest complete quarters before `today`, newest first: what a page offers to choose from. */
export function recentQuarters(today: string, count: number): string[] {
  const quarters: string[] = [];
  let day = today;
  for (let i = 0; i < count; i++) {
    const quarter = lastCompleteQuarter(day);
    quarters.push(quarter);
    day = financialQuarter(quarter)!.to;
  }
  return quarters;
}

export type Funding = 'nhs' | 'non_nhs';

/**
 * One reason a person belongs in the quarter's return. A person may have several (two HCL records, say); the
 * return has one row per person. `pumpStartYears` has one entry for each of the person's insulin pump and HCL
 * records (pathway or existing, at any site, ended or not) started by the quarter's end: its start year, or null
 * when the record does not say even the year.
 */
export type NationalHclCandidate = {
  patientId: string;
  nhsNumber: string | null;
  birthDate: string | null;
  pumpStartYears: readonly (number | null)[];
} & (
  | {
      /** On HCL during the quarter: started by its end, not ended before its start. */
      kind: 'on_hcl';
      /** The HCL start date, or null when not known (an existing record with a year only, or nothing). */
      startedOn: string | null;
      /** The day the record counts as on HCL from: its start, else (an existing record) the day it was known. */
      onTherapyFrom: string;
      /** The day it ended (discontinued), or null while it goes on. */
      endedOn: string | null;
      funding: Funding;
    }
  | {
      /** Offered HCL and declined it during the quarter. */
      kind: 'declined';
      declinedOn: string;
    }
);

export interface NationalHclRow {
  nhsNumber: string;
  dateOfBirth: string;
  closedLoop: ClosedLoopCode;
  dateStartedClosedLoop: string | null;
  observationDate: string;
  yearStartedPump: number;
}

export interface NationalHclProblem {
  patientId: string;
  nhsNumber: string | null;
  problem: string;
}

export const PROBLEMS = {
  noNhsNumber: 'No NHS number: the national return needs one',
  invalidNhsNumber: 'The NHS number is not a valid 10-digit NHS number',
  noBirthDate: 'No date of birth: the national return needs one',
} as const;

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

type OnHcl = Extract<NationalHclCandidate, { kind: 'on_hcl' }>;

/** Still on HCL at the quarter's end: not ended by then (an ending on its last day ends it, as for onTherapy). */
const openAt = (c: OnHcl, quarter: FinancialQuarter) => c.endedOn === null || c.endedOn > quarter.to;

/**
 * Which of two HCL records a person's row reports: the one still going at the quarter's end over one that ended
 * in it; then the latest start (the episode the person is on now, not one long stopped); then a known start date
 * over an unknown one; then NHS funding.
 */
function preferredHcl(a: OnHcl, b: OnHcl, quarter: FinancialQuarter): OnHcl {
  if (openAt(a, quarter) !== openAt(b, quarter)) return openAt(a, quarter) ? a : b;
  if (a.onTherapyFrom !== b.onTherapyFrom) return a.onTherapyFrom > b.onTherapyFrom ? a : b;
  if ((a.startedOn === null) !== (b.startedOn === null)) return a.startedOn !== null ? a : b;
  return b.funding === 'nhs' && a.funding !== 'nhs' ? b : a;
}

/** Which of a person's reasons their row reports: being on HCL over having declined it; of two declines, the latest. */
function preferred(a: NationalHclCandidate, b: NationalHclCandidate, quarter: FinancialQuarter): NationalHclCandidate {
  if (a.kind === 'on_hcl' && b.kind === 'on_hcl') return preferredHcl(a, b, quarter);
  if (a.kind === 'declined' && b.kind === 'declined') return b.declinedOn > a.declinedOn ? b : a;
  return a.kind === 'on_hcl' ? a : b;
}

/**
 * YEAR_STARTED_PUMP from the start years of the person's pump and HCL records: the earliest. A record whose start
 * is not known even by year could be the earliest of all, so any such record makes the year unknown, as does
 * having no record (someone who declined HCL and never had a pump): the platform's placeholder year then.
 */
export function yearStartedPump(pumpStartYears: readonly (number | null)[]): number {
  if (pumpStartYears.length === 0 || pumpStartYears.some((year) => year === null)) return UNKNOWN_YEAR_STARTED_PUMP;
  return Math.min(...(pumpStartYears as number[]));
}

function problemsOf(c: NationalHclCandidate): string[] {
  const problems: string[] = [];
  if (!c.nhsNumber) problems.push(PROBLEMS.noNhsNumber);
  else if (!isValidNhsNumber(c.nhsNumber)) problems.push(PROBLEMS.invalidNhsNumber);
  if (!c.birthDate) problems.push(PROBLEMS.noBirthDate);
  return problems;
}

function rowOf(c: NationalHclCandidate & { nhsNumber: string; birthDate: string }, quarter: FinancialQuarter): NationalHclRow {
  const common = { nhsNumber: c.nhsNumber, dateOfBirth: c.birthDate, yearStartedPump: yearStartedPump(c.pumpStartYears) };
  if (c.kind === 'declined') {
    return { ...common, closedLoop: CLOSED_LOOP_CODES.offeredButDeclined, dateStartedClosedLoop: null, observationDate: c.declinedOn };
  }
  return {
    ...common,
    closedLoop: c.funding === 'nhs' ? CLOSED_LOOP_CODES.nhsFunded : CLOSED_LOOP_CODES.notNhsFunded,
    dateStartedClosedLoop: c.startedOn,
    observationDate: quarter.to,
  };
}

/**
 * The return's rows and problems from the quarter's candidates: one row per person, and a person the national
 * platform would refuse (no valid NHS number, no date of birth) listed under problems instead, once per reason,
 * so the service can put it right before the deadline. Rows are in NHS number order, problems in patient order.
 */
export function buildNationalHclReturn(
  candidates: readonly NationalHclCandidate[],
  quarter: FinancialQuarter,
): { rows: NationalHclRow[]; problems: NationalHclProblem[] } {
  const people = new Map<string, NationalHclCandidate>();
  for (const c of candidates) {
    const seen = people.get(c.patientId);
    people.set(c.patientId, seen ? preferred(seen, c, quarter) : c);
  }
  const rows: NationalHclRow[] = [];
  const problems: NationalHclProblem[] = [];
  for (const person of people.values()) {
    const reasons = problemsOf(person);
    if (reasons.length) {
      problems.push(...reasons.map((problem) => ({ patientId: person.patientId, nhsNumber: person.nhsNumber, problem })));
    } else {
      rows.push(rowOf(person as typeof person & { nhsNumber: string; birthDate: string }, quarter));
    }
  }
  rows.sort((a, b) => byCodePoint(a.nhsNumber, b.nhsNumber));
  problems.sort((a, b) => byCodePoint(a.patientId, b.patientId));
  return { rows, problems };
}
