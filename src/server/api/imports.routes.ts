import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { validatorCompiler, type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PROBLEM_TYPES, problemType } from '../../lib/problems';
import { CASELOAD_IMPORT_DESCRIPTION, caseloadQuery, caseloadRejected, caseloadReport, type CaseloadReport } from '../../lib/schemas/caseload.schema';
import { problem } from '../../lib/schemas/common.schema';
import { CASELOAD_MAX_BYTES, CaseloadTooLargeError } from '../../lib/server/services/caseload.csv';
import { ctxOf } from '../plugins/auth.plugin';
import { sendProblem } from '../plugins/problems.plugin';

const TOO_LARGE = `A caseload file must be at most ${CASELOAD_MAX_BYTES / (1024 * 1024)} MiB: split it into smaller files`;

/** Why the body cannot be taken as a caseload file, or null: text/csv, UTF-8 unless it says otherwise. */
function mediaTypeProblem(header: string | undefined): string | null {
  const [type, ...params] = (header ?? '').split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'text/csv') return 'Send the caseload file as text/csv';
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replaceAll('"', '');
  if (charset && charset !== 'utf-8' && charset !== 'utf8') return 'The caseload file must be UTF-8 (charset=utf-8): save it from your spreadsheet as CSV UTF-8';
  return null;
}

/** The body's schema describes the file for the OpenAPI document; the file itself is checked as it is read. */
const queryOnly: FastifySchemaCompiler<z.ZodType> = (route) => (route.httpPart === 'body' ? () => true : validatorCompiler(route));

const rejected = (report: CaseloadReport) => ({
  type: problemType('caseload_rejected'),
  title: PROBLEM_TYPES.caseload_rejected.title,
  status: 422 as const,
  detail: 'Nothing was written: put right the problems listed in errors, then apply the file again.',
  ...report,
});

const routes: FastifyPluginAsyncZod = async (app) => {
  // This plugin's one body is a CSV file, handed over as the stream it arrives on and read as it streams in, never
  // held whole. Every content type gets here, and the route answers 415 for anything but text/csv once it knows
  // the caller may import at all.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
  app.setValidatorCompiler(queryOnly);

  app.post('/imports/caseload', {
    config: { permission: 'imports:caseload' },
    bodyLimit: CASELOAD_MAX_BYTES,
    preValidation: async (req: FastifyRequest, reply: FastifyReply) => {
      const wrongType = mediaTypeProblem(req.headers['content-type']);
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
