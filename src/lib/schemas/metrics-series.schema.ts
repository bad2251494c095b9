import { z } from 'zod';
import { TIME_BINS, type ContinuationReport, type FundingReport, type StartsSeries, type TimeBin, type WaitDistributions } from '../domain/metrics-series';
import { BARRIER_CATEGORIES, FACILITATION_KINDS, FACILITATION_MODES } from '../domain/vocabulary';
import { oneOf } from './common.schema';
import { metricsQuery } from './metrics.schema';

/** The width of the starts series' buckets when none is asked for, by the API and the dashboard alike. */
export const DEFAULT_TIME_BIN: TimeBin = 'month';

/** The time series is always per site, so it takes no groupBy; it takes the width of its buckets instead. */
export const startsQuery = metricsQuery.omit({ groupBy: true }).extend({
  bin: oneOf('bin', TIME_BINS).default(DEFAULT_TIME_BIN).describe('Count starts per calendar month (default) or per quarter.'),
});
export type StartsQuery = z.infer<typeof startsQuery>;

export const waitsQuery = metricsQuery;
export const fundingQuery = metricsQuery;
export const continuationQuery = metricsQuery;
export type WaitsQuery = z.infer<typeof waitsQuery>;
export type FundingQuery = z.infer<typeof fundingQuery>;
export type ContinuationQuery = z.infer<typeof continuationQuery>;

const count = z.int().min(0).nullable();
const date = z.string().meta({ format: 'date' });
const suppressed = z.array(z.string()).describe('Dotted names of the fields withheld by disclosure control, e.g. `starts.3`; empty for exact figures.');
const period = { from: date, to: date };

export const startsSeries = z
  .object({
    ...period,
    bin: z.enum(TIME_BINS),
    buckets: z.array(z.object({ start: date, from: date, to: date, label: z.string() }).meta({ id: 'TimeBucket' })),
    sites: z.array(
      z
        .object({
          siteId: z.string(),
          name: z.string(),
          facilitationMode: z.enum(FACILITATION_MODES),
          total: count,
          starts: z.array(count).describe("One count per bucket, in the buckets' order."),
          facilitation: z.array(
            z.object({ on: date, mode: z.enum(FACILITATION_MODES), kind: z.enum(FACILITATION_KINDS), facilitator: z.string().nullable(), notes: z.string().nullable() }),
          ),
          barriers: z.array(z.object({ category: z.enum(BARRIER_CATEGORIES), description: z.string(), raisedOn: date, resolvedOn: date.nullable() })),
          suppressed,
        })
        .meta({ id: 'SiteStarts' }),
    ),
  })
  .meta({ id: 'StartsSeries' });

const histogram = z.object({ n: count, counts: z.array(count).describe("One count per bin, in the bins' order.") }).meta({ id: 'WaitHistogram' });

export const waitDistributions = z
  .object({
    ...period,
    bins: z.array(z.object({ key: z.string(), minDays: z.int(), maxDays: z.int().nullable() }).meta({ id: 'WaitBin' })),
    rows: z.array(
      z
        .object({
          key: z.string(),
          label: z.string(),
          waits: z.object({ referralToAssessment: histogram, assessmentToFundingDecision: histogram, fundingApprovalToStart: histogram, referralToStart: histogram }),
          suppressed,
        })
        .meta({ id: 'WaitDistributionRow' }),
    ),
  })
  .meta({ id: 'WaitDistributions' });

export const fundingReport = z
  .object({
    ...period,
    decisions: z.array(
      z
        .object({
          commissioner: z.string(),
          route: z.string(),
          submitted: count,
          approved: count,
          declined: count,
          moreInfo: count,
          awaitingDecision: count,
          suppressed,
        })
        .meta({ id: 'FundingDecisionRow' }),
    ),
    groups: z.array(z.object({ key: z.string(), label: z.string(), awaitingFunding: count, suppressed }).meta({ id: 'AwaitingFundingRow' })),
  })
  .meta({ id: 'FundingReport' });

export const continuationReport = z
  .object({
    ...period,
    rows: z.array(
      z
        .object({ key: z.string(), label: z.string(), reached12m: count, continuing12m: count, continuingPct: z.number().nullable(), suppressed })
        .meta({ id: 'ContinuationRow' }),
    ),
  })
  .meta({ id: 'ContinuationReport' });

// The schemas and the domain types must describe one shape: these fail to compile when they drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShapes: [
  Same<z.infer<typeof startsSeries>, StartsSeries>,
  Same<z.infer<typeof waitDistributions>, WaitDistributions>,
  Same<z.infer<typeof fundingReport>, FundingReport>,
  Same<z.infer<typeof continuationReport>, ContinuationReport>,
] = [true, true, true, true];
void sameShapes;

