import { describe, expect, it } from 'vitest';
import type { CaseloadRow, OnTherapyRow, WaitingRow } from './caseload';
import { dateInWords, planCaseload, problemsOf, type CaseloadHoldings, type HeldRecord, type RegisteredPerson } from './caseload-import';

const TODAY = '2026-03-31';
const SITE = 'site-here';
const ADA = '9434765919';
const BOB = '9990000018';

const adaOnHcl: OnTherapyRow = {
  line: 2,
  nhsNumber: ADA,
  person: { givenName: 'Ada', familyName: 'Lovelace', birthDate: '1990-05-17', sex: 'female', diabetesType: 'type1' },
  record: 'on_therapy',
  therapy: 'hcl',
  startedOn: '2024-06-01',
  knownOn: TODAY,
  pump: 'Omnipod 5',
  funding: 'nhs',
};
const bobWaiting: WaitingRow = {
  line: 3,
  nhsNumber: BOB,
  person: { givenName: 'Bob', familyName: 'Jones', birthDate: '1985-01-01', sex: 'male', diabetesType: 'type1' },
  record: 'waiting',
  therapy: 'csii',
  receivedOn: '2026-02-01',
  source: 'gp',
};

const adaRegistered: RegisteredPerson = {
  id: 'patient-ada',
  nhsNumber: ADA,
  siteId: SITE,
  siteName: 'Riverside',
  givenName: 'Ada',
  familyName: 'Lovelace',
  birthDate: '1990-05-17',
  sex: 'female',
  diabetesType: 'type1',
  ethnicCategory: null,
  postcode: null,
  imdDecile: null,
};

const holdings = (over: Partial<CaseloadHoldings> = {}): CaseloadHoldings => ({
  siteId: SITE,
  today: TODAY,
  registered: [],
  records: [],
  devices: [
    { kind: 'pump', name: 'Omnipod 5' },
    { kind: 'pump', name: 'Tandem t:slim X2' },
    { kind: 'cgm', name: 'Dexcom G6' },
    { kind: 'algorithm', name: 'SmartAdjust' },
  ],
  earliestStartYear: 1970,
  ...over,
});

const plan = (rows: CaseloadRow[], over: Partial<CaseloadHoldings> = {}) => planCaseload(rows, holdings(over));
const errorsOf = (rows: CaseloadRow[], over: Partial<CaseloadHoldings> = {}) => plan(rows, over).errors;

const existingRecord = (over: Partial<HeldRecord> = {}): HeldRecord => ({
  patientId: adaRegistered.id,
  therapy: 'hcl',
  status: 'on_therapy',
  origin: 'existing',
  receivedOn: null,
  startedOn: '2024-06-01',
  startedYear: null,
  ...over,
});

describe('people not yet registered', () => {
  it('are registered from the file, once each however many rows they have', () => {
    const result = plan([adaOnHcl, { ...bobWaiting, nhsNumber: ADA, person: {}, line: 3 }, bobWaiting]);
    expect(result.errors).toEqual([]);
    expect(result.newPatients.map((p) => p.nhsNumber)).toEqual([ADA, BOB]);
    expect(result.newPatients[0]).toEqual({ nhsNumber: ADA, ...adaOnHcl.person });
    expect(result.counts).toEqual({
      patients: { created: 2, matched: 0 },
      existingTherapies: { created: 1, alreadyRecorded: 0 },
      referrals: { created: 2, alreadyRecorded: 0 },
    });
  });

  it('need a name, date of birth, sex and diabetes type, and nothing of theirs is written without them', () => {
    const result = plan([{ ...adaOnHcl, person: { givenName: 'Ada' } }]);
    expect(result.errors.map((e) => [e.line, e.column])).toEqual([
      [2, 'family_name'],
      [2, 'birth_date'],
      [2, 'sex'],
      [2, 'diabetes_type'],
    ]);
    expect([result.newPatients, result.existingTherapies]).toEqual([[], []]);
  });
});

