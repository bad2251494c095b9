import { z } from 'zod';
import { isoDate, trimmed, uuid, version } from './common.schema';

export const FACILITATION_MODES = ['active', 'passive', 'none'] as const;
export const FACILITATION_KINDS = ['site_visit', 'workshop', 'business_case_support', 'web_resource', 'peer_network', 'other'] as const;
export const BARRIER_CATEGORIES = ['funding', 'staffing', 'clinician_receptiveness', 'training_capacity', 'patient_education', 'it_data', 'other'] as const;

export const createFacilitationBody = z
  .object({
    on: isoDate,
    mode: z.enum(FACILITATION_MODES, 'Mode must be active, passive or none'),
    kind: z.enum(FACILITATION_KINDS, 'Kind must be one of site_visit, workshop, business_case_support, web_resource, peer_network, other'),
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
    category: z.enum(BARRIER_CATEGORIES, 'Category must be one of funding, staffing, clinician_receptiveness, training_capacity, patient_education, it_data, other'),
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
