import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, sameDayYearsBefore } from '../../src/lib/domain/calendar-date';
import { emptyRow, type MetricsReport, type MetricsRow } from '../../src/lib/domain/metrics';
import { median, nearestRankPercentile } from '../support/oracles';
import { generateHistory, type HistorySite } from '../../src/lib/server/demo/history.generator';
import { facilitationActivities, sitePopulationCounts, sites } from '../../src/lib/server/db/schema';
import { createServices } from '../../src/lib/server/services';
import { todayIso } from '../../src/lib/server/clock';
import { rowsOf } from '../../src/lib/server/db/client';
import { toNumber } from '../../src/lib/server/repositories/metrics.repository';
import { createPrng } from '../../src/lib/server/demo/prng';
import { buildApp } from '../../src/server/app';
import { createTestApp } from '../support/app';
import { freshDatabase, onPostgresServer } from '../support/database';
import { emptyData, flattenRow, metricsBuilder, oracleReport, parseCsv, toStart, type OracleData, type OracleQuery } from '../support/metrics-fixtures';
import { ASSESS_ELIGIBLE, pathwayClient } from '../support/pathway';
import { loadRegion, REGION_TODAY } from '../support/region';
import { systemCtx } from '../../src/lib/server/context';

/**
 * Metrics on a small hand-made data set whose every figure is worked out below, then on a generated history
 * against an independent TypeScript computation (the oracle), then at the issue's scale for timing.
 */

const t = await createTestApp();
const build = metricsBuilder(t.database.db);
const admin = pathwayClient(t, (await t.as('admin')).cookie);

const FROM = '2026-01-01';
const TO = '2026-06-30';

// Three sites: Alpha (rich), Bravo (population counted only after the period), Echo (nothing at all).
const A = await build.site({ name: 'Alpha Diabetes Centre', icb: 'ICB North', t1dPopulation: 560, t1dPopulationAsOf: '2025-12-01' });
const B = await build.site({ name: 'Bravo Hospital', icb: 'ICB North', t1dPopulation: 100, t1dPopulationAsOf: '2026-08-01' });
const E = await build.site({ name: 'Echo Clinic', icb: 'ICB South' });

// Facilitation as of 30 June 2026: Alpha active (passive before March), Bravo none (active comes later), Echo passive.
await build.facilitation(A, '2025-06-01', 'passive');
await build.facilitation(A, '2026-03-01', 'active');
await build.facilitation(B, '2025-01-01', 'none');
await build.facilitation(B, '2026-08-01', 'active');
await build.facilitation(E, '2025-12-01', 'passive');

const at = async (site: string, r: Parameters<typeof build.referral>[2]) => {
  const patient = await build.patient(site);
  await build.referral(patient, site, r);
  return patient;
};

