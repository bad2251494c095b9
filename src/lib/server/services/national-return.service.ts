import { authorize } from '../../domain/access';
import { notFound } from '../../domain/errors';
import { buildNationalHclReturn, financialQuarter } from '../../domain/national-return';
import { nationalHclFileName } from '../../domain/national-return.config';
import type { NationalHclQuery, NationalHclReturn } from '../../schemas/national-return.schema';
import type { Db } from '../db/client';
import type { Reads } from '../db/read-replica';
import { writeAudit } from '../repositories/audit.repository';
import { nationalHclCandidates } from '../repositories/national-return.repository';
import { findSite } from '../repositories/site.repository';
import type { Ctx } from '../context';
import { nationalHclCsv } from './national-return.csv';

/**
 * The quarterly national returns a site uploads to the national platform. Each lists patients by NHS number, so
 * every export, as JSON or as the file, is audited with what it gave out.
 */
export class NationalReturnService {
  constructor(
    private readonly db: Db,
    private readonly reads: Reads,
  ) {}

  /** The national HCL return for the site and quarter, as JSON. */
  async hcl(ctx: Ctx, query: NationalHclQuery): Promise<NationalHclReturn> {
    return (await this.exportHcl(ctx, query, 'json')).report;
  }

  /** The same return as the CSV file to upload, with its file name. */
  async hclCsv(ctx: Ctx, query: NationalHclQuery): Promise<{ fileName: string; csv: string }> {
    const { report, odsCode } = await this.exportHcl(ctx, query, 'csv');
    return { fileName: nationalHclFileName(odsCode, report.quarter), csv: nationalHclCsv(report.rows) };
  }

  /**
   * The return is read where such reads go (the replica when it is fit: a quarter's return tolerates seconds of
   * staleness), and its audit entry is committed on the primary before anything is answered: no export leaves
   * without its entry, and the entry's count is the count of the rows given out. If the entry cannot be written,
   * the request fails and nothing is given out.
   */
  private async exportHcl(ctx: Ctx, query: NationalHclQuery, format: 'json' | 'csv') {
    authorize(ctx.actor, 'exports:national', query.siteId);
    const period = financialQuarter(query.quarter);
    // The request schema has checked the format: reaching here is a programming error.
    if (!period) throw new RangeError(`Not a financial quarter: ${JSON.stringify(query.quarter)}`);
    const { site, rows, problems } = await this.reads.run(async (db) => {
      const site = await findSite(db, query.siteId);
      if (!site) throw notFound('No site with this id');
      return { site, ...buildNationalHclReturn(await nationalHclCandidates(db, { siteId: site.id, ...period }), period) };
    });
    await this.db.transaction((tx) =>
      writeAudit(tx, ctx, {
        action: 'export.national_hcl',
        entityType: 'site',
        entityId: site.id,
        after: { siteId: site.id, quarter: period.quarter, format, rowCount: rows.length, problemCount: problems.length },
      }),
    );
    return { report: { siteId: site.id, ...period, rows, problems }, odsCode: site.odsCode };
  }
}
