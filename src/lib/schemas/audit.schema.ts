import { z } from 'zod';
import { ROLES } from '../domain/access';
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
  })
  .meta({ id: 'AuditEntry' });

export type AuditEntry = z.infer<typeof auditEntry>;
