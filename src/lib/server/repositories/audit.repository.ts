import { sql } from 'drizzle-orm';
import { prepared, type Tx } from '../db/client';
import type { Ctx, RequestMeta } from '../services/context';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string | null;
  before?: unknown;
  after?: unknown;
}

const p = sql.placeholder;

/** The insert of one audit entry; a busy write puts it in the same statement as the change it records. */
export const AUDIT_INSERT = sql`insert into audit_log (actor_id, actor_role, action, entity_type, entity_id, request_id, client_address, before, after)
  values (${p('auditActorId')}, ${p('auditActorRole')}, ${p('auditAction')}, ${p('auditEntityType')}, ${p('auditEntityId')}, ${p('auditRequestId')},
    ${p('auditClientAddress')}, ${p('auditBefore')}, ${p('auditAfter')})`;

const jsonOrNull = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));

/** The values for AUDIT_INSERT's placeholders. */
export function auditValues(ctx: Ctx | RequestMeta, entry: AuditEntry) {
  const actor = 'actor' in ctx ? ctx.actor : null;
  return {
    auditActorId: actor?.userId ?? null,
    auditActorRole: actor?.role ?? null,
    auditAction: entry.action,
    auditEntityType: entry.entityType,
    auditEntityId: entry.entityId,
    auditRequestId: ctx.requestId,
    auditClientAddress: ctx.clientAddress,
    auditBefore: jsonOrNull(entry.before),
    auditAfter: jsonOrNull(entry.after),
  };
}

const insertAudit = prepared('write_audit', AUDIT_INSERT);

/** Written inside the same transaction as the change it records, so neither exists without the other. */
export async function writeAudit(tx: Tx, ctx: Ctx | RequestMeta, entry: AuditEntry): Promise<void> {
  await insertAudit(tx, auditValues(ctx, entry));
}
