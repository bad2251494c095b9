import { asc, desc, eq } from 'drizzle-orm';
import { actingUserId, authorize } from '../../domain/access';
import { conflict, notFound, validation } from '../../domain/errors';
import type { Barrier, CreateBarrier, CreateFacilitation, Facilitation } from '../../schemas/implementation.schema';
import type { Db, Tx } from '../db/client';
import { barriers, facilitationActivities, sites } from '../db/schema';
import { writeAudit } from '../repositories/audit.repository';
import { todayIso } from '../clock';
import type { Ctx, RequestMeta } from '../context';

const toFacilitation = (r: typeof facilitationActivities.$inferSelect): Facilitation => ({
  id: r.id,
  siteId: r.siteId,
  on: r.on,
  mode: r.mode,
  kind: r.kind,
  facilitator: r.facilitator,
  notes: r.notes,
});

const toBarrier = (r: typeof barriers.$inferSelect): Barrier => ({
  id: r.id,
  siteId: r.siteId,
  raisedOn: r.raisedOn,
  category: r.category,
  description: r.description,
  resolvedOn: r.resolvedOn,
  version: r.version,
});

const notInFuture = (path: string, date: string | null | undefined) =>
  date && date > todayIso() ? [{ path, message: 'Date cannot be in the future' }] : [];

/**
 * What was done to help each site implement pumps (facilitation) and what held it back (barriers): the i-PARIHS
 * context that the metrics are read beside.
 */
export class ImplementationService {
  constructor(private readonly db: Db) {}

  async listFacilitation(ctx: Ctx, siteId: string): Promise<{ items: Facilitation[] }> {
    authorize(ctx.actor, 'implementation:read');
    await this.siteExists(this.db, siteId);
    const rows = await this.db.select().from(facilitationActivities).where(eq(facilitationActivities.siteId, siteId)).orderBy(asc(facilitationActivities.on));
    return { items: rows.map(toFacilitation) };
  }

  async logFacilitation(ctx: Ctx | RequestMeta, siteId: string, input: CreateFacilitation): Promise<Facilitation> {
    if ('actor' in ctx) authorize(ctx.actor, 'implementation:write', siteId);
    const errors = notInFuture('on', input.on);
    if (errors.length) throw validation(errors);
    return this.db.transaction(async (tx) => {
      await this.siteExists(tx, siteId);
      const [row] = await tx
        .insert(facilitationActivities)
        .values({ ...input, siteId, createdBy: 'actor' in ctx ? actingUserId(ctx.actor) : null })
        .returning();
      const activity = toFacilitation(row!);
      await writeAudit(tx, ctx, { action: 'facilitation.create', entityType: 'facilitation', entityId: activity.id, after: activity });
      return activity;
    });
  }

  async listBarriers(ctx: Ctx, siteId: string): Promise<{ items: Barrier[] }> {
    authorize(ctx.actor, 'implementation:read');
    await this.siteExists(this.db, siteId);
    const rows = await this.db.select().from(barriers).where(eq(barriers.siteId, siteId)).orderBy(desc(barriers.raisedOn));
    return { items: rows.map(toBarrier) };
  }

  async raiseBarrier(ctx: Ctx | RequestMeta, siteId: string, input: CreateBarrier): Promise<Barrier> {
    if ('actor' in ctx) authorize(ctx.actor, 'implementation:write', siteId);
    const errors = [...notInFuture('raisedOn', input.raisedOn), ...notInFuture('resolvedOn', input.resolvedOn)];
    if (input.resolvedOn && input.resolvedOn < input.raisedOn) errors.push({ path: 'resolvedOn', message: 'A barrier cannot be resolved before it was raised' });
    if (errors.length) throw validation(errors);
    return this.db.transaction(async (tx) => {
      await this.siteExists(tx, siteId);
      const [row] = await tx
        .insert(barriers)
        .values({ ...input, siteId, createdBy: 'actor' in ctx ? actingUserId(ctx.actor) : null })
        .returning();
      const barrier = toBarrier(row!);
      await writeAudit(tx, ctx, { action: 'barrier.create', entityType: 'barrier', entityId: barrier.id, after: barrier });
      return barrier;
    });
  }

  async resolveBarrier(ctx: Ctx, id: string, input: { version: number; resolvedOn: string | null }): Promise<Barrier> {
    authorize(ctx.actor, 'implementation:write');
    return this.db.transaction(async (tx) => {
      const [current] = await tx.select().from(barriers).where(eq(barriers.id, id)).for('update');
      if (!current) throw notFound('No barrier with this id');
      authorize(ctx.actor, 'implementation:write', current.siteId);
      if (current.version !== input.version) throw conflict(`The barrier has changed since you read it (now version ${current.version})`, { currentVersion: current.version });
      const errors = notInFuture('resolvedOn', input.resolvedOn);
      if (input.resolvedOn && input.resolvedOn < current.raisedOn) errors.push({ path: 'resolvedOn', message: 'A barrier cannot be resolved before it was raised' });
      if (errors.length) throw validation(errors);
      const [row] = await tx
        .update(barriers)
        .set({ resolvedOn: input.resolvedOn, version: current.version + 1, updatedAt: new Date() })
        .where(eq(barriers.id, id))
        .returning();
      const barrier = toBarrier(row!);
      await writeAudit(tx, ctx, { action: 'barrier.update', entityType: 'barrier', entityId: id, before: toBarrier(current), after: barrier });
      return barrier;
    });
  }

  private async siteExists(db: Db | Tx, siteId: string) {
    const [site] = await db.select({ id: sites.id }).from(sites).where(eq(sites.id, siteId));
    if (!site) throw notFound('No site with this id');
  }
}