// Alpha. R1 is received before the period and cut through by it: funded and started inside.
await at(A, { receivedOn: '2025-11-10', steps: toStart({ eligible: '2025-12-15', requested: '2026-01-05', approved: '2026-01-20', started: '2026-02-02' }) });
// R2 runs its whole course inside the period, and stops.
await at(A, {
  receivedOn: '2026-01-10',
  steps: [...toStart({ eligible: '2026-02-01', requested: '2026-02-10', approved: '2026-03-01', started: '2026-03-15' }), { type: 'review', on: '2026-05-20', decision: 'discontinue' }],
});
// R3 is found not eligible.
await at(A, { receivedOn: '2026-01-20', steps: [{ type: 'assessment', on: '2026-03-10', decision: 'not_eligible' }] });
// R4 (closed loop) is deferred, then eligible, asked for more information, resubmitted and declined.
await at(A, {
  therapy: 'hcl',
  receivedOn: '2026-02-01',
  steps: [
    { type: 'assessment', on: '2026-02-20', decision: 'deferred' },
    { type: 'assessment', on: '2026-04-01', decision: 'eligible' },
    { type: 'funding_requested', on: '2026-04-05' },
    { type: 'funding_decision', on: '2026-04-20', outcome: 'more_info' },
    { type: 'funding_requested', on: '2026-04-25' },
    { type: 'funding_decision', on: '2026-05-15', outcome: 'declined' },
  ],
});
// R5 and R6 wait for assessment; R6 arrives on the period's last day, R7 the day after (and is assessed after).
await at(A, { receivedOn: '2026-06-20' });
await at(A, { receivedOn: '2026-06-30' });
await at(A, { receivedOn: '2026-07-01', steps: [{ type: 'assessment', on: '2026-07-10', decision: 'eligible' }] });
// R8 started in 2024 and stopped inside the period, well after its first year: continuing at 12 months.
await at(A, {
  receivedOn: '2024-01-05',
  steps: [
    ...toStart({ eligible: '2024-02-01', requested: '2024-02-05', approved: '2024-03-01', started: '2024-04-01' }),
    { type: 'review', on: '2024-10-01', decision: 'continue' },
    { type: 'review', on: '2026-03-01', decision: 'discontinue' },
  ],
});
// R9 stopped on the very day of its 12-month anniversary: not continuing.
await at(A, {
  receivedOn: '2025-01-10',
  steps: [...toStart({ eligible: '2025-02-01', requested: '2025-02-10', approved: '2025-03-20', started: '2025-05-01' }), { type: 'review', on: '2026-05-01', decision: 'discontinue' }],
});
// R10 to R14 started in the second half of 2025: their 6-month HbA1c falls in the period.
const p10 = await at(A, { receivedOn: '2025-03-01', steps: toStart({ eligible: '2025-04-01', requested: '2025-04-10', approved: '2025-06-01', started: '2025-08-01' }) });
await build.hba1c(p10, '2025-03-01', 80);
await build.hba1c(p10, '2025-07-15', 78); // baseline: the latest up to the start
await build.hba1c(p10, '2025-08-02', 77); // after the start: neither baseline nor follow-up
await build.hba1c(p10, '2026-01-20', 70); // 172 days: 8 from 180 ...
await build.hba1c(p10, '2026-02-05', 68); // ... 188 days: also 8 from 180, and later: the follow-up. 68 - 78 = -10
const p11 = await at(A, { receivedOn: '2025-05-01', steps: toStart({ eligible: '2025-05-20', requested: '2025-06-01', approved: '2025-07-01', started: '2025-09-01' }) });
await build.hba1c(p11, '2025-06-01', 85);
await build.hba1c(p11, '2025-09-01', 82); // on the start day: the baseline
await build.hba1c(p11, '2026-02-28', 70); // 180 days. 70 - 82 = -12
await build.hba1c(p11, '2026-04-15', 60); // 226 days: outside the window
const p12 = await at(A, { receivedOn: '2025-06-01', steps: toStart({ eligible: '2025-06-20', requested: '2025-07-01', approved: '2025-08-01', started: '2025-10-01' }) });
await build.hba1c(p12, '2024-09-30', 99); // a year and a day before the start: outside
await build.hba1c(p12, '2024-10-01', 90); // exactly a year before: the baseline
await build.hba1c(p12, '2026-04-29', 84); // 210 days, the window's last. 84 - 90 = -6
const p13 = await at(A, { receivedOn: '2025-06-10', steps: toStart({ eligible: '2025-07-01', requested: '2025-07-05', approved: '2025-08-10', started: '2025-11-01' }) });
await build.hba1c(p13, '2024-10-31', 88); // a year and a day before: no baseline, so no change
await build.hba1c(p13, '2026-05-01', 60);
const p14 = await at(A, { therapy: 'hcl', receivedOn: '2025-07-01', steps: toStart({ eligible: '2025-08-01', requested: '2025-08-10', approved: '2025-10-01', started: '2025-12-01' }) });
await build.hba1c(p14, '2025-11-01', 75);
await build.hba1c(p14, '2026-04-29', 50); // 149 days: too early
await build.hba1c(p14, '2026-06-29', 77); // 210 days. 77 - 75 = +2
// R15 started exactly 12 months before the period's end.
await at(A, { receivedOn: '2025-03-01', steps: toStart({ eligible: '2025-03-20', requested: '2025-04-01', approved: '2025-05-01', started: '2025-06-30' }) });

