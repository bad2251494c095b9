import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { eq, sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER, rowsOf, type Db } from '../../src/lib/server/db/client';
import { patientsCountedDirectly, sites } from '../../src/lib/server/db/schema';
import { generateHistory } from '../../src/lib/server/demo/history.generator';
import type { HistorySite } from '../../src/lib/server/demo/history.types';
import { systemCtx } from '../../src/lib/server/context';
import { DemoHistoryService } from '../../src/lib/server/services/demo-history.service';
import { freshDatabase, onPostgresServer } from '../support/database';
import { withDatabase } from '../support/global-setup';
import { expectCountsTrue } from '../support/kept-counts';
import { nextNhsNumber } from '../support/pathway';

/**
 * The counts the database keeps for the reports (migrations/0015_milestone_counts.sql) stay what their definitions
 * give from the rows they are kept from, whichever way those rows came: already there when the migration ran, loaded
 * thousands at a time in one transaction, or written by two transactions at once for the same person. Each on the
 * database the run uses (PostgreSQL with TEST_DATABASE_URL, else embedded).
 */

const SITES: HistorySite[] = [
  { id: '6a0f3c1e-2b4d-4e8f-9a1b-000000000001', odsCode: 'KC001', profile: 'active', facilitationStartsOn: '2024-04-01', t1dPopulation: 900 },
  { id: '6a0f3c1e-2b4d-4e8f-9a1b-000000000002', odsCode: 'KC002', profile: 'none', t1dPopulation: 1400 },
];

/** Three years of referrals at two sites, with a caseload already on therapy (switches to closed loop among them). */
const history = () =>
  generateHistory({ seed: 14, today: '2026-10-31', years: 3, sites: SITES, referralsPerSitePerYear: 150, caseload: { share: 0.05 }, now: new Date('2026-10-31T17:00:00Z') });

async function loadHistory(db: Db) {
  await db.insert(sites).values(SITES.map((s) => ({ id: s.id, odsCode: s.odsCode, name: `Counted ${s.odsCode}`, icb: 'Counted ICB' })));
  const loaded = await new DemoHistoryService(db).load(systemCtx('tests'), history());
  // Patients who switched to closed loop have two starts, so some are counted directly: both kinds are checked.
  expect((await db.select().from(patientsCountedDirectly)).length).toBeGreaterThan(0);
  return loaded;
}

