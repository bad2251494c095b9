import { isDeepStrictEqual } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { MetricsReport, MetricsRow } from '../../src/lib/domain/metrics';
import { fromPglite, migrate, openPostgres, type Database } from '../../src/lib/server/db/client';
import { createServices } from '../../src/lib/server/services';
import { systemCtx } from '../../src/lib/server/context';
import { rowsOf } from '../../src/lib/server/db/client';
import { maintainEmbedded } from '../../src/lib/server/db/embedded-maintenance';
import { toNumber } from '../../src/lib/server/repositories/metrics.repository';
import { load as dashboardLoad } from '../../src/routes/dashboard/+page.server';
import { buildApp } from '../../src/server/app';
import { loadRegion, REGION_SITES, REGION_TODAY } from '../support/region';
import { floorStatement } from './metrics-floor';
import { freshBenchDatabase } from './postgres';

const FROM = '2025-11-01';
const TO = REGION_TODAY;
const QUERY = `from=${FROM}&to=${TO}&groupBy=site`;
const PASSWORD = 'bench-password-1';

/**
 * The implementation metrics for a region (tests/support/region.ts: 20 sites, 60,000 people with type 1
 * diabetes, 30,000 referrals over five years), a 12-month period grouped by site, on PostgreSQL and on the
 * embedded database. Timed one request after another after a warm-up:
 * - `api`: GET /api/v1/metrics through the whole Fastify app (app.inject: routing, session, query, disclosure
 *   control, serialisation), as a commissioner and as an admin;
 * - `floor`: the hand-written query for the same figures (metrics-floor.ts), and the API's ratio to it;
 * - `dashboard`: the dashboard page's server work for a commissioner, short of rendering the HTML: resolving
 *   the session (as hooks.server.ts does) and the page's own load function (+page.server.ts).
 * After the load, PostgreSQL is vacuumed and analysed, as autovacuum would soon do, and the embedded database
 * gets the maintenance the app gives it (embedded-maintenance.ts). The page's load function imports `$lib`, which tsx
 * resolves through the paths `svelte-kit sync` writes (npm run bench runs it first).
 */
export async function metricsBench(serverUrl: string, runs: number) {
  const url = await freshBenchDatabase(serverUrl, 'bench_metrics');
  // The service turns JIT off for its statement; the floor is one bare statement, so it gets the same here.
  const admin = openPostgres(url, { max: 1 });
  await admin.db.execute(sql`alter database bench_metrics set jit = off`);
  await admin.close();
  const postgresDb = openPostgres(url, { max: 10 });
  await migrate(postgresDb, url);
  const embedded = fromPglite(await PGlite.create());
  await migrate(embedded);
  try {
    return {
      region: { sites: REGION_SITES.length, t1dPopulation: REGION_SITES.reduce((n, s) => n + s.t1dPopulation, 0), period: { from: FROM, to: TO }, groupBy: 'site', runs },
      postgres: await measure(postgresDb, runs),
      embedded: await measure(embedded, runs),
    };
  } finally {
    await postgresDb.close();
    await embedded.close();
  }
}

async function measure(database: Database, runs: number) {
  const started = performance.now();
  const loaded = await loadRegion(database.db);
  // What would follow a load soon in service: autovacuum on a server, the app's own maintenance when embedded.
  if (database.kind === 'postgres') await database.db.execute(sql`vacuum analyze`);
  else await maintainEmbedded(database.db);
  const loadSeconds = Math.round((performance.now() - started) / 100) / 10;

  const services = createServices(database, { SESSION_IDLE_MINUTES: 30, SESSION_ABSOLUTE_HOURS: 12 });
  const app = await buildApp({ config: { ORIGIN: undefined, LOG_LEVEL: 'silent', NODE_ENV: 'production' }, services });
  await app.ready();
  try {
    const signIn = async (role: 'commissioner' | 'admin') => {
      const email = `bench-${role}@metrics.test`;
      await services.users.create(systemCtx('tests'), { email, name: `Bench ${role}`, role, siteIds: [], password: PASSWORD });
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: PASSWORD } });
      const cookie = res.cookies.find((c) => c.name === 'pp_session')!;
      return { header: `${cookie.name}=${cookie.value}`, token: cookie.value };
    };
    const commissioner = await signIn('commissioner');
    const adminUser = await signIn('admin');
    const api = async (cookie: string) => {
      const res = await app.inject({ method: 'GET', url: `/api/v1/metrics?${QUERY}`, headers: { cookie } });
      if (res.statusCode !== 200) throw new Error(`metrics answered ${res.statusCode}: ${res.body}`);
      return res.json() as MetricsReport;
    };
    const floor = async () => rowsOf<Record<string, unknown>>(await database.db.execute(floorStatement(FROM, TO)));
    checkFloor(await api(adminUser.header), await floor());

    const dashboard = async () => {
      const actor = await services.auth.resolve(commissioner.token);
      const locals = { services, actor, ctx: { actor: actor!, requestId: 'bench', clientAddress: null } };
      // Only what this load function reads of its event is given.
      return dashboardLoad({ locals, url: new URL(`http://bench/dashboard?${QUERY}`) } as unknown as Parameters<typeof dashboardLoad>[0]);
    };

    const apiCommissioner = await timed(runs, () => api(commissioner.header));
    const apiAdmin = await timed(runs, () => api(adminUser.header));
    const floorMs = await timed(runs, floor);
    const dashboardMs = await timed(runs, dashboard);
    const ratio = (ms: { p50: number; p95: number }) => ({ p50: round(ms.p50 / floorMs.p50, 2), p95: round(ms.p95 / floorMs.p95, 2) });
    return {
      loaded: { ...loaded, seconds: loadSeconds },
      apiMs: { commissioner: apiCommissioner, admin: apiAdmin },
      floorMs,
      apiToFloor: { commissioner: ratio(apiCommissioner), admin: ratio(apiAdmin) },
      dashboardLoadMs: { commissioner: dashboardMs },
    };
  } finally {
    await app.close();
  }
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
function checkFloor(report: MetricsReport, floorRows: Record<string, unknown>[]) {
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
      throw new Error(`The floor query disagrees with the service for site ${key}:\n${JSON.stringify(figures)}\n${JSON.stringify(fromFloor.get(key))}`);
    }
  }
  if (fromFloor.size !== report.rows.length) throw new Error('The floor query has a different number of sites');
}
