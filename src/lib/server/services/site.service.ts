import { and, asc, eq, gt, or } from 'drizzle-orm';
import { authorize } from '../../domain/access';
import { conflict, notFound, validation } from '../../domain/errors';
import type { CreateSite, Site, UpdateSite } from '../../schemas/sites.schema';
import type { Db } from '../db/client';
import { sites } from '../db/schema';
import { isUniqueViolation } from '../db/errors';
import { writeAudit } from '../repositories/audit.repository';
import type { Ctx, RequestMeta } from '../context';
import { decodeCursor, pageOf } from './cursor';
import { todayIso } from '../clock';

type SiteRow = typeof sites.$inferSelect;

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
    const rows = await this.db
      .select()
      .from(sites)
      .where(after ? or(gt(sites.name, after[0]), and(eq(sites.name, after[0]), gt(sites.id, after[1]))) : undefined)
      .orderBy(asc(sites.name), asc(sites.id))
      .limit(q.limit + 1);
    return pageOf(rows.map(toSite), q.limit, (s) => [s.name, s.id]);
  }

  /** Every site, for the system's own work (command line, seeding). */
  async listAsSystem(): Promise<Site[]> {
    return (await this.db.select().from(sites).orderBy(asc(sites.name))).map(toSite);
  }

  async get(ctx: Ctx, id: string): Promise<Site> {
    authorize(ctx.actor, 'sites:read');
    const [row] = await this.db.select().from(sites).where(eq(sites.id, id));
    if (!row) throw notFound('No site with this id');
    return toSite(row);
  }

  async create(ctx: Ctx, input: CreateSite): Promise<Site> {
    authorize(ctx.actor, 'sites:manage');
    return this.insert(ctx, input);
  }

  /** For the system itself: the demo sites. */
  async createAsSystem(meta: RequestMeta, input: CreateSite & Pick<Site, 't1dPopulation' | 't1dPopulationAsOf'>): Promise<Site> {
    return this.insert(meta, input);
  }

  private async insert(ctx: Ctx | RequestMeta, values: typeof sites.$inferInsert): Promise<Site> {
    try {
      return await this.db.transaction(async (tx) => {
        const [row] = await tx.insert(sites).values(values).returning();
        const site = toSite(row!);
        await writeAudit(tx, ctx, { action: 'site.create', entityType: 'site', entityId: site.id, after: site });
        return site;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict(`A site with ODS code ${values.odsCode} already exists`);
      throw e;
    }
  }

  async update(ctx: Ctx, id: string, input: UpdateSite): Promise<Site> {
    authorize(ctx.actor, 'sites:manage');
    if (input.t1dPopulationAsOf && input.t1dPopulationAsOf > todayIso()) {
      throw validation([{ path: 't1dPopulationAsOf', message: 'The as-of date cannot be in the future' }]);
    }
    return this.db.transaction(async (tx) => {
      const [current] = await tx.select().from(sites).where(eq(sites.id, id)).for('update');
      if (!current) throw notFound('No site with this id');
      if (current.version !== input.version) {
        throw conflict(`The site has changed since you read it (now version ${current.version})`, {
          currentVersion: current.version,
        });
      }
      const { version: _version, ...changes } = input;
      const [row] = await tx
        .update(sites)
        .set({ ...changes, version: current.version + 1, updatedAt: new Date() })
        .where(eq(sites.id, id))
        .returning();
      const site = toSite(row!);
      await writeAudit(tx, ctx, { action: 'site.update', entityType: 'site', entityId: id, before: toSite(current), after: site });
      return site;
    });
  }
}
