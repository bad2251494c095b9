import { z } from 'zod';
import { ROLES } from '../domain/access';
import { isPlainText, oneOf, trimmed, uuid, version } from './common.schema';

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
    password: password.optional(),
  })
  .strict()
  .superRefine((u, ctx) => {
    if ((u.role === 'nurse' || u.role === 'consultant') && u.siteIds.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['siteIds'], message: 'A nurse or consultant needs at least one site' });
    }
  })
  .describe(
    'Nurses and consultants need at least one site. Commissioners and admins work across all sites, so their siteIds may be empty. With single sign-on set up, `password` may be left out: that person signs in only through the identity provider (linked by their verified email the first time). Without single sign-on it is required.',
  );

/** An administrator closes an account (it keeps its history but signs in by no method) or opens it again. */
export const setUserActiveBody = z.object({ version, active: z.boolean() }).strict();

export const loginBody = z.object({
  email: z.string('Email is required').trim().toLowerCase().min(1, 'Email is required').max(254).refine(isPlainText, 'Enter an email address'),
  password: z.string('Password is required').min(1, 'Password is required').max(200),
  totp: z
    .string()
    .max(40)
    .optional()
    .describe('Needed once the account has an authenticator app: the current 6-digit code, or an unused recovery code (dashes and spaces ignored).'),
});

/** A code typed from an authenticator app, or a recovery code. */
export const secondFactorCode = z.object({
  code: z.string('Enter the code').trim().min(1, 'Enter the code').max(40).describe('The 6-digit code the authenticator app shows now (or, to remove it, a recovery code).'),
});

export const totpEnrolment = z
  .object({
    secret: z.string().describe('The shared secret in base32, for typing into an app that cannot read the QR code.'),
    otpauthUri: z.string().describe('The otpauth:// URI (SHA-1, 6 digits, 30 seconds) that the QR code holds.'),
    recoveryCodes: z.array(z.string()).length(10).describe('Ten one-time recovery codes, shown this once: each signs in once in place of a code.'),
  })
  .meta({ id: 'TotpEnrolment' });

export type User = z.infer<typeof user>;
/** A user as the administrators' page shows them: also how they sign in. */
export type ManagedUser = User & { version: number; active: boolean; ssoOnly: boolean; ssoLinked: boolean; authenticator: boolean };
export type CreateUser = z.infer<typeof createUserBody>;
