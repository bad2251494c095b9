import { authorize } from '../../domain/access';
import { discloseRow, isDisclosureControlled } from '../../domain/disclosure';
import { validation } from '../../domain/errors';
import {
  emptyRow,
  FACILITATION_LABELS,
  FACILITATION_ORDER,
  metricsSiteScope,
  resolvePeriod,
  uptakePct,
  WAIT_NAMES,
  type GroupBy,
  type MetricsReport,
  type MetricsRow,
} from '../../domain/metrics';
import type { MetricsQuery } from '../../schemas/metrics.schema';
import type { Reads } from '../db/read-replica';
import { metricsGroups, type MetricsGroupRecord } from '../repositories/metrics.repository';
import { todayIso } from '../clock';
import type { Ctx } from '../context';

/**
 * Implementation metrics (docs/metrics.md, "The figures of a row"; the exact readings are in the route's OpenAPI
 * description). One SQL statement per request computes every figure of every group (metrics.repository.ts); only one
 * row per group comes back, and disclosure control is applied to it for commissioners.
 */

function toRow(r: MetricsGroupRecord): MetricsRow {
  const onTherapy = r.on_therapy ?? 0;
  const row: MetricsRow = {
    ...emptyRow(r.key, r.label),
    t1dPopulation: r.population,
    onTherapy,
    existingOnTherapy: onTherapy - (r.pathway_on_therapy ?? 0),
    uptakePct: uptakePct(onTherapy, r.population),
    referrals: r.referrals ?? 0,
    assessed: r.assessed ?? 0,
    eligible: r.eligible ?? 0,
    fundingRequested: r.funding_requested ?? 0,
    fundingApproved: r.funding_approved ?? 0,
    fundingDeclined: r.funding_declined ?? 0,
    started: r.started ?? 0,
    discontinued: r.discontinued ?? 0,
    continuing12m: r.continuing12m ?? 0,
    hba1cChange6m: { n: r.hba1c_n ?? 0, medianMmolMol: r.hba1c_median },
  };
  for (const name of WAIT_NAMES) {
    row.waits[name] = { n: r[`${name}_n`] ?? 0, medianDays: r[`${name}_median`], p90Days: r[`${name}_p90`] };
  }
  return row;
}

/**
 * Sites and ICBs by label, then key, in code-point order: the database's collation differs between PGlite and a
 * server, and the order must not. Facilitation groups are a fixed set: every mode gets its row, strongest first,
 * even with no site in it.
 */
function arrange(groupBy: GroupBy, rows: MetricsRow[]): MetricsRow[] {
  const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  if (groupBy !== 'facilitation') return rows.sort((a, b) => byCodePoint(a.label, b.label) || byCodePoint(a.key, b.key));
  return FACILITATION_ORDER.map((mode) => {
    const row = rows.find((r) => r.key === mode) ?? emptyRow(mode, mode);
    return { ...row, label: FACILITATION_LABELS[mode] };
  });
}

export class MetricsService {
  constructor(private readonly reads: Reads) {}

  async report(ctx: Ctx, query: MetricsQuery): Promise<MetricsReport> {
    authorize(ctx.actor, 'metrics:read');
    const period = resolvePeriod(query, todayIso());
    if (!period) throw validation([{ path: 'to', message: 'to cannot be before from' }]);
    const siteIds = metricsSiteScope(ctx.actor);
    const groups = await this.reads.run((db) => metricsGroups(db, { ...period, groupBy: query.groupBy, ...(query.therapy ? { therapy: query.therapy } : {}), ...(siteIds ? { siteIds } : {}) }));
    const exact = arrange(query.groupBy, groups.map(toRow));
    return { ...period, rows: isDisclosureControlled(ctx.actor) ? exact.map(discloseRow) : exact };
  }
}
