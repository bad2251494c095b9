import type { Db, Tx } from '../db/client';
import { observations, patients, referralEvents, referrals } from '../db/schema';
import { writeAudit } from '../repositories/audit.repository';
import { SYSTEM_META } from '../context';
import type { GeneratedHistory } from './history.types';

/**
 * Loads a generated history in one transaction: all of it or none of it, so a failed load never leaves half
 * a demo behind. Rows go in parent-first order (patients, their results, referrals, their events) and in
 * chunks, since PostgreSQL takes at most 65,535 bind parameters per statement (1000 of the widest rows here
 * use about 15,000). One audit entry records the load, as the audit trail records every change.
 */

export interface LoadedCounts {
  patients: number;
  observations: number;
  referrals: number;
  referralEvents: number;
}

const CHUNK_ROWS = 1000;

async function insertInChunks<T>(rows: readonly T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
    await insert(rows.slice(start, start + CHUNK_ROWS));
  }
}

export async function loadHistory(db: Db, history: GeneratedHistory, meta: { requestId: string } = SYSTEM_META): Promise<LoadedCounts> {
  const counts: LoadedCounts = {
    patients: history.patients.length,
    observations: history.observations.length,
    referrals: history.referrals.length,
    referralEvents: history.events.length,
  };
  await db.transaction(async (tx: Tx) => {
    await insertInChunks(history.patients, (chunk) => tx.insert(patients).values(chunk));
    await insertInChunks(history.observations, (chunk) => tx.insert(observations).values(chunk));
    await insertInChunks(history.referrals, (chunk) => tx.insert(referrals).values(chunk));
    await insertInChunks(history.events, (chunk) => tx.insert(referralEvents).values(chunk));
    await writeAudit(tx, { requestId: meta.requestId, clientAddress: null }, {
      action: 'demo.seed',
      entityType: 'system',
      entityId: null,
      after: counts,
    });
  });
  return counts;
}
