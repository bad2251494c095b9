import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import autocannon from 'autocannon';
import { eq } from 'drizzle-orm';
import { migrate, openPostgres } from '../../src/lib/server/db/client';
import { referrals } from '../../src/lib/server/db/schema';
import { generateHistory } from '../../src/lib/server/demo/history.generator';
import { createServices } from '../../src/lib/server/services';
import { todayIso } from '../../src/lib/server/clock';
import { systemCtx } from '../../src/lib/server/context';
import { nextNhsNumber } from '../support/pathway';
import { freshBenchDatabase } from './postgres';

const CONNECTIONS = 16;
const SAMPLE_EVERY_MS = 10_000;
const MiB = 1024 * 1024;

interface Memory {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/**
 * Mixed writes and reads against the real server process (pages included) on PostgreSQL for `seconds`, sampling
 * its memory every 10 s: resident set size, and the heap still alive after a full collection. Memory that keeps
 * growing under a steady load is a leak; the slope (MiB a minute, by least squares over the samples after the
 * warm-up, the first fifth of the run) says whether it does.
 */
export async function soak(serverUrl: string, seconds: number) {
  if (!existsSync('build/handler.js')) throw new Error('The soak runs the real server with its pages: run "npm run build" first');
  const url = await freshBenchDatabase(serverUrl, 'bench_soak');
  const { pool, siteId, knownNhsNumbers } = await seed(url);
  const server = await startSoakServer(url);
  try {
    const login = await fetch(`${server.address}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'soak@nurse.test', password: 'soak-password-1' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;

    const samples: { atSeconds: number; rssMiB: number; heapTotalMiB: number; heapMiB: number; externalMiB: number }[] = [];
    const started = Date.now();
    const sample = async () => {
      const m = await server.memory();
      samples.push({ atSeconds: Math.round((Date.now() - started) / 1000), rssMiB: round(m.rss / MiB), heapTotalMiB: round(m.heapTotal / MiB), heapMiB: round(m.heapUsed / MiB), externalMiB: round(m.external / MiB) });
    };
    await sample();
    const sampler = setInterval(() => void sample(), SAMPLE_EVERY_MS);
    const result = await autocannon({ url: server.address, connections: CONNECTIONS, duration: seconds, headers: { cookie }, requests: mixedRequests(pool, siteId, knownNhsNumbers) });
    clearInterval(sampler);
    await sample();

    const warmUp = seconds / 5;
    const steady = samples.filter((s) => s.atSeconds >= warmUp);
    return {
      seconds,
      connections: CONNECTIONS,
      requestsPerSecond: Math.round(result.requests.average),
      ok: result['2xx'],
      notOk: result.non2xx + result.errors + result.timeouts,
      latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
      memory: samples,
      slopeMiBPerMinute: {
        over: `${Math.round(warmUp)}s to ${seconds}s`,
        rss: round(slopePerMinute(steady.map((s) => [s.atSeconds, s.rssMiB]))),
        heapAfterGc: round(slopePerMinute(steady.map((s) => [s.atSeconds, s.heapMiB]))),
      },
    };
  } finally {
    await server.stop();
  }
}

/** A history to work on (two sites, two years), and a nurse of both sites. */
async function seed(url: string) {
  const database = openPostgres(url, { max: 4 });
  try {
    await migrate(database, url);
    const services = createServices(database, { SESSION_IDLE_MINUTES: 30, SESSION_ABSOLUTE_HOURS: 12 });
    const today = todayIso();
    const sites = [];
    for (const n of [1, 2]) sites.push(await services.sites.create(systemCtx('tests'), { odsCode: `SOK0${n}`, name: `Soak ${n}`, icb: 'Soak ICB', t1dPopulation: 1500, t1dPopulationAsOf: today }));
    const history = generateHistory({ seed: 11, today, now: new Date(), years: 2, referralsPerSitePerYear: 200, sites: sites.map((s) => ({ id: s.id, odsCode: s.odsCode, profile: 'none', t1dPopulation: 1500 })) });
    await services.demoHistory.load(systemCtx('tests'), history);
    await services.users.create(systemCtx('tests'), { email: 'soak@nurse.test', name: 'Soak', role: 'nurse', siteIds: sites.map((s) => s.id), password: 'soak-password-1' });
    const onTherapy = await database.db.select({ id: referrals.id, patientId: referrals.patientId, version: referrals.version }).from(referrals).where(eq(referrals.status, 'on_therapy'));
    return { pool: onTherapy, siteId: sites[0]!.id, knownNhsNumbers: new Set(history.patients.map((p) => p.nhsNumber ?? '')) };
  } finally {
    await database.close();
  }
}

type Pool = { id: string; patientId: string; version: number }[];
type Ctx = Record<string, unknown> & { connection?: number; turn?: number; current?: number; patientId?: string };

/**
 * One connection's round, in order: a review on a referral on therapy (the version it last saw), a new patient,
 * a referral and an HbA1c result, then the reads a nurse makes: a referral, a search, a patient's page and the
 * referrals page. Every read is bounded (paged or one record), so that what a request holds stays the same while
 * the tables grow. Each connection works through its own share of the referrals, so no two race for one.
 */
function mixedRequests(pool: Pool, siteId: string, knownNhsNumbers: Set<string>): autocannon.Request[] {
  let connections = 0;
  let nhs = 100_000;
  const nhsNumber = () => {
    for (;;) {
      const n = nextNhsNumber(nhs);
      nhs = Number(n.slice(3, 9)) + 1;
      if (!knownNhsNumbers.has(n)) return n;
    }
  };
  const today = todayIso();
  const json = { 'content-type': 'application/json' };
  const current = (ctx: Ctx) => pool[ctx.current!]!;
  return [
    {
      method: 'POST',
      headers: json,
      setupRequest: (req, context) => {
        const ctx = context as Ctx;
        ctx.connection ??= connections++;
        ctx.turn = (ctx.turn ?? -1) + 1;
        ctx.current = (ctx.connection + ctx.turn * 1000) % pool.length;
        const r = current(ctx);
        return { ...req, path: `/api/v1/referrals/${r.id}/events`, body: JSON.stringify({ type: 'review', version: r.version, reviewedOn: today, decision: 'continue' }) };
      },
      onResponse: (status, body, context) => {
        const answer = JSON.parse(body) as { version?: number; currentVersion?: number };
        if (status === 201 || status === 409) current(context as Ctx).version = answer.version ?? answer.currentVersion!;
      },
    },
    {
      method: 'POST',
      path: '/api/v1/patients',
      headers: json,
      setupRequest: (req) => ({ ...req, body: JSON.stringify({ nhsNumber: nhsNumber(), givenName: 'Sam', familyName: 'Soak', birthDate: '1988-04-02', sex: 'male', siteId, diabetesType: 'type1' }) }),
      onResponse: (status, body, context) => {
        if (status === 201) (context as Ctx).patientId = (JSON.parse(body) as { id: string }).id;
      },
    },
    {
      method: 'POST',
      path: '/api/v1/referrals',
      headers: json,
      setupRequest: (req, context) => ({ ...req, body: JSON.stringify({ patientId: (context as Ctx).patientId ?? current(context as Ctx).patientId, therapy: 'hcl', receivedOn: today, source: 'gp', priorityGroup: 'adult' }) }),
    },
    {
      method: 'POST',
      headers: json,
      setupRequest: (req, context) => ({ ...req, path: `/api/v1/patients/${current(context as Ctx).patientId}/observations`, body: JSON.stringify({ kind: 'hba1c', effective: today, value: 7.4, unit: '%' }) }),
    },
    { method: 'GET', setupRequest: (req, context) => ({ ...req, path: `/api/v1/referrals/${current(context as Ctx).id}` }) },
    { method: 'GET', path: '/api/v1/patients?q=Soak&limit=20' },
    { method: 'GET', headers: { accept: 'text/html' }, setupRequest: (req, context) => ({ ...req, path: `/patients/${current(context as Ctx).patientId}` }) },
    { method: 'GET', path: '/referrals', headers: { accept: 'text/html' } },
  ];
}

async function startSoakServer(databaseUrl: string) {
  const port = await freePort();
  const child = fork('tests/bench/soak-server.ts', [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, NODE_ENV: 'production', DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const address = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let tries = 0; ; tries++) {
    if (child.exitCode !== null) throw new Error(`the soak server exited with ${child.exitCode}`);
    const up = await fetch(`${address}/api/health`).then((r) => r.ok, () => false);
    if (up) break;
    if (tries > 120) throw new Error('the soak server did not start within a minute');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return {
    address,
    memory: () =>
      new Promise<Memory>((resolve) => {
        child.once('message', (m) => resolve(m as Memory));
        child.send('memory');
      }),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** Least-squares slope of [seconds, MiB] points, in MiB per minute. */
function slopePerMinute(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return (sxy / sxx) * 60;
}

const round = (x: number) => Math.round(x * 10) / 10;
