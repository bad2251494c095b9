import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PROBLEM_TYPES, problemType } from '../../lib/problems';
import { CASELOAD_IMPORT_DESCRIPTION, caseloadQuery, caseloadRejected, caseloadReport, type CaseloadReport } from '../../lib/schemas/caseload.schema';
import { problem } from '../../lib/schemas/common.schema';
import { CASELOAD_MAX_BYTES, CaseloadTooLargeError } from '../../lib/server/services/caseload.csv';
import { ctxOf } from '../plugins/auth.plugin';
import { csvMediaTypeProblem, takeCsvBodies } from '../plugins/csv-body';
import { sendProblem } from '../plugins/problems.plugin';

const TOO_LARGE = `A caseload file must be at most ${CASELOAD_MAX_BYTES / (1024 * 1024)} MiB: split it into smaller files`;

const rejected = (report: CaseloadReport) => ({
  type: problemType('caseload_rejected'),
  title: PROBLEM_TYPES.caseload_rejected.title,
  status: 422 as const,
  detail: 'Nothing was written: put right the problems listed in errors, then apply the file again.',
  ...report,
});

const routes: FastifyPluginAsyncZod = async (app) => {
  takeCsvBodies(app);

  app.post('/imports/caseload', {
    config: { permission: 'imports:caseload' },
    bodyLimit: CASELOAD_MAX_BYTES,
    preValidation: async (req: FastifyRequest, reply: FastifyReply) => {
      const wrongType = csvMediaTypeProblem(req.headers['content-type'], 'caseload file');
      if (wrongType) return sendProblem(reply, 'unsupported_media_type', wrongType);
      if (Number(req.headers['content-length']) > CASELOAD_MAX_BYTES) return sendProblem(reply, 'payload_too_large', TOO_LARGE);
    },
    schema: {
      tags: ['Imports'],
      summary: "Check or apply a site's caseload from a CSV file",
      description: CASELOAD_IMPORT_DESCRIPTION,
      querystring: caseloadQuery,
      consumes: ['text/csv'],
      body: z.string().describe('The CSV file: a header row naming the columns, then one row per record.'),
      response: {
        200: caseloadReport,
        400: problem,
        401: problem,
        403: problem,
        404: problem,
        409: problem,
        413: problem,
        415: problem,
        422: {
          description: 'An apply refused because the file has problems: nothing was written. The body is a problem document carrying the report.',
          content: { 'application/problem+json': { schema: caseloadRejected } },
        },
      },
    },
    handler: async (req, reply) => {
      const { siteId, mode } = req.query;
      const stream = req.body as unknown as Readable | undefined;
      // Left open when reading stops early, so that a refusal can still be answered (see lingering-close.plugin.ts).
      const body = stream ? stream.iterator({ destroyOnReturn: false }) : new Uint8Array();
      const imports = app.services.caseloadImport;
      try {
        const report = mode === 'check' ? await imports.check(ctxOf(req), siteId, body) : await imports.apply(ctxOf(req), siteId, body);
        if (mode === 'apply' && report.errors.length > 0) return reply.code(422).type('application/problem+json').send(rejected(report));
        return report;
      } catch (e) {
        // The lingering-close plugin reads and drops the rest of the file before the 413 goes.
        if (e instanceof CaseloadTooLargeError) return sendProblem(reply, 'payload_too_large', TOO_LARGE);
        // The sender stopped part-way: whatever answer there is may never arrive, and nothing was written.
        if (req.raw.readableAborted) return sendProblem(reply, 'validation', 'The file did not arrive whole: send it again');
        throw e;
      }
    },
  });
};

export default routes;
