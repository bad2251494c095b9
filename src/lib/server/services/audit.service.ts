import { authorize } from '../../domain/access';
import { addDays } from '../../domain/calendar-date';
import type { AuditEntry } from '../../schemas/audit.schema';
import type { Db } from '../db/client';
import { listAudit } from '../repositories/audit.repository';
import type { Ctx } from '../context';
import { decodeCursor, pageOf } from './cursor';

/** Reading the audit trail. Nothing here (nor anywhere) updates or deletes an entry. */
export class AuditService {
  constructor(private readonly db: Db) {}

  async list(ctx: Ctx, q: { entityId?: string; actorId?: string; from?: string; to?: string; limit: number; cursor?: string }) {
    authorize(ctx.actor, 'audit:read');
    const after = decodeCursor(q.cursor, 1) as [number] | undefined;
    const rows = await listAudit(this.db, {
      entityId: q.entityId,
      actorId: q.actorId,
      // Days are whole UTC days: `to` includes its own.
      from: q.from ? new Date(`${q.from}T00:00:00Z`) : undefined,
      before: q.to ? new Date(`${addDays(q.to, 1)}T00:00:00Z`) : undefined,
      beforeId: after?.[0],
      limit: q.limit + 1,
    });
    const items: AuditEntry[] = rows.map(({ patient, referral, user, site, device, ...r }) => ({
      ...r,
      id: String(r.id),
      record: { patient, referral, user, site, device },
    }));
    return pageOf(items, q.limit, (e) => [Number(e.id)]);
  }
}
