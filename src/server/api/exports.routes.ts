import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problem } from '../../lib/schemas/common.schema';
import { NATIONAL_HCL_DESCRIPTION, nationalHclQuery, nationalHclReturn } from '../../lib/schemas/national-return.schema';
import { ctxOf } from '../plugins/auth.plugin';

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get('/exports/national-hcl', {
    config: { permission: 'exports:national' },
    schema: {
      tags: ['Exports'],
      summary: "A site's national hybrid closed loop return for a financial quarter",
      description: NATIONAL_HCL_DESCRIPTION,
      querystring: nationalHclQuery,
      response: { 200: nationalHclReturn, 400: problem, 401: problem, 403: problem, 404: problem },
    },
    handler: async (req) => app.services.nationalReturns.hcl(ctxOf(req), req.query),
  });

  app.get('/exports/national-hcl.csv', {
    config: { permission: 'exports:national' },
    schema: {
      tags: ['Exports'],
      summary: 'The same return as the CSV file to upload',
      description:
        'Takes the same query as `GET /api/v1/exports/national-hcl` and answers its `rows` as `text/csv; charset=utf-8`, as an attachment named as the national platform asks (`nda-hcl-<ODS code>-<quarter>.csv`): a header row of the national column names, then one line per row, unknown values empty. `problems` are not in the file: read them from the JSON.',
      querystring: nationalHclQuery,
      response: {
        200: { description: 'A header row, then one line per person.', content: { 'text/csv': { schema: z.string() } } },
        400: problem,
        401: problem,
        403: problem,
        404: problem,
      },
    },
    handler: async (req, reply) => {
      const { fileName, csv } = await app.services.nationalReturns.hclCsv(ctxOf(req), req.query);
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${fileName}"`).send(csv);
    },
  });
};

export default routes;
