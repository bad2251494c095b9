import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { MetricsReport } from '../../src/lib/domain/metrics';
import type { ContinuationReport, FundingReport, StartsSeries, WaitDistributions } from '../../src/lib/domain/metrics-series';
import { systemCtx } from '../../src/lib/server/context';
import { createTestApp } from '../support/app';
import { metricsBuilder, toStart, type Step } from '../support/metrics-fixtures';
import { pathwayClient } from '../support/pathway';

/**
 * The dashboard's series on a small hand-made data set whose every figure is worked out in the comments, and
 * checked against the metrics report where the two share a definition.
 */

const t = await createTestApp();
const build = metricsBuilder(t.database.db);
const admin = pathwayClient(t, (await t.as('admin')).cookie);

const FROM = '2026-01-01';
const TO = '2026-06-30';
const PERIOD = `from=${FROM}&to=${TO}`;

const A = await build.site({ name: 'Alpha Diabetes Centre', icb: 'ICB North', t1dPopulation: 560, t1dPopulationAsOf: '2025-12-01' });
const B = await build.site({ name: 'Bravo Hospital', icb: 'ICB North' });
const E = await build.site({ name: 'Echo Clinic', icb: 'ICB South' });

// Alpha: passive help before the period, hands-on help inside it. Echo: passive help inside it. Bravo: none.
await build.facilitation(A, '2025-06-01', 'passive');
await build.facilitation(A, '2026-02-10', 'active');
await build.facilitation(E, '2026-03-05', 'passive');
// Bravo's barriers: one open throughout, one closed before the period, one raised and resolved in it, one after it.
const barrier = (raisedOn: string, category: 'funding' | 'staffing', resolvedOn?: string) =>
  t.services.implementation.raiseBarrier(systemCtx('tests'), B, { raisedOn, category, description: `${category} from ${raisedOn}`, ...(resolvedOn ? { resolvedOn } : {}) });
await barrier('2025-01-01', 'staffing', '2025-12-31');
await barrier('2025-10-01', 'funding');
await barrier('2026-03-01', 'staffing', '2026-04-15');
await barrier('2026-07-01', 'staffing');

/** A referral whose funding requests name this commissioner and route (the builder's payload names its own). */
const at = async (site: string, commissioner: string, route: string, r: { therapy?: 'csii' | 'hcl'; receivedOn: string; steps?: Step[] }) => {
  const id = await build.referral(await build.patient(site), site, r);
  await t.database.db.execute(sql`
    update referral_events set payload = payload || jsonb_build_object('commissioner', ${commissioner}::text, 'route', ${route}::text)
    where referral_id = ${id}::uuid and type = 'funding_requested'`);
  return id;
};
const NORTH = 'ICB North';

