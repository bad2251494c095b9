import { isDeepStrictEqual } from 'node:util';
import { sql, type SQL } from 'drizzle-orm';
import { SPLIT_VALUES, EQUITY_SPLITS, type EquitySplit } from '../../src/lib/domain/equity';
import { xmrChart } from '../../src/lib/domain/spc';
import { SPC_MEASURES, type SpcMeasure } from '../../src/lib/domain/spc-series';
import { migrate, openPostgres, rowsOf, type Database } from '../../src/lib/server/db/client';
import { sitePopulationSplitCounts } from '../../src/lib/server/db/schema';
import { demoPostcodeFile } from '../../src/lib/server/demo/demo.demographics';
import { createServices } from '../../src/lib/server/services';
import { systemCtx } from '../../src/lib/server/context';
import { buildApp } from '../../src/server/app';
import { loadRegion, REGION_SITES, REGION_TODAY } from '../support/region';
import { freshBenchDatabase } from './postgres';

const PASSWORD = 'bench-password-1';
// Five whole years by month, ending with the region's last month.
const SPC_FROM = '2021-11-01';
const PERIOD = { from: '2025-11-01', to: REGION_TODAY };

/**
 * The improvement (SPC) charts and the equity figures for the region of the metrics phase (20 sites, 30,000
 * referrals over five years, people with the demo's demographics and a postcode table for their areas, and a
 * population count by every split), on PostgreSQL, one request after another after a warm-up, as a commissioner:
 * - `spc.<measure>`: GET /api/v1/metrics/spc for each measure (referrals, starts, median wait to start), all 20 sites
 *   over 5 years by month, rebased at facilitation, against a floor of one hand-written statement giving the
 *   measure by site and month (counts from where the service reads them, and first checked to give the admin's
 *   exact values) plus the same XmR calculation;
 * - `equity` by each split: GET /api/v1/metrics/equity for 12 months by site, against a floor of hand-written
 *   statements for the same counts (reading each person's values where the service does, on their records).
 * The API is timed until its whole answer is written, not while the client parses it.
 * Targets (issue 15): p95 at most 100 ms each, and within 1.5x of the floor.
 */
export async function equitySpcBench(serverUrl: string, runs: number) {
  const url = await freshBenchDatabase(serverUrl, 'bench_equity');
  const database = openPostgres(url, { max: 10 });
  try {
    await migrate(database, url);
    await database.db.execute(sql`alter database bench_equity set jit = off`);
    await loadRegion(database.db);
    await loadEquityReference(database);
    await database.db.execute(sql`vacuum analyze`);
    return { region: { sites: REGION_SITES.length, runs }, ...(await measure(database, runs)), targets: { p95Ms: 100, ratioToFloor: 1.5 } };
  } finally {
    await database.close();
  }
}

/** The postcode table of the region's areas, loaded as an admin does, and a population count by every split. */
async function loadEquityReference(database: Database) {
  const services = createServices(database, { SESSION_IDLE_MINUTES: 30, SESSION_ABSOLUTE_HOURS: 12 });
  const file = new TextEncoder().encode(demoPostcodeFile(REGION_SITES.map((s) => s.odsCode)));
  await services.reference.replaceImd(systemCtx('bench'), (async function* () { yield file; })());
  const rows = REGION_SITES.flatMap((site) =>
    EQUITY_SPLITS.flatMap((split) =>
      SPLIT_VALUES[split].map((value, i, values) => ({ siteId: site.id, asOf: '2026-01-01', split, value, t1dPopulation: Math.round(site.t1dPopulation / values.length) + i })),
    ),
  );
  await database.db.insert(sitePopulationSplitCounts).values(rows);
}

