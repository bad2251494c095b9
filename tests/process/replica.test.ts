import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/lib/domain/calendar-date';
import { openPostgres } from '../../src/lib/server/db/client';
import { todayIso } from '../../src/lib/server/clock';
import { nextNhsNumber } from '../support/pathway';
import { haproxyInFront, HAS_REPLICATION_TOOLS, primaryAndStandby, type Haproxy, type Replication } from '../support/replication';
import { callApi, HAS_BUILD, signInTo, startServer, stopServer, type ServerProcess } from '../support/server-process';
import { pathwayTraffic, readBackAcknowledged, wholeDatabaseConsistent, type Acknowledged } from './pathway-traffic';

/**
 * The README's deployment, started for real: a PostgreSQL 15 primary and a streaming standby made with
 * `pg_basebackup -R`, two app processes that read the heavy reads from the standby, and HAProxy in front of them.
 * A person's session works on either process; the reads go to the standby, and to the primary while the standby
 * lags or is stopped, without a failed request; one process killed under write load loses no acknowledged write
 * while the other keeps answering.
 */

const MAX_LAG_SECONDS = 5;
const PASSWORD = 'replica-password-1';

let dir: string;
let cluster: Replication;
let standby: postgres.Sql;
const apps: ServerProcess[] = [];
let proxy: Haproxy;
let site: { id: string };
const cookies = { admin: '', nurse: '', consultant: '' };
let stopping = false;

