import { createPrivateKey, randomUUID, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { smartConfiguration, tokenResponse } from './fhir.schemas';

/**
 * SMART Backend Services (the client credentials grant with a signed JWT assertion, as NHS FHIR APIs use):
 * the token endpoint is discovered from the server's .well-known/smart-configuration, each token request
 * carries a fresh assertion signed with our private key, and the access token is reused until shortly before
 * it expires. The JWT is built by hand with node:crypto so that no JOSE library is needed.
 */

export type SmartAlg = 'RS384' | 'ES384';

export interface SmartBackendAuthConfig {
  kind: 'smart-backend';
  clientId: string;
  /** PEM text, or a private JWK. */
  privateKey: string | JsonWebKey;
  keyId?: string;
  scope: string;
  alg: SmartAlg;
}

/** What the auth needs from the client: a GET and a form POST, each already under the client's timeout. */
export interface AuthTransport {
  getJson(url: string): Promise<unknown>;
  postForm(url: string, form: URLSearchParams): Promise<unknown>;
}

export interface SmartBackendAuth {
  /** The Authorization header value, fetching a token when none is cached or it is about to expire. */
  authorization(): Promise<string>;
  /** Forgets the cached token (the server answered 401 with it). */
  invalidate(): void;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** The SMART specification caps an assertion's lifetime at five minutes; stay well inside it. */
const ASSERTION_LIFETIME_S = 240;
/** Renew this long before expiry, so a token never lapses between being read and reaching the server. */
const EXPIRY_MARGIN_S = 60;
/** When the token response gives no lifetime. */
const DEFAULT_TOKEN_LIFETIME_S = 300;

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export function loadPrivateKey(key: string | JsonWebKey, alg: SmartAlg): KeyObject {
  const keyObject = typeof key === 'string' ? createPrivateKey(key) : createPrivateKey({ key, format: 'jwk' });
  const type = keyObject.asymmetricKeyType;
  if (alg === 'RS384' && type !== 'rsa') throw new Error(`SMART auth: RS384 needs an RSA private key, not ${type}`);
  if (alg === 'ES384' && (type !== 'ec' || keyObject.asymmetricKeyDetails?.namedCurve !== 'secp384r1')) {
    throw new Error('SMART auth: ES384 needs an EC private key on the P-384 curve');
  }
  return keyObject;
}

/** A client assertion JWT: iss = sub = client id, aud = the token endpoint, short-lived, with a unique jti. */
export function signClientAssertion(
  input: { clientId: string; tokenUrl: string; key: KeyObject; alg: SmartAlg; keyId?: string },
  nowMs: number = Date.now(),
): string {
  const now = Math.floor(nowMs / 1000);
  const header = { alg: input.alg, typ: 'JWT', ...(input.keyId ? { kid: input.keyId } : {}) };
  const payload = {
    iss: input.clientId,
    sub: input.clientId,
    aud: input.tokenUrl,
    iat: now,
    exp: now + ASSERTION_LIFETIME_S,
    jti: randomUUID(),
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  // JWS wants ECDSA signatures as raw r||s (IEEE P1363), not the DER node:crypto gives by default.
  const signature =
    input.alg === 'ES384'
      ? sign('sha384', Buffer.from(signingInput), { key: input.key, dsaEncoding: 'ieee-p1363' })
      : sign('sha384', Buffer.from(signingInput), input.key);
  return `${signingInput}.${base64url(signature)}`;
}

export function createSmartBackendAuth(
  config: SmartBackendAuthConfig,
  baseUrl: string,
  transport: AuthTransport,
  now: () => number = Date.now,
): SmartBackendAuth {
  // Refused at start-up rather than on the first import: a wrong key is a configuration error.
  const key = loadPrivateKey(config.privateKey, config.alg);
  let tokenUrl: Promise<string> | null = null;
  let cached: { header: string; renewAt: number } | null = null;
  let pending: Promise<string> | null = null;

  const discover = () => {
    tokenUrl ??= transport
      .getJson(`${baseUrl}/.well-known/smart-configuration`)
      .then((body) => smartConfiguration.parse(body).token_endpoint)
      .catch((e: unknown) => {
        tokenUrl = null; // a failed discovery is retried on the next request
        throw e;
      });
    return tokenUrl;
  };

  const fetchToken = async (): Promise<string> => {
    const url = await discover();
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: config.scope,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: signClientAssertion({ clientId: config.clientId, tokenUrl: url, key, alg: config.alg, keyId: config.keyId }, now()),
    });
    const token = tokenResponse.parse(await transport.postForm(url, form));
    const lifetime = token.expires_in ?? DEFAULT_TOKEN_LIFETIME_S;
    const margin = Math.min(EXPIRY_MARGIN_S, lifetime / 2);
    const header = `Bearer ${token.access_token}`;
    cached = { header, renewAt: now() + (lifetime - margin) * 1000 };
    return header;
  };

  return {
    authorization() {
      if (cached && now() < cached.renewAt) return Promise.resolve(cached.header);
      // Concurrent requests share one token request.
      pending ??= fetchToken().finally(() => {
        pending = null;
      });
      return pending;
    },
    invalidate() {
      cached = null;
    },
  };
}
