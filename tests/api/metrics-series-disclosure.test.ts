import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../src/lib/domain/calendar-date';
import {
  discloseContinuationRow,
  discloseFundingRow,
  discloseSiteStarts,
  discloseWaitRow,
  type ContinuationReport,
  type FundingReport,
  type StartsSeries,
  type WaitDistributions,
} from '../../src/lib/domain/metrics-series';
import { rowsOf } from '../../src/lib/server/db/client';
import { createTestApp } from '../support/app';
import { keysDeep, metricsBuilder, toStart, type Step } from '../support/metrics-fixtures';
import { pathwayClient } from '../support/pathway';

/**
 * Disclosure control of the dashboard's series: a commissioner gets every count of every series with 0 kept, 1
 * to 7 withheld and named, 8 and more rounded to 5, rates from the rounded parts, and nothing about a patient;
 * the site's clinicians get the exact figures from the same data.
 */

const t = await createTestApp();
const build = metricsBuilder(t.database.db);

const FROM = '2026-01-01';
const TO = '2026-06-30';
const PERIOD = `from=${FROM}&to=${TO}`;

const D = await build.site({ name: 'Delta Diabetes Service', icb: 'ICB Disclosure' });
const F = await build.site({ name: 'Foxtrot Clinic', icb: 'ICB Disclosure' });

const at = async (site: string, commissioner: string, route: string, r: { receivedOn: string; steps: Step[] }) => {
  const id = await build.referral(await build.patient(site), site, r);
  await t.database.db.execute(sql`
    update referral_events set payload = payload || jsonb_build_object('commissioner', ${commissioner}::text, 'route', ${route}::text)
    where referral_id = ${id}::uuid and type = 'funding_requested'`);
};

// Delta: 0, 1, 7, 8, 12 and 13 starts in January to June, each month's starts waiting a different number of days
// after approval (10, 45, 75, 120, 200 days: one bin each), so the bins of that wait count 1, 7, 8, 12, 13 and 0.
const MONTHS = [
  { month: '2026-02', starts: 1, gap: 10 },
  { month: '2026-03', starts: 7, gap: 45 },
  { month: '2026-04', starts: 8, gap: 75 },
  { month: '2026-05', starts: 12, gap: 120 },
  { month: '2026-06', starts: 13, gap: 200 },
];
for (const { month, starts, gap } of MONTHS) {
  for (let k = 0; k < starts; k++) {
    const started = `${month}-${String(k + 1).padStart(2, '0')}`;
    const approved = addDays(started, -gap);
    await at(D, 'Delta ICB', 'routine', {
      receivedOn: addDays(approved, -40),
      steps: toStart({ eligible: addDays(approved, -30), requested: addDays(approved, -20), approved, started }),
    });
  }
}
// Nine people on a pump since 2024, one of whom stopped within the year.
for (let k = 0; k < 9; k++) {
  const steps: Step[] = [...toStart({ eligible: '2024-02-01', requested: '2024-02-10', approved: '2024-03-01', started: '2024-06-01' })];
  if (k === 0) steps.push({ type: 'review', on: '2024-12-01', decision: 'discontinue' });
  await at(D, 'Delta ICB', 'routine', { receivedOn: '2024-01-10', steps });
}
// Foxtrot: eight requests to one commissioner, one declined and seven sent back for more information; one start in 2025.
for (let k = 0; k < 8; k++) {
  await at(F, 'Foxtrot ICB', 'ifr', {
    receivedOn: '2026-01-05',
    steps: [
      { type: 'assessment', on: '2026-01-20', decision: 'eligible' },
      { type: 'funding_requested', on: '2026-02-01' },
      { type: 'funding_decision', on: '2026-03-01', outcome: k === 0 ? 'declined' : 'more_info' },
    ],
  });
}
await at(F, 'Foxtrot ICB', 'ifr', { receivedOn: '2024-09-01', steps: toStart({ eligible: '2024-10-01', requested: '2024-10-10', approved: '2024-11-01', started: '2025-01-10' }) });

const commissioner = pathwayClient(t, (await t.as('commissioner')).cookie);
const admin = pathwayClient(t, (await t.as('admin')).cookie);

async function get<T>(client: ReturnType<typeof pathwayClient>, path: string): Promise<T> {
  const res = await client.call('GET', path);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as T;
}

