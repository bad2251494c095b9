import { z } from 'zod';
import { EQUITY_GROUP_BYS, EQUITY_SPLITS } from '../domain/equity';
import { oneOf } from './common.schema';
import { metricsQuery } from './metrics.schema';

export const equityQuery = metricsQuery.extend({
  groupBy: z.enum(EQUITY_GROUP_BYS, 'groupBy must be one of site, icb, all').default('site').describe('A row per site (default), per ICB, or one for all the sites the caller sees.'),
  by: oneOf('by', EQUITY_SPLITS).describe('The split: `ageBand` (age on `to`), `sex`, `ethnicGroup` (from the NHS ethnic category letter) or `imdQuintile` (1 most deprived to 5).'),
});
export type EquityQuery = z.infer<typeof equityQuery>;

const count = z.int().min(0).nullable();

export const equityReport = z
  .object({
    from: z.string().meta({ format: 'date' }),
    to: z.string().meta({ format: 'date' }),
    by: z.enum(EQUITY_SPLITS),
    rows: z.array(
      z
        .object({
          key: z.string().describe('Site id, ICB name, or `all`.'),
          label: z.string(),
          splits: z.array(
            z
              .object({
                value: z.string().describe('The split value, `unknown` included; every value is listed, in a fixed order, even with nothing in it.'),
                label: z.string().describe('The value in words, as pages show it.'),
                t1dPopulation: count.describe(
                  "People of this value in the type 1 population, from each site's latest population sync on or before `to`; null when the group has no such count (or some of its sites have none).",
                ),
                onTherapy: count,
                uptakePct: z.number().nullable().describe('onTherapy / t1dPopulation x 100, one decimal; null when the population is null or 0.'),
                referrals: count,
                started: count,
                referralToStartMedianDays: z.number().nullable().describe('Median days from referral to start of the waits that ended in the period.'),
                suppressed: z.array(z.string()).describe('Fields withheld by disclosure control (commissioners only).'),
              })
              .meta({ id: 'EquitySplit' }),
          ),
        })
        .meta({ id: 'EquityRow' }),
    ),
  })
  .meta({ id: 'EquityReport' });
export type EquityReport = z.infer<typeof equityReport>;
