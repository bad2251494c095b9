import type { Role } from '../../domain/access';
import type { Tx } from '../db/client';
import { auditLog, observations, patients, referralEvents, referrals } from '../db/schema';
import type { AuditEntry } from './audit.repository';

/** An audit entry as it would have been written at the time, by whom, under which request. */
export interface HistoryAuditRow extends AuditEntry {
  at: Date;
  actorId: string | null;
  actorRole: Role | null;
  requestId: string;
  clientAddress: string | null;
}

/**
 * Patients, their results, referrals and their events, with their ids already chosen so that they point at each
 * other, and the audit entries of the records the referral service audits one by one.
 */
export interface HistoryRows {
  patients: readonly (typeof patients.$inferInsert)[];
  observations: readonly (typeof observations.$inferInsert)[];
  referrals: readonly (typeof referrals.$inferInsert)[];
  events: readonly (typeof referralEvents.$inferInsert)[];
  audit: readonly HistoryAuditRow[];
}

// PostgreSQL takes at most 65,535 bind parameters per statement; 1000 of the widest rows here use about 15,000.
const CHUNK_ROWS = 1000;

async function insertInChunks<T>(rows: readonly T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
    await insert(rows.slice(start, start + CHUNK_ROWS));
  }
}

/** Inserts parent-first (patients, their results, referrals, their events, then the audit entries) and in chunks. */
export async function insertHistory(tx: Tx, rows: HistoryRows): Promise<void> {
  await insertInChunks(rows.patients, (chunk) => tx.insert(patients).values(chunk));
  await insertInChunks(rows.observations, (chunk) => tx.insert(observations).values(chunk));
  await insertInChunks(rows.referrals, (chunk) => tx.insert(referrals).values(chunk));
  await insertInChunks(rows.events, (chunk) => tx.insert(referralEvents).values(chunk));
  await insertInChunks(rows.audit, (chunk) => tx.insert(auditLog).values(chunk.map(({ before = null, after = null, ...entry }) => ({ ...entry, before, after }))));
}