describe.skipIf(!HAS_BUILD || !HAS_REPLICATION_TOOLS)('two app processes behind HAProxy, with a streaming standby (needs `npm run build`, PostgreSQL 15 and HAProxy)', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pp-replica-'));
    cluster = await primaryAndStandby();
    standby = postgres(cluster.standbyUrl, { max: 1, onnotice: () => {} });
    const env = {
      DATABASE_URL: cluster.primaryUrl,
      READ_DATABASE_URL: cluster.standbyUrl,
      READ_MAX_LAG_SECONDS: String(MAX_LAG_SECONDS),
      TRUST_PROXY: 'true',
      ADMIN_EMAIL: 'admin@replica.test',
      ADMIN_PASSWORD: PASSWORD,
    };
    // Both start at once on the new database: one migrates and creates the admin, the other waits for it, then finds it.
    apps.push(...(await Promise.all([startServer(env), startServer(env)])));
    // A process that dies on its own shows why, whichever test then fails.
    for (const app of apps) {
      void app.exited.then((code) => {
        if (code !== null && !stopping) console.error(`an app process exited with ${code} on its own:\n${app.output().slice(-6000)}`);
      });
    }
    proxy = await haproxyInFront(dir, apps.map((a) => a.url));

    cookies.admin = await signInTo(proxy.url, 'admin@replica.test', PASSWORD);
    site = await created(callApi(proxy.url, 'POST', '/api/v1/sites', { cookie: cookies.admin, body: { odsCode: 'REP01', name: 'Replica site', icb: 'Test ICB' } }));
    for (const role of ['nurse', 'consultant'] as const) {
      await created(callApi(proxy.url, 'POST', '/api/v1/users', { cookie: cookies.admin, body: { email: `${role}@replica.test`, name: role, role, siteIds: [site.id], password: PASSWORD } }));
      cookies[role] = await signInTo(proxy.url, `${role}@replica.test`, PASSWORD);
    }
  }, 180_000);

  afterAll(async () => {
    stopping = true;
    await proxy?.stop();
    for (const app of apps) await stopServer(app);
    await standby?.end();
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('started both processes at once on one new database, creating the admin once', async () => {
    const logs = apps.map((a) => a.output());
    expect(logs.filter((l) => l.includes('created the first admin from ADMIN_EMAIL'))).toHaveLength(1);
    for (const log of logs) expect(log).toContain('reads go to the replica');
  });

  it('takes a session signed in on one process on the other, and counts failed sign-ins across both', async () => {
    const [a, b] = apps as [ServerProcess, ServerProcess];
    const cookie = await signInTo(a.url, 'nurse@replica.test', PASSWORD);
    expect(await callApi(b.url, 'GET', '/api/v1/me', { cookie })).toMatchObject({ status: 200, body: { email: 'nurse@replica.test' } });
    expect((await callApi(b.url, 'POST', '/api/v1/auth/logout', { cookie })).status).toBe(204);
    expect((await callApi(a.url, 'GET', '/api/v1/me', { cookie })).status).toBe(401);

    // Five failures for one account, spread over the two processes, and the sixth attempt is refused on either.
    const wrong = { email: 'consultant@replica.test', password: 'not-the-password' };
    for (let i = 0; i < 5; i++) expect((await callApi(apps[i % 2]!.url, 'POST', '/api/v1/auth/login', { body: wrong })).status).toBe(401);
    for (const app of apps) expect((await callApi(app.url, 'POST', '/api/v1/auth/login', { body: { ...wrong, password: PASSWORD } })).status).toBe(429);
  });

  it('reads the metrics from the standby, and from the primary while the standby lags more than READ_MAX_LAG_SECONDS', async () => {
    const first = await refer();
    // The standby has replayed the first referral; then it stops replaying, and a second one is written.
    await expect.poll(async () => (await standby`select count(*)::int as n from referrals where id = ${first}`)[0]!.n, { timeout: 10_000 }).toBe(1);
    await standby`select pg_wal_replay_pause()`;
    const before = await referralsCounted(apps[0]!);
    await refer();

    // Within the lag allowed, each process reads the standby, which has not seen the second referral.
    for (const app of apps) {
      expect(await referralsCounted(app)).toBe(before);
      expect((await health(app)).replica).toBe('ok');
    }
    // Past it, each says the standby is lagging and reads the primary.
    for (const app of apps) {
      await expect.poll(async () => (await health(app)).replica, { timeout: (MAX_LAG_SECONDS + 10) * 1000 }).toBe('lagging');
      expect((await health(app)).replicaLagSeconds).toBeGreaterThan(MAX_LAG_SECONDS);
      expect(await referralsCounted(app)).toBe(before + 1);
      expect(app.output()).toContain('reads go to the primary: the replica is lagging');
    }

    await standby`select pg_wal_replay_resume()`;
    for (const app of apps) {
      await expect.poll(async () => await health(app), { timeout: 10_000 }).toEqual({ status: 'ok', database: 'ok', replica: 'ok', replicaLagSeconds: 0 });
      expect(await referralsCounted(app)).toBe(before + 1);
      expect(app.output().lastIndexOf('reads go to the replica')).toBeGreaterThan(app.output().lastIndexOf('the replica is lagging'));
    }
  });

  it('keeps answering every read while the standby is stopped and started again, and health says so without a 503', async () => {
    const load = readLoad(proxy.url, cookies.admin);
    await load.atLeast(20);
    await cluster.stopStandby();
    for (const app of apps) await expect.poll(async () => (await health(app)).replica, { timeout: 10_000 }).toBe('unreachable');
    expect(await callApi(proxy.url, 'GET', '/api/health')).toMatchObject({ status: 200, body: { status: 'ok', database: 'ok', replica: 'unreachable' } });
    await load.atLeast(load.count() + 20);

    await cluster.startStandby();
    for (const app of apps) await expect.poll(async () => (await health(app)).replica, { timeout: 15_000 }).toBe('ok');
    // Each pooled connection that was mid-query when the standby stopped fails its first read after the restart with
    // that stop's error (postgres.js keeps it), which is answered from the primary: the reads settle on the standby.
    const lastMove = (app: ServerProcess) => app.output().split('\n').filter((l) => l.includes('"msg":"reads go to')).at(-1);
    for (const app of apps) {
      await expect
        .poll(async () => {
          await load.atLeast(load.count() + 10);
          return lastMove(app);
        }, { timeout: 20_000 })
        .toContain('"msg":"reads go to the replica"');
      expect(app.output()).toContain('reads go to the primary: the replica is unreachable');
    }
    expect(await load.stop()).toEqual([]);
  });

  it('loses no acknowledged write when one process is killed under write load, and the other keeps answering', async () => {
    const since = new Date(Date.now() - 1000);
    const who = { siteId: site.id, nurse: cookies.nurse, consultant: cookies.consultant };
    const traffic = pathwayTraffic(proxy.url, who, 6);
    while (traffic.count() < 100 || traffic.inFlight() < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    traffic.cut();
    apps[0]!.child.kill('SIGKILL');
    expect(await apps[0]!.exited).toBeNull();
    expect(await traffic.done).toEqual([]);

    // At once, before HAProxy's checks have marked it down: requests meant for the dead process go to the other.
    const after = pathwayTraffic(proxy.url, who, 6);
    while (after.count() < 100) await new Promise((resolve) => setTimeout(resolve, 5));
    after.cut();
    expect(await after.done).toEqual([]);

    const acked = merged(traffic.acked, after.acked);
    await readBackAcknowledged(proxy.url, { nurse: cookies.nurse, admin: cookies.admin }, acked);
    const primary = openPostgres(cluster.primaryUrl, { max: 1 });
    try {
      await wholeDatabaseConsistent(primary.db, since);
    } finally {
      await primary.close();
    }
  });
});

async function created<T>(answer: ReturnType<typeof callApi>): Promise<T> {
  const { status, body } = await answer;
  if (status !== 201) throw new Error(`${status} ${JSON.stringify(body)}`);
  return body as T;
}

/** A new patient referred yesterday, written through HAProxy: its id. */
async function refer(): Promise<string> {
  const patient = await created<{ id: string }>(
    callApi(proxy.url, 'POST', '/api/v1/patients', {
      cookie: cookies.nurse,
      body: { nhsNumber: nextNhsNumber(Math.floor(Math.random() * 1e6)), givenName: 'Rhys', familyName: 'Standby', birthDate: '1988-02-03', sex: 'male', siteId: site.id, diabetesType: 'type1' },
    }),
  );
  const referral = await created<{ id: string }>(
    callApi(proxy.url, 'POST', '/api/v1/referrals', { cookie: cookies.nurse, body: { patientId: patient.id, therapy: 'hcl', receivedOn: addDays(todayIso(), -1), source: 'gp' } }),
  );
  return referral.id;
}

/** The site's referrals in the metrics, as one process reads them. */
async function referralsCounted(app: ServerProcess): Promise<number> {
  const { status, body } = await callApi(app.url, 'GET', '/api/v1/metrics?groupBy=site', { cookie: cookies.admin });
  expect(status).toBe(200);
  return body.rows.find((r: { key: string }) => r.key === site.id).referrals;
}

async function health(app: ServerProcess) {
  const { status, body } = await callApi(app.url, 'GET', '/api/health');
  expect(status).toBe(200);
  return body as { replica: string; replicaLagSeconds: number | null };
}

/**
 * Clients reading what the replica serves (metrics, their CSV, the dashboard's series, SPC and the dashboard page)
 * through HAProxy, one after another, until stopped: every answer that is not a 200 is a failure.
 */
function readLoad(baseUrl: string, cookie: string) {
  const paths = [
    '/api/v1/metrics?groupBy=icb',
    '/api/v1/metrics.csv?groupBy=site',
    '/api/v1/metrics/starts',
    '/api/v1/metrics/waits?groupBy=site',
    '/api/v1/metrics/spc?measure=referrals&groupBy=all',
    '/dashboard',
  ];
  const failures: string[] = [];
  let done = 0;
  let stopped = false;
  const clients = Array.from({ length: 3 }, async (_, n) => {
    for (let i = n; !stopped; i++) {
      const path = paths[i % paths.length]!;
      const res = await fetch(new URL(path, baseUrl), { headers: { cookie } }).catch((e: unknown) => ({ status: String(e), text: async () => '' }));
      if (res.status !== 200) failures.push(`${path}: ${res.status} ${(await res.text()).slice(0, 200)}`);
      else await res.text();
      done++;
    }
  });
  return {
    count: () => done,
    async atLeast(n: number) {
      while (done < n) {
        if (failures.length > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async stop() {
      stopped = true;
      await Promise.all(clients);
      return failures;
    },
  };
}

function merged(a: Acknowledged, b: Acknowledged): Acknowledged {
  return { patients: new Map([...a.patients, ...b.patients]), referrals: new Set([...a.referrals, ...b.referrals]), events: [...a.events, ...b.events] };
}
