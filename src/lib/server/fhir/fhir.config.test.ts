import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkFhirAuthConfig, DEFAULT_FHIR_SCOPE, fhirAuthConfigShape, fhirClientOptionsFrom } from './fhir.config';

const schema = z.object(fhirAuthConfigShape).superRefine(checkFhirAuthConfig);
const dir = mkdtempSync(join(tmpdir(), 'fhir-config-'));
const pair = generateKeyPairSync('ec', { namedCurve: 'P-384' });

describe('FHIR auth configuration', () => {
  it('defaults to no auth', () => {
    const c = schema.parse({});
    expect(c).toMatchObject({ FHIR_AUTH: 'none', FHIR_SCOPE: DEFAULT_FHIR_SCOPE, FHIR_JWT_ALG: 'RS384', FHIR_RETRIES: 2 });
    expect(fhirClientOptionsFrom({ ...c, FHIR_BASE_URL: 'https://x/fhir', FHIR_TIMEOUT_MS: 10_000 })).toEqual({
      baseUrl: 'https://x/fhir',
      timeoutMs: 10_000,
      retries: 2,
      auth: { kind: 'none' },
    });
  });

  it('names what each mode is missing', () => {
    const paths = (env: Record<string, string>) => schema.safeParse(env).error?.issues.map((i) => i.path.join('.'));
    expect(paths({ FHIR_AUTH: 'bearer' })).toEqual(['FHIR_TOKEN']);
    expect(paths({ FHIR_AUTH: 'smart-backend' })).toEqual(['FHIR_CLIENT_ID', 'FHIR_PRIVATE_KEY_FILE']);
    expect(paths({ FHIR_AUTH: 'basic' })).toEqual(['FHIR_AUTH']);
  });

  it.each([
    ['a PEM file', pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 'string'],
    ['a JWK file', JSON.stringify(pair.privateKey.export({ format: 'jwk' })), 'object'],
  ])('reads the private key from %s', (_, content, type) => {
    const file = join(dir, `key-${type}`);
    writeFileSync(file, content);
    const c = schema.parse({ FHIR_AUTH: 'smart-backend', FHIR_CLIENT_ID: 'pp', FHIR_PRIVATE_KEY_FILE: file, FHIR_JWT_ALG: 'ES384', FHIR_KEY_ID: 'k' });
    const { auth } = fhirClientOptionsFrom({ ...c, FHIR_BASE_URL: 'https://x/fhir', FHIR_TIMEOUT_MS: 1000 });
    expect(auth).toMatchObject({ kind: 'smart-backend', clientId: 'pp', keyId: 'k', alg: 'ES384', scope: DEFAULT_FHIR_SCOPE });
    expect(typeof (auth as { privateKey: unknown }).privateKey).toBe(type);
  });
});