describe('people already registered at the site', () => {
  it('are matched by NHS number, a blank cell keeping what is stored', () => {
    const result = plan([{ ...adaOnHcl, person: {} }], { registered: [adaRegistered] });
    expect(result.errors).toEqual([]);
    expect(result.counts.patients).toEqual({ created: 0, matched: 1 });
    expect(result.newPatients).toEqual([]);
  });

  it('match a name whatever its capitals', () => {
    expect(errorsOf([{ ...adaOnHcl, person: { givenName: 'ADA', familyName: 'lovelace' } }], { registered: [adaRegistered] })).toEqual([]);
  });

  it('are never changed: a cell that differs from the record is a problem naming what the record says', () => {
    const row = { ...adaOnHcl, person: { ...adaOnHcl.person, birthDate: '1990-05-18', postcode: 'LS1 4AP' } };
    expect(errorsOf([row], { registered: [{ ...adaRegistered, imdDecile: 3 }] })).toEqual([
      {
        line: 2,
        column: 'birth_date',
        message:
          "Date of birth differs from the registered record of NHS number 943 476 5919, which has date of birth 17 May 1990: an import never changes a registered person's details, so correct the cell or leave it blank",
      },
      {
        line: 2,
        column: 'postcode',
        message:
          "Postcode differs from the registered record of NHS number 943 476 5919, which has no postcode: an import never changes a registered person's details, so correct the cell or leave it blank",
      },
    ]);
  });

  it('are checked against the date of birth on record', () => {
    const row: WaitingRow = { ...bobWaiting, nhsNumber: ADA, person: {}, receivedOn: '1989-01-01' };
    expect(errorsOf([row], { registered: [adaRegistered] })).toEqual([
      { line: 3, column: 'received_on', message: 'Date received cannot be before the date of birth (17 May 1990)' },
    ]);
  });
});

describe('people registered at another site', () => {
  it('are refused, the site named when the caller may see it', () => {
    const there = { ...adaRegistered, siteId: 'site-there', siteName: 'Hilltop' };
    const result = plan([adaOnHcl], { registered: [there] });
    expect(result.errors).toEqual([
      {
        line: 2,
        column: 'nhs_number',
        message: 'NHS number 943 476 5919 is registered at Hilltop, not at this site: remove the person\'s rows, or import them at their own site',
      },
    ]);
    expect(result.counts.existingTherapies.created).toBe(0);
  });

  it('are refused without naming a site the caller cannot see', () => {
    const [error] = errorsOf([adaOnHcl], { registered: [{ ...adaRegistered, siteId: 'site-there', siteName: null }] });
    expect(error!.message).toMatch(/^NHS number 943 476 5919 is registered at another site, not at this site/);
  });
});

describe('devices', () => {
  it('must be active catalogue devices, found whatever their capitals, and are recorded as the catalogue names them', () => {
    const result = plan([{ ...adaOnHcl, pump: 'omnipod  5', cgm: 'DEXCOM G6', algorithm: 'SmartAdjust' }]);
    expect(result.errors).toEqual([]);
    expect(result.existingTherapies[0]).toMatchObject({ pump: 'Omnipod 5', cgm: 'Dexcom G6', algorithm: 'SmartAdjust' });
  });

  it('not in the catalogue are refused at their cell, naming what the catalogue has', () => {
    expect(errorsOf([{ ...adaOnHcl, pump: 'Omnipod', cgm: 'Omnipod 5' }])).toEqual([
      { line: 2, column: 'pump', message: 'Omnipod is not a pump in the device catalogue: write it as the catalogue names it, Omnipod 5 or Tandem t:slim X2' },
      { line: 2, column: 'cgm', message: 'Omnipod 5 is a pump in the device catalogue, not a CGM: check the columns' },
    ]);
  });
});

describe('existing-therapy dates', () => {
  it('cannot be before the date of birth given on another row of the person', () => {
    const later: OnTherapyRow = { ...adaOnHcl, line: 3, person: {}, therapy: 'csii', startedOn: '1989-01-01', pump: 'Tandem t:slim X2' };
    expect(errorsOf([adaOnHcl, later])).toEqual([
      { line: 3, column: 'started_on', message: 'The start cannot be before the date of birth (17 May 1990)' },
    ]);
  });

  it('have a start year no earlier than the API allows', () => {
    const { startedOn: _startedOn, ...unknownDay } = adaOnHcl;
    expect(errorsOf([{ ...unknownDay, person: {}, startedYear: 1965 }], { registered: [{ ...adaRegistered, birthDate: '1950-01-01' }] })).toEqual([
      { line: 2, column: 'started_year', message: 'Start year must be 1970 or later' },
    ]);
  });
});

