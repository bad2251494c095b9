import type { Tx } from '../db/client';
import { observations, patients, referralEvents, referrals } from '../db/schema';

/** Patients, their results, referrals and their events, with their ids already chosen so that they point at each other. */
export interface HistoryRows {
  patients: readonly (typeof patients.$inferInsert)[];
  observations: readonly (typeof observations.$inferInsert)[];
  referrals: readonly (typeof referrals.$inferInsert)[];
  events: readonly (typeof referralEvents.$inferInsert)[];
}

// PostgreSQL takes at most 65,535 bind parameters per statement; 1000 of the widest rows here use about 15,000.
const CHUNK_ROWS = 1000;

async function insertInChunks<T>(rows: readonly T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
    await insert(rows.slice(start, start + CHUNK_ROWS));
  }
}

/** Inserts parent-first (patients, their results, referrals, their events) and in chunks. */
export async function insertHistory(tx: Tx, rows: HistoryRows): Promise<void> {
  await insertInChunks(rows.patients, (chunk) => tx.insert(patients).values(chunk));
  await insertInChunks(rows.observations, (chunk) => tx.insert(observations).values(chunk));
  await insertInChunks(rows.referrals, (chunk) => tx.insert(referrals).values(chunk));
  await insertInChunks(rows.events, (chunk) => tx.insert(referralEvents).values(chunk));
}
