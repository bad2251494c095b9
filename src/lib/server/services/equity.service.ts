import { authorize } from '../../domain/access';
import { isDisclosureControlled } from '../../domain/disclosure';
import { equitySplits, type EquityView } from '../../domain/equity';
import { validation } from '../../domain/errors';
import { metricsSiteScope, resolvePeriod } from '../../domain/metrics';
import type { EquityQuery, EquityReport } from '../../schemas/equity.schema';
import type { Reads } from '../db/read-replica';
import { equityGroups } from '../repositories/equity.repository';
import { todayIso } from '../clock';
import type { Ctx } from '../context';

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Who is reached (domain.md, "Equity"): the metrics' counts for each value of a split, beside each value's share of
 * the type 1 population. The same access as the metrics: commissioners see every site under disclosure control,
 * clinicians their own sites exactly.
 */
export class EquityService {
  constructor(private readonly reads: Reads) {}

  async report(ctx: Ctx, query: EquityQuery): Promise<EquityReport> {
    const [report] = await this.reports(ctx, query, [{ by: query.by, groupBy: query.groupBy }]);
    return report;
  }

  /** Several splits of the same people (the dashboard's), counted in one reading of their records. */
  async reports<const Views extends readonly EquityView[]>(ctx: Ctx, query: Omit<EquityQuery, 'by' | 'groupBy'>, views: Views): Promise<{ [K in keyof Views]: EquityReport }> {
    authorize(ctx.actor, 'metrics:read');
    const period = resolvePeriod(query, todayIso());
    if (!period) throw validation([{ path: 'to', message: 'to cannot be before from' }]);
    const siteIds = metricsSiteScope(ctx.actor);
    const scope = { ...period, ...(query.therapy ? { therapy: query.therapy } : {}), ...(siteIds ? { siteIds } : {}) };
    const byView = await this.reads.run((db) => equityGroups(db, scope, views));
    const disclosed = isDisclosureControlled(ctx.actor);
    return views.map(({ by }, i) => ({
      ...period,
      by,
      rows: byView[i]!
        .map((g) => ({ key: g.key, label: g.label, splits: equitySplits(by, g.counts, g.populationComplete, disclosed) }))
        .sort((a, b) => byCodePoint(a.label, b.label) || byCodePoint(a.key, b.key)),
    })) as { [K in keyof Views]: EquityReport };
  }
}
