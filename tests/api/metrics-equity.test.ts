import { describe, expect, it } from 'vitest';
import { ageBandOf, ethnicGroupOf, imdQuintileOf, SPLIT_VALUES, type EquitySplit } from '../../src/lib/domain/equity';
import { imdPostcodes, sitePopulationSplitCounts } from '../../src/lib/server/db/schema';
import { createTestApp } from '../support/app';
import { metricsBuilder, toStart } from '../support/metrics-fixtures';
import { pathwayClient } from '../support/pathway';

/**
 * Who is reached (domain.md, "Equity"): the metrics' counts for each value of a split, beside the population the
 * syncs counted for it, checked against counts made by hand from the people below.
 */

const t = await createTestApp();
const { db } = t.database;
const build = metricsBuilder(db);
const TO = '2026-03-31';
const PERIOD = `from=2025-04-01&to=${TO}`;

const A = await build.site({ name: 'Alpha Diabetes Centre', icb: 'ICB North', t1dPopulation: 100, t1dPopulationAsOf: '2026-01-01' });
const B = await build.site({ name: 'Bravo Hospital', icb: 'ICB North', t1dPopulation: 50, t1dPopulationAsOf: '2026-01-01' });
const C = await build.site({ name: 'Charlie Clinic', icb: 'ICB South' });

// The postcode table: the first is among the most deprived tenth, the second among the least.
await db.insert(imdPostcodes).values([
  { postcode: 'LS14AP', imdDecile: 1 },
  { postcode: 'HG12AB', imdDecile: 10 },
]);

type Person = Parameters<typeof build.patient>[1] & { birthDate: string };
const PEOPLE: { who: Person; site: string; record: 'started' | 'started-earlier' | 'waiting' | 'existing' | 'discontinued' }[] = [
  // Started in the period after 40 days: a girl of 10, Asian, own decile 2.
  { who: { birthDate: '2015-06-01', sex: 'female', ethnicCategory: 'H', imdDecile: 2 }, site: A, record: 'started' },
  // Started in the period after 40 days: a man turning 18 on the last day, white, postcode in decile 1 (written small).
  { who: { birthDate: '2008-03-31', sex: 'male', ethnicCategory: 'A', postcode: 'ls1 4ap' }, site: A, record: 'started' },
  // On therapy since before the period: his own decile (9) wins over his postcode's (1).
  { who: { birthDate: '1970-05-05', sex: 'male', ethnicCategory: 'M', postcode: 'LS1 4AP', imdDecile: 9 }, site: A, record: 'started-earlier' },
  // Referred in the period, not yet started: Z is "not stated", a postcode the table lacks.
  { who: { birthDate: '1990-01-01', sex: 'unknown', ethnicCategory: 'Z', postcode: 'ZZ9 9ZZ' }, site: A, record: 'waiting' },
  // Already on a pump when the service began: no referral, no start, on therapy.
  { who: { birthDate: '1955-07-07', sex: 'female', ethnicCategory: null, postcode: 'HG1 2AB' }, site: A, record: 'existing' },
  // Started before the period and stopped in it: not on therapy at the end.
  { who: { birthDate: '2000-02-29', sex: 'other', ethnicCategory: 'R' }, site: B, record: 'discontinued' },
];
for (const { who, site, record } of PEOPLE) {
  const patient = await build.patient(site, who);
  if (record === 'started') {
    await build.referral(patient, site, { receivedOn: '2025-06-01', steps: toStart({ eligible: '2025-06-10', requested: '2025-06-11', approved: '2025-06-20', started: '2025-07-11' }) });
  } else if (record === 'started-earlier') {
    await build.referral(patient, site, { receivedOn: '2024-01-10', steps: toStart({ eligible: '2024-01-20', requested: '2024-01-21', approved: '2024-02-01', started: '2024-03-01' }) });
  } else if (record === 'waiting') {
    await build.referral(patient, site, { receivedOn: '2026-02-01' });
  } else if (record === 'existing') {
    await build.existing(patient, site, { startedOn: '2019-04-01', knownOn: '2025-01-05' });
  } else {
    await build.referral(patient, site, {
      receivedOn: '2024-01-10',
      steps: [...toStart({ eligible: '2024-01-20', requested: '2024-01-21', approved: '2024-02-01', started: '2024-03-01' }), { type: 'review', on: '2025-09-01', decision: 'discontinue' }],
    });
  }
}

