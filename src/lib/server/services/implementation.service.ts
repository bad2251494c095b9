import { actingUserId, authorize } from '../../domain/access';
import { conflict, notFound, validation } from '../../domain/errors';
import type { Barrier, CreateBarrier, CreateFacilitation, Facilitation } from '../../schemas/implementation.schema';
import type { Db, Tx } from '../db/client';
import { writeAudit } from '../repositories/audit.repository';
import {
  insertBarrier,
  insertFacilitation,
  listBarriers,
  listFacilitation,
  lockBarrier,
  updateBarrier,
  type BarrierRow,
  type FacilitationRow,
} from '../repositories/implementation.repository';
import { siteExists } from '../repositories/site.repository';
import { todayIso } from '../clock';
import type { Ctx } from '../context';

const toFacilitation = (r: FacilitationRow): Facilitation => ({
  id: r.id,
  siteId: r.siteId,
  on: r.on,
  mode: r.mode,
  kind: r.kind,
  facilitator: r.facilitator,
  notes: r.notes,
});

const toBarrier = (r: BarrierRow): Barrier => ({
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
    await assertSiteExists(this.db, siteId);
    return { items: (await listFacilitation(this.db, siteId)).map(toFacilitation) };
  }

  async logFacilitation(ctx: Ctx, siteId: string, input: CreateFacilitation): Promise<Facilitation> {
    authorize(ctx.actor, 'implementation:write', siteId);
    const errors = notInFuture('on', input.on);
    if (errors.length) throw validation(errors);
    return this.db.transaction(async (tx) => {
      await assertSiteExists(tx, siteId);
      const activity = toFacilitation(await insertFacilitation(tx, { ...input, siteId, createdBy: actingUserId(ctx.actor) }));
      await writeAudit(tx, ctx, { action: 'facilitation.create', entityType: 'facilitation', entityId: activity.id, after: activity });
      return activity;
    });
  }

  async listBarriers(ctx: Ctx, siteId: string): Promise<{ items: Barrier[] }> {
    authorize(ctx.actor, 'implementation:read');
    await assertSiteExists(this.db, siteId);
    return { items: (await listBarriers(this.db, siteId)).map(toBarrier) };
  }

  async raiseBarrier(ctx: Ctx, siteId: string, input: CreateBarrier): Promise<Barrier> {
    authorize(ctx.actor, 'implementation:write', siteId);
    const errors = [...notInFuture('raisedOn', input.raisedOn), ...notInFuture('resolvedOn', input.resolvedOn)];
    if (input.resolvedOn && input.resolvedOn < input.raisedOn) errors.push({ path: 'resolvedOn', message: 'A barrier cannot be resolved before it was raised' });
    if (errors.length) throw validation(errors);
    return this.db.transaction(async (tx) => {
      await assertSiteExists(tx, siteId);
      const barrier = toBarrier(await insertBarrier(tx, { ...input, siteId, createdBy: actingUserId(ctx.actor) }));
      await writeAudit(tx, ctx, { action: 'barrier.create', entityType: 'barrier', entityId: barrier.id, after: barrier });
      return barrier;
    });
  }

  async resolveBarrier(ctx: Ctx, id: string, input: { version: number; resolvedOn: string | null }): Promise<Barrier> {
    authorize(ctx.actor, 'implementation:write');
    return this.db.transaction(async (tx) => {
      const current = await lockBarrier(tx, id);
      if (!current) throw notFound('No barrier with this id');
      authorize(ctx.actor, 'implementation:write', current.siteId);
      if (current.version !== input.version) throw conflict(`The barrier has changed since you read it (now version ${current.version})`, { currentVersion: current.version });
      const errors = notInFuture('resolvedOn', input.resolvedOn);
      if (input.resolvedOn && input.resolvedOn < current.raisedOn) errors.push({ path: 'resolvedOn', message: 'A barrier cannot be resolved before it was raised' });
      if (errors.length) throw validation(errors);
      const barrier = toBarrier(await updateBarrier(tx, id, { resolvedOn: input.resolvedOn, version: current.version + 1 }));
      await writeAudit(tx, ctx, { action: 'barrier.update', entityType: 'barrier', entityId: id, before: toBarrier(current), after: barrier });
      return barrier;
    });
  }
}

async function assertSiteExists(db: Db | Tx, siteId: string) {
  if (!(await siteExists(db, siteId))) throw notFound('No site with this id');
}
