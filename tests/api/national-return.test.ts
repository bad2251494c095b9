import { describe, expect, it } from 'vitest';
import { PROBLEMS } from '../../src/lib/domain/national-return';
import { patients } from '../../src/lib/server/db/schema';
import { createTestApp } from '../support/app';
import { ASSESS_ELIGIBLE, nextNhsNumber, pathwayClient } from '../support/pathway';

const t = await createTestApp();
const site = await t.site('NDA01');
const elsewhere = await t.site('NDA02');
const nurse = await t.as('nurse', [site.id]);
const consultant = await t.as('consultant', [site.id]);
const admin = await t.as('admin');
const asNurse = pathwayClient(t, nurse.cookie);
const asConsultant = pathwayClient(t, consultant.cookie);
const asAdmin = pathwayClient(t, admin.cookie);

// 2025-Q4 is 1 January to 31 March 2026.
const Q4 = '2025-Q4';
const ret = (quarter = Q4, siteId = site.id) => asAdmin.call('GET', `/api/v1/exports/national-hcl?siteId=${siteId}&quarter=${quarter}`);

const ok = async (res: Promise<{ status: number; body: any }>) => {
  const r = await res;
  if (r.status !== 201) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
  return r.body as { id: string; version: number };
};

/** Takes a referral from its arrival to a device start on `startedOn`, through the API, as the site's clinicians. */
async function startDevice(patientId: string, therapy: 'csii' | 'hcl', receivedOn: string, startedOn: string, clinic = { asNurse, asConsultant }) {
  const { asNurse, asConsultant } = clinic;
  let r: { id: string; version: number } = await asNurse.refer(patientId, { therapy, receivedOn });
  r = await ok(asConsultant.event(r.id, { ...ASSESS_ELIGIBLE, assessedOn: receivedOn, rationale: 'Agreed at clinic', version: r.version }));
  r = await ok(asNurse.event(r.id, { type: 'funding_requested', version: r.version, submittedOn: receivedOn, commissioner: 'NHS Test ICB', route: 'routine' }));
  r = await ok(asNurse.event(r.id, { type: 'funding_decision', version: r.version, decidedOn: receivedOn, outcome: 'approved' }));
  return ok(asNurse.event(r.id, { type: 'device_started', version: r.version, startedOn, pump: 'Tandem t:slim X2', cgm: 'Dexcom G7', algorithm: 'Control-IQ' }));
}

/** A patient of the site started on HCL, and discontinued on `discontinuedOn` when given. */
async function onHcl(startedOn: string, discontinuedOn?: string, patient?: { id: string; nhsNumber: string | null }) {
  const p = patient ?? (await asNurse.createPatient(site.id));
  const r = await startDevice(p.id, 'hcl', '2025-01-06', startedOn);
  if (discontinuedOn) await ok(asConsultant.event(r.id, { type: 'review', version: r.version, reviewedOn: discontinuedOn, decision: 'discontinue', reason: 'Stopped' }));
  return p;
}

/** A patient of the site who declined HCL on `on` (or withdrew for another reason). */
async function declined(on: string, reason = 'patient_declined', patient?: { id: string; nhsNumber: string }) {
  const p = patient ?? (await asNurse.createPatient(site.id));
  const r = await asNurse.refer(p.id, { therapy: 'hcl', receivedOn: '2025-11-03' });
  await ok(asNurse.event(r.id, { type: 'withdrawn', version: r.version, on, reason }));
  return p;
}

/** A patient stored as an import from a FHIR server may have no NHS number, or one that is not valid. */
async function storedPatient(nhsNumber: string | null) {
  const [p] = await t.database.db
    .insert(patients)
    .values({ siteId: site.id, nhsNumber, givenName: 'No', familyName: 'Number', birthDate: '1985-02-03', sex: 'male', diabetesType: 'type1' })
    .returning();
  return { id: p!.id, nhsNumber: p!.nhsNumber };
}

const rowOf = (body: { rows: { nhsNumber: string }[] }, nhsNumber: string | null) => body.rows.find((r) => r.nhsNumber === nhsNumber);

