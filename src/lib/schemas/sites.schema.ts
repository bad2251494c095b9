import { z } from 'zod';
import { POPULATION_SOURCES } from '../domain/vocabulary';
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
    t1dPopulation: z
      .int('Population must be a whole number (a count, once recorded, is kept: record a new one for a later date)')
      .min(0, 'Population cannot be negative')
      .max(10_000_000)
      .optional(),
    t1dPopulationAsOf: isoDate.optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    // A count means nothing without the date it refers to, and the other way round.
    if ((b.t1dPopulation === undefined) !== (b.t1dPopulationAsOf === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [b.t1dPopulation === undefined ? 't1dPopulation' : 't1dPopulationAsOf'],
        message: b.t1dPopulation === undefined ? 'Enter the count for this date' : 'Enter the date this count refers to',
      });
    }
  })
  .describe(
    'Renames the site, and/or records a manual type 1 population count with the date it refers to (not in the future), for ' +
      'sites whose FHIR server cannot give one. Counts are kept: one for a date that already has a count replaces that ' +
      "date's count; the site shows its newest count, and the metrics of a period use the latest count on or before its end.",
  );

export const populationCount = z
  .object({
    asOf: z.string().meta({ format: 'date' }),
    t1dPopulation: z.int(),
    source: z.enum(POPULATION_SOURCES).describe('manual: entered by an admin; fhir: counted on the FHIR server by a population sync'),
    recordedAt: z.date(),
    recordedBy: uuid.nullable().describe('The user who recorded the count; null when the system did (demo data, counts kept from before history)'),
  })
  .meta({ id: 'PopulationCount' });

export const populationHistory = z.object({ items: z.array(populationCount).describe('Newest asOf first') });

export type Site = z.infer<typeof site>;
export type CreateSite = z.infer<typeof createSiteBody>;
export type UpdateSite = z.infer<typeof updateSiteBody>;
export type PopulationCount = z.infer<typeof populationCount>;
