import autocannon from 'autocannon';
import postgres from 'postgres';
import { and, eq } from 'drizzle-orm';
import { migrate, openPostgres } from '../../src/lib/server/db/client';
import { referrals } from '../../src/lib/server/db/schema';
import { generateHistory } from '../../src/lib/server/demo/history.generator';
import { createServices } from '../../src/lib/server/services';
import { todayIso } from '../../src/lib/server/clock';
import { systemCtx } from '../../src/lib/server/context';
import { startApiServer } from './api-process';
import { captureStatements, writeFloor } from './pathway-floor';
import { freshBenchDatabase } from './postgres';

const CONNECTIONS = 32;
const WARM_UP_SECONDS = 3;

/**
 * Audited pathway events per second from 32 concurrent clients over loopback against a PostgreSQL-backed
 * server, then reads, each after a 3 s warm-up; with the server's memory before and after. The writes are
 * measured in `rounds` rounds, each followed by the write floor (pathway-floor.ts: the same statements sent by bare
 * postgres.js from 32 clients), so that each round's ratio of the API to the floor is taken on the machine as it
 * was then; each figure is printed as its range over the rounds.
 */
export async function pathwayLoad(serverUrl: string, seconds: number, rounds: number) {
  const url = await freshBenchDatabase(serverUrl, 'bench_pathway');
  const database = openPostgres(url, { max: 10 });
  await migrate(database, url);
  // The statements the app prepares, for the floor to send the same.
  const statements = captureStatements(database);
  const services = createServices(database, { SESSION_IDLE_MINUTES: 30, SESSION_ABSOLUTE_HOURS: 12 });
  const today = todayIso();
  const siteRows = [];
  for (let i = 1; i <= 4; i++) {
    siteRows.push(await services.sites.create(systemCtx('tests'), { odsCode: `BEN0${i}`, name: `Bench ${i}`, icb: 'Bench ICB', t1dPopulation: 2000, t1dPopulationAsOf: today }));
  }
  await services.demoHistory.load(
    systemCtx('tests'),
    generateHistory({ seed: 7, today, now: new Date(), years: 3, referralsPerSitePerYear: 400, sites: siteRows.map((s) => ({ id: s.id, odsCode: s.odsCode, profile: 'none', t1dPopulation: 2000 })) }),
  );
  const nurse = await services.users.create(systemCtx('tests'), { email: 'bench@nurse.test', name: 'Bench', role: 'nurse', siteIds: siteRows.map((s) => s.id), password: 'bench-password-1' });
  const pool = await database.db.select({ id: referrals.id, version: referrals.version }).from(referrals).where(and(eq(referrals.status, 'on_therapy')));

  const server = await startApiServer(url);
  const address = server.address;
  const login = await fetch(`${address}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bench@nurse.test', password: 'bench-password-1' }) });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  // One review through the services, so that the app prepares each statement of an event for the floor to take.
  const actor = await services.auth.resolve(cookie.slice(cookie.indexOf('=') + 1));
  await services.referrals.recordEvent({ actor: actor!, requestId: 'bench', clientAddress: null }, pool[0]!.id, { type: 'review', version: pool[0]!.version, reviewedOn: today, decision: 'continue' });
  await database.close();

  let next = 0;
  let connection = 0;
  // Each connection works through its own share of the referrals (no two clients race for one), recording a
  // review with the version it last saw.
  const writeLoad = (duration: number) => autocannon({
    url: address,
    connections: CONNECTIONS,
    duration,
    headers: { cookie, 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        setupRequest: (req, ctx) => {
          const context = ctx as Record<string, number>;
          context.connection ??= connection++;
          context.turn = (context.turn ?? -1) + 1;
          context.current = (context.connection + context.turn * CONNECTIONS) % pool.length;
          const r = pool[context.current]!;
          return { ...req, path: `/api/v1/referrals/${r.id}/events`, body: JSON.stringify({ type: 'review', version: r.version, reviewedOn: today, decision: 'continue' }) };
        },
        onResponse: (status, body, ctx) => {
          const context = ctx as Record<string, number>;
          if (status === 201) pool[context.current!]!.version = (JSON.parse(body) as { version: number }).version;
        },
      },
    ],
  });
  const readLoad = (duration: number) => autocannon({
    url: address,
    connections: CONNECTIONS,
    duration,
    headers: { cookie },
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/v1/referrals/${pool[next++ % pool.length]!.id}` }) }],
  });

  // Writes still in flight when a load stopped went through unseen: every client starts from the stored version.
  const reread = async () => {
    const stored = postgres(url, { max: 1 });
    const versions = new Map((await stored<{ id: string; version: number }[]>`select id, version from referrals`).map((r) => [r.id, r.version]));
    await stored.end();
    for (const r of pool) r.version = versions.get(r.id)!;
  };
  // The server's first second (JIT compilation, the pool's connections opening, each statement's first plan) is
  // not its steady state: a short warm-up of each kind goes first, unmeasured.
  await writeLoad(WARM_UP_SECONDS);
  await readLoad(WARM_UP_SECONDS);
  const before = await server.usage(null);
  const rounded: { api: ReturnType<typeof summary>; floor: Awaited<ReturnType<typeof writeFloor>>; apiToFloor: number }[] = [];
  for (let round = 0; round < rounds; round++) {
    await reread();
    const start = await server.usage('writes');
    const own = process.cpuUsage();
    const writes = await writeLoad(seconds);
    const ownAfter = process.cpuUsage();
    const end = await server.usage(null);
    const api = summary(writes, end.cpuMs - start.cpuMs, cpuMs(ownAfter) - cpuMs(own));
    const floor = await writeFloor(url, { statements, token: cookie.slice(cookie.indexOf('=') + 1), userId: nurse.id, referrals: pool, clients: CONNECTIONS, seconds, warmUp: WARM_UP_SECONDS });
    rounded.push({ api, floor, apiToFloor: Math.round((api.requestsPerSecond / floor.eventsPerSecond) * 100) / 100 });
  }
  const afterWrites = await server.usage('reads');
  const ownBeforeReads = process.cpuUsage();
  const reads = await readLoad(seconds);
  const ownAfterReads = process.cpuUsage();
  const afterReads = await server.usage(null);
  await server.stop();
  const range = (pick: (r: (typeof rounded)[number]) => number) => [Math.min(...rounded.map(pick)), Math.max(...rounded.map(pick))];
  return {
    referralsOnTherapy: pool.length,
    rounds,
    writes: {
      requestsPerSecond: range((r) => r.api.requestsPerSecond),
      latencyMs: { p50: range((r) => r.api.latencyMs.p50), p99: range((r) => r.api.latencyMs.p99), max: range((r) => r.api.latencyMs.max) },
      ok: rounded.reduce((n, r) => n + r.api.ok, 0),
      notOk: rounded.reduce((n, r) => n + r.api.notOk, 0),
      serverCpuMsPerRequest: range((r) => r.api.serverCpuMsPerRequest),
      loadGeneratorCpuMsPerRequest: range((r) => r.api.loadGeneratorCpuMsPerRequest),
    },
    writeFloor: {
      eventsPerSecond: range((r) => r.floor.eventsPerSecond),
      latencyMs: { p50: range((r) => r.floor.latencyMs.p50), p99: range((r) => r.floor.latencyMs.p99), max: range((r) => r.floor.latencyMs.max) },
    },
    writesToFloor: range((r) => r.apiToFloor),
    reads: summary(reads, afterReads.cpuMs - afterWrites.cpuMs, cpuMs(ownAfterReads) - cpuMs(ownBeforeReads)),
    serverMemoryMiB: { before: mib(before.rss), afterWrites: mib(afterWrites.rss), afterReads: mib(afterReads.rss) },
  };
}

const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
const perRequest = (ms: number, r: autocannon.Result) => Math.round((ms / Math.max(1, r.requests.total)) * 100) / 100;
// CPU time per request depends less on what else the machine is doing than the rates do. The load generator's
// own share says how much of the machine the server had.
const summary = (r: autocannon.Result, serverCpuMs: number, loadCpuMs: number) => ({
  requestsPerSecond: Math.round(r.requests.average),
  latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
  ok: r['2xx'],
  notOk: r.non2xx + r.errors + r.timeouts,
  serverCpuMsPerRequest: perRequest(serverCpuMs, r),
  loadGeneratorCpuMsPerRequest: perRequest(loadCpuMs, r),
});
