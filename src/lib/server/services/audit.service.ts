import { and, desc, eq, gte, lt } from 'drizzle-orm';
import { authorize } from '../../domain/access';
import { addDays } from '../../domain/calendar-date';
import type { AuditEntry } from '../../schemas/audit.schema';
import type { Db } from '../db/client';
import { auditLog } from '../db/schema';
import type { Ctx } from '../context';
import { decodeCursor, pageOf } from './cursor';

/** Reading the audit trail. Nothing here (nor anywhere) updates or deletes an entry. */
export class AuditService {
  constructor(private readonly db: Db) {}

  async list(ctx: Ctx, q: { entityId?: string; actorId?: string; from?: string; to?: string; limit: number; cursor?: string }) {
    authorize(ctx.actor, 'audit:read');
    const after = decodeCursor(q.cursor, 1) as [number] | undefined;
    const rows = await this.db
      .select()
      .from(auditLog)
      .where(
        and(
          q.entityId ? eq(auditLog.entityId, q.entityId) : undefined,
          q.actorId ? eq(auditLog.actorId, q.actorId) : undefined,
          q.from ? gte(auditLog.at, new Date(`${q.from}T00:00:00Z`)) : undefined,
          q.to ? lt(auditLog.at, new Date(`${addDays(q.to, 1)}T00:00:00Z`)) : undefined,
          after ? lt(auditLog.id, after[0]) : undefined,
        ),
      )
      .orderBy(desc(auditLog.id))
      .limit(q.limit + 1);
    const items: AuditEntry[] = rows.map((r) => ({ ...r, id: String(r.id) }));
    return pageOf(items, q.limit, (e) => [Number(e.id)]);
  }
}
