import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbedded } from '../../src/lib/server/db/client';
import { createServices } from '../../src/lib/server/services';
import { systemCtx } from '../../src/lib/server/context';
import { DEMO_PASSWORD } from '../../src/lib/server/demo/demo.seed';
import { freshDatabase, onPostgresServer } from '../support/database';
import { callApi, HAS_BUILD, signInTo, startServer, startServerWhenUnlocked, stopServer, type ServerProcess } from '../support/server-process';
import { pathwayTraffic, readBackAcknowledged, wholeDatabaseConsistent, type Clinicians } from './pathway-traffic';

/**
 * kill -9 in the middle of a stream of pathway writes: whatever the server acknowledged must be there after a
 * restart, whole (event, status, version and audit entry together), and nothing half-written may be left.
 */

const CLIENTS = 6;
/** Acknowledged writes before the kill: enough that every step of the pathway, and some races, have happened. */
const WRITES_BEFORE_KILL = 150;

/** Runs traffic until enough is acknowledged, then SIGKILLs the server while requests are in flight. */
async function killMidStream(server: ServerProcess, who: Clinicians) {
  const traffic = pathwayTraffic(server.url, who, CLIENTS);
  while (traffic.count() < WRITES_BEFORE_KILL || traffic.inFlight() < 2) {
    if (server.child.exitCode !== null) throw new Error(`server died on its own:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const inFlightAtKill = traffic.inFlight();
  traffic.cut();
  server.child.kill('SIGKILL');
  expect(await server.exited).toBeNull(); // killed by the signal, no exit code of its own
  expect(await traffic.done).toEqual([]);
  expect(inFlightAtKill).toBeGreaterThanOrEqual(2);
  return traffic.acked;
}

const stop = async (server: ServerProcess) => expect(await stopServer(server)).toBe(0);

describe.skipIf(!HAS_BUILD)('kill -9 in the middle of pathway writes (needs `npm run build`)', () => {
  describe.runIf(onPostgresServer())('on a PostgreSQL server (needs TEST_DATABASE_URL)', () => {
    it('keeps every acknowledged write, whole and audited, and the restarted server carries on', { timeout: 180_000 }, async () => {
      const database = await freshDatabase();
      afterAll(() => database.close());
      const services = createServices(database, { SESSION_IDLE_MINUTES: 30, SESSION_ABSOLUTE_HOURS: 12 });
      const site = await services.sites.create(systemCtx('tests'), { odsCode: 'KIL01', name: 'Kill site', icb: 'Test ICB', t1dPopulation: null, t1dPopulationAsOf: null });
      const password = 'durability-password-1';
      for (const role of ['nurse', 'consultant', 'admin'] as const) {
        await services.users.create(systemCtx('tests'), { email: `${role}@kill.test`, name: role, role, siteIds: role === 'admin' ? [] : [site.id], password });
      }
      const env = { DATABASE_URL: database.url! };

      const first = await startServer(env);
      const who = { siteId: site.id, nurse: await signInTo(first.url, 'nurse@kill.test', password), consultant: await signInTo(first.url, 'consultant@kill.test', password) };
      const admin = await signInTo(first.url, 'admin@kill.test', password);
      const since = new Date(Date.now() - 1000);
      const acked = await killMidStream(first, who);

      const second = await startServer(env);
      try {
        // Sessions live in the database: the same cookies still work.
        await readBackAcknowledged(second.url, { nurse: who.nurse, admin }, acked);
        await wholeDatabaseConsistent(database.db, since);
        await carriesOn(second.url, who, acked.events.at(-1)!.referralId);
      } finally {
        await stop(second);
      }
    });
  });

  describe('on the embedded database (PGlite)', () => {
    it('keeps every acknowledged write, whole and audited, once the killed server\'s lock has gone stale', { timeout: 240_000 }, async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'pp-kill-'));
      afterAll(() => rm(dataDir, { recursive: true, force: true }));
      const env = { DATA_DIR: dataDir };

      const first = await startServer(env); // a new folder: the demo sites and accounts
      const nurse = await signInTo(first.url, 'nurse@example.org', DEMO_PASSWORD);
      const me = await callApi(first.url, 'GET', '/api/v1/me', { cookie: nurse });
      const who = { siteId: me.body.siteIds[0] as string, nurse, consultant: await signInTo(first.url, 'consultant@example.org', DEMO_PASSWORD) };
      const admin = await signInTo(first.url, 'admin@example.org', DEMO_PASSWORD);
      const since = new Date(Date.now() - 1000);
      const acked = await killMidStream(first, who);

      const second = await startServerWhenUnlocked(env);
      try {
        await readBackAcknowledged(second.url, { nurse: who.nurse, admin }, acked);
        await carriesOn(second.url, who, acked.events.at(-1)!.referralId);
      } finally {
        await stop(second);
      }
      // The server is stopped and its lock released: the folder can be read directly.
      const database = await openEmbedded(dataDir);
      try {
        await wholeDatabaseConsistent(database.db, since);
      } finally {
        await database.close();
      }
    });
  });
});

/** The restarted server takes the next write on a referral that was being written when the first one died. */
async function carriesOn(baseUrl: string, who: Clinicians, referralId: string) {
  const current = await callApi(baseUrl, 'GET', `/api/v1/referrals/${referralId}`, { cookie: who.nurse });
  const canWithdraw = (current.body.allowedEvents as string[]).includes('withdrawn');
  const body = canWithdraw
    ? { type: 'withdrawn', version: current.body.version, on: current.body.lastEventOn, reason: 'other' }
    : { type: 'review', version: current.body.version, reviewedOn: current.body.lastEventOn, decision: 'continue' };
  const next = await callApi(baseUrl, 'POST', `/api/v1/referrals/${referralId}/events`, { cookie: who.nurse, body });
  if (current.body.allowedEvents.length === 0) return expect(next.status).toBe(422); // its story was over
  expect(next.status).toBe(201);
  expect(next.body.version).toBe(current.body.version + 1);
}
