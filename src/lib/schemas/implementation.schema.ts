import { z } from 'zod';
import { BARRIER_CATEGORIES, FACILITATION_KINDS, FACILITATION_MODES } from '../domain/vocabulary';
import { isoDate, oneOf, trimmed, uuid, version } from './common.schema';

export const createFacilitationBody = z
  .object({
    on: isoDate,
    mode: oneOf('Mode', FACILITATION_MODES),
    kind: oneOf('Kind', FACILITATION_KINDS),
    facilitator: trimmed(200, 'Facilitator').optional(),
    notes: trimmed(4000, 'Notes').optional(),
  })
  .strict();

export const facilitation = z
  .object({
    id: uuid,
    siteId: uuid,
    on: z.string().meta({ format: 'date' }),
    mode: z.enum(FACILITATION_MODES),
    kind: z.enum(FACILITATION_KINDS),
    facilitator: z.string().nullable(),
    notes: z.string().nullable(),
  })
  .meta({ id: 'FacilitationActivity' });

export const createBarrierBody = z
  .object({
    raisedOn: isoDate,
    category: oneOf('Category', BARRIER_CATEGORIES),
    description: trimmed(4000, 'Description'),
    resolvedOn: isoDate.optional(),
  })
  .strict();

export const updateBarrierBody = z
  .object({ version, resolvedOn: isoDate.nullable().describe('null reopens the barrier.') })
  .strict();

export const barrier = z
  .object({
    id: uuid,
    siteId: uuid,
    raisedOn: z.string().meta({ format: 'date' }),
    category: z.enum(BARRIER_CATEGORIES),
    description: z.string(),
    resolvedOn: z.string().meta({ format: 'date' }).nullable(),
    version: z.int(),
  })
  .meta({ id: 'Barrier' });

export type Facilitation = z.infer<typeof facilitation>;
export type Barrier = z.infer<typeof barrier>;
export type CreateFacilitation = z.infer<typeof createFacilitationBody>;
export type CreateBarrier = z.infer<typeof createBarrierBody>;
