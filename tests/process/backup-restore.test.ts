import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/lib/domain/calendar-date';
import { openEmbedded } from '../../src/lib/server/db/client';
import { todayIso } from '../../src/lib/server/clock';
import { DEMO_PASSWORD } from '../../src/lib/server/demo/demo.seed';
import { withDatabase } from '../support/global-setup';
import { onPostgresServer } from '../support/database';
import { ASSESS_ELIGIBLE, nextNhsNumber } from '../support/pathway';
import { callApi, HAS_BUILD, signInTo, startServer, stopServer, type ServerProcess } from '../support/server-process';

/**
 * The backup and restore of the README, run exactly as written there: every record and every audit entry comes
 * back, the restored app signs people in and takes new writes, and the audit trail is still append-only.
 */

const run = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';
const HAS_PG_TOOLS = existsSync(join(PG_BIN, 'pg_dump')) && existsSync(join(PG_BIN, 'pg_restore'));
const PASSWORD = 'restore-password-1';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'pp-backup-'));
  dirs.push(d);
  return d;
};

const stop = async (server: ServerProcess) => expect(await stopServer(server)).toBe(0);

interface Recorded {
  nurseEmail: string;
  patientIds: string[];
  referrals: Map<string, number>; // id -> version
}

/** A little of everything, through the API: a site, users, patients with HbA1c, referrals down the pathway, devices, facilitation and barriers. */
async function recordThroughApi(url: string, admin: string): Promise<Recorded> {
  const ok = async (res: Promise<Awaited<ReturnType<typeof callApi>>>, status = 201) => {
    const answer = await res;
    expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBe(status);
    return answer.body;
  };
  const today = todayIso();
  const site = await ok(callApi(url, 'POST', '/api/v1/sites', { cookie: admin, body: { odsCode: 'BAK01', name: 'Backup site', icb: 'Test ICB' } }));
  await ok(callApi(url, 'PATCH', `/api/v1/sites/${site.id}`, { cookie: admin, body: { version: site.version, t1dPopulation: 420, t1dPopulationAsOf: today } }), 200);
  const nurseEmail = 'nurse@backup.test';
  await ok(callApi(url, 'POST', '/api/v1/users', { cookie: admin, body: { email: nurseEmail, name: 'Backup Nurse', role: 'nurse', siteIds: [site.id], password: PASSWORD } }));
  await ok(callApi(url, 'POST', '/api/v1/users', { cookie: admin, body: { email: 'consultant@backup.test', name: 'Backup Consultant', role: 'consultant', siteIds: [site.id], password: PASSWORD } }));
  await ok(callApi(url, 'POST', '/api/v1/devices', { cookie: admin, body: { kind: 'pump', name: 'Restore Pump 1', manufacturer: 'Backup Ltd' } }));
  const nurse = await signInTo(url, nurseEmail, PASSWORD);
  const consultant = await signInTo(url, 'consultant@backup.test', PASSWORD);
  await ok(callApi(url, 'POST', `/api/v1/sites/${site.id}/facilitation`, { cookie: nurse, body: { on: today, mode: 'active', kind: 'site_visit', notes: 'Before the backup' } }));
  const barrier = await ok(callApi(url, 'POST', `/api/v1/sites/${site.id}/barriers`, { cookie: nurse, body: { raisedOn: addDays(today, -10), category: 'staffing', description: 'One nurse short' } }));
  await ok(callApi(url, 'PATCH', `/api/v1/barriers/${barrier.id}`, { cookie: nurse, body: { version: barrier.version, resolvedOn: today } }), 200);

  const recorded: Recorded = { nurseEmail, patientIds: [], referrals: new Map() };
  const on = addDays(today, -1);
  const steps = [
    [consultant, { ...ASSESS_ELIGIBLE, assessedOn: on }],
    [nurse, { type: 'funding_requested', submittedOn: on, commissioner: 'NHS Test ICB', route: 'routine' }],
    [nurse, { type: 'funding_decision', decidedOn: on, outcome: 'approved' }],
    [nurse, { type: 'device_started', startedOn: on, pump: 'Restore Pump 1' }],
    [nurse, { type: 'review', reviewedOn: on, decision: 'continue' }],
  ] as const;
  for (let i = 0; i < 5; i++) {
    const patient = await ok(
      callApi(url, 'POST', '/api/v1/patients', {
        cookie: nurse,
        body: { nhsNumber: nextNhsNumber(4242 + i * 7), givenName: `Restored${i}`, familyName: 'Patient', birthDate: '1985-03-02', sex: 'male', siteId: site.id, diabetesType: 'type1' },
      }),
    );
    recorded.patientIds.push(patient.id);
    await ok(callApi(url, 'POST', `/api/v1/patients/${patient.id}/observations`, { cookie: nurse, body: { kind: 'hba1c', effective: addDays(today, -20), value: 8.4, unit: '%' } }));
    let referral = await ok(callApi(url, 'POST', '/api/v1/referrals', { cookie: nurse, body: { patientId: patient.id, therapy: 'csii', receivedOn: addDays(today, -3), source: 'gp' } }));
    for (const [cookie, body] of steps.slice(0, i + 1)) {
      referral = await ok(callApi(url, 'POST', `/api/v1/referrals/${referral.id}/events`, { cookie, body: { ...body, version: referral.version } }));
    }
    recorded.referrals.set(referral.id, referral.version);
  }
  return recorded;
}

