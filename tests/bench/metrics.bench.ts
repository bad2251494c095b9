import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { sql, type SQL } from 'drizzle-orm';
import type { MetricsReport, MetricsRow } from '../../src/lib/domain/metrics';
import { fromPglite, migrate, openPostgres, rowsOf, type Database } from '../../src/lib/server/db/client';
import { SPC_MEASURES } from '../../src/lib/domain/spc-series';
import { metricsQuery } from '../../src/lib/schemas/metrics.schema';
import { startsQuery } from '../../src/lib/schemas/metrics-series.schema';
import { spcQuery } from '../../src/lib/schemas/spc.schema';
import { createServices } from '../../src/lib/server/services';
import { systemCtx } from '../../src/lib/server/context';
import { maintainEmbedded } from '../../src/lib/server/db/embedded-maintenance';
import { replicaReads } from '../../src/lib/server/db/read-replica';
import { metricsStatement, toNumber } from '../../src/lib/server/repositories/metrics.repository';
import { load as dashboardLoad } from '../../src/routes/dashboard/+page.server';
import { WHO_IS_REACHED } from '../../src/routes/dashboard/equity.view-model';
import { buildApp } from '../../src/server/app';
import { loadArea, NATION, REGION, type Area } from '../support/region';
import { floorStatement } from './metrics-floor';
import { CAN_MAKE_STANDBY, freshBenchDatabase, standbyOf } from './postgres';

const FROM = '2025-11-01';
const TO = REGION.today;
const PASSWORD = 'bench-password-1';
const GROUPINGS = ['site', 'icb'] as const;

/**
 * The implementation metrics for 12 months, grouped by site and by ICB, for a region (tests/support/region.ts: 20
 * sites, 60,000 people with type 1 diabetes, about 30,000 referrals over five years) on PostgreSQL and on the
 * embedded database, and for a nation (42 ICBs of 5 sites, 210 sites, 300,000 people, about 150,000 referrals) on
 * PostgreSQL. Timed one request after another after a warm-up, in `rounds` rounds, each figure printed as its
 * range over the rounds (the machine is shared, so the spread is part of the answer):
 * - `api`: GET /api/v1/metrics through the whole Fastify app (app.inject: routing, session, query, disclosure
 *   control, serialisation), as a commissioner and as an admin;
 * - `floor`: the hand-written statement for the same figures (metrics-floor.ts), and the API's ratio to it in the
 *   same round;
 * - `dashboard`: the dashboard page's server work for a commissioner, short of rendering the HTML: resolving
 *   the session (as hooks.server.ts does) and the page's own load function (+page.server.ts): the report and the
 *   four series, the three improvement charts and three views of who is reached, by site; and each of those three
 *   parts timed alone (`parts`), to show where the time goes.
 * On PostgreSQL each is measured again with the reads on a streaming standby of the server (`replica`), made with
 * `pg_basebackup -R` as the README's deployment makes one, the API reading through the app's replica chooser
 * (READ_DATABASE_URL) and the floor running on the standby.
 * After the load, PostgreSQL is vacuumed and analysed, as autovacuum would soon do, and the embedded database
 * gets the maintenance the app gives it (embedded-maintenance.ts). With `plans` (a folder), the EXPLAIN ANALYZE of
 * the service's statement and of the floor for each grouping is written there for each PostgreSQL area. The page's
 * load function imports `$lib`, which tsx resolves through the paths `svelte-kit sync` writes (npm run bench runs
 * it first).
 */