// Bravo: one closed loop start, and one pump referral recorded through the API by its clinicians, then withdrawn.
await at(B, { therapy: 'hcl', receivedOn: '2026-02-01', steps: toStart({ eligible: '2026-02-15', requested: '2026-02-20', approved: '2026-03-10', started: '2026-04-01' }) });
const bravoNurse = pathwayClient(t, (await t.as('nurse', [B])).cookie);
const bravoConsultant = pathwayClient(t, (await t.as('consultant', [B])).cookie);
{
  const patient = await bravoNurse.createPatient(B);
  const referral = await bravoNurse.refer(patient.id, { receivedOn: '2026-03-01' });
  const steps = [
    () => bravoConsultant.event(referral.id, { ...ASSESS_ELIGIBLE, assessedOn: '2026-03-20', version: 1 }),
    () => bravoNurse.event(referral.id, { type: 'funding_requested', version: 2, submittedOn: '2026-03-25', commissioner: 'ICB North', route: 'routine' }),
    () => bravoNurse.event(referral.id, { type: 'withdrawn', version: 3, on: '2026-04-10', reason: 'moved_away' }),
  ];
  let last;
  for (const step of steps) {
    last = await step();
    if (last.status !== 201) throw new Error(`setup: ${last.status} ${JSON.stringify(last.body)}`);
  }
  // The oracle gets what the API stored.
  build.data.referrals.push({ id: referral.id, patientId: patient.id, siteId: B, therapy: 'csii', receivedOn: '2026-03-01' });
  const events = last!.body.events as { type: string; occurredOn: string; payload: unknown }[];
  build.data.events.push(...events.map((e, i) => ({ referralId: referral.id, seq: i + 1, type: e.type, occurredOn: e.occurredOn, payload: e.payload })));
}

const wait = (n: number, medianDays: number | null, p90Days: number | null) => ({ n, medianDays, p90Days });

/** Alpha over the period, every figure worked out by hand from the story above. */
const ALPHA: MetricsRow = {
  key: A,
  label: 'Alpha Diabetes Centre',
  t1dPopulation: 560,
  onTherapy: 7, // R1, R10, R11, R12, R13, R14, R15 (R2, R8, R9 stopped)
  existingOnTherapy: 0,
  uptakePct: 1.3, // 7 / 560 = 1.25%: halves round up
  referrals: 5, // R2, R3, R4, R5, R6
  assessed: 3, // R2, R3, R4 (R4's deferral is no decision)
  eligible: 2, // R2, R4
  fundingRequested: 3, // R1, R2, R4 (R4's resubmission is the same request)
  fundingApproved: 2, // R1, R2
  fundingDeclined: 1, // R4 (its "more information" is no decision)
  started: 2, // R1, R2
  discontinued: 3, // R2, R8, R9
  continuing12m: 2, // R8 and R15 (R9 stopped on its anniversary; R10 on has not reached 12 months)
  waits: {
    referralToAssessment: wait(3, 49, 59), // R2 22, R3 49, R4 59 (deferral included): odd count
    assessmentToFundingDecision: wait(3, 36, 44), // R1 36, R2 28, R4 44
    fundingApprovalToStart: wait(2, 13.5, 14), // R1 13, R2 14: even count
    referralToStart: wait(2, 74, 84), // R1 84 (received before the period), R2 64
  },
  hba1cChange6m: { n: 4, medianMmolMol: -8 }, // -12, -10, -6, +2 (R13 has no baseline)
  suppressed: [],
};

const BRAVO: MetricsRow = {
  key: B,
  label: 'Bravo Hospital',
  t1dPopulation: null, // counted as of 2026-08-01, after the period
  onTherapy: 1,
  existingOnTherapy: 0,
  uptakePct: null,
  referrals: 2,
  assessed: 2,
  eligible: 2,
  fundingRequested: 2,
  fundingApproved: 1,
  fundingDeclined: 0,
  started: 1,
  discontinued: 0,
  continuing12m: 0,
  waits: {
    referralToAssessment: wait(2, 16.5, 19), // 14, 19
    assessmentToFundingDecision: wait(1, 23, 23),
    fundingApprovalToStart: wait(1, 22, 22),
    referralToStart: wait(1, 59, 59),
  },
  hba1cChange6m: { n: 0, medianMmolMol: null },
  suppressed: [],
};

const ECHO = emptyRow(E, 'Echo Clinic');

