import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problem } from '../../lib/schemas/common.schema';
import { IMD_FILE_MAX_BYTES, ImdFileTooLargeError } from '../../lib/server/services/reference.service';
import { ctxOf } from '../plugins/auth.plugin';
import { csvMediaTypeProblem, takeCsvBodies } from '../plugins/csv-body';
import { sendProblem } from '../plugins/problems.plugin';

const TOO_LARGE = `A postcode file must be at most ${IMD_FILE_MAX_BYTES / (1024 * 1024)} MiB`;

const DESCRIPTION = `Replaces the postcode-to-deprivation table with the file sent, in one transaction: until the new table is complete, \
and whenever the file has a problem, the table stays as it was. Admins only.

The body is \`text/csv\` (UTF-8): a header row naming the columns \`postcode\` and \`imd_decile\` (other columns, such as \
those of the national postcode directory, are ignored), then one row a postcode, its Index of Multiple Deprivation decile \
a whole number from 1 (most deprived) to 10. Postcodes are compared without spaces and case-insensitively, so "ls1 4ap", \
"LS14AP" and "LS1 4AP" are one postcode; each may appear once. Blank rows are skipped.

A patient with a postcode and no decile of their own is counted in the equity figures with the table's decile.

Answers \`{ postcodes }\`, the number of postcodes now in the table. A file with problems gets 400 listing up to 20 of \
them (\`errors[].path\` is \`line N\`, or \`file\`), and nothing is loaded. At most ${IMD_FILE_MAX_BYTES / (1024 * 1024)} MiB; \
the national file of about 1.7 million postcodes is some 20 MiB.`;

const routes: FastifyPluginAsyncZod = async (app) => {
  takeCsvBodies(app);

  app.post('/reference/imd', {
    config: { permission: 'reference:manage' },
    bodyLimit: IMD_FILE_MAX_BYTES,
    preValidation: async (req, reply) => {
      const wrongType = csvMediaTypeProblem(req.headers['content-type'], 'postcode file');
      if (wrongType) return sendProblem(reply, 'unsupported_media_type', wrongType);
      if (Number(req.headers['content-length']) > IMD_FILE_MAX_BYTES) return sendProblem(reply, 'payload_too_large', TOO_LARGE);
    },
    schema: {
      tags: ['Reference'],
      summary: 'Replace the postcode-to-deprivation (IMD) table',
      description: DESCRIPTION,
      consumes: ['text/csv'],
      body: z.string().describe('The CSV file: postcode,imd_decile, then one row a postcode.'),
      response: {
        200: z.object({ postcodes: z.int().describe('How many postcodes the table now holds.') }).meta({ id: 'ImdTableLoaded' }),
        400: problem,
        401: problem,
        403: problem,
        413: problem,
        415: problem,
      },
    },
    handler: async (req, reply) => {
      const stream = req.body as unknown as Readable | undefined;
      const body = stream ? stream.iterator({ destroyOnReturn: false }) : (async function* () {})();
      try {
        return await app.services.reference.replaceImd(ctxOf(req), body);
      } catch (e) {
        // The lingering-close plugin reads and drops the rest of the file before the 413 goes.
        if (e instanceof ImdFileTooLargeError) return sendProblem(reply, 'payload_too_large', TOO_LARGE);
        if (req.raw.readableAborted) return sendProblem(reply, 'validation', 'The file did not arrive whole: send it again');
        throw e;
      }
    },
  });
};

export default routes;