// The people, recorded once; each test reads the return for what it is about.
const startedOnLastDay = await onHcl('2026-03-31');
const startedAfterQuarter = await onHcl('2026-04-01');
const stoppedDayBeforeStart = await onHcl('2025-06-01', '2025-12-31');
const stoppedOnFirstDay = await onHcl('2025-06-01', '2026-01-01');
const stoppedInside = await onHcl('2025-06-01', '2026-02-15');
const declinedInside = await declined('2026-02-14');
const declinedBefore = await declined('2025-12-31');
const movedAway = await declined('2026-02-14', 'did_not_attend');
const declinedThenStarted = await declined('2026-01-20');
await onHcl('2025-09-01', undefined, declinedThenStarted);
const pumpSince2019 = await asNurse.createPatient(site.id);
await startDevice(pumpSince2019.id, 'csii', '2019-02-01', '2019-03-01');
await onHcl('2025-09-01', undefined, pumpSince2019);
const withoutNhsNumber = await onHcl('2025-10-01', undefined, await storedPatient(null));
const formulaNhsNumber = await onHcl('2025-10-01', undefined, await storedPatient('=HYPERLINK("http://x")'));
const otherSite = pathwayClient(t, (await t.as('nurse', [elsewhere.id])).cookie);
const otherClinic = { asNurse: otherSite, asConsultant: pathwayClient(t, (await t.as('consultant', [elsewhere.id])).cookie) };
await startDevice((await otherSite.createPatient(elsewhere.id)).id, 'hcl', '2025-01-06', '2025-06-01', otherClinic);

describe('who is in the national HCL return', () => {
  it('answers the site, the quarter and its days', async () => {
    const res = await ret();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ siteId: site.id, quarter: Q4, from: '2026-01-01', to: '2026-03-31' });
  });

  it('has a person who started HCL on the quarter\'s last day, and not one who started the day after', async () => {
    const { body } = await ret();
    expect(rowOf(body, startedOnLastDay.nhsNumber)).toEqual({
      nhsNumber: startedOnLastDay.nhsNumber,
      dateOfBirth: '1990-05-17',
      closedLoop: '01',
      dateStartedClosedLoop: '2026-03-31',
      observationDate: '2026-03-31',
      yearStartedPump: 2026,
    });
    expect(rowOf(body, startedAfterQuarter.nhsNumber)).toBeUndefined();
  });

  it('leaves out a person who stopped the day before the quarter, and keeps those who stopped on its first day or inside it', async () => {
    const { body } = await ret();
    expect(rowOf(body, stoppedDayBeforeStart.nhsNumber)).toBeUndefined();
    expect(rowOf(body, stoppedOnFirstDay.nhsNumber)).toMatchObject({ closedLoop: '01', dateStartedClosedLoop: '2025-06-01' });
    expect(rowOf(body, stoppedInside.nhsNumber)).toMatchObject({ closedLoop: '01', observationDate: '2026-03-31' });
  });

  it('reports a decline inside the quarter as 04, observed on the day of the withdrawal', async () => {
    const { body } = await ret();
    expect(rowOf(body, declinedInside.nhsNumber)).toEqual({
      nhsNumber: declinedInside.nhsNumber,
      dateOfBirth: '1990-05-17',
      closedLoop: '04',
      dateStartedClosedLoop: null,
      observationDate: '2026-02-14',
      yearStartedPump: 1910,
    });
  });

  it('leaves out a decline before the quarter and a withdrawal for another reason', async () => {
    const { body } = await ret();
    expect(rowOf(body, declinedBefore.nhsNumber)).toBeUndefined();
    expect(rowOf(body, movedAway.nhsNumber)).toBeUndefined();
    // The quarter before has the decline on its last day.
    expect(rowOf((await ret('2025-Q3')).body, declinedBefore.nhsNumber)).toMatchObject({ closedLoop: '04', observationDate: '2025-12-31' });
  });

  it('has one row per person, preferring being on HCL to a decline', async () => {
    const { body } = await ret();
    expect(body.rows.filter((r: { nhsNumber: string }) => r.nhsNumber === declinedThenStarted.nhsNumber)).toEqual([
      expect.objectContaining({ closedLoop: '01', dateStartedClosedLoop: '2025-09-01' }),
    ]);
  });

  it('gives the year of the person\'s earliest pump start, an insulin pump included', async () => {
    expect(rowOf((await ret()).body, pumpSince2019.nhsNumber)).toMatchObject({ yearStartedPump: 2019, dateStartedClosedLoop: '2025-09-01' });
  });

  it('keeps Q4 inside January to March of the next calendar year', async () => {
    const q3 = (await ret('2025-Q3')).body;
    expect(q3).toMatchObject({ from: '2025-10-01', to: '2025-12-31' });
    expect(rowOf(q3, startedOnLastDay.nhsNumber)).toBeUndefined();
    expect(rowOf(q3, stoppedDayBeforeStart.nhsNumber)).toMatchObject({ observationDate: '2025-12-31' });
    expect(rowOf((await ret('2026-Q1')).body, startedAfterQuarter.nhsNumber)).toMatchObject({ observationDate: '2026-06-30' });
  });

  it('lists a person without a valid NHS number under problems, not rows', async () => {
    const { body } = await ret();
    expect(body.problems).toEqual(
      expect.arrayContaining([
        { patientId: withoutNhsNumber.id, nhsNumber: null, problem: PROBLEMS.noNhsNumber },
        { patientId: formulaNhsNumber.id, nhsNumber: formulaNhsNumber.nhsNumber, problem: PROBLEMS.invalidNhsNumber },
      ]),
    );
    expect(body.problems).toHaveLength(2);
    expect(rowOf(body, null)).toBeUndefined();
    expect(rowOf(body, formulaNhsNumber.nhsNumber)).toBeUndefined();
  });

  it('has exactly these people, and never another site\'s patients', async () => {
    const { body } = await ret();
    const expected = [startedOnLastDay, stoppedOnFirstDay, stoppedInside, declinedInside, declinedThenStarted, pumpSince2019].map((p) => p.nhsNumber);
    expect(body.rows.map((r: { nhsNumber: string }) => r.nhsNumber)).toEqual(expected.sort());
    expect((await ret(Q4, elsewhere.id)).body.rows).toHaveLength(1);
  });
});

