import { describe, expect, it } from 'vitest';
import { addDays } from '../../src/lib/domain/calendar-date';
import type { MetricsReport, MetricsRow } from '../../src/lib/domain/metrics';
import { ROW_KEYS } from '../support/oracles';
import { createTestApp } from '../support/app';
import { flattenRow, keysDeep, metricsBuilder, oracleReport, parseCsv, toStart } from '../support/metrics-fixtures';
import { pathwayClient } from '../support/pathway';

/**
 * Disclosure control end to end: a commissioner gets rounded and withheld figures, the site's clinicians and
 * admins the exact ones, from the same data; the CSV carries the same rows.
 */

const t = await createTestApp();
const build = metricsBuilder(t.database.db);

const FROM = '2026-01-01';
const TO = '2026-06-30';
const QUERY = `from=${FROM}&to=${TO}`;

// Delta: counts that round both ways and some that are withheld.
const D = await build.site({ name: 'Delta Diabetes Service', icb: 'ICB Disclosure', t1dPopulation: 1002, t1dPopulationAsOf: '2025-01-01' });
// Foxtrot: everything small.
const F = await build.site({ name: 'Foxtrot Clinic', icb: 'ICB Disclosure', t1dPopulation: 6, t1dPopulationAsOf: '2025-01-01' });

const at = async (site: string, r: Parameters<typeof build.referral>[2]) => build.referral(await build.patient(site), site, r);

for (let i = 0; i < 13; i++) {
  // 13 referrals in January; the first 7 eligible, funded and started, the 8th not eligible, 5 still waiting.
  const receivedOn = addDays('2026-01-05', i);
  const steps =
    i < 7
      ? toStart({ eligible: addDays('2026-02-01', 2 * i), requested: '2026-02-20', approved: addDays('2026-03-01', i), started: addDays('2026-03-20', i) })
      : i === 7
        ? [{ type: 'assessment' as const, on: '2026-02-20', decision: 'not_eligible' as const }]
        : [];
  await at(D, { receivedOn, steps });
}
for (let j = 0; j < 5; j++) {
  // Funded last year, started in January.
  await at(D, { receivedOn: addDays('2025-09-01', j), steps: toStart({ eligible: '2025-10-01', requested: '2025-10-10', approved: addDays('2025-11-01', j), started: addDays('2026-01-15', j) }) });
}
for (let k = 0; k < 17; k++) {
  // On a pump since 2024.
  await at(D, { receivedOn: '2024-01-10', steps: toStart({ eligible: '2024-02-01', requested: '2024-02-10', approved: '2024-03-01', started: '2024-06-01' }) });
}
await at(F, { receivedOn: '2026-02-01', steps: toStart({ eligible: '2026-02-10', requested: '2026-02-12', approved: '2026-03-01', started: '2026-03-20' }) });

const w = (n: number | null, medianDays: number | null, p90Days: number | null) => ({ n, medianDays, p90Days });

const DELTA_EXACT: MetricsRow = {
  key: D,
  label: 'Delta Diabetes Service',
  t1dPopulation: 1002,
  onTherapy: 29,
  existingOnTherapy: 0,
  uptakePct: 2.9, // 29 / 1002 = 2.894%
  referrals: 13,
  assessed: 8,
  eligible: 7,
  fundingRequested: 7,
  fundingApproved: 7,
  fundingDeclined: 0,
  started: 12,
  discontinued: 0,
  continuing12m: 17,
  waits: {
    referralToAssessment: w(8, 30.5, 39), // 27..33 and 39
    assessmentToFundingDecision: w(7, 25, 28), // 22..28
    fundingApprovalToStart: w(12, 19, 75), // seven of 19, five of 75
    referralToStart: w(12, 74, 136), // seven of 74, five of 136
  },
  hba1cChange6m: { n: 0, medianMmolMol: null },
  suppressed: [],
};

const DELTA_COMMISSIONER: MetricsRow = {
  key: D,
  label: 'Delta Diabetes Service',
  t1dPopulation: 1000, // 1002
  onTherapy: 30, // 29
  existingOnTherapy: 0,
  uptakePct: 3, // 30 / 1000, from the rounded figures (the exact 2.9% would give 29 back)
  referrals: 15, // 13
  assessed: 10, // 8
  eligible: null, // 7
  fundingRequested: null,
  fundingApproved: null,
  fundingDeclined: 0, // 0 stays 0
  started: 10, // 12
  discontinued: 0,
  continuing12m: 15, // 17
  waits: {
    referralToAssessment: w(10, 30.5, 39), // over 8 values: shown
    assessmentToFundingDecision: w(null, null, null), // over 7: withheld
    fundingApprovalToStart: w(10, 19, 75),
    referralToStart: w(10, 74, 136),
  },
  hba1cChange6m: { n: 0, medianMmolMol: null }, // nothing to withhold
  suppressed: [
    'eligible',
    'fundingRequested',
    'fundingApproved',
    'waits.assessmentToFundingDecision.n',
    'waits.assessmentToFundingDecision.medianDays',
    'waits.assessmentToFundingDecision.p90Days',
  ],
};

const FOXTROT_EXACT: MetricsRow = {
  key: F,
  label: 'Foxtrot Clinic',
  t1dPopulation: 6,
  onTherapy: 1,
  existingOnTherapy: 0,
  uptakePct: 16.7,
  referrals: 1,
  assessed: 1,
  eligible: 1,
  fundingRequested: 1,
  fundingApproved: 1,
  fundingDeclined: 0,
  started: 1,
  discontinued: 0,
  continuing12m: 0,
  waits: { referralToAssessment: w(1, 9, 9), assessmentToFundingDecision: w(1, 19, 19), fundingApprovalToStart: w(1, 19, 19), referralToStart: w(1, 47, 47) },
  hba1cChange6m: { n: 0, medianMmolMol: null },
  suppressed: [],
};

