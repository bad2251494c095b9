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
import { equityQuery, equityReport } from '../../lib/schemas/equity.schema';
import { spcCharts, spcQuery } from '../../lib/schemas/spc.schema';
import { ctxOf } from '../plugins/auth.plugin';
import { fastSerializerCompiler } from '../plugins/fast-serializer';

/** The aggregate series behind the dashboard's charts; the same access as `GET /metrics`. */
const routes: FastifyPluginAsyncZod = async (app) => {
  const errors = { 400: problem, 401: problem, 403: problem };
  // Charts of every site over years are the largest answers the API gives: written from their schema directly.
  app.setSerializerCompiler(fastSerializerCompiler);

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

  app.get('/metrics/equity', {
    config: { permission: 'metrics:read' },
    schema: {
      tags: ['Metrics'],
      summary: 'Equity: who is reached, by age band, sex, ethnic group or deprivation, beside their share of the population',
      description: EQUITY_DESCRIPTION,
      querystring: equityQuery,
      response: { 200: equityReport, ...errors },
    },
    handler: async (req) => app.services.equity.report(ctxOf(req), req.query),
  });
};

const EQUITY_DESCRIPTION = `The metrics' figures for each value of one split of the people (domain.md, "Equity"), per group:
\`onTherapy\` (on therapy at the end of \`to\`), \`referrals\` (received in the period), \`started\` (pathway starts in the
period) and \`referralToStartMedianDays\` (the median of the referral-to-start waits that ended in the period), each
counted over the patients with that value, as \`GET /metrics\` counts them.

- \`ageBand\`: age on \`to\` in completed years: \`0-11\`, \`12-17\`, \`18-25\`, \`26-39\`, \`40-64\`, \`65+\`, and \`unknown\`
  (a birth date after \`to\`). For the population, ages on the day of the sync.
- \`sex\`: \`female\`, \`male\`, \`other\`, \`unknown\`, as recorded.
- \`ethnicGroup\`: from the NHS ethnic category letter: A-C \`white\`, D-G \`mixed\`, H-L \`asian\`, M-P \`black\`, R-S
  \`other\`; Z or none \`unknown\`.
- \`imdQuintile\`: \`1\` (most deprived) to \`5\` from the IMD decile (ceil(decile / 2)): the patient's own decile, else the
  decile the postcode-to-deprivation table (\`POST /reference/imd\`) gives their postcode; \`unknown\` without either.

Every value is listed in that order, \`unknown\` included, even when all its figures are 0. \`t1dPopulation\` is the
number of people of that value in the type 1 population, from each site's latest population sync on or before \`to\`
(the sync counts the population by every split); summed over a group's sites, and null for a group when any of its
sites has no sync on or before \`to\` (a manual population count has no split). A value the sync counted as 0 has
\`t1dPopulation\` 0 and \`uptakePct\` null.

Commissioners see every site with disclosure control on every count, as in the metrics (1-7 withheld, others rounded to
the nearest 5, a median over fewer than 8 waits withheld, uptake from the rounded counts), the withheld fields named in
\`suppressed\`; nurses and consultants see exact figures for their own sites.`;

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
