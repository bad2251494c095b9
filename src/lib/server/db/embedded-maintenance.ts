import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { rowsOf, type Db } from './client';

/**
 * A PostgreSQL server's autovacuum keeps the planner's statistics current and reclaims dead rows. The embedded
 * database has no background workers, so nothing does either: without statistics the planner guesses, and a
 * dashboard series that takes 150 ms on a region's data took over 30 s. The app does autovacuum's work itself,
 * with autovacuum's default thresholds: a table is analysed once more than 50 rows plus 10% of it have changed
 * since it was last analysed, and vacuumed once more than 50 rows plus 20% of it are dead.
 */

export interface MaintenanceDone {
  analyzed: string[];
  vacuumed: string[];
}

export async function maintainEmbedded(db: Db): Promise<MaintenanceDone> {
  // Table statistics reach pg_stat_user_tables only when the connection flushes them, which an embedded
  // database's single connection otherwise does rarely.
  await db.execute(sql`select pg_stat_force_next_flush()`);
  const tables = rowsOf<{ name: string; analyze: boolean; vacuum: boolean }>(
    await db.execute(sql`
      select relname as name,
        n_mod_since_analyze > 50 + 0.1 * n_live_tup as analyze,
        n_dead_tup > 50 + 0.2 * n_live_tup as vacuum
      from pg_stat_user_tables
      where schemaname = 'public'
      order by relname`),
  );
  const done: MaintenanceDone = { analyzed: [], vacuumed: [] };
  for (const t of tables) {
    if (t.vacuum) {
      await db.execute(sql`vacuum (analyze) ${sql.identifier(t.name)}`);
      done.vacuumed.push(t.name);
      done.analyzed.push(t.name);
    } else if (t.analyze) {
      await db.execute(sql`analyze ${sql.identifier(t.name)}`);
      done.analyzed.push(t.name);
    }
  }
  return done;
}

/** How often the tables are checked: each check is two small queries when nothing needs doing. */
export const EMBEDDED_MAINTENANCE_MS = 5 * 60_000;

/**
 * Runs maintainEmbedded now and then every `everyMs`, one run at a time. A failure is logged and tried again at
 * the next turn. stop() waits for a run under way, so the database can then be closed.
 */
export function scheduleEmbeddedMaintenance(db: Db, log: Pick<Logger, 'info' | 'warn'>, everyMs = EMBEDDED_MAINTENANCE_MS) {
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    running = running.then(async () => {
      try {
        const done = await maintainEmbedded(db);
        if (done.analyzed.length > 0) log.info(done, 'embedded database maintenance');
      } catch (err) {
        log.warn({ err }, 'embedded database maintenance failed; it will be tried again');
      }
    });
  };
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
