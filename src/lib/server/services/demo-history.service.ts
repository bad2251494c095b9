import { forbidden } from '../../domain/errors';
import type { Db } from '../db/client';
import { writeAudit } from '../repositories/audit.repository';
import { insertHistory } from '../repositories/history.repository';
import type { Ctx } from '../context';
import type { GeneratedHistory } from '../demo/history.types';
import { demoAuditRows } from './demo-history.audit';

export interface LoadedCounts {
  patients: number;
  observations: number;
  referrals: number;
  referralEvents: number;
}

/** Loads a generated demo history (src/lib/server/demo): the system's own work, never a person's. */
export class DemoHistoryService {
  constructor(private readonly db: Db) {}

  /**
   * All of it or none of it, in one transaction, so a failed load never leaves half a demo behind. One audit
   * entry records the load, as the audit trail records every change; existing-therapy records and switches to
   * closed loop also get the entries the referral service would have written for them (demo-history.audit.ts).
   */
  async load(ctx: Ctx, history: GeneratedHistory): Promise<LoadedCounts> {
    if (ctx.actor.kind !== 'system') throw forbidden('Only the system loads a demo history');
    const counts: LoadedCounts = {
      patients: history.patients.length,
      observations: history.observations.length,
      referrals: history.referrals.length,
      referralEvents: history.events.length,
    };
    await this.db.transaction(async (tx) => {
      await insertHistory(tx, { ...history, audit: demoAuditRows(history, ctx) });
      await writeAudit(tx, ctx, { action: 'demo.seed', entityType: 'system', entityId: null, after: counts });
    });
    return counts;
  }
}
