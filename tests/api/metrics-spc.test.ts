import { describe, expect, it } from 'vitest';
import { xmrChart } from '../../src/lib/domain/spc';
import { createTestApp } from '../support/app';
import { metricsBuilder, toStart } from '../support/metrics-fixtures';
import { pathwayClient } from '../support/pathway';

/**
 * The improvement charts' plumbing on a hand-made service: which records fall in which bin, groups, rebasing and
 * disclosure. The calculation itself is checked against NHSRplotthedots in src/lib/domain/spc.test.ts.
 */

const t = await createTestApp();
const build = metricsBuilder(t.database.db);

const A = await build.site({ name: 'Alpha Diabetes Centre', icb: 'ICB North' });
const B = await build.site({ name: 'Bravo Hospital', icb: 'ICB North' });
const C = await build.site({ name: 'Charlie Clinic', icb: 'ICB South' });
await build.facilitation(A, '2025-03-20', 'passive');
await build.facilitation(A, '2025-07-10', 'active');
await build.facilitation(A, '2025-09-01', 'active');

// Alpha's referrals per month from January 2025 to February 2026: a step up when hands-on help began in July.
const MONTHS = ['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12', '2026-01', '2026-02'];
const ALPHA = [8, 10, 9, 11, 8, 10, 20, 22, 19, 21, 20, 22, 19, 21];
const DAYS = [5, 8, 12, 15, 19, 22, 26, 28, 3, 10, 17, 24, 6, 13, 20, 27, 2, 9, 16, 23, 25, 11];
for (const [m, month] of MONTHS.entries()) {
  for (const day of DAYS.slice(0, ALPHA[m])) await build.referral(await build.patient(A), A, { receivedOn: `${month}-${String(day).padStart(2, '0')}` });
}
// Someone already on a pump at Alpha is never a referral, a start or a wait.
await build.existing(await build.patient(A), A, { startedOn: '2025-03-01', knownOn: '2025-03-05' });

// Bravo's three starts: two in March 2025 after waits of 50 and 42 days, one in April after 30.
const startAt = async (receivedOn: string, started: string) =>
  build.referral(await build.patient(B), B, { receivedOn, steps: toStart({ eligible: receivedOn, requested: receivedOn, approved: receivedOn, started }) });
await startAt('2025-01-10', '2025-03-01');
await startAt('2025-02-01', '2025-03-15');
await startAt('2025-03-02', '2025-04-01');
await build.referral(await build.patient(C), C, { receivedOn: '2025-06-30' });