/** What a sync would have stored for a site on a date: every value of every split. */
async function splitCounts(siteId: string, asOf: string, counts: Partial<Record<EquitySplit, Record<string, number>>>) {
  const rows = (Object.keys(SPLIT_VALUES) as EquitySplit[]).flatMap((split) =>
    SPLIT_VALUES[split].map((value) => ({ siteId, asOf, split, value, t1dPopulation: counts[split]?.[value] ?? 0 })),
  );
  await db.insert(sitePopulationSplitCounts).values(rows);
}
await splitCounts(A, '2025-01-01', { imdQuintile: { '1': 10, '2': 10, '3': 10, '4': 10, '5': 10, unknown: 10 } });
// Alpha's latest sync on or before the end of the period; the one after it is not used.
await splitCounts(A, '2026-01-01', { imdQuintile: { '1': 40, '2': 20, '3': 20, '4': 10, '5': 10, unknown: 0 }, sex: { female: 55, male: 45 } });
await splitCounts(A, '2026-06-01', { imdQuintile: { '1': 99 } });
await splitCounts(B, '2026-01-01', { imdQuintile: { '1': 30, '5': 20 }, sex: { other: 1, female: 30, male: 19 } });

const admin = pathwayClient(t, (await t.as('admin')).cookie);
const commissioner = pathwayClient(t, (await t.as('commissioner')).cookie);
const nurseOfB = pathwayClient(t, (await t.as('nurse', [B])).cookie);