async function measure(database: Database, runs: number) {
  const services = createServices(database, { SESSION_IDLE_MINUTES: 30, SESSION_ABSOLUTE_HOURS: 12 });
  const app = await buildApp({ config: { ORIGIN: undefined, LOG_LEVEL: 'silent', NODE_ENV: 'production' }, services });
  await app.ready();
  try {
    const signIn = async (role: 'commissioner' | 'admin') => {
      const email = `bench-${role}@equity.test`;
      await services.users.create(systemCtx('bench'), { email, name: `Bench ${role}`, role, siteIds: [], password: PASSWORD });
      const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: PASSWORD } });
      const cookie = login.cookies.find((c) => c.name === 'pp_session')!;
      return `${cookie.name}=${cookie.value}`;
    };
    const commissioner = await signIn('commissioner');
    const answer = async (path: string, cookie = commissioner) => {
      const res = await app.inject({ method: 'GET', url: path, headers: { cookie } });
      if (res.statusCode !== 200) throw new Error(`${path} answered ${res.statusCode}: ${res.body}`);
      return res.body;
    };
    const get = async (path: string, cookie = commissioner) => JSON.parse(await answer(path, cookie));
    // The API's time is the server's: until the whole answer is written. Parsing it is the client's work, and the
    // floor has none like it (an SPC answer for 20 sites over 5 years is 180 KB).
    const api = (path: string) => () => answer(path);
    const result: Record<string, unknown> = {};
    const admin = await signIn('admin');
    for (const measure of SPC_MEASURES) {
      const spcPath = `/api/v1/metrics/spc?measure=${measure}&groupBy=site&from=${SPC_FROM}&to=${REGION_TODAY}&bin=month&rebase=facilitation`;
      // The floor must give the admin's exact figures, or it measures a cheaper question.
      const exact = (await get(spcPath, admin)) as { groups: { key: string; points: { value: number | null }[] }[] };
      const floorValues = await spcFloor(database, measure);
      for (const group of exact.groups) {
        if (!isDeepStrictEqual(group.points.map((p) => p.value), floorValues.get(group.key))) throw new Error(`The SPC floor of ${measure} disagrees with the service for ${group.key}`);
      }
      result[`spc.${measure}`] = await compare(runs, api(spcPath), () => spcFloor(database, measure));
    }
    for (const by of EQUITY_SPLITS) {
      result[`equity.${by}`] = await compare(runs, api(`/api/v1/metrics/equity?from=${PERIOD.from}&to=${PERIOD.to}&groupBy=site&by=${by}`), () => equityFloor(database, by));
    }
    return result;
  } finally {
    await app.close();
  }
}

/** A count by site and month where the service reads it: the counts the database keeps, and the records of the patients counted directly. */
const countedByMonth = (column: SQL, on: SQL) => sql`select site_id, to_char(month, 'YYYY-MM-DD') as month, sum(n)::float8 as value
  from (
    select site_id, bucket as month, ${column} as n from milestone_counts
    where grain = 'month' and bucket between ${SPC_FROM}::date and ${REGION_TODAY}::date and ${column} <> 0
    union all
    select m.site_id, date_trunc('month', ${on})::date, 1
    from patients_counted_directly p join referral_milestones m on m.patient_id = p.patient_id
    where ${on} between ${SPC_FROM}::date and ${REGION_TODAY}::date
  ) counted
  group by 1, 2`;

/** Each measure by site and month in one statement (README, "Architecture", for where the counts are kept). */
const SPC_FLOOR: Record<SpcMeasure, SQL> = {
  referrals: countedByMonth(sql`referrals`, sql`m.received_on`),
  starts: countedByMonth(sql`started`, sql`m.started_on`),
  referral_to_start_days: sql`select site_id, to_char(date_trunc('month', started_on), 'YYYY-MM-DD') as month,
      percentile_cont(0.5) within group (order by (started_on - received_on)::float8) as value
    from referral_milestones
    where started_on between ${SPC_FROM}::date and ${REGION_TODAY}::date and entered_on <= ${REGION_TODAY}::date
    group by 1, 2`,
};