/** Every row of every table (the migrations' own included), as text, in a stable order. */
async function snapshot(query: (text: string) => Promise<Record<string, unknown>[]>): Promise<Record<string, string[]>> {
  const tables = await query(`select table_schema || '.' || table_name as name from information_schema.tables where table_schema in ('public', 'drizzle') and table_type = 'BASE TABLE' order by 1`);
  const out: Record<string, string[]> = {};
  for (const { name } of tables as { name: string }[]) {
    out[name] = ((await query(`select to_jsonb(t)::text as row from ${name} t`)) as { row: string }[]).map((r) => r.row).sort();
  }
  return out;
}

/** The restored app: the nurse signs in, reads every record, and a new write is audited after the restored entries. */
async function restoredAppServes(url: string, recorded: Recorded, admin: string, auditEntriesBefore: number) {
  const nurse = await signInTo(url, recorded.nurseEmail, PASSWORD);
  for (const id of recorded.patientIds) expect((await callApi(url, 'GET', `/api/v1/patients/${id}`, { cookie: nurse })).status).toBe(200);
  for (const [id, version] of recorded.referrals) {
    const referral = await callApi(url, 'GET', `/api/v1/referrals/${id}`, { cookie: nurse });
    expect(referral.body).toMatchObject({ id, version, events: expect.any(Array) });
    expect(referral.body.events).toHaveLength(version - 1);
  }
  const audit = await callApi(url, 'GET', '/api/v1/audit?limit=500', { cookie: admin });
  const latest = Number(audit.body.items[0].id);
  expect(latest).toBeGreaterThanOrEqual(auditEntriesBefore);

  const [someReferral, version] = [...recorded.referrals][0]!; // assessed eligible, awaiting its funding request
  const withdrawn = await callApi(url, 'POST', `/api/v1/referrals/${someReferral}/events`, { cookie: nurse, body: { type: 'withdrawn', version, on: todayIso(), reason: 'other' } });
  expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(201);
  const after = await callApi(url, 'GET', `/api/v1/audit?entityId=${someReferral}`, { cookie: admin });
  expect(after.body.items[0]).toMatchObject({ action: 'referral.withdrawn' });
  expect(Number(after.body.items[0].id)).toBeGreaterThan(latest);
}

/** The database itself refuses to change or remove an audit entry, whoever asks. */
async function auditIsAppendOnly(query: (text: string) => Promise<unknown>) {
  for (const statement of ["update audit_log set action = 'tampered'", 'delete from audit_log', 'truncate audit_log']) {
    const refusal = await query(statement).then(
      () => 'allowed',
      (e: Error) => `${e.message} ${(e.cause as Error | undefined)?.message ?? ''}`,
    );
    expect(refusal, statement).toMatch(/audit_log is append-only/);
  }
}