const get = async (client: ReturnType<typeof pathwayClient>, query: string) => {
  const res = await client.call('GET', `/api/v1/metrics?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as MetricsReport;
};

describe('the figures, by hand', () => {
  it('gives one row per site, the empty one included, every field as worked out', async () => {
    const report = await get(admin, `from=${FROM}&to=${TO}`);
    expect(report).toEqual({ from: FROM, to: TO, rows: [ALPHA, BRAVO, ECHO] });
  });

  it('keeps to referrals for one therapy when asked', async () => {
    const hcl = await get(admin, `from=${FROM}&to=${TO}&therapy=hcl`);
    expect(hcl.rows[0]).toEqual({
      ...emptyRow(A, 'Alpha Diabetes Centre'),
      t1dPopulation: 560,
      onTherapy: 1, // R14
      existingOnTherapy: 0,
      uptakePct: 0.2,
      referrals: 1,
      assessed: 1,
      eligible: 1,
      fundingRequested: 1,
      fundingDeclined: 1,
      waits: { ...emptyRow('', '').waits, referralToAssessment: wait(1, 59, 59), assessmentToFundingDecision: wait(1, 44, 44) },
      hba1cChange6m: { n: 1, medianMmolMol: 2 },
    });
    const csii = await get(admin, `from=${FROM}&to=${TO}&therapy=csii`);
    expect(csii.rows[0]).toEqual({
      ...ALPHA,
      onTherapy: 6,
      existingOnTherapy: 0,
      uptakePct: 1.1,
      referrals: 4,
      assessed: 2,
      eligible: 1,
      fundingRequested: 2,
      fundingDeclined: 0,
      waits: {
        referralToAssessment: wait(2, 35.5, 49),
        assessmentToFundingDecision: wait(2, 32, 36),
        fundingApprovalToStart: wait(2, 13.5, 14),
        referralToStart: wait(2, 74, 84),
      },
      hba1cChange6m: { n: 3, medianMmolMol: -10 }, // odd count
    });
    expect(csii.rows[1]).toMatchObject({ referrals: 1, assessed: 1, started: 0, onTherapy: 0 }); // Bravo's API referral
  });

  it('groups by ICB: counts add up, distinct patients stay distinct, and one site without a count blanks the population', async () => {
    const report = await get(admin, `from=${FROM}&to=${TO}&groupBy=icb`);
    expect(report.rows).toEqual([
      {
        key: 'ICB North',
        label: 'ICB North',
        t1dPopulation: null,
        onTherapy: 8,
        existingOnTherapy: 0,
        uptakePct: null,
        referrals: 7,
        assessed: 5,
        eligible: 4,
        fundingRequested: 5,
        fundingApproved: 3,
        fundingDeclined: 1,
        started: 3,
        discontinued: 3,
        continuing12m: 2,
        waits: {
          referralToAssessment: wait(5, 22, 59), // 14 19 22 49 59
          assessmentToFundingDecision: wait(4, 32, 44), // 23 28 36 44
          fundingApprovalToStart: wait(3, 14, 22), // 13 14 22
          referralToStart: wait(3, 64, 84), // 59 64 84
        },
        hba1cChange6m: { n: 4, medianMmolMol: -8 },
        suppressed: [],
      },
      { ...ECHO, key: 'ICB South', label: 'ICB South' },
    ]);
  });

  it('groups by the strongest facilitation each site had by the end of the period, always in three rows', async () => {
    const report = await get(admin, `from=${FROM}&to=${TO}&groupBy=facilitation`);
    expect(report.rows).toEqual([
      { ...ALPHA, key: 'active', label: 'Active facilitation' },
      { ...ECHO, key: 'passive', label: 'Passive facilitation' },
      { ...BRAVO, key: 'none', label: 'No facilitation' },
    ]);
    // Before Alpha's hands-on help began (1 March), it was passive like Echo.
    const earlier = await get(admin, `to=2026-02-28&groupBy=facilitation`);
    expect(earlier.rows.map((r) => r.key)).toEqual(['active', 'passive', 'none']);
    expect(earlier.rows[0]).toEqual(emptyRow('active', 'Active facilitation'));
    expect(earlier.rows[1]!.referrals).toBe(10); // Alpha's R1, R2, R3, R4, R10 to R15, from 2025-03-01
    expect(earlier).toEqual(oracleReport(build.data, { from: '2025-03-01', to: '2026-02-28', groupBy: 'facilitation' }));
  });

  it('agrees with the oracle on these data, for every grouping and therapy and a few other periods', async () => {
    for (const [from, to] of [[FROM, TO], ['2024-01-01', '2026-11-01'], ['2025-08-15', '2026-02-05'], ['2026-05-01', '2026-05-01']] as const) {
      for (const groupBy of ['site', 'icb', 'facilitation'] as const) {
        for (const therapy of [undefined, 'csii', 'hcl'] as const) {
          const report = await get(admin, `from=${from}&to=${to}&groupBy=${groupBy}${therapy ? `&therapy=${therapy}` : ''}`);
          expect(report, `${from}..${to} by ${groupBy} ${therapy ?? ''}`).toEqual(oracleReport(build.data, { from, to, groupBy, ...(therapy ? { therapy } : {}) }));
        }
      }
    }
  });
});

describe('who sees which sites', () => {
  it("shows a nurse her own sites' exact figures only, in every grouping", async () => {
    const nurse = pathwayClient(t, (await t.as('nurse', [A])).cookie);
    expect((await get(nurse, `from=${FROM}&to=${TO}`)).rows).toEqual([ALPHA]);
    // Her ICB is made of her site alone: Alpha's population is known, so the ICB's is too.
    expect((await get(nurse, `from=${FROM}&to=${TO}&groupBy=icb`)).rows).toEqual([{ ...ALPHA, key: 'ICB North', label: 'ICB North' }]);
    const byMode = (await get(nurse, `from=${FROM}&to=${TO}&groupBy=facilitation`)).rows;
    expect(byMode).toEqual([{ ...ALPHA, key: 'active', label: 'Active facilitation' }, emptyRow('passive', 'Passive facilitation'), emptyRow('none', 'No facilitation')]);
  });

  it('shows a consultant of two sites both, and a clinician of no site nothing', async () => {
    const consultant = pathwayClient(t, (await t.as('consultant', [A, B])).cookie);
    expect((await get(consultant, `from=${FROM}&to=${TO}`)).rows).toEqual([ALPHA, BRAVO]);
    const nobody = pathwayClient(t, (await t.as('nurse', [])).cookie);
    expect((await get(nobody, `from=${FROM}&to=${TO}`)).rows).toEqual([]);
  });

  it('answers every signed-in role (never 403), and 401 when not signed in', async () => {
    for (const role of ['nurse', 'consultant', 'commissioner', 'admin'] as const) {
      const client = pathwayClient(t, (await t.as(role, [A])).cookie);
      expect((await client.call('GET', '/api/v1/metrics')).status).toBe(200);
      const csv = await t.app.inject({ method: 'GET', url: '/api/v1/metrics.csv', headers: { cookie: (await t.as(role, [A])).cookie } });
      expect(csv.statusCode).toBe(200);
    }
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/v1/metrics' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('the query', () => {
  it('defaults to the twelve months ending today, grouped by site', async () => {
    const today = todayIso();
    const report = await get(admin, '');
    expect(report.from).toBe(addDays(sameDayYearsBefore(today, 1), 1));
    expect(report.to).toBe(today);
    expect(report.rows.map((r) => r.key)).toEqual([A, B, E]);
  });

  it('defaults from to twelve months before a given to', async () => {
    const report = await get(admin, 'to=2026-06-30');
    expect(report.from).toBe('2025-07-01');
  });

  it.each([
    ['from=2026-13-01', 'from'],
    ['from=2026-02-30', 'from'],
    ['to=yesterday', 'to'],
    ['from=2026-1-1', 'from'],
    ['groupBy=region', 'groupBy'],
    ['groupBy=', 'groupBy'],
    ['therapy=pen', 'therapy'],
    ['from=2026-07-01&to=2026-06-30', 'to'],
    [`from=${addDays(todayIso(), 1)}`, 'to'],
    ['groupby=icb', 'querystring.groupby'],
  ])('answers 400 with a problem naming the field to %s', async (query, path) => {
    for (const url of [`/api/v1/metrics?${query}`, `/api/v1/metrics.csv?${query}`]) {
      const res = await admin.call('GET', url);
      expect(res.status, url).toBe(400);
      expect(res.body).toMatchObject({ type: '/api/problems/validation', status: 400 });
      // A malformed date breaks both the pattern and the calendar check: one field, maybe two messages.
      expect([...new Set(res.body.errors.map((e: { path: string }) => e.path))]).toEqual([path]);
    }
  });
});

describe('the CSV', () => {
  it('has a header row and the same rows as the JSON, flattened', async () => {
    const query = `from=${FROM}&to=${TO}`;
    const json = await get(admin, query);
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/metrics.csv?${query}`, headers: { cookie: (await t.as('admin')).cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="pump-pathway-metrics-by-site-${FROM}-to-${TO}.csv"`);
    const [header, ...records] = parseCsv(res.body);
    expect(header).toEqual(Object.keys(flattenRow(ALPHA)));
    expect(header).toContain('waits.referralToAssessment.n');
    expect(header).toContain('waits.referralToStart.p90Days');
    expect(header).toContain('hba1cChange6m.medianMmolMol');
    expect(records.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]])))).toEqual(json.rows.map(flattenRow));
    // Unknown values are empty, a negative change stays a number.
    expect(records[1]![header!.indexOf('t1dPopulation')]).toBe('');
    expect(records[0]![header!.indexOf('hba1cChange6m.medianMmolMol')]).toBe('-8');
  });

  it('stops a site name from running as a spreadsheet formula', async () => {
    const id = await build.site({ name: '=HYPERLINK("http://evil.example")', icb: '+ICB' });
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/metrics.csv?groupBy=icb`, headers: { cookie: (await t.as('admin')).cookie } });
    const [, ...records] = parseCsv(res.body);
    expect(records.map((r) => r[1])).toContain("'+ICB");
    const bySite = await t.app.inject({ method: 'GET', url: `/api/v1/metrics.csv`, headers: { cookie: (await t.as('admin')).cookie } });
    expect(parseCsv(bySite.body).find((r) => r[0] === id)![1]).toBe(`'=HYPERLINK("http://evil.example")`);
    // The JSON keeps the name as it is.
    expect((await get(admin, '')).rows.find((r) => r.key === id)!.label).toBe('=HYPERLINK("http://evil.example")');
    build.data.sites.pop();
    await t.database.db.delete(sites).where(sql`${sites.id} = ${id}`);
  });
});

