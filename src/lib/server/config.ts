import { z } from 'zod';
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
  });

export type Config = z.infer<typeof configSchema>;

// Never echoed back: they carry credentials.
const SECRET = new Set(['DATABASE_URL', 'READ_DATABASE_URL', 'ADMIN_PASSWORD', 'FHIR_TOKEN']);

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
