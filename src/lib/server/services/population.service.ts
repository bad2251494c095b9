import { actingUserId, authorize } from '../../domain/access';
import { notFound } from '../../domain/errors';
import type { PopulationSource } from '../../domain/vocabulary';
import type { PopulationCount } from '../../schemas/sites.schema';
import type { Db, Tx } from '../db/client';
import { writeAudit } from '../repositories/audit.repository';
import { populationCountsOf, recordPopulationCount, type PopulationCountRow } from '../repositories/population.repository';
import { findSite } from '../repositories/site.repository';
import type { Ctx } from '../context';

const toCount = (r: PopulationCountRow): PopulationCount => ({
  asOf: r.asOf,
  t1dPopulation: r.t1dPopulation,
  source: r.source,
  recordedAt: r.recordedAt,
  recordedBy: r.recordedBy,
});

/** Every type 1 population count of a site, kept with its date and source (docs/metrics.md, "Period and groups"). */
export class PopulationService {
  constructor(private readonly db: Db) {}

  /** Counts describe a site, not a patient: everyone who may read sites may read them, newest date first. */
  async history(ctx: Ctx, siteId: string): Promise<{ items: PopulationCount[] }> {
    authorize(ctx.actor, 'sites:read');
    if (!(await findSite(this.db, siteId))) throw notFound('No site with this id');
    return { items: (await populationCountsOf(this.db, siteId)).map(toCount) };
  }
}

/**
 * Records a count inside the caller's transaction (the caller holds the site's lock), audited with the count it
 * replaced for that date, if any; answers the site's newest count, which its record shows. The site's record
 * already holds the newest count before this one, so the newest after it needs no query.
 */
export async function recordPopulationCountIn(
  tx: Tx,
  ctx: Ctx,
  site: { id: string; t1dPopulation: number | null; t1dPopulationAsOf: string | null },
  count: { asOf: string; t1dPopulation: number; source: PopulationSource },
): Promise<{ t1dPopulation: number; t1dPopulationAsOf: string }> {
  const { before, after } = await recordPopulationCount(tx, { siteId: site.id, ...count, recordedBy: actingUserId(ctx.actor) });
  await writeAudit(tx, ctx, {
    action: 'site.population_count',
    entityType: 'site',
    entityId: site.id,
    before: before ? toCount(before) : null,
    after: toCount(after),
  });
  const shownIsNewer = site.t1dPopulation !== null && site.t1dPopulationAsOf !== null && site.t1dPopulationAsOf > count.asOf;
  return shownIsNewer
    ? { t1dPopulation: site.t1dPopulation!, t1dPopulationAsOf: site.t1dPopulationAsOf! }
    : { t1dPopulation: count.t1dPopulation, t1dPopulationAsOf: count.asOf };
}