export async function metricsBench(serverUrl: string, { runs, rounds, areas, plans }: { runs: number; rounds: number; areas: string[]; plans?: string }) {
  const result: Record<string, unknown> = { period: { from: FROM, to: TO }, runs, rounds };
  for (const [name, area] of [['region', REGION], ['nation', NATION]] as const) {
    if (!areas.includes(name)) continue;
    const summary = {
      sites: area.sites.length,
      icbs: new Set(area.sites.map((s) => s.icb)).size,
      t1dPopulation: area.sites.reduce((n, s) => n + s.t1dPopulation, 0),
    };
    const database = `bench_metrics_${name}`;
    const url = await freshBenchDatabase(serverUrl, database);
    // The service turns JIT off for its statements; the floor is one bare statement, so it gets the same here.
    const admin = openPostgres(url, { max: 1 });
    await admin.db.execute(sql.raw(`alter database ${database} set jit = off`));
    await admin.db.execute(sql.raw(`alter database ${database} set work_mem = '32MB'`));
    await admin.close();
    const postgresDb = openPostgres(url, { max: 10 });
    await migrate(postgresDb, url);
    try {
      const figures: Record<string, unknown> = { ...summary, postgres: await measure(postgresDb, area, runs, rounds, plans && join(plans, name)) };
      if (CAN_MAKE_STANDBY) figures.replica = await onStandby(serverUrl, database, (replica) => measure(postgresDb, area, runs, rounds, undefined, replica));
      // The embedded database is for a single service, not a nation.
      if (name === 'region') {
        const embedded = fromPglite(await PGlite.create());
        await migrate(embedded);
        try {
          figures.embedded = await measure(embedded, area, runs, rounds);
        } finally {
          await embedded.close();
        }
      }
      result[name] = figures;
    } finally {
      await postgresDb.close();
    }
  }
  return result;
}

type Timing = { p50: number; p95: number };
const range = (values: number[]) => [Math.min(...values), Math.max(...values)];
const spread = (timings: Timing[]) => ({ p50: range(timings.map((t) => t.p50)), p95: range(timings.map((t) => t.p95)) });

/**
 * The same figures with the reads on a streaming standby of the server, as a deployment with READ_DATABASE_URL
 * makes them: the API's reads go through the app's replica chooser, and the floor runs on the standby.
 */
async function onStandby<T>(serverUrl: string, database: string, measureOn: (replica: Database) => Promise<T>): Promise<T> {
  const standby = await standbyOf(serverUrl);
  const replica = openPostgres(standby.url(database), { max: 10 });
  try {
    return await measureOn(replica);
  } finally {
    await replica.close();
    standby.stop();
  }
}