/** An empty database, migrated by drizzle up to the migration tagged `lastTag` and then on to the latest. */
async function emptyDatabase(): Promise<{ db: Db; migrateTo: (lastTag?: string) => Promise<void>; close: () => Promise<void> }> {
  const folder = mkdtempSync(join(tmpdir(), 'migrations-'));
  const upTo = (lastTag?: string) => {
    if (!lastTag) return MIGRATIONS_FOLDER;
    cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
    const journalPath = join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
    const last = journal.entries.findIndex((e) => e.tag === lastTag);
    expect(last).toBeGreaterThanOrEqual(0);
    writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, last + 1) }));
    return folder;
  };
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (onPostgresServer() && serverUrl) {
    const name = `pp_counts_${process.pid}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
    const client = postgres(withDatabase(serverUrl, name), { max: 1, onnotice: () => {} });
    const db = drizzlePostgres(client);
    return {
      db: db as unknown as Db,
      migrateTo: (lastTag) => migratePostgres(db, { migrationsFolder: upTo(lastTag) }),
      close: async () => {
        await client.end();
        await admin.unsafe(`drop database if exists ${name} with (force)`);
        await admin.end();
        rmSync(folder, { recursive: true, force: true });
      },
    };
  }
  const client = new PGlite();
  const db = drizzlePglite(client);
  return {
    db: db as unknown as Db,
    migrateTo: (lastTag) => migratePglite(db, { migrationsFolder: upTo(lastTag) }),
    close: async () => {
      await client.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

describe('the kept counts', () => {
  it('count the history a database already had when the migration that brings them in ran', async () => {
    const database = await emptyDatabase();
    try {
      await database.migrateTo('0014_server_keys');
      await database.db.insert(sites).values(SITES.map((s) => ({ id: s.id, odsCode: s.odsCode, name: `Counted ${s.odsCode}`, icb: 'Counted ICB' })));
      await new DemoHistoryService(database.db).load(systemCtx('tests'), history());
      await database.migrateTo();
      expect((await database.db.select().from(patientsCountedDirectly)).length).toBeGreaterThan(0);
      await expectCountsTrue(database.db);
    } finally {
      await database.close();
    }
  }, 120_000);

  it('follow a history loaded in one transaction', async () => {
    const database = await freshDatabase();
    try {
      const loaded = await loadHistory(database.db);
      expect(loaded.referrals).toBeGreaterThan(800);
      await expectCountsTrue(database.db);
    } finally {
      await database.close();
    }
  }, 120_000);

  describe.runIf(onPostgresServer())('on a server that writes several transactions at once', () => {
    const database = freshDatabase();
    afterAll(async () => (await database).close());

    it('judge a person with two referrals started at the same moment as counted directly', async () => {
      const { db, url } = await database;
      const [site] = await db.insert(sites).values({ odsCode: 'KC003', name: 'Counted KC003', icb: 'Counted ICB' }).returning();
      const [patient] = rowsOf<{ id: string }>(
        await db.execute(sql`insert into patients (site_id, nhs_number, given_name, family_name, birth_date, sex, diabetes_type)
          values (${site!.id}, ${nextNhsNumber(424_242)}, 'Two', 'Starts', '1985-02-03', 'female', 'type1') returning id`),
      );
      const patientId = patient!.id;
      // A pump and a closed loop both approved, each waiting for its start.
      const referralIds: string[] = [];
      for (const therapy of ['csii', 'hcl']) {
        const [referral] = rowsOf<{ id: string }>(
          await db.execute(sql`insert into referrals (patient_id, site_id, therapy, status, received_on, source, last_event_on)
            values (${patientId}, ${site!.id}, ${therapy}, 'awaiting_start', '2026-01-05', 'gp', '2026-03-02') returning id`),
        );
        const id = referral!.id;
        referralIds.push(id);
        await db.execute(sql`insert into referral_events (referral_id, seq, type, occurred_on, payload, status_after) values
          (${id}, 1, 'assessment', '2026-01-20', '{"decision":"eligible"}', 'awaiting_funding_request'),
          (${id}, 2, 'funding_requested', '2026-02-02', '{"commissioner":"Counted ICB","route":"routine"}', 'awaiting_funding_decision'),
          (${id}, 3, 'funding_decision', '2026-03-02', '{"outcome":"approved"}', 'awaiting_start')`);
      }
      await expectCountsTrue(db);

      // Each start in a transaction of its own; the second is written while the first is still open.
      const first = postgres(url!, { max: 1, onnotice: () => {} });
      const second = postgres(url!, { max: 1, onnotice: () => {} });
      try {
        const start = (tx: postgres.TransactionSql, referralId: string) =>
          tx`insert into referral_events (referral_id, seq, type, occurred_on, payload, status_after)
            values (${referralId}, 4, 'device_started', '2026-04-01', '{}', 'on_therapy')`;
        let secondDone = false;
        let secondPid = 0;
        let secondWrite: Promise<unknown> | undefined;
        await first.begin(async (tx) => {
          await start(tx, referralIds[0]!);
          secondWrite = second.begin(async (tx2) => {
            secondPid = Number((await tx2`select pg_backend_pid() as pid`)[0]!.pid);
            await start(tx2, referralIds[1]!);
          });
          void secondWrite.then(() => (secondDone = true));
          // Until the second has written its start, or waits for the first to finish.
          for (;;) {
            await new Promise((resolve) => setTimeout(resolve, 20));
            if (secondDone) break;
            if (secondPid && (await tx`select 1 from pg_stat_activity where pid = ${secondPid} and wait_event_type = 'Lock'`).length) break;
          }
        });
        await secondWrite;
      } finally {
        await first.end();
        await second.end();
      }
      expect(await db.select().from(patientsCountedDirectly).where(eq(patientsCountedDirectly.patientId, patientId))).toHaveLength(1);
      await expectCountsTrue(db);
    });
  });
});
