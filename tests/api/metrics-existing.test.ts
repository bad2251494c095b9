import { describe, expect, it } from 'vitest';
import type { MetricsReport } from '../../src/lib/domain/metrics';
import { createTestApp } from '../support/app';
import { metricsBuilder, oracleReport, toStart } from '../support/metrics-fixtures';
import { pathwayClient } from '../support/pathway';

/**
 * Existing therapy and switching in the metrics (domain.md, `onTherapy`, `existingOnTherapy`, the flow counts,
 * `continuing12m`): a service's existing caseload counts on therapy from its start, never as referred or started,
 * and a pump ended by a closed-loop start is not a discontinuation.
 */

const t = await createTestApp();
const build = metricsBuilder(t.database.db);
const admin = pathwayClient(t, (await t.as('admin')).cookie);

const S = await build.site({ name: 'Sierra Diabetes Service', icb: 'ICB West', t1dPopulation: 200, t1dPopulationAsOf: '2020-01-01' });

// E1: on a pump since 2019 (a known date), recorded this spring.
const e1 = await build.patient(S);
await build.existing(e1, S, { startedOn: '2019-06-01', knownOn: '2026-03-01' });
// E2: a pump since 2018, only the year known: on therapy from the day it was known.
const e2 = await build.patient(S);
await build.existing(e2, S, { startedYear: 2018, knownOn: '2026-03-01' });
// E3: a closed loop, start unknown, known in 2026-02; discontinued in 2026-05.
const e3 = await build.patient(S);
await build.existing(e3, S, { therapy: 'hcl', knownOn: '2026-02-01', reviews: [{ type: 'review', on: '2026-05-10', decision: 'discontinue' }] });
// E4: on a pump since 2020, switched to closed loop through the pathway: started 2026-04-20.
const e4 = await build.patient(S);
const e4Pump = await build.existing(e4, S, { startedOn: '2020-02-02', knownOn: '2026-01-15' });
const e4Hcl = await build.referral(e4, S, {
  therapy: 'hcl',
  receivedOn: '2026-01-20',
  steps: toStart({ eligible: '2026-02-01', requested: '2026-02-10', approved: '2026-03-01', started: '2026-04-20' }),
});
await build.switchToHcl(e4Pump, '2026-04-20', e4Hcl);
// P1: a pump through the pathway, started 2025-01-10, switched to closed loop (an existing closed loop is not how;
// a pathway one) on 2025-09-01: continuing at 12 months, never discontinued.
const p1 = await build.patient(S);
const p1Pump = await build.referral(p1, S, { receivedOn: '2024-10-01', steps: toStart({ eligible: '2024-10-15', requested: '2024-11-01', approved: '2024-12-01', started: '2025-01-10' }) });
const p1Hcl = await build.referral(p1, S, {
  therapy: 'hcl',
  receivedOn: '2025-06-01',
  steps: toStart({ eligible: '2025-06-10', requested: '2025-06-20', approved: '2025-07-15', started: '2025-09-01' }),
});
await build.switchToHcl(p1Pump, '2025-09-01', p1Hcl);
// P2: a person both on an existing pump and started on another through the pathway: counts as pathway.
const p2 = await build.patient(S);
await build.existing(p2, S, { startedOn: '2017-01-01', knownOn: '2026-03-01' });
await build.referral(p2, S, { receivedOn: '2025-11-01', steps: toStart({ eligible: '2025-11-10', requested: '2025-11-20', approved: '2025-12-01', started: '2026-01-05' }) });

const metrics = async (query: string): Promise<MetricsReport> => {
  const res = await admin.call('GET', `/api/v1/metrics?groupBy=site&${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};

describe('existing records and switches in the figures', () => {
  it('counts existing records on therapy from their start, and never as referred, started or waiting', async () => {
    const [row] = (await metrics('from=2026-01-01&to=2026-06-30')).rows;
    expect(row).toMatchObject({
      // E1, E2, E4 (closed loop), P1 (closed loop), P2; E3 discontinued in May, E4's and P1's pumps switched.
      onTherapy: 5,
      existingOnTherapy: 2, // E1, E2 (P2 counts as pathway)
      uptakePct: 2.5,
      referrals: 1, // E4's closed loop
      started: 2, // E4's closed loop, P2's pump
      discontinued: 1, // E3: a discontinued existing record counts; the switches do not
    });
    expect(row!.waits.referralToStart.n).toBe(2);
  });

  it('counts an existing record with a known start in periods before it was recorded, and one without from the day it was known', async () => {
    const [row] = (await metrics('from=2022-01-01&to=2022-12-31')).rows;
    // E1 (since 2019-06), E4's pump (since 2020-02), P2's existing pump (since 2017): E2's 2018 is only a year.
    expect(row).toMatchObject({ onTherapy: 3, existingOnTherapy: 3, referrals: 0, started: 0 });
  });

  it('keeps a pump switched to closed loop continuing at 12 months', async () => {
    const [row] = (await metrics('from=2026-01-01&to=2026-06-30')).rows;
    expect(row!.continuing12m).toBe(1); // P1: started 2025-01-10, switched, anniversary 2026-01-10
  });

  it('keeps to one therapy when asked', async () => {
    const [csii] = (await metrics('from=2026-01-01&to=2026-06-30&therapy=csii')).rows;
    expect(csii).toMatchObject({ onTherapy: 3, existingOnTherapy: 2, discontinued: 0 }); // E1, E2, P2
    const [hcl] = (await metrics('from=2026-01-01&to=2026-06-30&therapy=hcl')).rows;
    expect(hcl).toMatchObject({ onTherapy: 2, existingOnTherapy: 0, discontinued: 1 }); // E4, P1; E3 stopped
  });

  it('agrees with the oracle over many periods and both therapies', async () => {
    const ends = ['2016-12-31', '2019-06-01', '2020-12-31', '2025-01-10', '2025-08-31', '2025-09-01', '2026-02-28', '2026-04-19', '2026-04-20', '2026-05-10', '2026-06-30'];
    for (const to of ends) {
      for (const therapy of [undefined, 'csii', 'hcl'] as const) {
        const from = `${Number(to.slice(0, 4)) - 1}${to.slice(4)}`;
        const report = await metrics(`from=${from}&to=${to}${therapy ? `&therapy=${therapy}` : ''}`);
        expect(report, `${from}..${to} ${therapy ?? ''}`).toEqual(oracleReport(build.data, { from, to, groupBy: 'site', ...(therapy ? { therapy } : {}) }));
      }
    }
  });
});
