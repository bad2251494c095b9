import { z } from 'zod';
import { GROUP_BYS, type MetricsReport } from '../domain/metrics';
import { THERAPIES } from '../domain/vocabulary';
import { isoDate, oneOf } from './common.schema';

export const metricsQuery = z
  .object({
    from: isoDate.optional().describe('First day of the period, included. Default: the day after the same date one year before `to`.'),
    to: isoDate.optional().describe('Last day of the period, included. Default: today (Europe/London).'),
    groupBy: z.enum(GROUP_BYS, 'groupBy must be one of site, icb, facilitation').default('site').describe('One row per site (default), per ICB, or per facilitation mode.'),
    therapy: oneOf('therapy', THERAPIES).optional().describe("Only referrals for this therapy (the referral's therapy)."),
  })
  // A misspelt parameter (groupby=icb) would otherwise be ignored silently and answer something else.
  .strict();

export type MetricsQuery = z.infer<typeof metricsQuery>;

const count = z.int().min(0).nullable();

const wait = z
  .object({
    n: count.describe('Intervals that ended inside the period.'),
    medianDays: z.number().nullable().describe('Median in days (the mean of the two middle values for an even count).'),
    p90Days: z.int().nullable().describe('90th percentile by nearest rank: the ceil(0.9 n)-th smallest.'),
  })
  .meta({ id: 'MetricsWait' });

export const metricsRow = z
  .object({
    key: z.string().describe('Site id, ICB name, or facilitation mode (active, passive, none).'),
    label: z.string(),
    t1dPopulation: count,
    onTherapy: count,
    existingOnTherapy: count,
    uptakePct: z.number().nullable(),
    referrals: count,
    assessed: count,
    eligible: count,
    fundingRequested: count,
    fundingApproved: count,
    fundingDeclined: count,
    started: count,
    discontinued: count,
    continuing12m: count,
    waits: z.object({
      referralToAssessment: wait,
      assessmentToFundingDecision: wait,
      fundingApprovalToStart: wait,
      referralToStart: wait,
    }),
    hba1cChange6m: z.object({ n: count, medianMmolMol: z.number().nullable() }),
    suppressed: z.array(z.string()).describe('Dotted names of the fields withheld by disclosure control, e.g. `referrals`, `waits.referralToStart.n`.'),
  })
  .meta({ id: 'MetricsRow' });

export const metricsReport = z.object({ from: z.string().meta({ format: 'date' }), to: z.string().meta({ format: 'date' }), rows: z.array(metricsRow) }).meta({ id: 'MetricsReport' });

// The schema and the domain type must describe one shape: this fails to compile when they drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShape: Same<z.infer<typeof metricsReport>, MetricsReport> = true;
void sameShape;