async function equity(query: string, client = admin) {
  const res = await client.call('GET', `/api/v1/metrics/equity?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { from: string; to: string; by: string; rows: { key: string; label: string; splits: Record<string, unknown>[] }[] };
}
const splitsOf = (body: Awaited<ReturnType<typeof equity>>, key: string): Record<string, Record<string, unknown>> =>
  Object.fromEntries(body.rows.find((r) => r.key === key)!.splits.map((s) => [s.value, s]));

describe('uptake by deprivation quintile', () => {
  it("counts each person in the quintile of their own decile, else their postcode's, else unknown", async () => {
    const alpha = splitsOf(await equity(`${PERIOD}&by=imdQuintile`), A);
    // On therapy at the end: the girl (decile 2 -> 1), the young man (postcode decile 1 -> 1), the man of decile 9 (-> 5),
    // the existing user (postcode decile 10 -> 5). Waiting: the unknown.
    expect(alpha['1']).toMatchObject({ t1dPopulation: 40, onTherapy: 2, uptakePct: 5, referrals: 2, started: 2, referralToStartMedianDays: 40 });
    expect(alpha['5']).toMatchObject({ t1dPopulation: 10, onTherapy: 2, uptakePct: 20, referrals: 0, started: 0, referralToStartMedianDays: null });
    expect(alpha.unknown).toMatchObject({ t1dPopulation: 0, onTherapy: 0, uptakePct: null, referrals: 1, started: 0 });
    expect(alpha['3']).toMatchObject({ t1dPopulation: 20, onTherapy: 0, uptakePct: 0, referrals: 0 });
  });

  it('lists every value in order, unknown included, each with its label', async () => {
    const body = await equity(`${PERIOD}&by=imdQuintile`);
    expect(body).toMatchObject({ from: '2025-04-01', to: TO, by: 'imdQuintile' });
    expect(body.rows.map((r) => r.label)).toEqual(['Alpha Diabetes Centre', 'Bravo Hospital', 'Charlie Clinic']);
    for (const row of body.rows) expect(row.splits.map((s) => s.value)).toEqual(['1', '2', '3', '4', '5', 'unknown']);
    expect(body.rows[0]!.splits[0]).toMatchObject({ label: '1 (most deprived fifth)' });
  });

  it('has no population, and so no uptake, for a site never synced, and for a period before the first sync', async () => {
    const charlie = splitsOf(await equity(`${PERIOD}&by=imdQuintile`), C);
    expect(Object.values(charlie).every((s) => s.t1dPopulation === null && s.uptakePct === null)).toBe(true);
    const early = splitsOf(await equity('from=2024-01-01&to=2024-06-30&by=imdQuintile'), A);
    // The man started in March 2024; the existing user's pump dates from 2019.
    expect(early['5']).toMatchObject({ t1dPopulation: null, uptakePct: null, onTherapy: 2 });
  });

  it("sums an ICB's sites, and has no population when one of them was never synced", async () => {
    const body = await equity(`${PERIOD}&by=imdQuintile&groupBy=icb`);
    expect(body.rows.map((r) => r.key)).toEqual(['ICB North', 'ICB South']);
    const north = splitsOf(body, 'ICB North');
    expect(north['1']).toMatchObject({ t1dPopulation: 70, onTherapy: 2 });
    expect(north['5']).toMatchObject({ t1dPopulation: 30, onTherapy: 2, uptakePct: 6.7 });
    const all = await equity(`${PERIOD}&by=imdQuintile&groupBy=all`);
    expect(all.rows).toHaveLength(1);
    expect(all.rows[0]).toMatchObject({ key: 'all', label: 'All sites' });
    expect(splitsOf(all, 'all')['1']).toMatchObject({ t1dPopulation: null, onTherapy: 2 });
  });
});

describe('every split adds up to the metrics', () => {
  it.each(['ageBand', 'sex', 'ethnicGroup', 'imdQuintile'] as const)('%s: the values of each site sum to its metrics row', async (by) => {
    const [body, metrics] = await Promise.all([equity(`${PERIOD}&by=${by}`), admin.call('GET', `/api/v1/metrics?${PERIOD}`)]);
    for (const row of metrics.body.rows as { key: string; onTherapy: number; referrals: number; started: number }[]) {
      const splits = body.rows.find((r) => r.key === row.key)!.splits as { onTherapy: number; referrals: number; started: number }[];
      const sum = (f: 'onTherapy' | 'referrals' | 'started') => splits.reduce((n, s) => n + s[f], 0);
      expect({ onTherapy: sum('onTherapy'), referrals: sum('referrals'), started: sum('started') }).toEqual({ onTherapy: row.onTherapy, referrals: row.referrals, started: row.started });
    }
  });

  it("puts each person in the value the domain gives them: age on the period's last day, ethnic group, quintile", async () => {
    const table: Record<string, number> = { 'LS1 4AP': 1, 'HG1 2AB': 10 };
    const onTherapy = PEOPLE.filter((p) => p.site === A && p.record !== 'waiting');
    const tally = (valueOf: (p: Person) => string) => onTherapy.reduce<Record<string, number>>((n, p) => ({ ...n, [valueOf(p.who)]: (n[valueOf(p.who)] ?? 0) + 1 }), {});
    const expected = {
      ageBand: tally((p) => ageBandOf(p.birthDate, TO)),
      ethnicGroup: tally((p) => ethnicGroupOf(p.ethnicCategory)),
      imdQuintile: tally((p) => imdQuintileOf(p.imdDecile ?? (p.postcode ? table[p.postcode.toUpperCase()] : null))),
    };
    // The young man is 18 on the last day of the period.
    expect(expected.ageBand).toEqual({ '0-11': 1, '18-25': 1, '40-64': 1, '65+': 1 });
    for (const by of ['ageBand', 'ethnicGroup', 'imdQuintile'] as const) {
      const alpha = splitsOf(await equity(`${PERIOD}&by=${by}`), A);
      const counted = Object.fromEntries(Object.entries(alpha).filter(([, s]) => (s.onTherapy as number) > 0).map(([v, s]) => [v, s.onTherapy]));
      expect(counted, by).toEqual(expected[by]);
    }
  });

  it('bands the person born on 29 February by their age on the last day of each period', async () => {
    const on = (to: string) => equity(`from=2020-01-01&to=${to}&by=ageBand&groupBy=site`).then((b) => splitsOf(b, B));
    // Bravo's one person was on therapy from 2024-03-01 to 2025-09-01: born 2000-02-29.
    expect((await on('2025-02-28'))['18-25']).toMatchObject({ onTherapy: 1 });
    expect((await on('2025-08-31'))['18-25']).toMatchObject({ onTherapy: 1 });
  });
});

describe('several splits counted together, as the dashboard asks for them', () => {
  it.each(['admin', 'commissioner'] as const)('give %s what each split gives alone', async (role) => {
    const ctx = { actor: { kind: 'user' as const, userId: 'u', email: `${role}@example.org`, name: role, role, siteIds: [] }, requestId: 'test', clientAddress: null };
    const query = { from: '2025-04-01', to: TO };
    const views = [
      { by: 'imdQuintile', groupBy: 'all' },
      { by: 'ethnicGroup', groupBy: 'all' },
      { by: 'imdQuintile', groupBy: 'site' },
      { by: 'ageBand', groupBy: 'icb' },
      { by: 'sex', groupBy: 'site' },
      { by: 'imdQuintile', groupBy: 'all' },
    ] as const;
    const together = await t.services.equity.reports(ctx, query, views);
    const alone = await Promise.all(views.map((view) => t.services.equity.report(ctx, { ...query, ...view })));
    expect(together).toEqual(alone);
    expect(splitsOf(together[2]!, A)['1']).toMatchObject({ onTherapy: role === 'admin' ? 2 : null, referrals: role === 'admin' ? 2 : null });
  });
});

describe('who sees what', () => {
  it('gives commissioners every site under disclosure control: counts of 1 to 7 withheld and named', async () => {
    const alpha = splitsOf(await equity(`${PERIOD}&by=imdQuintile`, commissioner), A);
    expect(alpha['1']).toEqual({
      value: '1',
      label: '1 (most deprived fifth)',
      t1dPopulation: 40,
      onTherapy: null,
      uptakePct: null,
      referrals: null,
      started: null,
      referralToStartMedianDays: null,
      suppressed: ['onTherapy', 'uptakePct', 'referrals', 'started', 'referralToStartMedianDays'],
    });
    expect(alpha['3']).toMatchObject({ t1dPopulation: 20, onTherapy: 0, uptakePct: 0, suppressed: [] });
    expect(alpha['4']).toMatchObject({ t1dPopulation: 10, suppressed: [] });
  });

  it('gives a nurse exact figures for her own site only', async () => {
    const body = await equity(`${PERIOD}&by=sex`, nurseOfB);
    expect(body.rows.map((r) => r.key)).toEqual([B]);
    expect(splitsOf(body, B).other).toMatchObject({ t1dPopulation: 1, onTherapy: 0, suppressed: [] });
  });

  it('refuses a split it does not know, a period backwards, and a misspelt parameter', async () => {
    for (const query of ['by=income', `${PERIOD}`, 'by=sex&from=2026-02-01&to=2026-01-01', 'by=sex&groupby=icb', 'by=sex&groupBy=facilitation']) {
      const res = await admin.call('GET', `/api/v1/metrics/equity?${query}`);
      expect(res.status, query).toBe(400);
    }
  });
});

describe('a person with two records on therapy at once', () => {
  it('is one person on therapy in each group, whether the records are at one site or two', async () => {
    // A pump and a closed loop recorded as two existing therapies, neither ended: at Charlie, and again at Bravo.
    const patient = await build.patient(C, { birthDate: '1985-08-08', sex: 'female', ethnicCategory: 'C', imdDecile: 3 });
    await build.existing(patient, C, { startedOn: '2018-04-01', knownOn: '2025-01-05' });
    await build.existing(patient, C, { therapy: 'hcl', startedOn: '2022-04-01', knownOn: '2025-01-05' });
    await build.existing(patient, B, { therapy: 'hcl', startedOn: '2023-04-01', knownOn: '2025-01-05' });
    const quintile2 = async (groupBy: string) => Object.fromEntries((await equity(`${PERIOD}&by=imdQuintile&groupBy=${groupBy}`)).rows.map((r) => [r.key, splitsOf({ rows: [r] } as never, r.key)['2']!.onTherapy]));
    expect(await quintile2('site')).toEqual({ [A]: 0, [B]: 1, [C]: 1 });
    expect(await quintile2('icb')).toEqual({ 'ICB North': 1, 'ICB South': 1 });
    expect(await quintile2('all')).toEqual({ all: 1 });
  });
});