const PERIOD = 'from=2025-01-15&to=2026-02-10';
const asAdmin = pathwayClient(t, (await t.as('admin')).cookie);
const spc = async (query: string, client = asAdmin) => {
  const res = await client.call('GET', `/api/v1/metrics/spc?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const groupOf = (body: { groups: { key: string }[] }, key: string) => body.groups.find((g) => g.key === key) as any;
const values = (group: { points: { value: number | null }[] }) => group.points.map((p) => p.value);

describe('improvement charts of a measure per site', () => {
  it('bins referrals by calendar month over whole months, from the one holding from to the one holding to', async () => {
    const body = await spc(`measure=referrals&${PERIOD}`);
    expect(body).toMatchObject({ measure: 'referrals', bin: 'month', improvement: 'up' });
    const alpha = groupOf(body, A);
    expect(alpha.points.map((p: { start: string }) => p.start)).toEqual(MONTHS.map((m) => `${m}-01`));
    // January's 5th and February's 13th lie outside from..to, and count: every point is a whole month.
    expect(values(alpha)).toEqual(ALPHA);
    expect(values(groupOf(body, B))).toEqual([1, 1, 1, ...Array(11).fill(0)]);
    expect(body.groups.map((g: { label: string }) => g.label)).toEqual(['Alpha Diabetes Centre', 'Bravo Hospital', 'Charlie Clinic']);
  });

  it("charts each site's values as the domain's XmR chart does, the step up showing as a signal of improvement", async () => {
    const alpha = groupOf(await spc(`measure=referrals&${PERIOD}`), A);
    const expected = xmrChart(
      MONTHS.map((m, i) => ({ start: `${m}-01`, value: ALPHA[i]! })),
      { improvement: 'up' },
    );
    expect(alpha.points).toEqual(expected.points);
    // Below the lower limit before July (all but 11, which is inside it, the run of six too short for a shift).
    expect(alpha.points.map((p: { variation: string }) => p.variation)).toEqual([
      ...['concern', 'concern', 'concern', 'common', 'concern', 'concern'],
      ...Array(8).fill('improvement'),
    ]);
    expect(alpha).toMatchObject({ rebasedOn: [], withheld: false, latest: { variation: 'improvement' } });
  });

  it("rebases each site at its first active facilitation in the period, after which there is nothing to see", async () => {
    const body = await spc(`measure=referrals&${PERIOD}&rebase=facilitation`);
    const alpha = groupOf(body, A);
    expect(alpha.rebasedOn).toEqual(['2025-07-01']);
    expect(alpha.points.slice(0, 6).every((p: { mean: number }) => p.mean === 56 / 6)).toBe(true);
    expect(alpha.points.slice(6).every((p: { mean: number }) => p.mean === 20.5)).toBe(true);
    expect(alpha.points.every((p: { variation: string }) => p.variation === 'common')).toBe(true);
    expect(groupOf(body, B).rebasedOn).toEqual([]);
  });

  it('rebases every group at the bins of the dates given, and not by facilitation when the groups are not sites', async () => {
    const byDate = await spc(`measure=referrals&${PERIOD}&rebase=2025-07-15,2024-01-01,2025-01-20`);
    expect(byDate.groups.map((g: { rebasedOn: string[] }) => g.rebasedOn)).toEqual(Array(3).fill(['2025-07-01']));
    const byIcb = await spc(`measure=referrals&${PERIOD}&groupBy=icb&rebase=facilitation`);
    expect(byIcb.groups.map((g: { key: string; rebasedOn: string[] }) => [g.key, g.rebasedOn])).toEqual([
      ['ICB North', []],
      ['ICB South', []],
    ]);
  });

  it('counts pathway starts in the month they happened, never an existing therapy', async () => {
    const body = await spc(`measure=starts&${PERIOD}`);
    expect(values(groupOf(body, A))).toEqual(Array(14).fill(0));
    expect(values(groupOf(body, B))).toEqual([0, 0, 2, 1, ...Array(10).fill(0)]);
  });

  it('gives the median referral-to-start wait of the starts in each month, improvement down, null where there was none', async () => {
    const body = await spc(`measure=referral_to_start_days&${PERIOD}`);
    expect(body.improvement).toBe('down');
    const bravo = groupOf(body, B);
    expect(values(bravo)).toEqual([null, null, 46, 30, ...Array(10).fill(null)]);
    expect(bravo.points[2]).toMatchObject({ mean: 38, lpl: 38 - 2.66 * 16, upl: 38 + 2.66 * 16, variation: 'common' });
    expect(bravo.points[0]).toMatchObject({ mean: 38, specialCause: null, variation: null });
    expect(bravo.latest).toEqual({ variation: 'common' });
    expect(groupOf(body, A).points.every((p: { value: null; mean: null }) => p.value === null && p.mean === null)).toBe(true);
  });

  it('bins by ISO week from the Monday of the week holding from, counting whole weeks', async () => {
    const alpha = groupOf(await spc(`measure=referrals&from=2025-01-01&to=2025-01-31&bin=week`), A);
    expect(alpha.points.map((p: { start: string }) => p.start)).toEqual(['2024-12-30', '2025-01-06', '2025-01-13', '2025-01-20', '2025-01-27']);
    // 5 | 8, 12 | 15, 19 | 22, 26 | 28 (and nothing on 1 or 2 February).
    expect(values(alpha)).toEqual([1, 2, 2, 2, 1]);
  });

  it('charts all the sites together, by ICB, or by facilitation mode', async () => {
    const all = await spc(`measure=starts&${PERIOD}&groupBy=all`);
    expect(all.groups.map((g: { key: string; label: string }) => [g.key, g.label])).toEqual([['all', 'All sites']]);
    expect(values(all.groups[0])).toEqual([0, 0, 2, 1, ...Array(10).fill(0)]);
    // ICB North is Alpha's referrals and Bravo's three, one in each of the first three months.
    const byIcb = await spc(`measure=referrals&${PERIOD}&groupBy=icb`);
    expect(values(groupOf(byIcb, 'ICB North'))).toEqual(ALPHA.map((n, m) => n + (m < 3 ? 1 : 0)));
    expect(values(groupOf(byIcb, 'ICB South'))).toEqual([0, 0, 0, 0, 0, 1, ...Array(8).fill(0)]);
    const byMode = await spc(`measure=referrals&${PERIOD}&groupBy=facilitation`);
    expect(byMode.groups.map((g: { key: string }) => g.key)).toEqual(['active', 'passive', 'none']);
    expect(values(groupOf(byMode, 'active'))).toEqual(ALPHA);
    expect(values(groupOf(byMode, 'passive'))).toEqual(Array(14).fill(0));
  });
});

describe("the dashboard's charts of every measure at once", () => {
  it.each(['admin', 'commissioner', 'nurse'] as const)('are the charts of each measure alone, for %s', async (role) => {
    const ctx = { actor: { kind: 'user' as const, userId: 'u', email: `${role}@example.org`, name: role, role, siteIds: role === 'nurse' ? [A, B] : [] }, requestId: 'test', clientAddress: null };
    for (const query of [
      { from: '2025-01-15', to: '2026-02-10', groupBy: 'site', bin: 'month', rebase: { kind: 'facilitation' } },
      { from: '2025-01-01', to: '2025-06-30', groupBy: 'icb', bin: 'week', rebase: { kind: 'none' } },
    ] as const) {
      const measures = ['referral_to_start_days', 'starts', 'referrals'] as const;
      const together = await t.services.spc.chartsOf(ctx, query, measures);
      const alone = await Promise.all(measures.map((measure) => t.services.spc.charts(ctx, { ...query, measure })));
      expect(together).toEqual(alone);
      expect(together.map((c) => c.groups.length)).toEqual(Array(3).fill(role === 'nurse' && query.groupBy === 'site' ? 2 : query.groupBy === 'site' ? 3 : role === 'nurse' ? 1 : 2));
    }
  });
});

describe('who sees which charts', () => {
  it('shows a nurse her own sites only, with exact values', async () => {
    const nurse = pathwayClient(t, (await t.as('nurse', [B])).cookie);
    const body = await spc(`measure=starts&${PERIOD}`, nurse);
    expect(body.groups.map((g: { key: string }) => g.key)).toEqual([B]);
    expect(values(body.groups[0])).toEqual([0, 0, 2, 1, ...Array(10).fill(0)]);
  });

  it("shows a commissioner every site's values under disclosure control, charting only those with nothing withheld", async () => {
    const commissioner = pathwayClient(t, (await t.as('commissioner')).cookie);
    const body = await spc(`measure=referrals&${PERIOD}`, commissioner);
    const alpha = groupOf(body, A);
    const rounded = [10, 10, 10, 10, 10, 10, 20, 20, 20, 20, 20, 20, 20, 20];
    expect(values(alpha)).toEqual(rounded);
    expect(alpha.withheld).toBe(false);
    expect(alpha.points).toEqual(xmrChart(MONTHS.map((m, i) => ({ start: `${m}-01`, value: rounded[i]! })), { improvement: 'up' }).points);
    const bravo = groupOf(body, B);
    expect(bravo).toMatchObject({ withheld: true, latest: { variation: null } });
    expect(values(bravo)).toEqual([null, null, null, ...Array(11).fill(0)]);
    expect(bravo.points.every((p: Record<string, unknown>) => p.mean === null && p.lpl === null && p.upl === null && p.specialCause === null && p.variation === null)).toBe(true);
  });

  it('withholds a median over fewer than 8 waits from a commissioner', async () => {
    const commissioner = pathwayClient(t, (await t.as('commissioner')).cookie);
    const bravo = groupOf(await spc(`measure=referral_to_start_days&${PERIOD}`, commissioner), B);
    expect(bravo.withheld).toBe(true);
    expect(values(bravo)).toEqual(Array(14).fill(null));
  });

  it('refuses a caller who is not signed in', async () => {
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/metrics/spc?measure=starts` })).statusCode).toBe(401);
  });
});

describe('a bad query', () => {
  it.each([
    ['', ['measure']],
    ['measure=uptake', ['measure']],
    ['measure=starts&bin=quarter', ['bin']],
    ['measure=starts&groupBy=region', ['groupBy']],
    ['measure=starts&rebase=2025-02-30', ['rebase']],
    ['measure=starts&rebase=sometimes', ['rebase']],
    ['measure=starts&from=2026-01-01&to=2025-01-01', ['to']],
    ['measure=starts&from=2000-01-01&to=2026-01-01&bin=week', ['from']],
    ['measure=starts&groupby=icb', ['querystring.groupby']],
  ])('%s is a 400 naming %j', async (query, paths) => {
    const res = await asAdmin.call('GET', `/api/v1/metrics/spc?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(paths);
  });
});
