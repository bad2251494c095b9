import { CASELOAD_COLUMNS, type CaseloadColumn, type CaseloadError, type CaseloadPerson, type CaseloadRow, type OnTherapyRow, type WaitingRow } from './caseload';
import { CASELOAD_LIMITS, moreProblems, newPatientErrors, peopleOf, type CaseloadPersonEntry, type CaseloadReading } from './caseload-file';
import { listOf } from './caseload-cells';
import { existingStartErrors } from './existing-therapy';
import { formatNhsNumber } from './nhs-number';
import type { ReferralStatus } from './pathway';
import type { DeviceKind, DiabetesType, EthnicCategory, ReferralOrigin, Sex, Therapy } from './vocabulary';

/**
 * A caseload file against what the product already holds (docs/api.md, "Bringing in a service's caseload"): who is
 * registered, and where; the records they have; the device catalogue. The reader (caseload-file.ts) has checked
 * each row and the rows against each other; this finds what only the database can tell, and says what applying
 * the file would write. The service gathers the holdings and writes the plan; check and apply share this one
 * judgement, so a file that checks clean applies the same way.
 */

/** A person in the file whom the product already holds, at this site or another. */
export interface RegisteredPerson {
  id: string;
  nhsNumber: string;
  siteId: string;
  /** The site's name when the caller may know it, else null: a site outside theirs is never named. */
  siteName: string | null;
  givenName: string;
  familyName: string;
  birthDate: string;
  sex: Sex;
  diabetesType: DiabetesType;
  ethnicCategory: EthnicCategory | null;
  postcode: string | null;
  imdDecile: number | null;
}

/** A pump or closed-loop record that a registered person already has, whatever its status. */
export interface HeldRecord {
  patientId: string;
  therapy: Therapy;
  status: ReferralStatus;
  origin: ReferralOrigin;
  receivedOn: string | null;
  /** What an existing-therapy record says of its start; null for a pathway referral. */
  startedOn: string | null;
  startedYear: number | null;
}

export interface CatalogueDevice {
  kind: DeviceKind;
  name: string;
}

/** What the product holds that the file is judged against. */
export interface CaseloadHoldings {
  siteId: string;
  /** The service's date: the latest date any record may hold. */
  today: string;
  /** Everyone in the file who is registered anywhere. */
  registered: readonly RegisteredPerson[];
  /** The records of those registered at this site. */
  records: readonly HeldRecord[];
  /** The active devices of the catalogue. */
  devices: readonly CatalogueDevice[];
  /** The earliest start year an existing-therapy record may have (as the single record's API allows). */
  earliestStartYear: number;
}

export interface CaseloadCounts {
  patients: { created: number; matched: number };
  existingTherapies: { created: number; alreadyRecorded: number };
  referrals: { created: number; alreadyRecorded: number };
}

/** A person the file registers: what a patient record needs, and the optional details the file gave. */
export type NewPatient = Required<Pick<CaseloadPerson, 'givenName' | 'familyName' | 'birthDate' | 'sex' | 'diabetesType'>> &
  Pick<CaseloadPerson, 'ethnicCategory' | 'postcode' | 'imdDecile'> & { nhsNumber: string };

