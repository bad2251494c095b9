import { z } from 'zod';
import { ROLES } from '../domain/access';
import { THERAPIES } from '../domain/vocabulary';
import { isoDate, listQuery, uuid } from './common.schema';

export const auditQuery = listQuery
  .extend({
    entityId: uuid.optional(),
    actorId: uuid.optional(),
    from: isoDate.optional().describe('First day included (UTC).'),
    to: isoDate.optional().describe('Last day included (UTC).'),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: 'to cannot be before from' });

export const auditEntry = z
  .object({
    id: z.string().describe('Sequence number: entries are appended in this order.'),
    at: z.date(),
    actorId: uuid.nullable().describe('Null for work the system did itself (seeding, the command line).'),
    actorRole: z.enum(ROLES).nullable(),
    action: z.string(),
    entityType: z.string(),
    entityId: uuid.nullable(),
    requestId: z.string().nullable(),
    clientAddress: z.string().nullable(),
    before: z.unknown(),
    after: z.unknown(),
    actorName: z.string().nullable().describe('The name of the person who acted; null for the system and for a failed sign-in.'),
    actorEmail: z.string().nullable(),
    record: z
      .object({
        patient: z.object({ id: uuid, givenName: z.string(), familyName: z.string(), nhsNumber: z.string().nullable() }).nullable(),
        referral: z.object({ id: uuid, therapy: z.enum(THERAPIES), on: z.string().nullable().describe('Received on, or for an existing therapy the date it was known.') }).nullable(),
        user: z.object({ id: uuid, name: z.string(), email: z.string() }).nullable(),
        site: z.object({ id: uuid, name: z.string() }).nullable(),
        device: z.object({ id: uuid, name: z.string() }).nullable(),
      })
      .describe("What the entry is about, by name: the patient (also for a referral's or a result's entry), the referral, the user, the site (also for a facilitation activity or a barrier), the device."),
  })
  .meta({ id: 'AuditEntry' });

export type AuditEntry = z.infer<typeof auditEntry>;
