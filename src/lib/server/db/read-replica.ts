import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { rowsOf, type Db } from './client';
import { isDatabaseUnavailable, isRecoveryConflict } from './errors';

export type ReplicaState = 'ok' | 'lagging' | 'unreachable';

export interface ReplicaHealth {
  replica: ReplicaState;
  /** How far the replica's data is behind the primary's, in seconds; null when it cannot be known. */
  replicaLagSeconds: number | null;
}

/**
 * Where the reads that tolerate seconds of staleness run (api.md, "Configuration that clients and deployments rely
 * on"): the metrics, the dashboard's series, SPC, equity and the national return. Services that make them take a
 * `Reads` and run each read through it; everything else, and every read of a request that writes, uses the primary
 * handle itself, so a person always sees what they have just saved.
 */
export interface Reads {
  /** Runs a read-only piece of work on the replica when it is fit, else on the primary. */
  run<T>(read: (db: Db) => Promise<T>): Promise<T>;
  /** The replica's state (checked afresh when the last check is older than a second); null with no replica. */
  replica(): Promise<ReplicaHealth | null>;
}

/** No replica: every read on the one database. */
export const primaryReads = (db: Db): Reads => ({ run: (read) => read(db), replica: async () => null });

const CHECK_EVERY_MS = 1_000;
const CHECK_TIMEOUT_MS = 2_000;

/**
 * Reads on a streaming replica, falling back to the primary while the replica is unreachable or more than
 * `maxLagSeconds` behind. What the replica is fit for is per-process knowledge, checked at most once a second
 * as reads and health checks come in (never on the request's own time: a read uses what the last check found).
 * A read the replica fails to answer is run again on the primary at once: it wrote nothing, so the person waiting
 * sees their figures rather than an error, and the replica counts as unreachable until a check finds it back.
 * Every move between the two is logged.
 */
export function replicaReads(primary: Db, replica: Db, options: { maxLagSeconds: number; log: Pick<Logger, 'info' | 'warn'> }): Reads {
  const { maxLagSeconds, log } = options;
  let health: ReplicaHealth = { replica: 'unreachable', replicaLagSeconds: null };
  let onReplica: boolean | undefined; // undefined until the first check, which is logged whatever it finds
  let checkedAt = 0;
  let checking: Promise<ReplicaHealth> | undefined;
  // A failed read outdates any check that began before it.
  let failures = 0;

  const settle = (next: ReplicaHealth, err?: unknown) => {
    health = next;
    checkedAt = Date.now();
    const use = next.replica === 'ok';
    if (use === onReplica) return;
    onReplica = use;
    if (use) log.info({ replicaLagSeconds: next.replicaLagSeconds }, 'reads go to the replica');
    else log.warn({ ...next, ...(err ? { err } : {}) }, `reads go to the primary: the replica is ${next.replica}`);
  };

  const check = (): Promise<ReplicaHealth> =>
    (checking ??= (async () => {
      const failuresBefore = failures;
      let timer: NodeJS.Timeout | undefined;
      let next: ReplicaHealth;
      let err: unknown;
      try {
        const lag = await Promise.race([
          replicaLagSeconds(replica),
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS))),
        ]);
        next = { replica: lag !== null && lag <= maxLagSeconds ? 'ok' : 'lagging', replicaLagSeconds: lag };
      } catch (e) {
        next = { replica: 'unreachable', replicaLagSeconds: null };
        err = e;
      } finally {
        clearTimeout(timer);
        checking = undefined;
      }
      if (failures === failuresBefore) settle(next, err);
      return health;
    })());

  const stale = () => Date.now() - checkedAt >= CHECK_EVERY_MS;

  return {
    async run(read) {
      if (stale()) void check();
      if (!onReplica) return read(primary);
      try {
        return await read(replica);
      } catch (e) {
        if (!isDatabaseUnavailable(e) && !isRecoveryConflict(e)) throw e;
        failures++;
        settle({ replica: 'unreachable', replicaLagSeconds: null }, e);
        return read(primary);
      }
    },
    replica: () => (stale() ? check() : Promise.resolve(health)),
  };
}

/**
 * How far a standby is behind (docs/architecture.md, "Growing past one machine"): nothing when everything it has
 * received is replayed, else the time since the last transaction it replayed was committed. "Everything received
 * is replayed" is the replay position at or past the receive position: a restarted standby's receiver starts from
 * the beginning of a WAL segment, behind what was already replayed. A server that is not in recovery (a promoted
 * standby) is not behind. Null when a standby has replayed nothing yet.
 */
async function replicaLagSeconds(db: Db): Promise<number | null> {
  const [row] = rowsOf<{ lag: number | null }>(
    await db.execute(sql`
      select case
        when not pg_is_in_recovery() or pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() then 0
        else extract(epoch from now() - pg_last_xact_replay_timestamp())::float8
      end as lag`),
  );
  return row?.lag === null || row?.lag === undefined ? null : Math.max(0, Math.round(row.lag * 10) / 10);
}