describe('the OpenAPI document', () => {
  it('describes both endpoints and the definitions chosen', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const metrics = doc.paths['/api/v1/metrics'].get;
    expect(doc.paths['/api/v1/metrics.csv'].get).toBeDefined();
    expect(metrics.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['from', 'groupBy', 'therapy', 'to']);
    for (const phrase of ['nearest rank', 'ROUNDED', 'anniversary', 'nearest to 180 days', 'strongest mode', 'null when any site']) {
      expect(metrics.description).toContain(phrase);
    }
  });
});

describe('the SQL aggregates', () => {
  it('reproduce the median (mean of the middle two) and the nearest-rank p90 exactly', async () => {
    const rng = createPrng(90);
    for (let n = 1; n <= 60; n++) {
      const values = Array.from({ length: n }, () => rng.int(0, 400));
      const result = await t.database.db.execute(sql`
        select percentile_cont(0.5) within group (order by v) as median, percentile_disc(0.9) within group (order by v) as p90
        from unnest(${`{${values.join(',')}}`}::int[]) as v`);
      const [row] = rowsOf<{ median: unknown; p90: unknown }>(result);
      expect({ n, median: toNumber(row!.median), p90: toNumber(row!.p90) }).toEqual({ n, median: median(values), p90: nearestRankPercentile(values, 90) });
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// A generated history, against the oracle.

const HISTORY_TODAY = '2026-10-31';
const GENERATED_SITES: (HistorySite & { name: string; icb: string; asOf: string | null })[] = [
  { id: '6b1f8d2e-3c4a-4b6f-9e0d-2f3a4b5c6d01', odsCode: 'GEN01', name: 'Riverside', icb: 'NHS North ICB', profile: 'active', facilitationStartsOn: '2025-10-01', t1dPopulation: 2140, asOf: '2025-06-30' },
  { id: '6b1f8d2e-3c4a-4b6f-9e0d-2f3a4b5c6d02', odsCode: 'GEN02', name: 'Hillcrest', icb: 'NHS North ICB', profile: 'active', facilitationStartsOn: '2025-10-01', t1dPopulation: 1685, asOf: '2024-01-31' },
  { id: '6b1f8d2e-3c4a-4b6f-9e0d-2f3a4b5c6d03', odsCode: 'GEN03', name: 'Moorside', icb: 'NHS Vale ICB', profile: 'passive', t1dPopulation: 1930, asOf: null },
  { id: '6b1f8d2e-3c4a-4b6f-9e0d-2f3a4b5c6d04', odsCode: 'GEN04', name: 'Valley', icb: 'NHS Vale ICB', profile: 'none', t1dPopulation: 1210, asOf: '2026-02-01' },
];

/** Each counted site also had a smaller count a year before its newest, so that periods ending earlier use it. */
const countsOf = (s: (typeof GENERATED_SITES)[number]) =>
  s.asOf ? [{ asOf: addDays(s.asOf, -365), count: s.t1dPopulation - 100 }, { asOf: s.asOf, count: s.t1dPopulation }] : [];

const gen = await createTestApp();

describe('a generated history (4 sites, 2 years) against the oracle', () => {
  const g = { data: emptyData() as OracleData, app: null as Awaited<ReturnType<typeof createTestApp>> | null };

  beforeAll(async () => {
    const history = generateHistory({ seed: 2018, today: HISTORY_TODAY, years: 2, sites: GENERATED_SITES, referralsPerSitePerYear: 90 });
    const database = gen.database;
    await database.db.insert(sites).values(
      GENERATED_SITES.map((s) => ({ id: s.id, odsCode: s.odsCode, name: s.name, icb: s.icb, t1dPopulation: s.asOf ? s.t1dPopulation : null, t1dPopulationAsOf: s.asOf })),
    );
    await database.db.insert(sitePopulationCounts).values(
      GENERATED_SITES.flatMap((s) => countsOf(s).map((c) => ({ siteId: s.id, asOf: c.asOf, t1dPopulation: c.count, source: 'manual' as const }))),
    );
    const facilitation = [
      { siteId: GENERATED_SITES[0]!.id, on: '2025-09-01', mode: 'passive' as const },
      { siteId: GENERATED_SITES[0]!.id, on: '2025-10-01', mode: 'active' as const },
      { siteId: GENERATED_SITES[1]!.id, on: '2025-10-01', mode: 'active' as const },
      { siteId: GENERATED_SITES[2]!.id, on: '2025-04-01', mode: 'passive' as const },
      { siteId: GENERATED_SITES[3]!.id, on: '2025-01-01', mode: 'none' as const },
    ];
    await database.db.insert(facilitationActivities).values(facilitation.map((f) => ({ ...f, kind: 'other' as const })));
    await gen.services.demoHistory.load(systemCtx('tests'), history);
    g.data = {
      sites: GENERATED_SITES.map((s) => ({ id: s.id, name: s.name, icb: s.icb, t1dPopulation: s.asOf ? s.t1dPopulation : null, t1dPopulationAsOf: s.asOf, counts: countsOf(s) })),
      facilitation,
      referrals: history.referrals.map((r) => ({ id: r.id, patientId: r.patientId, siteId: r.siteId, therapy: r.therapy, receivedOn: r.receivedOn })),
      events: history.events.map((e) => ({ referralId: e.referralId, seq: e.seq, type: e.type, occurredOn: e.occurredOn, payload: e.payload })),
      observations: history.observations.map((o) => ({ id: o.id, patientId: o.patientId, effective: o.effective, effectiveAt: o.effectiveAt, mmolMol: o.mmolMol })),
    };
  });

  it('has enough of everything to mean something', () => {
    expect(g.data.referrals.length).toBeGreaterThan(600);
    const report = oracleReport(g.data, { from: '2025-01-01', to: HISTORY_TODAY, groupBy: 'site' });
    const total = (pick: (row: MetricsRow) => number | null) => report.rows.reduce((sum, row) => sum + (pick(row) ?? 0), 0);
    for (const row of report.rows) expect(row.started).toBeGreaterThan(10);
    expect(total((r) => r.discontinued)).toBeGreaterThan(0);
    expect(total((r) => r.continuing12m)).toBeGreaterThan(20);
    expect(total((r) => r.hba1cChange6m.n)).toBeGreaterThan(30);
  });

  it('gives the oracle\'s figures for random periods, groupings and therapies, exact and disclosure-controlled', async () => {
    const rng = createPrng(7);
    const genAdmin = pathwayClient(gen, (await gen.as('admin')).cookie);
    const genCommissioner = pathwayClient(gen, (await gen.as('commissioner')).cookie);
    const genNurse = pathwayClient(gen, (await gen.as('nurse', [GENERATED_SITES[1]!.id, GENERATED_SITES[2]!.id])).cookie);
    let withheld = 0;
    let shownMedians = 0;
    for (let i = 0; i < 8; i++) {
      const to = addDays(HISTORY_TODAY, -rng.int(0, 500));
      const from = addDays(to, -rng.int(0, 400));
      for (const groupBy of ['site', 'icb', 'facilitation'] as const) {
        for (const therapy of [undefined, 'csii', 'hcl'] as const) {
          const query = `from=${from}&to=${to}&groupBy=${groupBy}${therapy ? `&therapy=${therapy}` : ''}`;
          const q: OracleQuery = { from, to, groupBy, ...(therapy ? { therapy } : {}) };
          expect(await get(genAdmin, query), query).toEqual(oracleReport(g.data, q));
          if (therapy === undefined) {
            const controlled = await get(genCommissioner, query);
            expect(controlled, `commissioner ${query}`).toEqual(oracleReport(g.data, { ...q, disclosureControlled: true }));
            for (const row of controlled.rows) {
              withheld += row.suppressed.length;
              shownMedians += Object.values(row.waits).filter((w) => w.medianDays !== null).length;
            }
            const siteIds = [GENERATED_SITES[1]!.id, GENERATED_SITES[2]!.id];
            expect(await get(genNurse, query), `nurse ${query}`).toEqual(oracleReport(g.data, { ...q, siteIds }));
          }
        }
      }
    }
    // Both sides of disclosure control were exercised.
    expect(withheld).toBeGreaterThan(0);
    expect(shownMedians).toBeGreaterThan(0);
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------------------------
// The issue's scale (tests/support/region.ts): 20 sites, 60,000 people with type 1 diabetes, five years of about
// 30,000 referrals. Timed, not asserted (npm run bench measures it). Loading it takes a while on PGlite, so it runs
// only when asked: METRICS_SCALE=1 npx vitest run tests/api/metrics

describe.runIf(process.env.METRICS_SCALE === '1')('at scale', () => {
  const state: { database?: Awaited<ReturnType<typeof freshDatabase>>; app?: Awaited<ReturnType<typeof buildApp>>; cookie?: string; referrals?: number } = {};

  beforeAll(async () => {
    const database = await freshDatabase();
    state.database = database;
    const started = performance.now();
    const loaded = await loadRegion(database.db);
    state.referrals = loaded.referrals;
    console.log(`metrics at scale: generated and loaded ${loaded.referrals} referrals, ${loaded.events} events, ${loaded.observations} results in ${Math.round(performance.now() - started)} ms (${database.kind})`);
    const services = createServices(database, { SESSION_IDLE_MINUTES: 30, SESSION_ABSOLUTE_HOURS: 12 });
    const app = await buildApp({ config: { ORIGIN: undefined, LOG_LEVEL: 'silent', NODE_ENV: 'test' }, services });
    await app.ready();
    state.app = app;
    await services.users.create(systemCtx('tests', 'test'), { email: 'scale@test.nhs.uk', name: 'Scale', role: 'commissioner', siteIds: [], password: 'correct-horse-battery' });
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'scale@test.nhs.uk', password: 'correct-horse-battery' } });
    const cookie = login.cookies.find((c) => c.name === 'pp_session')!;
    state.cookie = `${cookie.name}=${cookie.value}`;
  }, 600_000);

  afterAll(async () => {
    await state.app?.close();
    await state.database?.close();
  });

  it('answers one request for the issue\'s scale (time printed, not asserted)', async () => {
    const timings: string[] = [];
    for (const query of [`to=${REGION_TODAY}`, `to=${REGION_TODAY}&groupBy=icb`, `to=${REGION_TODAY}&groupBy=facilitation&therapy=hcl`]) {
      const started = performance.now();
      const res = await state.app!.inject({ method: 'GET', url: `/api/v1/metrics?${query}`, headers: { cookie: state.cookie! } });
      timings.push(`${query}: ${Math.round(performance.now() - started)} ms`);
      expect(res.statusCode).toBe(200);
      expect(res.json().rows.length).toBeGreaterThan(0);
    }
    console.log(`metrics at scale (${state.referrals} referrals, ${onPostgresServer() ? 'PostgreSQL' : 'PGlite'}): ${timings.join('; ')}`);
  }, 120_000);
});