// People already on closed loop or a pump before the service used the product, at a site of their own so that the
// people above stay as they are.
const site3 = await t.site('NDA03');
const clinic3 = {
  asNurse: pathwayClient(t, (await t.as('nurse', [site3.id])).cookie),
  asConsultant: pathwayClient(t, (await t.as('consultant', [site3.id])).cookie),
};
const nurse3 = clinic3.asNurse;
const HCL = { therapy: 'hcl', pump: 'Medtronic MiniMed 780G', cgm: 'Guardian 4', algorithm: 'SmartGuard', knownOn: '2025-06-01' };

/** A patient of the third site with an existing record (closed loop unless told otherwise). */
async function existing(over: Record<string, unknown>, patient?: { id: string; nhsNumber: string | null }) {
  const p = patient ?? (await nurse3.createPatient(site3.id));
  const r = await nurse3.existing(p.id, { ...HCL, startedOn: undefined, ...over });
  return { ...p, record: r };
}
const stop = async (r: { id: string; version: number }, on: string) =>
  ok(clinic3.asConsultant.event(r.id, { type: 'review', version: r.version, reviewedOn: on, decision: 'discontinue', reason: 'Stopped' }));
const ret3 = (quarter = Q4) => ret(quarter, site3.id);

const nhsFunded = await existing({ startedOn: '2023-05-10', funding: 'nhs' });
const selfFunded = await existing({ startedOn: '2024-02-01', funding: 'non_nhs' });
const yearOnly = await existing({ startedYear: 2022, knownOn: '2025-12-01' });
const unknownStart = await existing({ knownOn: '2026-02-01' });
const knownAfterQuarter = await existing({ knownOn: '2026-04-10' });
const existingStoppedBefore = await existing({ startedOn: '2022-01-01' });
await stop(existingStoppedBefore.record, '2025-12-31');
const existingStoppedOnFirstDay = await existing({ startedOn: '2022-01-01' });
await stop(existingStoppedOnFirstDay.record, '2026-01-01');
// A pump since 2014, then closed loop through the pathway: the pump record is switched, and its year stays.
const switched = await existing({ therapy: 'csii', pump: 'Tandem t:slim X2', cgm: undefined, algorithm: undefined, startedOn: '2014-06-01' });
await startDevice(switched.id, 'hcl', '2025-07-01', '2025-10-01', clinic3);
const switchedUnknownPump = await existing({ therapy: 'csii', pump: 'Dana-i', cgm: undefined, algorithm: undefined });
await startDevice(switchedUnknownPump.id, 'hcl', '2025-07-01', '2025-10-01', clinic3);
// Self-funded closed loop since 2021, stopped in January, then NHS-funded closed loop through the pathway.
const both = await existing({ startedOn: '2021-03-01', funding: 'non_nhs' });
await stop(both.record, '2026-01-20');
await startDevice(both.id, 'hcl', '2025-07-01', '2026-02-20', clinic3);