/** Loads the area and measures, or with `replica`, measures again what is loaded with the reads on the replica. */
async function measure(database: Database, area: Area, runs: number, rounds: number, plans?: string, replica?: Database) {
  const started = performance.now();
  const loaded = replica ? null : await loadArea(database.db, area);
  // What would follow a load soon in service: autovacuum on a server, the app's own maintenance when embedded.
  if (!replica) await (database.kind === 'postgres' ? database.db.execute(sql`vacuum analyze`) : maintainEmbedded(database.db));
  const loadSeconds = Math.round((performance.now() - started) / 100) / 10;

  const reads = replica && replicaReads(database.db, replica.db, { maxLagSeconds: 30, log: { info: () => {}, warn: (...args: unknown[]) => console.warn(...args) } });
  const onReplica = async () => {
    if (reads && (await reads.replica())?.replica !== 'ok') throw new Error(`the reads left the standby: ${JSON.stringify(await reads.replica())}`);
  };
  await onReplica();
  const services = createServices(database, { SESSION_IDLE_MINUTES: 30, SESSION_ABSOLUTE_HOURS: 12 }, reads ? { reads } : {});
  const app = await buildApp({ config: { ORIGIN: undefined, LOG_LEVEL: 'silent', NODE_ENV: 'production' }, services });
  await app.ready();
  try {
    const signIn = async (role: 'commissioner' | 'admin') => {
      const email = `bench-${role}${replica ? '-replica' : ''}@metrics.test`;
      await services.users.create(systemCtx('tests'), { email, name: `Bench ${role}`, role, siteIds: [], password: PASSWORD });
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: PASSWORD } });
      const cookie = res.cookies.find((c) => c.name === 'pp_session')!;
      return { header: `${cookie.name}=${cookie.value}`, token: cookie.value };
    };
    const commissioner = await signIn('commissioner');
    const adminUser = await signIn('admin');
    const api = async (cookie: string, groupBy: string) => {
      const res = await app.inject({ method: 'GET', url: `/api/v1/metrics?from=${FROM}&to=${TO}&groupBy=${groupBy}`, headers: { cookie } });
      if (res.statusCode !== 200) throw new Error(`metrics answered ${res.statusCode}: ${res.body}`);
      return res.json() as MetricsReport;
    };
    const floor = async (groupBy: 'site' | 'icb') => rowsOf<Record<string, unknown>>(await (replica ?? database).db.execute(floorStatement(FROM, TO, groupBy)));
    for (const groupBy of GROUPINGS) checkFloor(await api(adminUser.header, groupBy), await floor(groupBy));

    const dashboard = async () => {
      const actor = await services.auth.resolve(commissioner.token);
      const locals = { services, actor, ctx: { actor: actor!, requestId: 'bench', clientAddress: null } };
      // Only what this load function reads of its event is given.
      return dashboardLoad({ locals, url: new URL(`http://bench/dashboard?from=${FROM}&to=${TO}`) } as unknown as Parameters<typeof dashboardLoad>[0]);
    };

    // Where the dashboard's time goes: its three kinds of figures, each run as the page runs them (together), alone.
    const ctx = { actor: (await services.auth.resolve(commissioner.token))!, requestId: 'bench', clientAddress: null };
    const query = metricsQuery.parse({ from: FROM, to: TO });
    const dashboardParts = {
      reportAndSeries: () =>
        Promise.all([
          services.metrics.report(ctx, query),
          services.metricsSeries.starts(ctx, startsQuery.parse({ from: FROM, to: TO, bin: 'month' })),
          services.metricsSeries.waits(ctx, query),
          services.metricsSeries.funding(ctx, query),
          services.metricsSeries.continuation(ctx, query),
        ]),
      improvementCharts: () => Promise.all(SPC_MEASURES.map((measure) => services.spc.charts(ctx, spcQuery.parse({ from: FROM, to: TO, measure, rebase: 'facilitation' })))),
      whoIsReached: () => services.equity.reports(ctx, { from: FROM, to: TO }, WHO_IS_REACHED),
    };
    type Part = keyof typeof dashboardParts;

    const measured: { byGrouping: Record<string, { commissioner: Timing; admin: Timing; floor: Timing }>; dashboard: Timing; parts: Record<Part, Timing> }[] = [];
    for (let round = 0; round < rounds; round++) {
      const byGrouping: Record<string, { commissioner: Timing; admin: Timing; floor: Timing }> = {};
      for (const groupBy of GROUPINGS) {
        byGrouping[groupBy] = {
          commissioner: await timed(runs, () => api(commissioner.header, groupBy)),
          admin: await timed(runs, () => api(adminUser.header, groupBy)),
          floor: await timed(runs, () => floor(groupBy)),
        };
      }
      const parts = {} as Record<Part, Timing>;
      for (const [name, part] of Object.entries(dashboardParts)) parts[name as Part] = await timed(runs, part);
      measured.push({ byGrouping, dashboard: await timed(runs, dashboard), parts });
      await onReplica();
    }
    if (plans && database.kind === 'postgres') {
      await mkdir(plans, { recursive: true });
      for (const groupBy of GROUPINGS) {
        await writeFile(join(plans, `api-by-${groupBy}.txt`), await explain(database, metricsStatement({ from: FROM, to: TO, groupBy }), true));
        await writeFile(join(plans, `floor-by-${groupBy}.txt`), await explain(database, floorStatement(FROM, TO, groupBy), false));
      }
    }

    const ratio = (api: Timing, floor: Timing) => ({ p50: Math.round((api.p50 / floor.p50) * 100) / 100, p95: Math.round((api.p95 / floor.p95) * 100) / 100 });
    return {
      ...(loaded ? { loaded: { ...loaded, seconds: loadSeconds } } : {}),
      ...Object.fromEntries(
        GROUPINGS.map((groupBy) => {
          const of = (pick: (m: { commissioner: Timing; admin: Timing; floor: Timing }) => Timing) => measured.map((m) => pick(m.byGrouping[groupBy]!));
          return [
            `by${groupBy === 'site' ? 'Site' : 'Icb'}`,
            {
              apiMs: { commissioner: spread(of((m) => m.commissioner)), admin: spread(of((m) => m.admin)) },
              floorMs: spread(of((m) => m.floor)),
              apiToFloor: {
                commissioner: spread(of((m) => ratio(m.commissioner, m.floor))),
                admin: spread(of((m) => ratio(m.admin, m.floor))),
              },
            },
          ];
        }),
      ),
      dashboardLoadMs: {
        commissioner: spread(measured.map((m) => m.dashboard)),
        parts: Object.fromEntries(Object.keys(dashboardParts).map((name) => [name, spread(measured.map((m) => m.parts[name as Part]))])),
      },
    };
  } finally {
    await app.close();
  }
}