describe.skipIf(!HAS_BUILD)('backup and restore, as the README says (needs `npm run build`)', () => {
  describe.runIf(onPostgresServer() && HAS_PG_TOOLS)(`PostgreSQL: pg_dump and pg_restore (needs TEST_DATABASE_URL and ${PG_BIN})`, () => {
    it('restores every record and audit entry into an empty database, with the audit trail still append-only', { timeout: 120_000 }, async () => {
      const serverUrl = process.env.TEST_DATABASE_URL!;
      const suffix = Math.random().toString(36).slice(2, 8);
      const [original, restored] = [`pp_backup_${suffix}`, `pp_restored_${suffix}`];
      const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`create database ${original}`);
      await admin.unsafe(`create database ${restored}`); // empty
      const [originalUrl, restoredUrl] = [withDatabase(serverUrl, original), withDatabase(serverUrl, restored)];
      const [originalDb, restoredDb] = [postgres(originalUrl, { max: 1, onnotice: () => {} }), postgres(restoredUrl, { max: 1, onnotice: () => {} })];
      afterAll(async () => {
        await Promise.all([originalDb.end(), restoredDb.end()]);
        await admin.unsafe(`drop database if exists ${original} with (force)`);
        await admin.unsafe(`drop database if exists ${restored} with (force)`);
        await admin.end();
      });
      const queryIn = (db: postgres.Sql) => (text: string) => db.unsafe(text) as Promise<Record<string, unknown>[]>;

      const app = await startServer({ DATABASE_URL: originalUrl, ADMIN_EMAIL: 'admin@backup.test', ADMIN_PASSWORD: PASSWORD });
      const adminCookie = await signInTo(app.url, 'admin@backup.test', PASSWORD);
      const recorded = await recordThroughApi(app.url, adminCookie);

      // Taken while the app runs, as pg_dump allows: the dump is one consistent snapshot.
      const dir = await tempDir();
      const env = { ...process.env, PATH: `${PG_BIN}:${process.env.PATH}` };
      await run('sh', ['-c', 'pg_dump --format=custom --file=pump-pathway.dump "$DATABASE_URL"'], { cwd: dir, env: { ...env, DATABASE_URL: originalUrl } });
      await stop(app);
      await run('sh', ['-c', 'pg_restore --dbname="$DATABASE_URL" pump-pathway.dump'], { cwd: dir, env: { ...env, DATABASE_URL: restoredUrl } });

      const before = await snapshot(queryIn(originalDb));
      expect(before['public.audit_log']!.length).toBeGreaterThan(30);
      expect(await snapshot(queryIn(restoredDb))).toEqual(before);
      await auditIsAppendOnly(queryIn(restoredDb));

      const restoredApp = await startServer({ DATABASE_URL: restoredUrl });
      try {
        expect(restoredApp.output()).not.toMatch(/has no users yet/);
        const restoredAdmin = await signInTo(restoredApp.url, 'admin@backup.test', PASSWORD);
        await restoredAppServes(restoredApp.url, recorded, restoredAdmin, before['public.audit_log']!.length);
      } finally {
        await stop(restoredApp);
      }
    });
  });

  describe('embedded database: an archive of the stopped app\'s folder', () => {
    it('restores every record and audit entry from the archive, with the audit trail still append-only', { timeout: 180_000 }, async () => {
      const home = await tempDir();
      const dataDir = join(home, 'data');
      const app = await startServer({ DATA_DIR: dataDir });
      const adminCookie = await signInTo(app.url, 'admin@example.org', DEMO_PASSWORD);
      const recorded = await recordThroughApi(app.url, adminCookie);
      await stop(app);

      await run('sh', ['-c', 'tar czf pump-pathway-data.tgz data'], { cwd: home });
      // Restored where it was: the folder in use is moved aside (kept here to compare with), the archive unpacked.
      const original = join(home, 'data-before-restore');
      await rename(dataDir, original);
      await run('sh', ['-c', 'tar xzf pump-pathway-data.tgz'], { cwd: home });

      /** Opens a stopped app's folder directly. */
      const inFolder = async <T>(dir: string, use: (query: (text: string) => Promise<Record<string, unknown>[]>) => Promise<T>) => {
        const database = await openEmbedded(dir);
        try {
          return await use(async (text) => ((await database.db.execute(sql.raw(text))) as unknown as { rows: Record<string, unknown>[] }).rows);
        } finally {
          await database.close();
        }
      };
      const before = await inFolder(original, snapshot);
      expect(before['public.audit_log']!.length).toBeGreaterThan(30);
      expect(await inFolder(dataDir, snapshot)).toEqual(before);
      await inFolder(dataDir, auditIsAppendOnly);

      const restoredApp = await startServer({ DATA_DIR: dataDir });
      try {
        expect(restoredApp.output()).not.toMatch(/demo mode/);
        const restoredAdmin = await signInTo(restoredApp.url, 'admin@example.org', DEMO_PASSWORD);
        await restoredAppServes(restoredApp.url, recorded, restoredAdmin, before['public.audit_log']!.length);
      } finally {
        await stop(restoredApp);
      }
    });
  });
});