/** The definitions, as the OpenAPI document states them (docs/metrics.md, "The figures of a row", made exact). */
export const METRICS_DESCRIPTION = `Implementation progress for the period [from, to] (both days included), one row per group.
Days are calendar days; a wait is the number of days between two event dates.

**Period.** \`to\` defaults to today (Europe/London); \`from\` to the day after the same date one year before \`to\`
(to 2026-03-31 gives from 2025-04-01). \`from\` after \`to\` is 400. Dates after today are allowed: nothing is recorded
after today, so such figures are as of today.

**Groups.** \`groupBy=site\` (default): one row per site, sites with no activity included, key = site id, label =
site name. \`icb\`: one row per ICB name among the sites (key = label = the name). Both are ordered by label, then
key, in code-point order. \`facilitation\`: always three rows, in the order active, passive, none, even when no site
falls in one; a site's mode is the strongest mode (active > passive > none) of the facilitation activities logged
for it on or before \`to\`, and none when it has none. \`therapy\` keeps only referrals for that therapy (the
referral's therapy); it changes every figure except t1dPopulation.

**Who sees what.** Admins and commissioners see every site; nurses and consultants see their own sites only
(other sites' rows are absent, and ICB and facilitation groups are made of their own sites only).

**Figures.**
- \`t1dPopulation\`: a site's latest count dated on or before \`to\` (every count is kept with its date), else
  null. A group's population is the sum over its sites, and null when any site in it has no count as of
  \`to\` (or when it has no site): a partial sum would understate the population and overstate uptake.
- \`onTherapy\`: distinct patients on therapy at the end of \`to\`: a pathway referral whose device start is dated
  on or before \`to\`, or an existing-therapy record whose start (\`startedOn\`; for a year-only or unknown start,
  \`knownOn\`) is on or before \`to\`, in either case with no discontinuing review and no switch to closed loop
  dated on or before \`to\`. With a \`therapy\` filter, only that therapy's records count.
- \`existingOnTherapy\`: how many of \`onTherapy\` are on therapy through existing records alone (a patient on
  therapy through both a pathway referral and an existing record counts as pathway). Existing records never count
  in the flow counts, the waits, \`continuing12m\` or the HbA1c change; a discontinuation of one counts in
  \`discontinued\`. A pump record switched to closed loop is not a discontinuation.
- \`uptakePct\`: onTherapy / t1dPopulation x 100, one decimal, halves rounded up; null without a population (or
  with a population of 0).
- Flow counts, by event date inside the period: \`referrals\` (received), \`assessed\` (assessments deciding
  eligible or not eligible; deferrals are not counted), \`eligible\`, \`fundingRequested\` (referrals whose first
  funding request is in the period: a resubmission after "more information" is the same request),
  \`fundingApproved\` and \`fundingDeclined\` (final funding decisions; "more information" decisions are not
  counted), \`started\` (device starts), \`discontinued\` (reviews deciding to discontinue). Counts of referrals and
  events, not of distinct patients.
- \`continuing12m\`: distinct patients with a device start whose 12-month anniversary (the same calendar day a year
  later; 29 February -> 1 March) is on or before \`to\`, and whose referral was not discontinued on or before that
  anniversary. All such starts count, however long before the period.
- Waits, for intervals that ended inside the period (the interval's last event is dated in it):
  \`referralToAssessment\` from receipt to the assessment deciding eligible or not eligible (time spent deferred
  counts: the person is still waiting for a decision); \`assessmentToFundingDecision\` from the eligible assessment
  to the final funding decision (approved or declined); \`fundingApprovalToStart\` from the approval to the device
  start; \`referralToStart\` from receipt to the device start. So each wait's \`n\` equals the matching flow count
  (assessed, fundingApproved + fundingDeclined, started, started). Median: the mean of the two middle values for
  an even count. p90: nearest rank, the ceil(0.9 n)-th smallest.
- \`hba1cChange6m\`: for each device start, the follow-up is the HbA1c dated 150 to 210 days after the start
  (both included) nearest to 180 days (of two equally near, the later; then the later instant), and the baseline
  is the latest HbA1c dated in the 12 months up to and including the start day (from the same calendar day a year
  before). A start counts when it has both and its follow-up is dated inside the period; the change is follow-up
  minus baseline, in mmol/mol. One value per patient (their latest such start); \`n\` patients, median change.
  A result's date is the date as the source wrote it.

**Disclosure control (commissioners only).** 0 stays 0; counts of 1 to 7 are withheld (null, and the field's
dotted name listed in \`suppressed\`); other counts are rounded to the nearest 5 (8 -> 10, 12 -> 10, 13 -> 15).
This applies to every count: t1dPopulation, the flow counts and the \`n\` of each wait and of the HbA1c change.
A median or p90 over 1 to 7 values is withheld (over none it is simply null). uptakePct is withheld when
onTherapy or t1dPopulation is withheld, and is otherwise computed from the ROUNDED onTherapy and t1dPopulation
(as NHS England's disclosure control method for HES does): a rate from exact figures would give the exact count
back. Nurses, consultants and admins get exact figures and an empty \`suppressed\`.

**CSV.** \`GET /api/v1/metrics.csv\` takes the same query and answers the same rows (text/csv; charset=utf-8, as an
attachment): a header row, nested fields flattened with dots (\`waits.referralToStart.medianDays\`,
\`hba1cChange6m.n\`), \`suppressed\` joined with \`;\`, withheld and unknown values empty. A key or label that
starts with =, +, -, @, tab or carriage return is prefixed with ' so that spreadsheets do not run it as a formula.`;
