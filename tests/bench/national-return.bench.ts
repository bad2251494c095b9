import { sql } from 'drizzle-orm';
import type { NationalHclReturn } from '../../src/lib/schemas/national-return.schema';
import { migrate, openPostgres } from '../../src/lib/server/db/client';
import { createServices } from '../../src/lib/server/services';
import { systemCtx } from '../../src/lib/server/context';
import { buildApp } from '../../src/server/app';
import { loadRegion } from '../support/region';
import { CLOSED_LOOP_QUARTER, CLOSED_LOOP_SITE, CLOSED_LOOP_USERS, loadClosedLoopSite } from './closed-loop-site';
import { timed } from './metrics.bench';
import { freshBenchDatabase } from './postgres';

const PASSWORD = 'bench-password-1';
/** What the national return must answer in, at the p95. */
const TARGET_MS = 500;

/**
 * The national HCL return of a site with 2,000 closed loop users (closed-loop-site.ts), pathway and existing, on
 * PostgreSQL, in a database that also holds the metrics' region (20 sites, 30,000 referrals): the candidates' query
 * reads referral_milestones across every site for each person's earliest pump year. Timed one request after
 * another after a warm-up, through the whole app (session, query, audit entry, serialisation), as JSON and as the
 * CSV file.
 */
export async function nationalReturnBench(serverUrl: string, runs: number) {
  const url = await freshBenchDatabase(serverUrl, 'bench_national_return');
  const database = openPostgres(url, { max: 10 });
  await migrate(database, url);
  try {
    const started = performance.now();
    const region = await loadRegion(database.db);
    const site = await loadClosedLoopSite(database.db);
    await database.db.execute(sql`vacuum analyze`);
    const loadSeconds = Math.round((performance.now() - started) / 100) / 10;

    const services = createServices(database, { SESSION_IDLE_MINUTES: 30, SESSION_ABSOLUTE_HOURS: 12 });
    const app = await buildApp({ config: { ORIGIN: undefined, LOG_LEVEL: 'silent', NODE_ENV: 'production' }, services });
    await app.ready();
    try {
      const email = 'bench-admin@national-return.test';
      await services.users.create(systemCtx('tests'), { email, name: 'Bench admin', role: 'admin', siteIds: [], password: PASSWORD });
      const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: PASSWORD } });
      const cookie = login.cookies.find((c) => c.name === 'pp_session')!;
      const headers = { cookie: `${cookie.name}=${cookie.value}` };
      const query = `siteId=${CLOSED_LOOP_SITE.id}&quarter=${CLOSED_LOOP_QUARTER.quarter}`;
      const get = async (path: string) => {
        const res = await app.inject({ method: 'GET', url: `${path}?${query}`, headers });
        if (res.statusCode !== 200) throw new Error(`${path} answered ${res.statusCode}: ${res.body}`);
        return res;
      };
      const report = (await get('/api/v1/exports/national-hcl')).json() as NationalHclReturn;
      const onHcl = report.rows.filter((r) => r.closedLoop !== '04').length + report.problems.length;
      // Every closed loop user is a row or a problem (a problem per missing item, and none lacks two here).
      if (onHcl !== CLOSED_LOOP_USERS) throw new Error(`The return has ${onHcl} closed loop users, not ${CLOSED_LOOP_USERS}`);

      const json = await timed(runs, () => get('/api/v1/exports/national-hcl'));
      const csv = await timed(runs, () => get('/api/v1/exports/national-hcl.csv'));
      return {
        site: { closedLoopUsers: CLOSED_LOOP_USERS, ...site, quarter: CLOSED_LOOP_QUARTER.quarter },
        alsoLoaded: region,
        loadSeconds,
        return: {
          rows: report.rows.length,
          byCode: Object.fromEntries(['01', '02', '04'].map((code) => [code, report.rows.filter((r) => r.closedLoop === code).length])),
          problems: report.problems.length,
        },
        runs,
        targetMs: TARGET_MS,
        jsonMs: json,
        csvMs: csv,
        withinTarget: json.p95 <= TARGET_MS && csv.p95 <= TARGET_MS,
      };
    } finally {
      await app.close();
    }
  } finally {
    await database.close();
  }
}
