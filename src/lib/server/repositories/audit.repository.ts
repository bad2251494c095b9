import type { Tx } from '../db/client';
import { auditLog } from '../db/schema';
import type { Ctx, RequestMeta } from '../services/context';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string | null;
  before?: unknown;
  after?: unknown;
}

/** Written inside the same transaction as the change it records, so neither exists without the other. */
export async function writeAudit(tx: Tx, ctx: Ctx | RequestMeta, entry: AuditEntry): Promise<void> {
  const actor = 'actor' in ctx ? ctx.actor : null;
  await tx.insert(auditLog).values({
    actorId: actor?.userId ?? null,
    actorRole: actor?.role ?? null,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    requestId: ctx.requestId,
    clientAddress: ctx.clientAddress,
    before: entry.before ?? null,
    after: entry.after ?? null,
  });
}
