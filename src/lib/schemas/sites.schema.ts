import { z } from 'zod';
import { isoDate, trimmed, uuid, version } from './common.schema';

export const odsCode = z
  .string('ODS code is required')
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{3,6}$/, 'ODS code must be 3 to 6 letters or digits');

export const site = z
  .object({
    id: uuid,
    odsCode: z.string(),
    name: z.string(),
    icb: z.string(),
    t1dPopulation: z.int().nullable(),
    t1dPopulationAsOf: z.string().nullable().meta({ format: 'date' }),
    version: z.int(),
  })
  .meta({ id: 'Site' });

export const createSiteBody = z
  .object({
    odsCode,
    name: trimmed(200, 'Name'),
    icb: trimmed(200, 'ICB'),
  })
  .strict();

export const updateSiteBody = z
  .object({
    version,
    name: trimmed(200, 'Name').optional(),
    icb: trimmed(200, 'ICB').optional(),
    t1dPopulation: z.int('Population must be a whole number').min(0, 'Population cannot be negative').max(10_000_000).nullable().optional(),
    t1dPopulationAsOf: isoDate.nullable().optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    // A count means nothing without the date it refers to, and the other way round.
    const count = b.t1dPopulation ?? null;
    const asOf = b.t1dPopulationAsOf ?? null;
    const sent = b.t1dPopulation !== undefined || b.t1dPopulationAsOf !== undefined;
    if (sent && (count === null) !== (asOf === null)) {
      ctx.addIssue({
        code: 'custom',
        path: [count === null ? 't1dPopulation' : 't1dPopulationAsOf'],
        message: count === null ? 'Enter the count for this date' : 'Enter the date this count refers to',
      });
    }
  })
  .describe('A manual type 1 population count (with its as-of date, not in the future) for sites whose FHIR server cannot give one.');

export type Site = z.infer<typeof site>;
export type CreateSite = z.infer<typeof createSiteBody>;
export type UpdateSite = z.infer<typeof updateSiteBody>;