describe('what is already recorded', () => {
  const registered = [adaRegistered];

  it('is an on-therapy row whose person has an existing record of that therapy from the same start', () => {
    const records = [existingRecord({ status: 'discontinued' })];
    const result = plan([adaOnHcl], { registered, records });
    expect(result.counts.existingTherapies).toEqual({ created: 0, alreadyRecorded: 1 });
    expect(result.existingTherapies).toEqual([]);
  });

  it('takes a start known by its year alone, or not at all, as the same when the record says the same', () => {
    const { startedOn: _startedOn, ...withoutDay } = adaOnHcl;
    const byYear = plan([{ ...withoutDay, startedYear: 2019 }], { registered, records: [existingRecord({ status: 'discontinued', startedOn: null, startedYear: 2019 })] });
    expect(byYear.counts.existingTherapies.alreadyRecorded).toBe(1);
    const unknown = plan([withoutDay], { registered, records: [existingRecord({ status: 'discontinued', startedOn: null })] });
    expect(unknown.counts.existingTherapies.alreadyRecorded).toBe(1);
  });

  it('is an on-therapy row whose person is on that therapy now, through the pathway or not', () => {
    const records = [existingRecord({ origin: 'pathway', startedOn: null, receivedOn: '2023-01-01' })];
    expect(plan([adaOnHcl], { registered, records }).counts.existingTherapies).toEqual({ created: 0, alreadyRecorded: 1 });
  });

  it('is not a record of another therapy, nor one from another start that has ended', () => {
    const records = [existingRecord({ therapy: 'csii' }), existingRecord({ status: 'discontinued', startedOn: '2020-01-01' })];
    expect(plan([adaOnHcl], { registered, records }).counts.existingTherapies).toEqual({ created: 1, alreadyRecorded: 0 });
  });

  it('is a waiting row whose person has a referral of that therapy received that day', () => {
    const row: WaitingRow = { ...bobWaiting, nhsNumber: ADA, person: {} };
    const records = [existingRecord({ therapy: 'csii', origin: 'pathway', status: 'awaiting_assessment', receivedOn: row.receivedOn, startedOn: null })];
    expect(plan([row], { registered, records }).counts.referrals).toEqual({ created: 0, alreadyRecorded: 1 });
    expect(plan([{ ...row, receivedOn: '2026-02-02' }], { registered, records }).counts.referrals).toEqual({ created: 1, alreadyRecorded: 0 });
  });
});

describe('rows against each other', () => {
  it('refuses two rows that would both make a current record of one therapy for one person', () => {
    const again: OnTherapyRow = { ...adaOnHcl, line: 5, person: {}, startedOn: '2025-01-01' };
    expect(errorsOf([adaOnHcl, again])).toEqual([
      {
        line: 5,
        column: null,
        message:
          'This row and line 2 both say NHS number 943 476 5919 is on hybrid closed loop (hcl) now, from different starts: a person has one current record of a therapy, so keep one of the two rows',
      },
    ]);
  });

  it('takes one therapy already recorded and another row of it from a new start as one record to make', () => {
    const records = [existingRecord({ status: 'discontinued' })];
    const again: OnTherapyRow = { ...adaOnHcl, line: 5, person: {}, startedOn: '2025-01-01' };
    const result = plan([adaOnHcl, again], { registered: [adaRegistered], records });
    expect(result.errors).toEqual([]);
    expect(result.counts.existingTherapies).toEqual({ created: 1, alreadyRecorded: 1 });
  });
});

describe("the report's problems", () => {
  it('are the reader\'s and the plan\'s in the order of the file, problems of the whole file first', () => {
    const reading = { errors: [{ line: 4, column: 'sex', message: 'a' }], unlisted: 0 };
    const planned = [{ line: 2, column: 'pump', message: 'b' }, { line: null, column: null, message: 'c' }, { line: 4, column: 'pump', message: 'd' }];
    expect(problemsOf(reading, planned).map((e) => e.message)).toEqual(['c', 'b', 'a', 'd']);
  });

  it('are listed up to the limit, the rest counted once at the end', () => {
    const reading = { errors: [{ line: 2, column: null, message: 'a' }, { line: 3, column: null, message: 'b' }, { line: null, column: null, message: 'And 4 more problems' }], unlisted: 4 };
    const planned = [{ line: 5, column: null, message: 'c' }, { line: 6, column: null, message: 'd' }];
    expect(problemsOf(reading, planned, 3).map((e) => [e.line, e.message])).toEqual([
      [2, 'a'],
      [3, 'b'],
      [5, 'c'],
      [null, 'And 5 more problems: correct these and check the file again'],
    ]);
  });
});

it('says dates in words', () => {
  expect([dateInWords('1990-05-17'), dateInWords('2026-01-01')]).toEqual(['17 May 1990', '1 January 2026']);
});
