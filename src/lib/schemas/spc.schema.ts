import { z } from 'zod';
import { isCalendarDate } from '../domain/calendar-date';
import { SPECIAL_CAUSES, VARIATIONS } from '../domain/spc';
import { SPC_BINS, SPC_MEASURES } from '../domain/spc-series';
import { oneOf } from './common.schema';
import { metricsQuery } from './metrics.schema';

/** How the charts are split into segments: not at all, at each site's first active facilitation, or at dates. */
export type Rebase = { kind: 'none' } | { kind: 'facilitation' } | { kind: 'dates'; dates: string[] };

const rebase = z
  .string()
  .default('none')
  .transform((v, ctx): Rebase => {
    if (v === 'none') return { kind: 'none' };
    if (v === 'facilitation') return { kind: 'facilitation' };
    const dates = v.split(',').map((d) => d.trim());
    if (dates.length > 50 || !dates.every(isCalendarDate)) {
      ctx.addIssue({ code: 'custom', message: 'rebase must be none, facilitation, or up to 50 dates as YYYY-MM-DD separated by commas' });
      return z.NEVER;
    }
    return { kind: 'dates', dates };
  })
  .meta({ type: 'string', example: 'facilitation' })
  .describe(
    '`none` (default); `facilitation`: a new segment at the bin of each site\'s first active facilitation activity in the period (only when grouping by site); or dates (YYYY-MM-DD, comma separated), each starting a segment at the bin holding it. A rebase in the first bin, or outside the chart, splits nothing.',
  );

export const spcQuery = metricsQuery.extend({
  measure: oneOf('measure', SPC_MEASURES).describe(
    '`referrals` (pathway referrals received in the bin), `starts` (pathway device starts in the bin), or `referral_to_start_days` (median days of the referral-to-start waits that ended in the bin).',
  ),
  groupBy: z
    .enum(['site', 'icb', 'facilitation', 'all'], 'groupBy must be one of site, icb, facilitation, all')
    .default('site')
    .describe('A chart per site (default), per ICB, per facilitation mode (active, passive, none), or one for all the sites the caller sees.'),
  bin: oneOf('bin', SPC_BINS).default('month').describe('Calendar months (default) or ISO weeks starting on Monday.'),
  rebase,
});
export type SpcQuery = z.infer<typeof spcQuery>;

const date = z.string().meta({ format: 'date' });

export const spcPoint = z
  .object({
    start: date.describe("The bin's first day."),
    value: z.number().nullable().describe('The count, or the median in days; null for a median with no wait, and for a value withheld by disclosure control.'),
    mean: z.number().nullable(),
    lpl: z.number().nullable().describe('Lower process limit: mean - 2.66 x the screened average moving range; not clamped at 0. Null for a one-point segment.'),
    upl: z.number().nullable(),
    specialCause: z.enum(SPECIAL_CAUSES).nullable(),
    variation: z.enum(VARIATIONS).nullable().describe('Null for a bin without a value, and on a withheld chart.'),
  })
  .meta({ id: 'SpcPoint' });

export const spcCharts = z
  .object({
    measure: z.enum(SPC_MEASURES),
    bin: z.enum(SPC_BINS),
    improvement: z.enum(['up', 'down']),
    groups: z.array(
      z
        .object({
          key: z.string().describe('Site id, ICB name, facilitation mode, or `all`.'),
          label: z.string(),
          rebasedOn: z.array(date).describe('The first day of each bin where a new segment starts.'),
          withheld: z.boolean().describe('A commissioner\'s chart with a withheld value: no mean, limits or signals are drawn.'),
          points: z.array(spcPoint),
          latest: z.object({ variation: z.enum(VARIATIONS).nullable().describe('The variation of the latest bin that has a value.') }),
        })
        .meta({ id: 'SpcGroup' }),
    ),
  })
  .meta({ id: 'SpcCharts' });
export type SpcCharts = z.infer<typeof spcCharts>;
