import { readFileSync } from 'node:fs';
import type { JsonWebKey } from 'node:crypto';
import { z } from 'zod';
import type { FhirAuth, FhirClientOptions } from './fhir.client';

/**
 * The FHIR_* environment variables for authentication, as a zod shape the application's config schema can
 * spread in, and the step from the parsed values to the client's options (reading the private key file once,
 * at start-up, so a missing or wrong key stops the process instead of failing the first import).
 */

const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);
const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());

export const DEFAULT_FHIR_SCOPE = 'system/Patient.rs system/Observation.rs system/Condition.rs system/Organization.rs';

export const fhirAuthConfigShape = {
  FHIR_AUTH: z.preprocess(emptyAsUndefined, z.enum(['none', 'bearer', 'smart-backend'], 'must be none, bearer or smart-backend').default('none')),
  /** For bearer. A secret: never echo it back. */
  FHIR_TOKEN: optionalString,
  /** For smart-backend. */
  FHIR_CLIENT_ID: optionalString,
  FHIR_PRIVATE_KEY_FILE: optionalString,
  FHIR_KEY_ID: optionalString,
  FHIR_SCOPE: z.preprocess(emptyAsUndefined, z.string().default(DEFAULT_FHIR_SCOPE)),
  FHIR_JWT_ALG: z.preprocess(emptyAsUndefined, z.enum(['RS384', 'ES384'], 'must be RS384 or ES384').default('RS384')),
  FHIR_RETRIES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(5).default(2)),
};

const fhirAuthConfig = z.object(fhirAuthConfigShape);
export type FhirAuthConfig = z.infer<typeof fhirAuthConfig>;

/** For the config schema's superRefine: what each FHIR_AUTH needs beside it. */
export function checkFhirAuthConfig(c: FhirAuthConfig, ctx: z.RefinementCtx): void {
  if (c.FHIR_AUTH === 'bearer' && !c.FHIR_TOKEN) ctx.addIssue({ code: 'custom', path: ['FHIR_TOKEN'], message: 'is required when FHIR_AUTH is bearer' });
  if (c.FHIR_AUTH === 'smart-backend') {
    if (!c.FHIR_CLIENT_ID) ctx.addIssue({ code: 'custom', path: ['FHIR_CLIENT_ID'], message: 'is required when FHIR_AUTH is smart-backend' });
    if (!c.FHIR_PRIVATE_KEY_FILE) ctx.addIssue({ code: 'custom', path: ['FHIR_PRIVATE_KEY_FILE'], message: 'is required when FHIR_AUTH is smart-backend' });
  }
}

/** A PEM file, or a JSON file holding one private JWK. */
function readPrivateKey(file: string): string | JsonWebKey {
  const text = readFileSync(file, 'utf8');
  return text.trimStart().startsWith('{') ? (JSON.parse(text) as JsonWebKey) : text;
}

export function fhirAuthFrom(c: FhirAuthConfig): FhirAuth {
  switch (c.FHIR_AUTH) {
    case 'none':
      return { kind: 'none' };
    case 'bearer':
      return { kind: 'bearer', token: c.FHIR_TOKEN ?? '' };
    case 'smart-backend':
      return {
        kind: 'smart-backend',
        clientId: c.FHIR_CLIENT_ID ?? '',
        privateKey: readPrivateKey(c.FHIR_PRIVATE_KEY_FILE ?? ''),
        ...(c.FHIR_KEY_ID ? { keyId: c.FHIR_KEY_ID } : {}),
        scope: c.FHIR_SCOPE,
        alg: c.FHIR_JWT_ALG,
      };
  }
}

export function fhirClientOptionsFrom(c: FhirAuthConfig & { FHIR_BASE_URL: string; FHIR_TIMEOUT_MS: number }): FhirClientOptions {
  return { baseUrl: c.FHIR_BASE_URL, timeoutMs: c.FHIR_TIMEOUT_MS, retries: c.FHIR_RETRIES, auth: fhirAuthFrom(c) };
}
