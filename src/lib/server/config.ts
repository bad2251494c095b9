import { z } from 'zod';
import { ROLES } from '../domain/access';
import { checkFhirAuthConfig, fhirAuthConfigShape } from './fhir/fhir.config';

const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);
const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());
const positiveInt = (fallback: number) => z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().default(fallback));
const postgresUrl = z.string().regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// or postgresql:// URL');

const configSchema = z
  .object({
    NODE_ENV: z.preprocess(emptyAsUndefined, z.enum(['development', 'production', 'test']).default('production')),
    PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
    HOST: z.preprocess(emptyAsUndefined, z.string().min(1).default('127.0.0.1')),
    DATA_DIR: z.preprocess(emptyAsUndefined, z.string().min(1).default('./data')),
    DATABASE_URL: z.preprocess(emptyAsUndefined, postgresUrl.optional()),
    // A streaming replica of DATABASE_URL for the reads that tolerate seconds of staleness (db/read-replica.ts).
    READ_DATABASE_URL: z.preprocess(emptyAsUndefined, postgresUrl.optional()),
    READ_MAX_LAG_SECONDS: positiveInt(30),
    // The server cancels a statement after this long; a connection silent for this long and a little more is dropped.
    DATABASE_STATEMENT_TIMEOUT_MS: positiveInt(15_000),
    ORIGIN: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://pumps.example.nhs.uk' }).optional()),
    FHIR_BASE_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
    FHIR_TIMEOUT_MS: positiveInt(10_000),
    ...fhirAuthConfigShape,
    TRUST_PROXY: z.preprocess(emptyAsUndefined, z.enum(['true', 'false'], 'must be true or false').default('false').transform((v) => v === 'true')),
    // The embedded database starts a demo FHIR server unless told not to (or given a real one in FHIR_BASE_URL).
    DEMO_FHIR: z.preprocess(emptyAsUndefined, z.enum(['true', 'false'], 'must be true or false').default('true').transform((v) => v === 'true')),
    LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
    SESSION_IDLE_MINUTES: positiveInt(30),
    SESSION_ABSOLUTE_HOURS: positiveInt(12),
    ADMIN_EMAIL: z.preprocess(emptyAsUndefined, z.email('must be an email address').optional()),
    ADMIN_PASSWORD: optionalString,
    // Single sign-on (OpenID Connect): all three, or none.
    OIDC_ISSUER: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/, error: 'must be the identity provider\'s issuer URL' }).optional()),
    OIDC_CLIENT_ID: optionalString,
    OIDC_CLIENT_SECRET: optionalString,
    OIDC_DISPLAY_NAME: z.preprocess(emptyAsUndefined, z.string().trim().min(1).max(60).default('your organisation account')),
    PASSWORD_SIGN_IN: z.preprocess(emptyAsUndefined, z.enum(['true', 'false'], 'must be true or false').default('true').transform((v) => v === 'true')),
    // Unset: admins on a PostgreSQL server, nobody in the embedded demo (resolved with the database in sign-in.settings.ts).
    MFA_REQUIRED_ROLES: z
      .string()
      .optional()
      .transform((v) => v?.split(',').map((r) => r.trim()).filter(Boolean))
      .pipe(z.array(z.enum(ROLES, `must list roles among ${ROLES.join(', ')}, separated by commas`)).optional()),
    TOTP_ENCRYPTION_KEY: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .refine((v) => /^[A-Za-z0-9+/]{43}=$/.test(v), 'must be 32 random bytes in base64 (openssl rand -base64 32)')
        .optional(),
    ),
  })
  .superRefine((c, ctx) => {
    checkFhirAuthConfig(c, ctx);
    if (c.READ_DATABASE_URL !== undefined && c.DATABASE_URL === undefined) {
      ctx.addIssue({ code: 'custom', path: ['READ_DATABASE_URL'], message: 'needs DATABASE_URL: it is a replica of that server' });
    }
    if ((c.ADMIN_EMAIL === undefined) !== (c.ADMIN_PASSWORD === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['ADMIN_PASSWORD'], message: 'ADMIN_EMAIL and ADMIN_PASSWORD go together' });
    }
    if (c.ADMIN_PASSWORD !== undefined && c.ADMIN_PASSWORD.length < 12) {
      ctx.addIssue({ code: 'custom', path: ['ADMIN_PASSWORD'], message: 'must be at least 12 characters' });
    }
    const oidc = [c.OIDC_ISSUER, c.OIDC_CLIENT_ID, c.OIDC_CLIENT_SECRET];
    if (oidc.some((v) => v !== undefined) && oidc.some((v) => v === undefined)) {
      const missing = (['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const).find((k) => c[k] === undefined)!;
      ctx.addIssue({ code: 'custom', path: [missing], message: 'is needed too: OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET go together' });
    }
    // Plain http only to a provider on this machine (a test or development provider); anywhere else, the ID token
    // and the client secret would cross the network unprotected.
    if (c.OIDC_ISSUER?.startsWith('http:') && !/^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/.test(c.OIDC_ISSUER)) {
      ctx.addIssue({ code: 'custom', path: ['OIDC_ISSUER'], message: 'must be an https URL' });
    }
    if (!c.PASSWORD_SIGN_IN && c.OIDC_ISSUER === undefined) {
      ctx.addIssue({ code: 'custom', path: ['PASSWORD_SIGN_IN'], message: 'can be false only with single sign-on set up (OIDC_ISSUER), or nobody could sign in' });
    }
  });

export type Config = z.infer<typeof configSchema>;

// Never echoed back: they carry credentials.
const SECRET = new Set(['DATABASE_URL', 'READ_DATABASE_URL', 'ADMIN_PASSWORD', 'FHIR_TOKEN', 'OIDC_CLIENT_SECRET', 'TOTP_ENCRYPTION_KEY']);

export class ConfigError extends Error {}

/** Reads the environment once at start-up; the first bad variable stops the process with one line naming it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const name = String(issue.path[0] ?? 'environment');
  const shown = name in env && !SECRET.has(name) ? ` (got "${env[name]}")` : '';
  throw new ConfigError(`Configuration error: ${name} ${issue.message}${shown}`);
}

export const usesEmbeddedDatabase = (config: Config) => config.DATABASE_URL === undefined;
