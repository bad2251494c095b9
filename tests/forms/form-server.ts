import { rowsOf } from '../../src/lib/server/db/client';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { openEmbedded, type Database } from '../../src/lib/server/db/client';
import { DEMO_PASSWORD } from '../../src/lib/server/demo/demo.seed';
import { todayIso } from '../../src/lib/server/clock';
import { freshDatabase, onPostgresServer } from '../support/database';
import { nextNhsNumber } from '../support/pathway';
import { callApi, signInTo, startServer, stopServer, type ServerProcess } from '../support/server-process';

/**
 * The real built server for the page tests: on a fresh PostgreSQL database when TEST_DATABASE_URL is set (with
 * its first admin from ADMIN_EMAIL), else on a new embedded folder in demo mode. Signed in as each role, with a
 * site, a patient, a referral, a barrier and a device to aim the forms at.
 */
export async function formServer() {
  const onPostgres = onPostgresServer();
  const database = onPostgres ? await freshDatabase() : null;
  const dataDir = onPostgres ? null : await mkdtemp(join(tmpdir(), 'pp-forms-'));
  const password = onPostgres ? 'form-fuzz-password-1' : DEMO_PASSWORD;
  const env: Record<string, string> = database ? { DATABASE_URL: database.url!, ADMIN_EMAIL: 'admin@example.org', ADMIN_PASSWORD: password } : { DATA_DIR: dataDir! };
  let server: ServerProcess = await startServer(env);

  const admin = await signInTo(server.url, 'admin@example.org', password);
  const created = async (path: string, cookie: string, body: object) => {
    const res = await callApi(server.url, 'POST', path, { cookie, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };
  if (database) {
    const site = await created('/api/v1/sites', admin, { odsCode: 'FRM01', name: 'Form site', icb: 'Test ICB' });
    for (const role of ['nurse', 'consultant'] as const) {
      await created('/api/v1/users', admin, { email: `${role}@example.org`, name: `Form ${role}`, role, siteIds: [site.id], password });
    }
  }
  const nurse = await signInTo(server.url, 'nurse@example.org', password);
  const consultant = await signInTo(server.url, 'consultant@example.org', password);
  const siteId = (await callApi(server.url, 'GET', '/api/v1/me', { cookie: nurse })).body.siteIds[0] as string;
  const today = todayIso();
  const patient = await created('/api/v1/patients', nurse, {
    nhsNumber: nextNhsNumber(777_000 + Math.floor(Math.random() * 1000)),
    givenName: 'Form',
    familyName: 'Target',
    birthDate: '1980-01-01',
    sex: 'female',
    siteId,
    diabetesType: 'type1',
  });
  const referral = await created('/api/v1/referrals', nurse, { patientId: patient.id, therapy: 'csii', receivedOn: today, source: 'gp' });
  const barrier = await created(`/api/v1/sites/${siteId}/barriers`, nurse, { raisedOn: today, category: 'funding', description: 'Form target' });
  const device = (await callApi(server.url, 'GET', '/api/v1/devices', { cookie: admin })).body.items[0] as { id: string; version: number };

  /**
   * The rows that matter, counted. On PostgreSQL: every table, straight from the database. On the embedded
   * database, which only the server may open: the newest audit entry through the API (every change in this
   * product writes one), and the tables themselves once the server is stopped (see `stopAndCount`).
   */
  const counts = async () => {
    const newestAudit = (await callApi(server.url, 'GET', '/api/v1/audit?limit=1', { cookie: admin })).body.items[0]?.id as string;
    return database ? { newestAudit, ...(await tableCounts(database)) } : { newestAudit };
  };

  return {
    get url() {
      return server.url;
    },
    cookies: { admin, nurse, consultant, none: '' },
    siteId,
    patient: patient as { id: string },
    referral: referral as { id: string; version: number },
    barrier: barrier as { id: string; version: number },
    device,
    counts,
    /** Stops the server and removes what it made. The caller registers this with afterAll at collection time: a
     * hook registered while beforeAll runs is never called, and the server would outlive the tests. */
    async close() {
      await stopServer(server);
      await database?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
    /** Every table's row count, with no server running on an embedded folder (then started again). */
    async tableCounts(): Promise<Record<string, number>> {
      if (database) return tableCounts(database);
      await stopServer(server);
      const embedded = await openEmbedded(dataDir!);
      try {
        return await tableCounts(embedded);
      } finally {
        await embedded.close();
        server = await startServer(env);
      }
    },
  };
}

export type FormServer = Awaited<ReturnType<typeof formServer>>;

/** Failed sign-ins are counted by design (for rate limiting): every other table is. */
async function tableCounts(database: Database): Promise<Record<string, number>> {
  const tables = rowsOf<{ name: string }>(await database.db.execute(sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'login_failures' order by 1`));
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    counts[name] = rowsOf<{ n: number }>(await database.db.execute(sql.raw(`select count(*)::int as n from public."${name}"`)))[0]!.n;
  }
  return counts;
}