describe('people already on closed loop or a pump before the service used the product', () => {
  it('reports an NHS-funded existing record as 01 and a self-funded one as 02, each with its start date and year', async () => {
    const { body } = await ret3();
    expect(rowOf(body, nhsFunded.nhsNumber)).toEqual({
      nhsNumber: nhsFunded.nhsNumber,
      dateOfBirth: '1990-05-17',
      closedLoop: '01',
      dateStartedClosedLoop: '2023-05-10',
      observationDate: '2026-03-31',
      yearStartedPump: 2023,
    });
    expect(rowOf(body, selfFunded.nhsNumber)).toMatchObject({ closedLoop: '02', dateStartedClosedLoop: '2024-02-01', yearStartedPump: 2024 });
  });

  it('leaves the start date blank for a record known only by its year, and gives that year', async () => {
    expect(rowOf((await ret3()).body, yearOnly.nhsNumber)).toMatchObject({ closedLoop: '01', dateStartedClosedLoop: null, yearStartedPump: 2022 });
  });

  it('gives 1910 and a blank date for a record whose start is not known, counted from the day it was known', async () => {
    expect(rowOf((await ret3()).body, unknownStart.nhsNumber)).toMatchObject({ dateStartedClosedLoop: null, yearStartedPump: 1910 });
    expect(rowOf((await ret3()).body, knownAfterQuarter.nhsNumber)).toBeUndefined();
    expect(rowOf((await ret3('2026-Q1')).body, knownAfterQuarter.nhsNumber)).toMatchObject({ dateStartedClosedLoop: null, yearStartedPump: 1910 });
  });

  it('leaves out an existing record discontinued the day before the quarter, and keeps one discontinued on its first day', async () => {
    const { body } = await ret3();
    expect(rowOf(body, existingStoppedBefore.nhsNumber)).toBeUndefined();
    expect(rowOf(body, existingStoppedOnFirstDay.nhsNumber)).toMatchObject({ closedLoop: '01', dateStartedClosedLoop: '2022-01-01', yearStartedPump: 2022 });
  });

  it('gives a person who switched from a pump to closed loop the year of the pump, or 1910 when the pump\'s start is not known', async () => {
    const { body } = await ret3();
    expect(rowOf(body, switched.nhsNumber)).toMatchObject({ closedLoop: '01', dateStartedClosedLoop: '2025-10-01', yearStartedPump: 2014 });
    expect(rowOf(body, switchedUnknownPump.nhsNumber)).toMatchObject({ closedLoop: '01', dateStartedClosedLoop: '2025-10-01', yearStartedPump: 1910 });
    const pump = await nurse3.call('GET', `/api/v1/referrals/${switched.record.id}`);
    expect(pump.body.status).toBe('switched');
  });

  it('has one row for a person with both an existing and a pathway record: the one going at the quarter\'s end', async () => {
    const q4 = (await ret3()).body;
    expect(q4.rows.filter((r: { nhsNumber: string }) => r.nhsNumber === both.nhsNumber)).toEqual([
      expect.objectContaining({ closedLoop: '01', dateStartedClosedLoop: '2026-02-20', yearStartedPump: 2021 }),
    ]);
    // The quarter before, only the self-funded record had begun.
    expect(rowOf((await ret3('2025-Q3')).body, both.nhsNumber)).toMatchObject({ closedLoop: '02', dateStartedClosedLoop: '2021-03-01', yearStartedPump: 2021 });
  });

  it('has exactly these people', async () => {
    const { body } = await ret3();
    const expected = [nhsFunded, selfFunded, yearOnly, unknownStart, existingStoppedOnFirstDay, switched, switchedUnknownPump, both].map((p) => p.nhsNumber);
    expect(body.rows.map((r: { nhsNumber: string }) => r.nhsNumber)).toEqual(expected.sort());
    expect(body.problems).toEqual([]);
  });
});