/** A measure by site and month in one statement, then each site's XmR chart: what the charts cannot do with less. */
async function spcFloor({ db }: Database, measure: SpcMeasure): Promise<Map<string, (number | null)[]>> {
  const rows = rowsOf<{ site_id: string; month: string; value: number }>(await db.execute(SPC_FLOOR[measure]));
  const months = Array.from({ length: 60 }, (_, i) => new Date(Date.UTC(2021, 10 + i, 1)).toISOString().slice(0, 10));
  const empty = measure === 'referral_to_start_days' ? null : 0;
  const values = new Map<string, (number | null)[]>();
  for (const site of REGION_SITES) {
    const bySite = new Map(rows.filter((r) => r.site_id === site.id).map((r) => [r.month, r.value]));
    const series = months.map((start) => bySite.get(start) ?? empty);
    xmrChart(months.map((start, i) => ({ start, value: series[i]! })), { improvement: measure === 'referral_to_start_days' ? 'down' : 'up' });
    values.set(site.id, series);
  }
  return values;
}

/** The equity counts of one split by hand: people on therapy, referrals, starts and the wait median, then the population. */
async function equityFloor({ db }: Database, by: EquitySplit) {
  const value = {
    ageBand: sql`case when age < 12 then '0-11' when age < 18 then '12-17' when age < 26 then '18-25' when age < 40 then '26-39' when age < 65 then '40-64' else '65+' end`,
    sex: sql`sex::text`,
    ethnicGroup: sql`case when ethnic_category in ('A','B','C') then 'white' when ethnic_category in ('D','E','F','G') then 'mixed' when ethnic_category in ('H','J','K','L') then 'asian' when ethnic_category in ('M','N','P') then 'black' when ethnic_category in ('R','S') then 'other' else 'unknown' end`,
    imdQuintile: sql`coalesce(((imd_decile + 1) / 2)::text, 'unknown')`,
  }[by];
  const to = sql`${PERIOD.to}::date`;
  await Promise.all([
    db.execute(sql`
      with people as (
        select m.site_id, m.patient_id, m.received_on, m.started_on, m.on_therapy_from, m.ended_on, m.sex, m.ethnic_category, m.imd_decile,
          extract(year from age(${to}, m.birth_date))::int as age
        from referral_milestones m
        where m.entered_on <= ${to}
          and (m.on_therapy_from <= ${to} and (m.ended_on is null or m.ended_on > ${to}) or m.received_on >= ${PERIOD.from}::date or m.started_on >= ${PERIOD.from}::date)
      )
      select site_id, ${value} as value,
        count(distinct patient_id) filter (where on_therapy_from <= ${to} and (ended_on is null or ended_on > ${to})),
        count(*) filter (where received_on >= ${PERIOD.from}::date),
        count(*) filter (where started_on between ${PERIOD.from}::date and ${to}),
        percentile_cont(0.5) within group (order by (started_on - received_on)::float8) filter (where started_on between ${PERIOD.from}::date and ${to})
      from people group by 1, 2`),
    db.execute(sql`
      select c.site_id, c.value, c.t1d_population from site_population_split_counts c
      where c.split = ${by} and c.as_of = (select max(as_of) from site_population_split_counts l where l.site_id = c.site_id and l.as_of <= ${to})`),
  ]);
}

async function timed(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 3; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    ms.push(performance.now() - started);
  }
  return ms.sort((a, b) => a - b);
}

/** The API and its floor, alternated over three rounds so that both see the same machine; the ratio of each round's p95s. */
async function compare(runs: number, api: () => Promise<unknown>, floor: () => Promise<unknown>) {
  const rounds: { apiP50: number; apiP95: number; floorP50: number; floorP95: number; ratioP95: number }[] = [];
  for (let round = 0; round < 3; round++) {
    const a = await timed(runs, api);
    const f = await timed(runs, floor);
    rounds.push({ apiP50: pct(a, 0.5), apiP95: pct(a, 0.95), floorP50: pct(f, 0.5), floorP95: pct(f, 0.95), ratioP95: Math.round((pct(a, 0.95) / pct(f, 0.95)) * 100) / 100 });
  }
  const range = (k: keyof (typeof rounds)[number]) => [Math.min(...rounds.map((r) => r[k])), Math.max(...rounds.map((r) => r[k]))];
  return { apiP50Ms: range('apiP50'), floorP50Ms: range('floorP50'), apiP95Ms: range('apiP95'), floorP95Ms: range('floorP95'), ratioP95: range('ratioP95') };
}

const pct = (sorted: number[], p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]! * 10) / 10;