describe('a commissioner', () => {
  it('sees monthly starts with 0 kept, 1 and 7 withheld, 8, 12 and 13 rounded, and the total rounded from the exact total', async () => {
    const series = await get<StartsSeries>(commissioner, `/api/v1/metrics/starts?${PERIOD}`);
    const delta = series.sites[0]!;
    expect(delta.starts).toEqual([0, null, null, 10, 10, 15]); // 0, 1, 7, 8, 12, 13
    expect(delta.total).toBe(40); // 41, not the sum of the cells shown
    expect(delta.suppressed).toEqual(['starts.1', 'starts.2']);
    expect(series.sites[1]).toMatchObject({ name: 'Foxtrot Clinic', starts: [0, 0, 0, 0, 0, 0], total: 0, suppressed: [] });
    // By quarter, fewer cells are withheld: 8 and 33.
    const quarters = await get<StartsSeries>(commissioner, `/api/v1/metrics/starts?${PERIOD}&bin=quarter`);
    expect(quarters.sites[0]!.starts).toEqual([10, 35]);
    expect(quarters.sites[0]!.suppressed).toEqual([]);
  });

  it('sees wait bins controlled one by one, and n from the exact n', async () => {
    const report = await get<WaitDistributions>(commissioner, `/api/v1/metrics/waits?${PERIOD}`);
    const [delta, foxtrot] = report.rows;
    expect(delta!.waits.fundingApprovalToStart).toEqual({ n: 40, counts: [null, null, 10, 10, 15, 0] }); // 41: 1, 7, 8, 12, 13, 0
    expect(delta!.suppressed).toContain('waits.fundingApprovalToStart.counts.0');
    expect(delta!.suppressed).toContain('waits.fundingApprovalToStart.counts.1');
    expect(delta!.suppressed).not.toContain('waits.fundingApprovalToStart.counts.5');
    expect(foxtrot!.waits.referralToAssessment).toEqual({ n: 10, counts: [10, 0, 0, 0, 0, 0] }); // 8 waits of 15 days
    expect(foxtrot!.waits.assessmentToFundingDecision).toEqual({ n: null, counts: [0, null, 0, 0, 0, 0] }); // the one decline, 40 days
    expect(foxtrot!.suppressed).toEqual(['waits.assessmentToFundingDecision.n', 'waits.assessmentToFundingDecision.counts.1']);
  });

  it('sees funding counts controlled, with the people waiting on funding withheld at 7', async () => {
    const report = await get<FundingReport>(commissioner, `/api/v1/metrics/funding?${PERIOD}`);
    const foxtrot = report.decisions.find((d) => d.commissioner === 'Foxtrot ICB')!;
    expect(foxtrot).toEqual({
      commissioner: 'Foxtrot ICB',
      route: 'ifr',
      submitted: 10, // 8
      approved: 0,
      declined: null, // 1
      moreInfo: null, // 7
      awaitingDecision: 0, // each was answered
      suppressed: ['declined', 'moreInfo'],
    });
    const delta = report.decisions.find((d) => d.commissioner === 'Delta ICB')!;
    expect(delta.approved).toBe(30); // 28 approvals dated in the period: January for the starts of February to May
    expect(report.groups).toEqual([
      { key: D, label: 'Delta Diabetes Service', awaitingFunding: 0, suppressed: [] },
      { key: F, label: 'Foxtrot Clinic', awaitingFunding: null, suppressed: ['awaitingFunding'] }, // 7 asked for more information
    ]);
  });

  it('sees continuation computed from the rounded counts, and withheld with either count', async () => {
    const report = await get<ContinuationReport>(commissioner, `/api/v1/metrics/continuation?${PERIOD}`);
    expect(report.rows).toEqual([
      { key: D, label: 'Delta Diabetes Service', reached12m: 10, continuing12m: 10, continuingPct: 100, suppressed: [] }, // 9 and 8: 88.9% exactly
      { key: F, label: 'Foxtrot Clinic', reached12m: null, continuing12m: null, continuingPct: null, suppressed: ['reached12m', 'continuing12m', 'continuingPct'] },
    ]);
    // The ICB adds the exact figures up first: 10 and 9, so it shows what Foxtrot alone could not.
    const icb = await get<ContinuationReport>(commissioner, `/api/v1/metrics/continuation?${PERIOD}&groupBy=icb`);
    expect(icb.rows).toEqual([{ key: 'ICB Disclosure', label: 'ICB Disclosure', reached12m: 10, continuing12m: 10, continuingPct: 100, suppressed: [] }]);
  });

  it("gets exactly the clinicians' figures put through disclosure control, in every grouping", async () => {
    for (const groupBy of ['site', 'icb', 'facilitation']) {
      const query = `${PERIOD}&groupBy=${groupBy}`;
      const waits = await get<WaitDistributions>(admin, `/api/v1/metrics/waits?${query}`);
      expect(await get(commissioner, `/api/v1/metrics/waits?${query}`)).toEqual({ ...waits, rows: waits.rows.map(discloseWaitRow) });
      const funding = await get<FundingReport>(admin, `/api/v1/metrics/funding?${query}`);
      const controlled = await get<FundingReport>(commissioner, `/api/v1/metrics/funding?${query}`);
      expect(controlled.decisions).toEqual(funding.decisions.map(discloseFundingRow));
      const continuation = await get<ContinuationReport>(admin, `/api/v1/metrics/continuation?${query}`);
      expect(await get(commissioner, `/api/v1/metrics/continuation?${query}`)).toEqual({ ...continuation, rows: continuation.rows.map(discloseContinuationRow) });
    }
    for (const bin of ['month', 'quarter']) {
      const starts = await get<StartsSeries>(admin, `/api/v1/metrics/starts?${PERIOD}&bin=${bin}`);
      expect(await get(commissioner, `/api/v1/metrics/starts?${PERIOD}&bin=${bin}`)).toEqual({ ...starts, sites: starts.sites.map(discloseSiteStarts) });
    }
  });

  it('never receives a patient-level field: only the documented keys, and no patient, referral or NHS number anywhere', async () => {
    const allowed = new Set([
      ...['from', 'to', 'bin', 'buckets', 'start', 'label', 'sites', 'siteId', 'name', 'facilitationMode', 'total', 'starts', 'facilitation'],
      ...['on', 'mode', 'kind', 'facilitator', 'notes', 'barriers', 'category', 'description', 'raisedOn', 'resolvedOn', 'suppressed'],
      ...['bins', 'key', 'minDays', 'maxDays', 'rows', 'waits', 'referralToAssessment', 'assessmentToFundingDecision', 'fundingApprovalToStart'],
      ...['referralToStart', 'n', 'counts', 'decisions', 'commissioner', 'route', 'submitted', 'approved', 'declined', 'moreInfo'],
      ...['awaitingDecision', 'groups', 'awaitingFunding', 'reached12m', 'continuing12m', 'continuingPct'],
    ]);
    const patients = rowsOf<{ id: string; nhs_number: string }>(await t.database.db.execute(sql`select id::text as id, nhs_number from patients`));
    const secrets = [...patients.flatMap((p) => [p.id, p.nhs_number]), ...build.data.referrals.map((r) => r.id)];
    expect(secrets.length).toBeGreaterThan(100);
    for (const path of ['starts', 'starts?bin=quarter', 'waits', 'waits?groupBy=icb', 'funding', 'funding?groupBy=facilitation', 'continuation']) {
      const res = await commissioner.call('GET', `/api/v1/metrics/${path}`);
      expect(res.status).toBe(200);
      for (const key of keysDeep(res.body)) expect(allowed, `${path}: ${key}`).toContain(key);
      const text = JSON.stringify(res.body);
      expect(secrets.filter((s) => text.includes(s)), path).toEqual([]);
    }
  });
});