describe('the file to upload', () => {
  it('is the rows as CSV under the national headings, named for the site and quarter', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/exports/national-hcl.csv?siteId=${site.id}&quarter=${Q4}`, headers: { cookie: nurse.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="nda-hcl-NDA01-2025-Q4.csv"');
    const lines = res.body.trimEnd().split('\n');
    expect(lines[0]).toBe('NHS_NUMBER,DATE_OF_BIRTH,CLOSED_LOOP,DATE_STARTED_CLOSED_LOOP,OBSERVATION_DATE,YEAR_STARTED_PUMP');
    expect(lines).toContain(`${declinedInside.nhsNumber},1990-05-17,04,,2026-02-14,1910`);
    expect(lines).toContain(`${startedOnLastDay.nhsNumber},1990-05-17,01,2026-03-31,2026-03-31,2026`);
    expect(lines).toHaveLength(1 + 6);
  });

  it('never carries a cell a spreadsheet would run as a formula', async () => {
    const res = await asNurse.call('GET', `/api/v1/exports/national-hcl?siteId=${site.id}&quarter=${Q4}`);
    expect(res.body.problems.map((p: { nhsNumber: string }) => p.nhsNumber)).toContain('=HYPERLINK("http://x")');
    const csv = (await t.app.inject({ method: 'GET', url: `/api/v1/exports/national-hcl.csv?siteId=${site.id}&quarter=${Q4}`, headers: { cookie: nurse.cookie } })).body;
    expect(csv.split('\n').some((line) => /(^|,)"?[=+\-@]/.test(line))).toBe(false);
  });
});

describe('auditing the export', () => {
  it('records each export, JSON and CSV, with the site, quarter and row count', async () => {
    await asConsultant.call('GET', `/api/v1/exports/national-hcl?siteId=${site.id}&quarter=2025-Q2`);
    await t.app.inject({ method: 'GET', url: `/api/v1/exports/national-hcl.csv?siteId=${site.id}&quarter=2025-Q2`, headers: { cookie: consultant.cookie } });
    const trail = await asAdmin.call('GET', `/api/v1/audit?actorId=${consultant.user.id}`);
    const exports = trail.body.items.filter((e: { action: string }) => e.action === 'export.national_hcl');
    expect(exports).toEqual([
      expect.objectContaining({ entityType: 'site', entityId: site.id, actorRole: 'consultant', after: { siteId: site.id, quarter: '2025-Q2', format: 'csv', rowCount: 5, problemCount: 0 } }),
      expect.objectContaining({ after: expect.objectContaining({ format: 'json', rowCount: 5 }) }),
    ]);
  });
});

describe('who may export', () => {
  const url = `/api/v1/exports/national-hcl?siteId=${site.id}&quarter=${Q4}`;

  it.each([
    ['an admin', () => admin.cookie, 200],
    ['a nurse of the site', () => nurse.cookie, 200],
    ['a consultant of the site', () => consultant.cookie, 200],
  ])('lets %s', async (_who, cookie, status) => {
    expect((await t.app.inject({ method: 'GET', url, headers: { cookie: cookie() } })).statusCode).toBe(status);
  });

  it('answers a commissioner 403, for the file too', async () => {
    const { cookie } = await t.as('commissioner');
    expect((await t.app.inject({ method: 'GET', url, headers: { cookie } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: url.replace('national-hcl', 'national-hcl.csv'), headers: { cookie } })).statusCode).toBe(403);
  });

  it('answers a nurse of another site 404, as if the site did not exist, and audits nothing', async () => {
    const before = (await asAdmin.call('GET', '/api/v1/audit?limit=500')).body.items.length;
    const res = await otherSite.call('GET', url);
    expect(res.status).toBe(404);
    expect((await asAdmin.call('GET', '/api/v1/audit?limit=500')).body.items.length).toBe(before);
  });

  it('answers 404 for a site that does not exist', async () => {
    expect((await ret(Q4, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('answers 401 when not signed in', async () => {
    expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(401);
  });
});

describe('a bad query', () => {
  it.each([
    [`siteId=${'x'}&quarter=2025-Q4`, ['siteId']],
    ['quarter=2025-Q4', ['siteId']],
    [`siteId=SITE&quarter=2025-Q5`, ['quarter']],
    [`siteId=SITE&quarter=2025Q1`, ['quarter']],
    [`siteId=SITE`, ['quarter']],
    [`quarter=25-Q1`, ['quarter', 'siteId']],
  ])('%s is a 400 naming %j', async (query, paths) => {
    const res = await asAdmin.call('GET', `/api/v1/exports/national-hcl?${query.replace('SITE', site.id)}`);
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('/api/problems/validation');
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(paths);
  });

  it('is a 400 for the file too', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/exports/national-hcl.csv?siteId=${site.id}&quarter=2025-Q0`, headers: { cookie: nurse.cookie } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

// Last, as it changes one of the people the tests above read.
describe('a problem put right', () => {
  it('moves the person from the problems to the rows once the NHS number is added', async () => {
    const nhsNumber = nextNhsNumber(880_001);
    const fixed = await asNurse.call('PATCH', `/api/v1/patients/${withoutNhsNumber.id}`, { version: 1, nhsNumber });
    expect(fixed.status).toBe(200);
    const { body } = await ret();
    expect(body.problems.map((p: { patientId: string }) => p.patientId)).not.toContain(withoutNhsNumber.id);
    expect(rowOf(body, nhsNumber)).toMatchObject({ closedLoop: '01' });
  });
});
