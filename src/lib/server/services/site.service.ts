import { authorize } from '../../domain/access';
import { conflict, notFound, validation } from '../../domain/errors';
import type { CreateSite, Site, UpdateSite } from '../../schemas/sites.schema';
import type { Db } from '../db/client';
import { isUniqueViolation } from '../db/errors';
import { writeAudit } from '../repositories/audit.repository';
import { allSites, findSite, insertSite, listSites, lockSite, updateSite, type SiteRow } from '../repositories/site.repository';
import type { Ctx } from '../context';
import { decodeCursor, pageOf } from './cursor';
import { recordPopulationCountIn } from './population.service';
import { todayIso } from '../clock';

export const toSite = (r: SiteRow): Site => ({
  id: r.id,
  odsCode: r.odsCode,
  name: r.name,
  icb: r.icb,
  t1dPopulation: r.t1dPopulation,
  t1dPopulationAsOf: r.t1dPopulationAsOf,
  version: r.version,
});

export class SiteService {
  constructor(private readonly db: Db) {}

  /** Sites are not patient data: every signed-in role may list them, commissioners included. */
  async list(ctx: Ctx, q: { limit: number; cursor?: string }) {
    authorize(ctx.actor, 'sites:read');
    const after = decodeCursor(q.cursor, 2) as [string, string] | undefined;
    const rows = await listSites(this.db, { limit: q.limit + 1, after });
    return pageOf(rows.map(toSite), q.limit, (s) => [s.name, s.id]);
  }

  /** Every site, in name order, in one answer (the command line looks sites up by ODS code). */
  async all(ctx: Ctx): Promise<Site[]> {
    authorize(ctx.actor, 'sites:read');
    return (await allSites(this.db)).map(toSite);
  }

  async get(ctx: Ctx, id: string): Promise<Site> {
    authorize(ctx.actor, 'sites:read');
    const row = await findSite(this.db, id);
    if (!row) throw notFound('No site with this id');
    return toSite(row);
  }

  /** The API takes no population count on creation; the system gives the demo sites theirs. */
  async create(ctx: Ctx, input: CreateSite & Partial<Pick<Site, 't1dPopulation' | 't1dPopulationAsOf'>>): Promise<Site> {
    authorize(ctx.actor, 'sites:manage');
    try {
      return await this.db.transaction(async (tx) => {
        const { t1dPopulation, t1dPopulationAsOf } = input;
        const site = toSite(await insertSite(tx, input));
        await writeAudit(tx, ctx, { action: 'site.create', entityType: 'site', entityId: site.id, after: site });
        if (t1dPopulation != null && t1dPopulationAsOf != null) {
          await recordPopulationCountIn(tx, ctx, site, { asOf: t1dPopulationAsOf, t1dPopulation, source: 'manual' });
        }
        return site;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict(`A site with ODS code ${input.odsCode} already exists`);
      throw e;
    }
  }

  async update(ctx: Ctx, id: string, input: UpdateSite): Promise<Site> {
    authorize(ctx.actor, 'sites:manage');
    if (input.t1dPopulationAsOf && input.t1dPopulationAsOf > todayIso()) {
      throw validation([{ path: 't1dPopulationAsOf', message: 'The as-of date cannot be in the future' }]);
    }
    return this.db.transaction(async (tx) => {
      const current = await lockSite(tx, id);
      if (!current) throw notFound('No site with this id');
      if (current.version !== input.version) {
        throw conflict(`The site has changed since you read it (now version ${current.version})`, {
          currentVersion: current.version,
        });
      }
      const { version: _version, t1dPopulation, t1dPopulationAsOf, ...changes } = input;
      const newest =
        t1dPopulation !== undefined && t1dPopulationAsOf !== undefined
          ? await recordPopulationCountIn(tx, ctx, current, { asOf: t1dPopulationAsOf, t1dPopulation, source: 'manual' })
          : {};
      const site = toSite(await updateSite(tx, id, { ...changes, ...newest, version: current.version + 1 }));
      await writeAudit(tx, ctx, { action: 'site.update', entityType: 'site', entityId: id, before: toSite(current), after: site });
      return site;
    });
  }
}