const withheldWait = w(null, null, null);
const FOXTROT_COMMISSIONER: MetricsRow = {
  ...FOXTROT_EXACT,
  t1dPopulation: null,
  onTherapy: null,
  uptakePct: null,
  referrals: null,
  assessed: null,
  eligible: null,
  fundingRequested: null,
  fundingApproved: null,
  started: null,
  waits: { referralToAssessment: withheldWait, assessmentToFundingDecision: withheldWait, fundingApprovalToStart: withheldWait, referralToStart: withheldWait },
  suppressed: [
    't1dPopulation',
    'onTherapy',
    'uptakePct',
    'referrals',
    'assessed',
    'eligible',
    'fundingRequested',
    'fundingApproved',
    'started',
    ...['referralToAssessment', 'assessmentToFundingDecision', 'fundingApprovalToStart', 'referralToStart'].flatMap((name) => [
      `waits.${name}.n`,
      `waits.${name}.medianDays`,
      `waits.${name}.p90Days`,
    ]),
  ],
};

const commissioner = pathwayClient(t, (await t.as('commissioner')).cookie);
const commissionerCookie = (await t.as('commissioner')).cookie;

const get = async (client: ReturnType<typeof pathwayClient>, query: string) => {
  const res = await client.call('GET', `/api/v1/metrics?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as MetricsReport;
};

describe('a commissioner', () => {
  it('sees every site, with counts rounded to 5, small counts and small-sample statistics withheld and named', async () => {
    expect(await get(commissioner, QUERY)).toEqual({ from: FROM, to: TO, rows: [DELTA_COMMISSIONER, FOXTROT_COMMISSIONER] });
  });

  it('gets the oracle\'s controlled rows in every grouping', async () => {
    for (const groupBy of ['site', 'icb', 'facilitation'] as const) {
      expect(await get(commissioner, `${QUERY}&groupBy=${groupBy}`)).toEqual(oracleReport(build.data, { from: FROM, to: TO, groupBy, disclosureControlled: true }));
    }
  });

  it('controls a group after adding up exact figures: the ICB shows what neither site could', async () => {
    const [icb] = (await get(commissioner, `${QUERY}&groupBy=icb`)).rows;
    expect(icb).toMatchObject({
      key: 'ICB Disclosure',
      t1dPopulation: 1010, // 1008
      onTherapy: 30,
      existingOnTherapy: 0,
      uptakePct: 3, // 30 / 1010 = 2.97
      referrals: 15, // 14
      eligible: 10, // 8
      fundingApproved: 10, // 8
      started: 15, // 13
      waits: { assessmentToFundingDecision: w(10, 24.5, 28) }, // 8 values: 19, 22..28
    });
    expect(icb!.suppressed).toEqual([]);
  });

  it('never receives a patient-level field, nor any field the row does not document', async () => {
    for (const groupBy of ['site', 'icb', 'facilitation'] as const) {
      for (const therapy of ['', '&therapy=csii', '&therapy=hcl']) {
        const report = await get(commissioner, `${QUERY}&groupBy=${groupBy}${therapy}`);
        const { rows, ...top } = report;
        expect(Object.keys(top).sort()).toEqual(['from', 'to']);
        for (const key of keysDeep(rows)) expect(ROW_KEYS).toContain(key);
      }
    }
  });

  it('is never refused (no 403), in JSON or CSV, for any grouping', async () => {
    for (const path of ['/api/v1/metrics', '/api/v1/metrics.csv']) {
      for (const groupBy of ['site', 'icb', 'facilitation']) {
        const res = await t.app.inject({ method: 'GET', url: `${path}?groupBy=${groupBy}`, headers: { cookie: commissionerCookie } });
        expect(res.statusCode).toBe(200);
      }
    }
  });

  it('gets the same controlled rows as CSV: withheld cells empty, suppressed joined with ;', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/metrics.csv?${QUERY}`, headers: { cookie: commissionerCookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="[\w.-]+\.csv"$/);
    const [header, ...records] = parseCsv(res.body);
    expect(records.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]])))).toEqual([DELTA_COMMISSIONER, FOXTROT_COMMISSIONER].map(flattenRow));
    const delta = records[0]!;
    expect(delta[header!.indexOf('eligible')]).toBe('');
    expect(delta[header!.indexOf('fundingDeclined')]).toBe('0');
    expect(delta[header!.indexOf('suppressed')]).toBe(DELTA_COMMISSIONER.suppressed.join(';'));
  });
});

describe('clinicians and admins', () => {
  it("see exact figures: a nurse for her own site only, an admin for every site", async () => {
    const nurse = pathwayClient(t, (await t.as('nurse', [D])).cookie);
    expect((await get(nurse, QUERY)).rows).toEqual([DELTA_EXACT]);
    const consultant = pathwayClient(t, (await t.as('consultant', [F])).cookie);
    expect((await get(consultant, QUERY)).rows).toEqual([FOXTROT_EXACT]);
    const admin = pathwayClient(t, (await t.as('admin')).cookie);
    expect((await get(admin, QUERY)).rows).toEqual([DELTA_EXACT, FOXTROT_EXACT]);
  });

  it('get the exact rows as CSV too', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/metrics.csv?${QUERY}`, headers: { cookie: (await t.as('nurse', [D])).cookie } });
    const [header, ...records] = parseCsv(res.body);
    expect(records.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]])))).toEqual([flattenRow(DELTA_EXACT)]);
  });
});
