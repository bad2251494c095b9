import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { fromPglite, rowsOf } from '../../src/lib/server/db/client';
import { maintainEmbedded, scheduleEmbeddedMaintenance } from '../../src/lib/server/db/embedded-maintenance';
import { sites } from '../../src/lib/server/db/schema';

// The embedded database always: a PostgreSQL server has autovacuum and never runs this.
const database = fromPglite(await PGlite.create({ loadDataDir: new Blob([await readFile(inject('pgliteTemplate'))]) }));
afterAll(() => database.close());
const db = database.db;

const addSites = (n: number, from = 0) =>
  db.insert(sites).values(
    Array.from({ length: n }, (_, i) => ({ odsCode: `MT${String(from + i).padStart(4, '0')}`, name: `Maintenance ${from + i}`, icb: 'ICB', t1dPopulation: 100 })),
  );

const lastAnalyzed = async (table: string) =>
  rowsOf<{ at: Date | null }>(await db.execute(sql`select last_analyze as at from pg_stat_user_tables where relname = ${table}`))[0]!.at;

describe('maintenance of the embedded database, which has no autovacuum', () => {
  it('analyses a table once it has changed by more than 50 rows and a tenth, as autovacuum would', async () => {
    await maintainEmbedded(db);
    await addSites(40);
    expect((await maintainEmbedded(db)).analyzed).not.toContain('sites');

    await addSites(20, 40);
    const done = await maintainEmbedded(db);
    expect(done.analyzed).toContain('sites');
    expect(await lastAnalyzed('sites')).not.toBeNull();
    expect((await maintainEmbedded(db)).analyzed).toEqual([]);
  });

  it('gives the planner row counts it did not have', async () => {
    const estimate = async () => {
      const plan = rowsOf<{ 'QUERY PLAN': string }>(await db.execute(sql`explain select * from sites`))[0]!['QUERY PLAN'];
      return Number(/rows=(\d+)/.exec(plan)![1]);
    };
    await addSites(500, 100);
    await maintainEmbedded(db);
    expect(await estimate()).toBeGreaterThanOrEqual(500);
  });

  it('vacuums a table once more than 50 rows and a fifth of it are dead', async () => {
    await db.delete(sites).where(sql`${sites.odsCode} >= 'MT0100'`);
    const done = await maintainEmbedded(db);
    expect(done.vacuumed).toContain('sites');
    const [dead] = rowsOf<{ n: number }>(await db.execute(sql`select n_dead_tup::int as n from pg_stat_user_tables where relname = 'sites'`));
    expect(dead!.n).toBe(0);
  });

  it('runs at once when scheduled, logs a failure and carries on, and stops after the run under way', async () => {
    const logged: string[] = [];
    const log = { info: (_: unknown, msg: string) => logged.push(msg), warn: (_: unknown, msg: string) => logged.push(msg) };
    await addSites(200, 1000);
    const scheduled = scheduleEmbeddedMaintenance(db, log as never, 60_000);
    await scheduled.stop();
    expect(logged).toEqual(['embedded database maintenance']);

    const broken = { execute: async () => Promise.reject(new Error('the database is closed')) };
    const failing = scheduleEmbeddedMaintenance(broken as never, log as never, 60_000);
    await failing.stop();
    expect(logged.at(-1)).toBe('embedded database maintenance failed; it will be tried again');
  });
});
