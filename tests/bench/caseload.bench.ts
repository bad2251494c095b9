import { migrate, openPostgres } from '../../src/lib/server/db/client';
import { createServices } from '../../src/lib/server/services';
import { todayIso } from '../../src/lib/server/clock';
import { systemCtx } from '../../src/lib/server/context';
import { nextNhsNumber } from '../support/pathway';
import { startApiServer } from './api-process';
import { freshBenchDatabase } from './postgres';

const ROWS = 10_000;
const RUNS = 3;
const MiB = 1024 * 1024;
const PUMPS = ['Tandem t:slim X2', 'Insulet Omnipod 5', 'Medtronic MiniMed 780G'];

/**
 * A service's caseload of 10,000 rows (half on therapy, half waiting, every person new) checked and applied through
 * the API on PostgreSQL, against the targets: check within 5 s, apply within 20 s, the server's memory
 * growing by under 100 MiB. Each run uses a site and people of its own, so every apply writes everything; a second
 * apply of the last file shows the cost of finding that everything is already recorded. The server's resident
 * memory is sampled every 100 ms during each request; a run's growth is its peak above the memory just before it.
 */
export async function caseloadBench(serverUrl: string) {
  const url = await freshBenchDatabase(serverUrl, 'bench_caseload');
  const siteIds = await seed(url);
  const server = await startApiServer(url);
  try {
    const login = await fetch(`${server.address}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'caseload@nurse.test', password: 'caseload-password-1' }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const baseline = (await server.usage(null)).rss;
    let peak = baseline;
    const growth: number[] = [];

    const timed = async (siteId: string, mode: 'check' | 'apply', body: string) => {
      const sampler = setInterval(() => void server.usage(null).then((u) => (peak = Math.max(peak, u.rss))), 100);
      const started = performance.now();
      const res = await fetch(`${server.address}/api/v1/imports/caseload?siteId=${siteId}&mode=${mode}`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'text/csv' },
        body,
      });
      const report = (await res.json()) as { errors: unknown[]; patients: unknown; existingTherapies: unknown; referrals: unknown };
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      if (res.status !== 200 || report.errors.length) throw new Error(`${mode}: ${res.status} ${JSON.stringify(report).slice(0, 500)}`);
      return { seconds, report };
    };

    const check: number[] = [];
    const apply: number[] = [];
    let reapply = 0;
    let lastReport: unknown;
    for (let run = 0; run < RUNS; run++) {
      const file = caseloadFile(run);
      const before = (await server.usage(null)).rss;
      peak = before;
      check.push((await timed(siteIds[run]!, 'check', file)).seconds);
      const applied = await timed(siteIds[run]!, 'apply', file);
      apply.push(applied.seconds);
      growth.push((peak - before) / MiB);
      lastReport = applied.report;
      if (run === RUNS - 1) {
        const again = await timed(siteIds[run]!, 'apply', file);
        reapply = again.seconds;
        lastReport = { applied: applied.report, appliedAgain: again.report };
      }
    }
    const after = (await server.usage(null)).rss;
    return {
      rows: ROWS,
      fileMiB: round(Buffer.byteLength(caseloadFile(0)) / MiB),
      checkSeconds: spread(check),
      applySeconds: spread(apply),
      applyAgainSeconds: round(reapply),
      // Each run's peak resident memory during its check and apply, above the memory just before it.
      serverRssGrowthMiB: spread(growth),
      serverRssMiB: { atStart: round(baseline / MiB), atEnd: round(after / MiB) },
      targets: { checkSeconds: 5, applySeconds: 20, memoryGrowthMiB: 100 },
      lastReport,
    };
  } finally {
    await server.stop();
  }
}

/** One site per run and a nurse of them all. */
async function seed(url: string): Promise<string[]> {
  const database = openPostgres(url, { max: 2 });
  try {
    await migrate(database, url);
    const services = createServices(database, { SESSION_IDLE_MINUTES: 30, SESSION_ABSOLUTE_HOURS: 12 });
    const ctx = systemCtx('bench');
    const sites = [];
    for (let n = 0; n < RUNS; n++) {
      sites.push(await services.sites.create(ctx, { odsCode: `CSL0${n}`, name: `Caseload ${n}`, icb: 'Bench ICB', t1dPopulation: 20_000, t1dPopulationAsOf: todayIso() }));
    }
    await services.users.create(ctx, { email: 'caseload@nurse.test', name: 'Caseload', role: 'nurse', siteIds: sites.map((s) => s.id), password: 'caseload-password-1' });
    return sites.map((s) => s.id);
  } finally {
    await database.close();
  }
}

/** The run's file: ROWS people of its own, every other one on therapy (dated, year-only or unknown starts), the rest waiting. */
function caseloadFile(run: number): string {
  const header = 'nhs_number,given_name,family_name,birth_date,sex,diabetes_type,record,therapy,started_on,started_year,known_on,pump,funding,received_on,source';
  const lines = [header];
  const seen = new Set<string>();
  let seed = 100_000 + run * 200_000;
  for (let i = 0; i < ROWS; i++) {
    let nhs = nextNhsNumber(seed);
    while (seen.has(nhs)) nhs = nextNhsNumber(++seed);
    seen.add(nhs);
    seed = Number(nhs.slice(3, 9)) + 1;
    const birth = `${1950 + (i % 50)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
    const person = `${nhs},Person,${lettersFor(i)},${birth},${i % 2 ? 'female' : 'male'},type1`;
    if (i % 2 === 0) {
      const start = i % 6 === 0 ? `2021-0${1 + (i % 9)}-15,,` : i % 6 === 2 ? `,2019,` : `,,`;
      lines.push(`${person},on_therapy,${i % 4 === 0 ? 'hcl' : 'csii'},${start}2026-04-01,${PUMPS[i % 3]},${i % 10 === 0 ? 'non_nhs' : 'nhs'},,`);
    } else {
      lines.push(`${person},waiting,${i % 3 === 0 ? 'hcl' : 'csii'},,,,,,2026-0${1 + (i % 9)}-1${i % 10},gp`);
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** A family name for the i-th person: names are letters, so the number is spelled in them (0 -> Aa, 27 -> Bb). */
const lettersFor = (i: number): string => {
  let name = '';
  for (let n = i; name.length === 0 || n > 0; n = Math.floor(n / 26)) name = String.fromCharCode(97 + (n % 26)) + name;
  return `A${name}`;
};

const round = (n: number) => Math.round(n * 100) / 100;
const spread = (xs: number[]) => ({ runs: xs.map(round), min: round(Math.min(...xs)), max: round(Math.max(...xs)) });