/** EXPLAIN (ANALYZE, BUFFERS) of a statement, after a few runs to warm the cache; in the service's own settings when asked. */
async function explain(database: Database, statement: SQL, asTheService: boolean): Promise<string> {
  return database.db.transaction(async (tx) => {
    if (asTheService) await tx.execute(sql`select set_config('jit', 'off', true), set_config('work_mem', '32MB', true)`);
    for (let i = 0; i < 3; i++) await tx.execute(statement);
    const rows = rowsOf<Record<string, string>>(await tx.execute(sql`explain (analyze, buffers) ${statement}`));
    return `${rows.map((r) => r['QUERY PLAN']).join('\n')}\n`;
  });
}

/** p50 and p95 (nearest rank) of `runs` calls made one after another, after a warm-up of a fifth as many. */
export async function timed(runs: number, call: () => Promise<unknown>) {
  for (let i = 0; i < Math.max(3, Math.ceil(runs / 5)); i++) await call();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await call();
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  const at = (p: number) => round(ms[Math.max(0, Math.ceil((p / 100) * ms.length) - 1)]!, 1);
  return { p50: at(50), p95: at(95) };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The floor must give the admin's exact figures, or it measures a cheaper question. */
export function checkFloor(report: MetricsReport, floorRows: Record<string, unknown>[]) {
  const n = (v: unknown) => toNumber(v) ?? 0;
  const wait = (r: Record<string, unknown>, p: string) => ({ n: n(r[`${p}_n`]), medianDays: toNumber(r[`${p}_median`]), p90Days: toNumber(r[`${p}_p90`]) });
  const fromFloor = new Map(
    floorRows.map((r) => [
      String(r.key),
      {
        t1dPopulation: toNumber(r.population),
        onTherapy: n(r.on_therapy),
        existingOnTherapy: n(r.on_therapy) - n(r.pathway_on_therapy),
        referrals: n(r.referrals),
        assessed: n(r.assessed),
        eligible: n(r.eligible),
        fundingRequested: n(r.funding_requested),
        fundingApproved: n(r.funding_approved),
        fundingDeclined: n(r.funding_declined),
        started: n(r.started),
        discontinued: n(r.discontinued),
        continuing12m: n(r.continuing12m),
        waits: { referralToAssessment: wait(r, 'a'), assessmentToFundingDecision: wait(r, 'f'), fundingApprovalToStart: wait(r, 's'), referralToStart: wait(r, 'r') },
        hba1cChange6m: { n: n(r.hba1c_n), medianMmolMol: toNumber(r.hba1c_median) },
      },
    ]),
  );
  for (const { key, label: _label, uptakePct: _uptake, suppressed: _suppressed, ...figures } of report.rows as MetricsRow[]) {
    if (!isDeepStrictEqual(figures, fromFloor.get(key))) {
      throw new Error(`The floor disagrees with the service for ${key}:\n${JSON.stringify(figures)}\n${JSON.stringify(fromFloor.get(key))}`);
    }
  }
  if (fromFloor.size !== report.rows.length) throw new Error('The floor has a different number of groups');
}
