import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problem } from '../../lib/schemas/common.schema';
import {
  CONTINUATION_DESCRIPTION,
  continuationQuery,
  continuationReport,
  FUNDING_DESCRIPTION,
  fundingQuery,
  fundingReport,
  STARTS_DESCRIPTION,
  startsQuery,
  startsSeries,
  WAITS_DESCRIPTION,
  waitDistributions,
  waitsQuery,
} from '../../lib/schemas/metrics-series.schema';
import { ctxOf } from '../plugins/auth.plugin';

/** The aggregate series behind the dashboard's charts; the same access as `GET /metrics`. */
const routes: FastifyPluginAsyncZod = async (app) => {
  const errors = { 400: problem, 401: problem, 403: problem };

  app.get('/metrics/starts', {
    config: { permission: 'metrics:read' },
    schema: { tags: ['Metrics'], summary: 'Device starts per month or quarter per site, with facilitation and barriers', description: STARTS_DESCRIPTION, querystring: startsQuery, response: { 200: startsSeries, ...errors } },
    handler: async (req) => app.services.metricsSeries.starts(ctxOf(req), req.query),
  });

  app.get('/metrics/waits', {
    config: { permission: 'metrics:read' },
    schema: { tags: ['Metrics'], summary: 'Wait distributions: waits counted in bins of days, per group', description: WAITS_DESCRIPTION, querystring: waitsQuery, response: { 200: waitDistributions, ...errors } },
    handler: async (req) => app.services.metricsSeries.waits(ctxOf(req), req.query),
  });

  app.get('/metrics/funding', {
    config: { permission: 'metrics:read' },
    schema: { tags: ['Metrics'], summary: 'Funding requests and decisions by commissioner and route; people waiting on funding', description: FUNDING_DESCRIPTION, querystring: fundingQuery, response: { 200: fundingReport, ...errors } },
    handler: async (req) => app.services.metricsSeries.funding(ctxOf(req), req.query),
  });

  app.get('/metrics/continuation', {
    config: { permission: 'metrics:read' },
    schema: { tags: ['Metrics'], summary: 'Continuation at 12 months with its denominator, per group', description: CONTINUATION_DESCRIPTION, querystring: continuationQuery, response: { 200: continuationReport, ...errors } },
    handler: async (req) => app.services.metricsSeries.continuation(ctxOf(req), req.query),
  });
};

export default routes;
