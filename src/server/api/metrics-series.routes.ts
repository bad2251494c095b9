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
import { spcCharts, spcQuery } from '../../lib/schemas/spc.schema';
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

  app.get('/metrics/spc', {
    config: { permission: 'metrics:read' },
    schema: {
      tags: ['Metrics'],
      summary: 'Improvement (SPC) charts: an XmR chart of a measure per group, with special-cause signals',
      description: SPC_DESCRIPTION,
      querystring: spcQuery,
      response: { 200: spcCharts, ...errors },
    },
    handler: async (req) => app.services.spc.charts(ctxOf(req), req.query),
  });
};

const SPC_DESCRIPTION = `XmR charts as NHS England's Making Data Count programme reads them, with the defaults of NHSRplotthedots:
per group, the bins in time order are split into segments at each rebase, and each segment has its own mean and
process limits (mean -/+ 2.66 x the average moving range, moving ranges at or above 3.267 x their mean screened out).
\`specialCause\` names the first rule that applies: outside the limits (\`above_upl\`, \`below_lpl\`), part of a trend of
7 points each strictly higher or lower than the one before (\`trend_up\`, \`trend_down\`), two of three points on one side
near a limit (\`two_of_three_high\`, \`two_of_three_low\`; only the near points), part of a run of 7 on one side of the
mean (\`shift_high\`, \`shift_low\`). \`variation\` is \`improvement\` when the signal goes the measure's \`improvement\` way,
\`concern\` when it goes the other, \`common\` without a signal.

Bins are whole calendar months, or ISO weeks from Monday, from the bin holding \`from\` to the bin holding \`to\`; each
counts its whole month or week, days outside \`from\`..\`to\` included, so that every point is like for like (at most 600
bins). Only pathway records count: an existing-therapy record is never a referral, a start or a wait. A bin without a
wait has \`value: null\` and is left out of every calculation. Every group appears, with a value for every bin (0 for a
count with nothing in it).

Clinicians see their own sites, admins every site, commissioners every site under disclosure control: each count is
withheld (1-7) or rounded to 5, each median over fewer than 8 waits withheld, and a chart with any withheld value has
\`withheld: true\` and no mean, limits or signals; otherwise it is computed on the values as shown.`;

export default routes;