export interface CaseloadPlan {
  /** Every problem the holdings reveal, by line and column. None means the file may be applied. */
  errors: CaseloadError[];
  counts: CaseloadCounts;
  newPatients: NewPatient[];
  /** Existing-therapy records to write, their devices named as the catalogue names them. */
  existingTherapies: OnTherapyRow[];
  /** Pathway referrals to write, awaiting assessment. */
  referrals: WaitingRow[];
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** 17 May 1990: a date as a message says it. */
export const dateInWords = (iso: string) => `${Number(iso.slice(8, 10))} ${MONTHS[Number(iso.slice(5, 7)) - 1]} ${iso.slice(0, 4)}`;

const THERAPY_WORDS: Record<Therapy, string> = { csii: 'an insulin pump (csii)', hcl: 'hybrid closed loop (hcl)' };
const KIND_WORDS: Record<DeviceKind, string> = { pump: 'pump', cgm: 'CGM', algorithm: 'algorithm' };
const A_KIND: Record<DeviceKind, string> = { pump: 'a pump', cgm: 'a CGM', algorithm: 'an algorithm' };

/** How a message names each detail of a person, and their column. */
const DETAILS: { key: keyof CaseloadPerson; column: CaseloadColumn; words: string }[] = [
  { key: 'givenName', column: 'given_name', words: 'given name' },
  { key: 'familyName', column: 'family_name', words: 'family name' },
  { key: 'birthDate', column: 'birth_date', words: 'date of birth' },
  { key: 'sex', column: 'sex', words: 'sex' },
  { key: 'diabetesType', column: 'diabetes_type', words: 'diabetes type' },
  { key: 'ethnicCategory', column: 'ethnic_category', words: 'ethnic category' },
  { key: 'postcode', column: 'postcode', words: 'postcode' },
  { key: 'imdDecile', column: 'imd_decile', words: 'IMD decile' },
];

// As the reader compares rows: "ADA" in a spreadsheet is the Ada on record.
const sameDetail = (key: keyof CaseloadPerson, given: unknown, stored: unknown) =>
  key === 'givenName' || key === 'familyName' ? String(given).toLowerCase() === String(stored).toLowerCase() : given === stored;

/**
 * A registered person's details as the file gives them: a blank cell keeps what is stored, and any other value
 * must be the stored one. An import never changes a registered person, so a difference is the file's problem to
 * put right (or the record's, by hand), named with what the record says.
 */
function differences(entry: CaseloadPersonEntry, stored: RegisteredPerson): CaseloadError[] {
  const errors: CaseloadError[] = [];
  for (const { key, column, words } of DETAILS) {
    const given = entry.person[key];
    const held = stored[key];
    if (given === undefined || sameDetail(key, given, held)) continue;
    const has = held === null ? `no ${words}` : `${words} ${key === 'birthDate' ? dateInWords(held as string) : held}`;
    errors.push({
      line: entry.lines[key] ?? entry.line,
      column,
      message: `${CASELOAD_COLUMNS[column]} differs from the registered record of NHS number ${formatNhsNumber(entry.nhsNumber)}, which has ${has}: an import never changes a registered person's details, so correct the cell or leave it blank`,
    });
  }
  return errors;
}

function elsewhere(entry: CaseloadPersonEntry, stored: RegisteredPerson): CaseloadError {
  const where = stored.siteName === null ? 'another site' : stored.siteName;
  return {
    line: entry.line,
    column: 'nhs_number',
    message: `NHS number ${formatNhsNumber(entry.nhsNumber)} is registered at ${where}, not at this site: remove the person's rows, or import them at their own site`,
  };
}

const normalName = (name: string) => name.replace(/\s+/g, ' ').trim().toLowerCase();

/**
 * The catalogue's devices by kind and name, found however the file capitalises or spaces them ("omnipod 5" is
 * the catalogue's "Omnipod 5"), each named as the catalogue names it.
 */
function catalogueOf(devices: readonly CatalogueDevice[]) {
  const byName = new Map<string, CatalogueDevice[]>();
  for (const device of devices) byName.set(normalName(device.name), [...(byName.get(normalName(device.name)) ?? []), device]);
  const namesOf = (kind: DeviceKind) => devices.filter((d) => d.kind === kind).map((d) => d.name).sort();
  return (kind: DeviceKind, name: string, line: number): { name: string } | { error: CaseloadError } => {
    const found = byName.get(normalName(name)) ?? [];
    const device = found.find((d) => d.kind === kind);
    if (device) return { name: device.name };
    const fail = (message: string) => ({ error: { line, column: kind, message } });
    const other = found[0];
    if (other) return fail(`${name} is ${A_KIND[other.kind]} in the device catalogue, not ${A_KIND[kind]}: check the columns`);
    const known = namesOf(kind);
    if (known.length === 0) return fail(`${name} is not in the device catalogue, which has no ${KIND_WORDS[kind]} yet: an administrator adds devices`);
    const some = known.length > 6 ? `such as ${listOf(known.slice(0, 6))}` : listOf(known);
    return fail(`${name} is not ${A_KIND[kind]} in the device catalogue: write it as the catalogue names it, ${some}`);
  };
}

/** What makes two starts the same: the date when known, else the year, else both unknown. */
const startOf = (r: { startedOn?: string | null; startedYear?: number | null }) => r.startedOn ?? r.startedYear ?? 'unknown';

const START_COLUMNS: Record<string, CaseloadColumn> = { startedOn: 'started_on', startedYear: 'started_year', knownOn: 'known_on' };

function onTherapyErrors(row: OnTherapyRow, birthDate: string | undefined, holdings: CaseloadHoldings): CaseloadError[] {
  const errors: CaseloadError[] = [];
  if (row.startedYear !== undefined && row.startedYear < holdings.earliestStartYear) {
    errors.push({ line: row.line, column: 'started_year', message: `Start year must be ${holdings.earliestStartYear} or later` });
  }
  // Against the date of birth on record, or given on another of the person's rows: a row's own is checked already.
  if (birthDate !== undefined) {
    for (const e of existingStartErrors(row, { today: holdings.today, birthDate })) {
      const message = e.message.endsWith('birth') ? `${e.message} (${dateInWords(birthDate)})` : e.message;
      errors.push({ line: row.line, column: START_COLUMNS[e.path] ?? null, message });
    }
  }
  return errors;
}

/**
 * What applying the rows would do, and every problem the holdings reveal, each at its line and column: people
 * registered elsewhere, details that differ from the record, details missing for a new person, devices not in the
 * catalogue, dates before the person's birth, two current records of one therapy. Rows already recorded are
 * counted, not written again, so applying a file twice writes it once. Counts cover the rows that would be written
 * once the problems are put right.
 */
export function planCaseload(rows: readonly CaseloadRow[], holdings: CaseloadHoldings): CaseloadPlan {
  const errors: CaseloadError[] = [];
  const counts: CaseloadCounts = {
    patients: { created: 0, matched: 0 },
    existingTherapies: { created: 0, alreadyRecorded: 0 },
    referrals: { created: 0, alreadyRecorded: 0 },
  };
  const registered = new Map(holdings.registered.map((p) => [p.nhsNumber, p]));
  const held = new Map<string, HeldRecord[]>();
  for (const record of holdings.records) held.set(record.patientId, [...(held.get(record.patientId) ?? []), record]);

  const people = peopleOf(rows);
  // People whose rows cannot be written whatever else is right: registered elsewhere, or too little to register.
  const refused = new Set<string>();
  const newPatients: NewPatient[] = [];
  for (const entry of people.values()) {
    const stored = registered.get(entry.nhsNumber);
    if (stored && stored.siteId !== holdings.siteId) {
      errors.push(elsewhere(entry, stored));
      refused.add(entry.nhsNumber);
    } else if (stored) {
      errors.push(...differences(entry, stored));
      counts.patients.matched++;
    } else {
      const missing = newPatientErrors(entry);
      if (missing.length > 0) {
        errors.push(...missing);
        refused.add(entry.nhsNumber);
      } else {
        newPatients.push({ ...(entry.person as Omit<NewPatient, 'nhsNumber'>), nhsNumber: entry.nhsNumber });
        counts.patients.created++;
      }
    }
  }

  const device = catalogueOf(holdings.devices);
  const existingTherapies: OnTherapyRow[] = [];
  const referrals: WaitingRow[] = [];
  // The line of the row that would create each person's current record of a therapy.
  const current = new Map<string, number>();
  for (const row of rows) {
    const stored = registered.get(row.nhsNumber);
    const birthDate = people.get(row.nhsNumber)!.person.birthDate ?? stored?.birthDate;
    const records = stored && stored.siteId === holdings.siteId ? (held.get(stored.id) ?? []) : [];
    const ofTherapy = records.filter((r) => r.therapy === row.therapy);

    if (row.record === 'on_therapy') {
      const rowErrors = onTherapyErrors(row, birthDate, holdings);
      const named = { pump: row.pump, cgm: row.cgm, algorithm: row.algorithm };
      for (const kind of ['pump', 'cgm', 'algorithm'] as const) {
        const name = row[kind];
        if (name === undefined) continue;
        const found = device(kind, name, row.line);
        if ('error' in found) rowErrors.push(found.error);
        else named[kind] = found.name;
      }
      errors.push(...rowErrors);
      if (rowErrors.length > 0 || refused.has(row.nhsNumber)) continue;
      if (ofTherapy.some((r) => r.status === 'on_therapy' || (r.origin === 'existing' && startOf(r) === startOf(row)))) {
        counts.existingTherapies.alreadyRecorded++;
        continue;
      }
      const key = `${row.nhsNumber} ${row.therapy}`;
      const first = current.get(key);
      if (first !== undefined) {
        errors.push({
          line: row.line,
          column: null,
          message: `This row and line ${first} both say NHS number ${formatNhsNumber(row.nhsNumber)} is on ${THERAPY_WORDS[row.therapy]} now, from different starts: a person has one current record of a therapy, so keep one of the two rows`,
        });
        continue;
      }
      current.set(key, row.line);
      existingTherapies.push({ ...row, ...Object.fromEntries(Object.entries(named).filter(([, v]) => v !== undefined)) });
      counts.existingTherapies.created++;
    } else {
      if (birthDate !== undefined && row.receivedOn < birthDate) {
        errors.push({ line: row.line, column: 'received_on', message: `Date received cannot be before the date of birth (${dateInWords(birthDate)})` });
        continue;
      }
      if (refused.has(row.nhsNumber)) continue;
      if (ofTherapy.some((r) => r.receivedOn === row.receivedOn)) {
        counts.referrals.alreadyRecorded++;
        continue;
      }
      referrals.push(row);
      counts.referrals.created++;
    }
  }
  return { errors, counts, newPatients, existingTherapies, referrals };
}

/**
 * The report's problems: the reader's and the plan's together, in the order of the file (problems of the whole file
 * first), listed up to the limit and the rest counted. A problem that stopped the reader is always listed, as the
 * reader lists it.
 */
export function problemsOf(reading: Pick<CaseloadReading, 'errors' | 'unlisted'>, planned: readonly CaseloadError[], maxErrors = CASELOAD_LIMITS.maxErrors): CaseloadError[] {
  // The reader's last entry counts what it left unlisted: it is counted again below, with the rest.
  const read = reading.unlisted > 0 ? reading.errors.slice(0, -1) : reading.errors;
  const room = Math.max(0, maxErrors - read.length);
  const listed = [...read, ...planned.slice(0, room)];
  const unlisted = reading.unlisted + Math.max(0, planned.length - room);
  // Stable: problems on one line keep the order they were found in.
  listed.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return unlisted > 0 ? [...listed, moreProblems(unlisted)] : listed;
}
