import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSmartBackendAuth, loadPrivateKey, signClientAssertion } from './fhir.smart-auth';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const ec256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('client assertion', () => {
  it.each([
    ['RS384', rsa] as const,
    ['ES384', ec] as const,
  ])('is a %s JWT that verifies with the public key and carries the SMART claims', (alg, pair) => {
    const now = Date.parse('2025-05-01T10:00:00Z');
    const jwt = signClientAssertion({ clientId: 'pump-pathway', tokenUrl: 'https://auth.example/token', key: pair.privateKey, alg, keyId: 'k1' }, now);
    const [h, p, s] = jwt.split('.') as [string, string, string];
    expect(decode(h)).toEqual({ alg, typ: 'JWT', kid: 'k1' });
    const payload = decode(p);
    expect(payload).toMatchObject({ iss: 'pump-pathway', sub: 'pump-pathway', aud: 'https://auth.example/token', iat: now / 1000 });
    expect(payload.exp as number).toBeLessThanOrEqual(now / 1000 + 300);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    const key = pair.publicKey;
    const data = Buffer.from(`${h}.${p}`);
    const sig = Buffer.from(s, 'base64url');
    expect(alg === 'ES384' ? verify('sha384', data, { key, dsaEncoding: 'ieee-p1363' }, sig) : verify('sha384', data, key, sig)).toBe(true);
    if (alg === 'ES384') expect(sig).toHaveLength(96); // raw r||s, not DER
  });

  it('gives every assertion its own jti', () => {
    const input = { clientId: 'c', tokenUrl: 'https://a/t', key: rsa.privateKey, alg: 'RS384' as const };
    expect(decode(signClientAssertion(input).split('.')[1]!).jti).not.toBe(decode(signClientAssertion(input).split('.')[1]!).jti);
  });
});

describe('loading the private key', () => {
  it('accepts PEM and JWK, and refuses a key that does not fit the algorithm', () => {
    const pem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(loadPrivateKey(pem, 'RS384').asymmetricKeyType).toBe('rsa');
    expect(loadPrivateKey(ec.privateKey.export({ format: 'jwk' }), 'ES384').asymmetricKeyType).toBe('ec');
    expect(() => loadPrivateKey(pem, 'ES384')).toThrow(/ES384/);
    expect(() => loadPrivateKey(ec256.privateKey.export({ format: 'jwk' }), 'ES384')).toThrow(/P-384/);
    expect(() => loadPrivateKey(ec.privateKey.export({ format: 'jwk' }), 'RS384')).toThrow(/RSA/);
  });
});

describe('token cache', () => {
  it('reuses a token until shortly before it expires, shares one request between callers, and renews after invalidate', async () => {
    let clock = 0;
    const posts: URLSearchParams[] = [];
    const auth = createSmartBackendAuth(
      { kind: 'smart-backend', clientId: 'c', privateKey: rsa.privateKey.export({ format: 'jwk' }), scope: 'system/*.rs', alg: 'RS384' },
      'https://fhir.example/R4',
      {
        getJson: async (url) => {
          expect(url).toBe('https://fhir.example/R4/.well-known/smart-configuration');
          return { token_endpoint: 'https://auth.example/token' };
        },
        postForm: async (_url, form) => {
          posts.push(form);
          return { access_token: `t${posts.length}`, token_type: 'Bearer', expires_in: 300 };
        },
      },
      () => clock,
    );
    expect(await Promise.all([auth.authorization(), auth.authorization()])).toEqual(['Bearer t1', 'Bearer t1']);
    clock = 239_000;
    expect(await auth.authorization()).toBe('Bearer t1');
    clock = 240_000; // 60 s before expiry
    expect(await auth.authorization()).toBe('Bearer t2');
    auth.invalidate();
    expect(await auth.authorization()).toBe('Bearer t3');
    expect(posts[0]!.get('grant_type')).toBe('client_credentials');
    expect(posts[0]!.get('scope')).toBe('system/*.rs');
    expect(posts[0]!.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
  });
});
