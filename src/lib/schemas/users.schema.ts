import { z } from 'zod';
import { ROLES } from '../domain/access';
import { isPlainText, oneOf, trimmed, uuid } from './common.schema';

export const PASSWORD_MIN = 12;

export const email = z
  .string('Email is required')
  .trim()
  .toLowerCase()
  .pipe(z.email('Enter an email address, like name@nhs.net').max(254));

export const password = z
  .string('Password is required')
  .min(PASSWORD_MIN, `Password must be at least ${PASSWORD_MIN} characters`)
  // argon2 cost grows with input; a cap keeps hashing cheap and predictable.
  .max(200, 'Password must be 200 characters or fewer');

export const user = z
  .object({
    id: uuid,
    email: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    siteIds: z.array(uuid),
  })
  .meta({ id: 'User' });

export const createUserBody = z
  .object({
    email,
    name: trimmed(200, 'Name'),
    role: oneOf('Role', ROLES),
    siteIds: z.array(uuid).max(100).default([]),
    password,
  })
  .strict()
  .superRefine((u, ctx) => {
    if ((u.role === 'nurse' || u.role === 'consultant') && u.siteIds.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['siteIds'], message: 'A nurse or consultant needs at least one site' });
    }
  })
  .describe('Nurses and consultants need at least one site. Commissioners and admins work across all sites, so their siteIds may be empty.');

export const loginBody = z.object({
  email: z.string('Email is required').trim().toLowerCase().min(1, 'Email is required').max(254).refine(isPlainText, 'Enter an email address'),
  password: z.string('Password is required').min(1, 'Password is required').max(200),
});

export type User = z.infer<typeof user>;
export type CreateUser = z.infer<typeof createUserBody>;