describe('clinicians', () => {
  it("see their own site's exact figures", async () => {
    const nurse = pathwayClient(t, (await t.as('nurse', [D])).cookie);
    const series = await get<StartsSeries>(nurse, `/api/v1/metrics/starts?${PERIOD}`);
    expect(series.sites.map((s) => [s.name, s.starts, s.total, s.suppressed])).toEqual([['Delta Diabetes Service', [0, 1, 7, 8, 12, 13], 41, []]]);
    const waits = await get<WaitDistributions>(nurse, `/api/v1/metrics/waits?${PERIOD}`);
    expect(waits.rows[0]!.waits.fundingApprovalToStart).toEqual({ n: 41, counts: [1, 7, 8, 12, 13, 0] });
    const consultant = pathwayClient(t, (await t.as('consultant', [F])).cookie);
    const funding = await get<FundingReport>(consultant, `/api/v1/metrics/funding?${PERIOD}`);
    expect(funding.decisions).toEqual([{ commissioner: 'Foxtrot ICB', route: 'ifr', submitted: 8, approved: 0, declined: 1, moreInfo: 7, awaitingDecision: 0, suppressed: [] }]);
    expect(funding.groups).toEqual([{ key: F, label: 'Foxtrot Clinic', awaitingFunding: 7, suppressed: [] }]);
    const continuation = await get<ContinuationReport>(consultant, `/api/v1/metrics/continuation?${PERIOD}`);
    expect(continuation.rows).toEqual([{ key: F, label: 'Foxtrot Clinic', reached12m: 1, continuing12m: 1, continuingPct: 100, suppressed: [] }]);
  });
});
