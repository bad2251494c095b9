import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problem } from '../../lib/schemas/common.schema';
import { METRICS_DESCRIPTION, metricsQuery, metricsReport } from '../../lib/schemas/metrics.schema';
import { metricsCsv, metricsCsvFilename } from '../../lib/server/services/metrics.csv';
import { ctxOf } from '../plugins/auth.plugin';
import { fastSerializerCompiler } from '../plugins/fast-serializer';

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get('/metrics', {
    config: { permission: 'metrics:read' },
    serializerCompiler: fastSerializerCompiler,
    schema: {
      tags: ['Metrics'],
      summary: 'Implementation metrics per site, ICB or facilitation mode',
      description: METRICS_DESCRIPTION,
      querystring: metricsQuery,
      response: { 200: metricsReport, 400: problem, 401: problem, 403: problem },
    },
    handler: async (req) => app.services.metrics.report(ctxOf(req), req.query),
  });

  app.get('/metrics.csv', {
    config: { permission: 'metrics:read' },
    schema: {
      tags: ['Metrics'],
      summary: 'The same metrics as CSV',
      description:
        'Takes the same query as `GET /api/v1/metrics` and answers the same rows as `text/csv; charset=utf-8`, as an attachment: a header row, nested fields flattened with dots (`waits.referralToStart.medianDays`), `suppressed` joined with `;`, withheld and unknown values empty.',
      querystring: metricsQuery,
      response: {
        200: { description: 'A header row, then one line per row.', content: { 'text/csv': { schema: z.string() } } },
        400: problem,
        401: problem,
        403: problem,
      },
    },
    handler: async (req, reply) => {
      const report = await app.services.metrics.report(ctxOf(req), req.query);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${metricsCsvFilename(report, req.query)}"`)
        .send(metricsCsv(report));
    },
  });
};

export default routes;