// Alpha.
// R1: received before the period; funded (prior approval) and started inside it.
await at(A, NORTH, 'prior_approval', { receivedOn: '2025-11-10', steps: toStart({ eligible: '2025-12-15', requested: '2026-01-05', approved: '2026-01-20', started: '2026-02-02' }) });
// R2: its whole course inside the period (routine).
await at(A, NORTH, 'routine', { receivedOn: '2026-01-10', steps: toStart({ eligible: '2026-02-01', requested: '2026-02-10', approved: '2026-03-01', started: '2026-03-15' }) });
// R3: found not eligible.
await at(A, NORTH, 'routine', { receivedOn: '2026-01-20', steps: [{ type: 'assessment', on: '2026-03-10', decision: 'not_eligible' }] });
// R4 (closed loop, national route): deferred, eligible, more information asked, resubmitted, declined.
await at(A, NORTH, 'national_hcl', {
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
// R5: an individual funding request sent last summer and still unanswered.
await at(A, NORTH, 'ifr', {
  receivedOn: '2025-06-01',
  steps: [
    { type: 'assessment', on: '2025-07-01', decision: 'eligible' },
    { type: 'funding_requested', on: '2025-07-10' },
  ],
});
// R6: eligible in the period, its request sent only after it.
await at(A, NORTH, 'routine', {
  receivedOn: '2026-03-01',
  steps: [
    { type: 'assessment', on: '2026-03-20', decision: 'eligible' },
    { type: 'funding_requested', on: '2026-07-05' },
  ],
});
// R7: requested, then withdrawn inside the period: no longer waiting.
await at(A, NORTH, 'ifr', {
  receivedOn: '2025-09-01',
  steps: [
    { type: 'assessment', on: '2025-10-01', decision: 'eligible' },
    { type: 'funding_requested', on: '2025-10-05' },
    { type: 'withdrawn', on: '2026-02-01' },
  ],
});
// R8, R9, R10: earlier starts, for continuation. R8 continues; R9 stops on its anniversary; R10's comes after the period.
await at(A, NORTH, 'routine', {
  receivedOn: '2024-09-01',
  steps: [...toStart({ eligible: '2024-10-01', requested: '2024-10-05', approved: '2024-12-01', started: '2025-01-15' }), { type: 'review', on: '2025-07-15', decision: 'continue' }],
});
await at(A, NORTH, 'routine', {
  receivedOn: '2025-01-10',
  steps: [...toStart({ eligible: '2025-02-01', requested: '2025-02-10', approved: '2025-03-20', started: '2025-05-01' }), { type: 'review', on: '2026-05-01', decision: 'discontinue' }],
});
await at(A, NORTH, 'routine', { receivedOn: '2025-03-01', steps: toStart({ eligible: '2025-04-01', requested: '2025-04-10', approved: '2025-06-01', started: '2025-07-01' }) });

// Bravo.
// R11 (closed loop): started in April.
await at(B, NORTH, 'national_hcl', { therapy: 'hcl', receivedOn: '2026-02-01', steps: toStart({ eligible: '2026-02-15', requested: '2026-02-20', approved: '2026-03-10', started: '2026-04-01' }) });
// R12: another commissioner approves on the period's last day; the start comes after it.
await at(B, 'Other Commissioner', 'routine', { receivedOn: '2026-05-01', steps: toStart({ eligible: '2026-05-10', requested: '2026-05-12', approved: '2026-06-30', started: '2026-07-02' }) });
// R13: funded last December, started on the period's last day after a long wait.
await at(B, NORTH, 'routine', { receivedOn: '2025-01-02', steps: toStart({ eligible: '2025-02-01', requested: '2025-02-10', approved: '2025-12-01', started: '2026-06-30' }) });

async function get<T>(client: ReturnType<typeof pathwayClient>, path: string): Promise<T> {
  const res = await client.call('GET', path);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as T;
}

const bins = (...counts: number[]) => ({ n: counts.reduce((a, b) => a + b, 0), counts });
const NO_WAITS = { referralToAssessment: bins(0, 0, 0, 0, 0, 0), assessmentToFundingDecision: bins(0, 0, 0, 0, 0, 0), fundingApprovalToStart: bins(0, 0, 0, 0, 0, 0), referralToStart: bins(0, 0, 0, 0, 0, 0) };

describe('starts per month or quarter per site', () => {
  it('counts each month of the period for every site, with the help each had and the barriers open in the period', async () => {
    const series = await get<StartsSeries>(admin, `/api/v1/metrics/starts?${PERIOD}`);
    expect(series.bin).toBe('month');
    expect(series.buckets.map((b) => b.label)).toEqual(['Jan 2026', 'Feb 2026', 'Mar 2026', 'Apr 2026', 'May 2026', 'Jun 2026']);
    expect(series.buckets[1]).toEqual({ start: '2026-02-01', from: '2026-02-01', to: '2026-02-28', label: 'Feb 2026' });
    expect(series.sites.map((s) => [s.name, s.facilitationMode, s.starts, s.total])).toEqual([
      ['Alpha Diabetes Centre', 'active', [0, 1, 1, 0, 0, 0], 2], // R1 in February, R2 in March
      ['Bravo Hospital', 'none', [0, 0, 0, 1, 0, 1], 2], // R11 in April, R13 on 30 June (R12 starts in July)
      ['Echo Clinic', 'passive', [0, 0, 0, 0, 0, 0], 0],
    ]);
    const [alpha, bravo, echo] = series.sites;
    // Only activities dated in the period: Alpha's passive help of 2025 is outside it.
    expect(alpha!.facilitation).toEqual([{ on: '2026-02-10', mode: 'active', kind: 'site_visit', facilitator: null, notes: null }]);
    expect(echo!.facilitation).toEqual([{ on: '2026-03-05', mode: 'passive', kind: 'web_resource', facilitator: null, notes: null }]);
    expect(bravo!.barriers).toEqual([
      { category: 'funding', description: 'funding from 2025-10-01', raisedOn: '2025-10-01', resolvedOn: null },
      { category: 'staffing', description: 'staffing from 2026-03-01', raisedOn: '2026-03-01', resolvedOn: '2026-04-15' },
    ]);
    expect(series.sites.every((s) => s.suppressed.length === 0)).toBe(true);
  });

  it('agrees with the metrics report: each total is the site\'s started', async () => {
    const series = await get<StartsSeries>(admin, `/api/v1/metrics/starts?${PERIOD}`);
    const report = await get<MetricsReport>(admin, `/api/v1/metrics?${PERIOD}`);
    expect(series.sites.map((s) => s.total)).toEqual(report.rows.map((r) => r.started));
  });

  it('counts by quarter, and cuts the first and last buckets to the period', async () => {
    const quarters = await get<StartsSeries>(admin, `/api/v1/metrics/starts?${PERIOD}&bin=quarter`);
    expect(quarters.buckets).toEqual([
      { start: '2026-01-01', from: '2026-01-01', to: '2026-03-31', label: 'Jan-Mar 2026' },
      { start: '2026-04-01', from: '2026-04-01', to: '2026-06-30', label: 'Apr-Jun 2026' },
    ]);
    expect(quarters.sites.map((s) => s.starts)).toEqual([[2, 0], [0, 2], [0, 0]]);

    const partial = await get<StartsSeries>(admin, '/api/v1/metrics/starts?from=2026-02-15&to=2026-05-10');
    expect(partial.buckets.map((b) => [b.start, b.from, b.to])).toEqual([
      ['2026-02-01', '2026-02-15', '2026-02-28'],
      ['2026-03-01', '2026-03-01', '2026-03-31'],
      ['2026-04-01', '2026-04-01', '2026-04-30'],
      ['2026-05-01', '2026-05-01', '2026-05-10'],
    ]);
    // R1 started on 2 February, before the period: not counted.
    expect(partial.sites.map((s) => s.starts)).toEqual([[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0]]);
  });

  it('keeps to one therapy when asked', async () => {
    const hcl = await get<StartsSeries>(admin, `/api/v1/metrics/starts?${PERIOD}&therapy=hcl`);
    expect(hcl.sites.map((s) => s.starts)).toEqual([[0, 0, 0, 0, 0, 0], [0, 0, 0, 1, 0, 0], [0, 0, 0, 0, 0, 0]]);
  });
});

describe('wait distributions', () => {
  const ALPHA_WAITS = {
    referralToAssessment: bins(2, 2, 0, 0, 0, 0), // R2 22, R6 19; R3 49, R4 59 (its deferral counts)
    assessmentToFundingDecision: bins(1, 2, 0, 0, 0, 0), // R2 28; R1 36, R4 44
    fundingApprovalToStart: bins(2, 0, 0, 0, 0, 0), // R1 13, R2 14
    referralToStart: bins(0, 0, 2, 0, 0, 0), // R1 84, R2 64
  };
  const BRAVO_WAITS = {
    referralToAssessment: bins(2, 0, 0, 0, 0, 0), // R11 14, R12 9
    assessmentToFundingDecision: bins(1, 1, 0, 0, 0, 0), // R11 23, R12 51
    fundingApprovalToStart: bins(1, 0, 0, 0, 1, 0), // R11 22, R13 211
    referralToStart: bins(0, 1, 0, 0, 0, 1), // R11 59, R13 544
  };

  it('counts the waits that ended in the period in bins of days, per site', async () => {
    const report = await get<WaitDistributions>(admin, `/api/v1/metrics/waits?${PERIOD}`);
    expect(report.bins).toEqual([
      { key: '0-30', minDays: 0, maxDays: 30 },
      { key: '31-60', minDays: 31, maxDays: 60 },
      { key: '61-90', minDays: 61, maxDays: 90 },
      { key: '91-180', minDays: 91, maxDays: 180 },
      { key: '181-365', minDays: 181, maxDays: 365 },
      { key: 'over-365', minDays: 366, maxDays: null },
    ]);
    expect(report.rows).toEqual([
      { key: A, label: 'Alpha Diabetes Centre', waits: ALPHA_WAITS, suppressed: [] },
      { key: B, label: 'Bravo Hospital', waits: BRAVO_WAITS, suppressed: [] },
      { key: E, label: 'Echo Clinic', waits: NO_WAITS, suppressed: [] },
    ]);
  });

  it('adds groups up by ICB and by facilitation mode, empty groups included', async () => {
    const byIcb = await get<WaitDistributions>(admin, `/api/v1/metrics/waits?${PERIOD}&groupBy=icb`);
    expect(byIcb.rows).toEqual([
      {
        key: NORTH,
        label: NORTH,
        waits: {
          referralToAssessment: bins(4, 2, 0, 0, 0, 0),
          assessmentToFundingDecision: bins(2, 3, 0, 0, 0, 0),
          fundingApprovalToStart: bins(3, 0, 0, 0, 1, 0),
          referralToStart: bins(0, 1, 2, 0, 0, 1),
        },
        suppressed: [],
      },
      { key: 'ICB South', label: 'ICB South', waits: NO_WAITS, suppressed: [] },
    ]);
    const byMode = await get<WaitDistributions>(admin, `/api/v1/metrics/waits?${PERIOD}&groupBy=facilitation`);
    expect(byMode.rows.map((r) => [r.key, r.label, r.waits])).toEqual([
      ['active', 'Active facilitation', ALPHA_WAITS],
      ['passive', 'Passive facilitation', NO_WAITS],
      ['none', 'No facilitation', BRAVO_WAITS],
    ]);
  });

  it("has each wait's n equal to the metrics row's, for every grouping, therapy and some other periods", async () => {
    for (const period of [PERIOD, 'from=2024-01-01&to=2026-11-01', 'from=2026-03-01&to=2026-03-31']) {
      for (const groupBy of ['site', 'icb', 'facilitation']) {
        for (const therapy of ['', '&therapy=csii', '&therapy=hcl']) {
          const query = `${period}&groupBy=${groupBy}${therapy}`;
          const waits = await get<WaitDistributions>(admin, `/api/v1/metrics/waits?${query}`);
          const report = await get<MetricsReport>(admin, `/api/v1/metrics?${query}`);
          expect(waits.rows.map((r) => [r.key, Object.values(r.waits).map((w) => w.n)]), query).toEqual(report.rows.map((r) => [r.key, Object.values(r.waits).map((w) => w.n)]));
        }
      }
    }
  });
});

describe('funding by commissioner and route', () => {
  it('counts submissions and decisions in the period under the request they answer, and requests still unanswered', async () => {
    const report = await get<FundingReport>(admin, `/api/v1/metrics/funding?${PERIOD}`);
    const row = (commissioner: string, route: string, f: Partial<FundingReport['decisions'][number]>) => ({
      commissioner,
      route,
      submitted: 0,
      approved: 0,
      declined: 0,
      moreInfo: 0,
      awaitingDecision: 0,
      suppressed: [],
      ...f,
    });
    expect(report.decisions).toEqual([
      row(NORTH, 'routine', { submitted: 1, approved: 1 }), // R2 (R13's approval was in December; R6 asks in July)
      row(NORTH, 'prior_approval', { submitted: 1, approved: 1 }), // R1
      row(NORTH, 'ifr', { awaitingDecision: 1 }), // R5 since July 2025 (R7 was withdrawn)
      row(NORTH, 'national_hcl', { submitted: 3, approved: 1, declined: 1, moreInfo: 1 }), // R4 twice, R11
      row('Other Commissioner', 'routine', { submitted: 1, approved: 1 }), // R12
    ]);
  });

  it('counts, per group, the people found eligible and still waiting on funding at the end of the period', async () => {
    const report = await get<FundingReport>(admin, `/api/v1/metrics/funding?${PERIOD}`);
    expect(report.groups).toEqual([
      { key: A, label: 'Alpha Diabetes Centre', awaitingFunding: 2, suppressed: [] }, // R5 (asked), R6 (not yet asked)
      { key: B, label: 'Bravo Hospital', awaitingFunding: 0, suppressed: [] }, // R12 approved on the last day
      { key: E, label: 'Echo Clinic', awaitingFunding: 0, suppressed: [] },
    ]);
    // At the end of March: R5 and R6 again (R4 is found eligible in April; R7 was withdrawn in February).
    const march = await get<FundingReport>(admin, '/api/v1/metrics/funding?from=2026-03-01&to=2026-03-31&groupBy=icb');
    expect(march.groups.map((g) => [g.key, g.awaitingFunding])).toEqual([[NORTH, 2], ['ICB South', 0]]);
  });

  it('keeps to one therapy when asked', async () => {
    const hcl = await get<FundingReport>(admin, `/api/v1/metrics/funding?${PERIOD}&therapy=hcl`);
    expect(hcl.decisions.map((d) => [d.route, d.submitted, d.approved, d.declined, d.moreInfo])).toEqual([['national_hcl', 3, 1, 1, 1]]);
    expect(hcl.groups.map((g) => g.awaitingFunding)).toEqual([0, 0, 0]);
  });
});

describe('continuation at 12 months', () => {
  it('gives the denominator beside the metrics row\'s continuing12m, and the rate', async () => {
    const report = await get<ContinuationReport>(admin, `/api/v1/metrics/continuation?${PERIOD}`);
    expect(report.rows).toEqual([
      { key: A, label: 'Alpha Diabetes Centre', reached12m: 2, continuing12m: 1, continuingPct: 50, suppressed: [] }, // R8 continues, R9 stopped on its anniversary
      { key: B, label: 'Bravo Hospital', reached12m: 0, continuing12m: 0, continuingPct: null, suppressed: [] },
      { key: E, label: 'Echo Clinic', reached12m: 0, continuing12m: 0, continuingPct: null, suppressed: [] },
    ]);
    for (const groupBy of ['site', 'icb', 'facilitation']) {
      const rows = (await get<ContinuationReport>(admin, `/api/v1/metrics/continuation?${PERIOD}&groupBy=${groupBy}`)).rows;
      const metrics = (await get<MetricsReport>(admin, `/api/v1/metrics?${PERIOD}&groupBy=${groupBy}`)).rows;
      expect(rows.map((r) => [r.key, r.continuing12m])).toEqual(metrics.map((r) => [r.key, r.continuing12m]));
    }
  });
});

describe('who sees which sites', () => {
  it("shows a nurse her own site's exact series only", async () => {
    const nurse = pathwayClient(t, (await t.as('nurse', [B])).cookie);
    expect((await get<StartsSeries>(nurse, `/api/v1/metrics/starts?${PERIOD}`)).sites.map((s) => s.name)).toEqual(['Bravo Hospital']);
    expect((await get<WaitDistributions>(nurse, `/api/v1/metrics/waits?${PERIOD}`)).rows.map((r) => r.key)).toEqual([B]);
    const funding = await get<FundingReport>(nurse, `/api/v1/metrics/funding?${PERIOD}`);
    expect(funding.decisions.map((d) => [d.commissioner, d.route, d.submitted])).toEqual([
      [NORTH, 'national_hcl', 1], // R11 only: Alpha's requests are not hers
      ['Other Commissioner', 'routine', 1],
    ]);
    expect((await get<ContinuationReport>(nurse, `/api/v1/metrics/continuation?${PERIOD}&groupBy=icb`)).rows.map((r) => r.key)).toEqual([NORTH]);
  });

  it('shows a clinician of no site nothing, and answers 401 when not signed in', async () => {
    const nobody = pathwayClient(t, (await t.as('consultant', [])).cookie);
    expect((await get<StartsSeries>(nobody, `/api/v1/metrics/starts?${PERIOD}`)).sites).toEqual([]);
    expect((await get<FundingReport>(nobody, `/api/v1/metrics/funding?${PERIOD}`)).decisions).toEqual([]);
    // The facilitation groups are always three, even empty.
    expect((await get<WaitDistributions>(nobody, `/api/v1/metrics/waits?${PERIOD}&groupBy=facilitation`)).rows.map((r) => [r.key, r.waits])).toEqual([
      ['active', NO_WAITS],
      ['passive', NO_WAITS],
      ['none', NO_WAITS],
    ]);
    for (const path of ['starts', 'waits', 'funding', 'continuation']) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/metrics/${path}` });
      expect(res.statusCode).toBe(401);
    }
  });
});

describe('the query', () => {
  it.each([
    ['starts', 'bin=week', 'bin'],
    ['starts', 'groupBy=site', 'querystring.groupBy'],
    ['waits', 'groupBy=region', 'groupBy'],
    ['funding', 'from=2026-07-01&to=2026-06-30', 'to'],
    ['continuation', 'therapy=pen', 'therapy'],
    ['waits', 'bin=month', 'querystring.bin'],
  ])('answers 400 naming the field for /metrics/%s?%s', async (path, query, field) => {
    const res = await admin.call('GET', `/api/v1/metrics/${path}?${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: '/api/problems/validation', status: 400 });
    expect([...new Set(res.body.errors.map((e: { path: string }) => e.path))]).toEqual([field]);
  });
});

describe('the OpenAPI document', () => {
  it('describes the four series with their definitions, and leaves the metrics endpoints as they were', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const described = (path: string) => doc.paths[`/api/v1/metrics/${path}`].get.description as string;
    expect(described('starts')).toContain('bin=quarter');
    expect(described('waits')).toContain('181-365');
    expect(described('funding')).toContain('awaitingDecision');
    expect(described('continuation')).toContain('reached12m');
    for (const path of ['starts', 'waits', 'funding', 'continuation']) expect(described(path)).toContain('rounded to the nearest');
    expect(doc.paths['/api/v1/metrics/starts'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['bin', 'from', 'therapy', 'to']);
    expect(doc.paths['/api/v1/metrics'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['from', 'groupBy', 'therapy', 'to']);
  });
});