const SHARED = `Same period, groups and access as \`GET /api/v1/metrics\`: \`to\` defaults to today and \`from\` to twelve months
before it, both days included; \`therapy\` keeps referrals for that therapy; admins and commissioners see every site,
nurses and consultants their own sites only. Days are calendar days between event dates.

**Disclosure control (commissioners only)**, as for the metrics: 0 stays 0, counts of 1 to 7 are withheld (null, and
the field's dotted name listed in the row's \`suppressed\`; pages show "1-7"), other counts are rounded to the nearest
5. Every count follows these rules, cell by cell, after exact counts are added up: a total is the exact total
rounded, never a sum of rounded cells, so the cells of a row need not add up to its total. Nurses, consultants and
admins get exact figures and an empty \`suppressed\`.`;

export const STARTS_DESCRIPTION = `Device starts per calendar month (\`bin=month\`, default) or quarter (\`bin=quarter\`, January to March,
April to June, ...) per site, on one time axis for every site, with what the site was helped by and held back by:
the i-PARIHS comparison of sites made from data.

- \`buckets\`: every month or quarter that meets the period, oldest first. \`start\` is its first day; \`from\` and
  \`to\` are its days inside the period, so the first and last may be partial.
- \`sites\`: one entry per site the caller sees, ordered by name then id in code-point order. \`starts[i]\` counts the
  device starts dated in \`buckets[i]\`; \`total\` counts them over the period (the metrics' \`started\`).
  \`facilitationMode\` is the strongest mode (active > passive > none) of the site's activities dated on or before
  \`to\`, as the metrics' facilitation groups read it.
- \`facilitation\`: the site's activities dated in the period, oldest first. \`barriers\`: those open at some time in
  the period (raised on or before \`to\`, and not resolved, or resolved on or after \`from\`), oldest first. These
  describe the site, not patients, and are the same for every role.

${SHARED}

For a commissioner, monthly counts per site are often withheld; quarters are withheld less often.`;

export const WAITS_DESCRIPTION = `How long people waited: for each of the four waits of the metrics row, the number of waits that ended in the
period, counted in bins of days: 0-30, 31-60, 61-90, 91-180, 181-365 and over 365 (\`bins\`, each with
\`minDays\` and \`maxDays\`, both included; \`maxDays\` null for the last).

The waits are exactly those of \`GET /api/v1/metrics\`, so each wait's \`n\` equals the metrics row's \`n\`:
\`referralToAssessment\` from receipt to the assessment deciding eligible or not eligible (time deferred counts);
\`assessmentToFundingDecision\` from the eligible assessment to the final funding decision (approved or declined);
\`fundingApprovalToStart\` from the approval to the device start; \`referralToStart\` from receipt to the start. A wait
belongs to the period when its last event is dated in it.

Rows are the metrics' groups (\`groupBy=site\` default, \`icb\`, or \`facilitation\`: always active, passive, none),
in the same order, empty groups included.

${SHARED}`;

export const FUNDING_DESCRIPTION = `Funding requests and decisions by the commissioner and route named on the request (\`route\`: routine,
prior_approval, ifr, national_hcl), and the people waiting on funding per group.

\`decisions\`: one row per commissioner and route that appears, ordered by commissioner (code point) then route in
that order.
- \`submitted\`: funding requests submitted in the period, resubmissions after "more information" included (each
  lands with the commissioner), so it can exceed the metrics' \`fundingRequested\`, which counts first requests.
- \`approved\`, \`declined\`, \`moreInfo\`: funding decisions dated in the period, by outcome, each counted under the
  commissioner and route of the submission it answers (the referral's latest before it).
- \`awaitingDecision\`: submissions (dated on or before \`to\`) still unanswered at the end of \`to\`: nothing recorded
  on the referral after them by then.

\`groups\`: the metrics' groups (same \`groupBy\`, order and empty groups), each with \`awaitingFunding\`: referrals found
eligible on or before \`to\` that by the end of \`to\` had no final funding decision (approved or declined) and were
not withdrawn: the request not yet sent, sent and undecided, or more information asked for.

${SHARED}`;

export const CONTINUATION_DESCRIPTION = `Continuation at 12 months (RE-AIM maintenance), per group, with the denominator the metrics row does not carry.
- \`reached12m\`: distinct patients with a device start whose 12-month anniversary (the same calendar day a year
  later; 29 February -> 1 March) is on or before \`to\`, however long before the period.
- \`continuing12m\`: those of them whose referral was not discontinued on or before that anniversary: the metrics
  row's \`continuing12m\`.
- \`continuingPct\`: continuing12m / reached12m x 100, one decimal, halves rounded up; null when reached12m is 0.
  For commissioners it is withheld when either count is, and otherwise computed from the ROUNDED counts, as uptake is.

Rows are the metrics' groups (same \`groupBy\`, order and empty groups).

${SHARED}`;
