import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import { prepared, type Db, type Tx } from '../db/client';
import { auditLog } from '../db/schema';
import type { Ctx, RequestMeta } from '../context';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string | null;
  before?: unknown;
  after?: unknown;
}

const p = sql.placeholder;

const AUDIT_COLUMNS = sql`audit_log (actor_id, actor_role, action, entity_type, entity_id, request_id, client_address, before, after)`;
const AUDIT_VALUES = sql`${p('auditActorId')}, ${p('auditActorRole')}, ${p('auditAction')}, ${p('auditEntityType')}, ${p('auditEntityId')}, ${p('auditRequestId')},
    ${p('auditClientAddress')}, ${p('auditBefore')}, ${p('auditAfter')}`;

/** The insert of one audit entry. */
const AUDIT_INSERT = sql`insert into ${AUDIT_COLUMNS} values (${AUDIT_VALUES})`;

/**
 * The insert of one audit entry for each row of `source` (a CTE of the same statement), so that a busy write can
 * audit a change in the very statement that makes it, and only if it made it.
 */
export const auditInsertFor = (source: SQL) => sql`insert into ${AUDIT_COLUMNS} select ${AUDIT_VALUES} from ${source}`;

const jsonOrNull = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));

/** The values for AUDIT_INSERT's placeholders. */
export function auditValues(ctx: Ctx | RequestMeta, entry: AuditEntry) {
  const actor = 'actor' in ctx && ctx.actor.kind === 'user' ? ctx.actor : null;
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

/**
 * Written inside the same transaction as the change it records, so neither exists without the other. Only the
 * sign-out passes a request without an actor: its entry names the user as the entity, not as the actor.
 */
export async function writeAudit(tx: Tx, ctx: Ctx | RequestMeta, entry: AuditEntry): Promise<void> {
  await insertAudit(tx, auditValues(ctx, entry));
}

export type AuditRow = typeof auditLog.$inferSelect;

/** Entries newest first, narrowed by any of the filters; `beforeId` continues a page. */
export function listAudit(
  db: Db | Tx,
  q: { entityId?: string; actorId?: string; from?: Date; before?: Date; beforeId?: number; limit: number },
): Promise<AuditRow[]> {
  return db
    .select()
    .from(auditLog)
    .where(
      and(
        q.entityId ? eq(auditLog.entityId, q.entityId) : undefined,
        q.actorId ? eq(auditLog.actorId, q.actorId) : undefined,
        q.from ? gte(auditLog.at, q.from) : undefined,
        q.before ? lt(auditLog.at, q.before) : undefined,
        q.beforeId !== undefined ? lt(auditLog.id, q.beforeId) : undefined,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(q.limit);
}
