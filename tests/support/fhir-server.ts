import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  baseUrlOf,
  createFhirHandler,
  FHIR_BASE_PATH,
  listen,
  writeFhirResponse,
  type FhirHttpResponse,
  type FhirServerOptions,
} from '../../src/lib/server/demo/fhir.server';
import type { FhirStore } from '../../src/lib/server/demo/fhir.store';

/**
 * The production demo FHIR server (src/lib/server/demo/fhir.server.ts) with what tests need in front of it:
 * faults injected per path (errors, a server that never answers, garbage, paging that stops early), optional
 * auth (a static bearer token, or SMART Backend Services with a token endpoint that really verifies the
 * client's signed assertion), and a record of every request it saw.
 */

export type Fault =
  /** Answer with this status (and headers, e.g. Retry-After), an OperationOutcome body unless one is given. */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Accept the request and never answer. */
  | { kind: 'hang' }
  /** 200 with a body that is not JSON. */
  | { kind: 'malformed'; body?: string }
  /** Starts a 200 answer, then drops the connection half-way through the body. */
  | { kind: 'reset' }
  /** 200 with JSON that is not what was asked for. */
  | { kind: 'invalid'; body: unknown }
  /** The real answer with its entries removed (a page that lost its contents). */
  | { kind: 'drop-entries' }
  /** The real answer without its next link (paging that stops early). */
  | { kind: 'drop-next-link' };

export interface FaultRule {
  /** The path after /fhir/: 'Observation', 'metadata', 'Patient/123', or a RegExp over it. */
  path: string | RegExp;
  /** Further narrows the requests, e.g. only later pages: (q) => q.has('_offset') && q.get('_offset') !== '0'. */
  when?: (query: URLSearchParams) => boolean;
  fault: Fault;
  /** Applies to this many matching requests, then the server behaves again (default: every one). */
  times?: number;
}

export type TestAuth =
  | { kind: 'bearer'; token: string }
  | { kind: 'smart'; clientId: string; publicKey: KeyObject | string; alg: 'RS384' | 'ES384'; keyId?: string; expiresIn?: number };

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  at: number;
}

export interface TokenRequest {
  ok: boolean;
  reason?: string;
  header?: Record<string, unknown>;
  payload?: Record<string, unknown>;
  scope?: string;
}

export interface TestFhirServer {
  baseUrl: string;
  tokenUrl: string;
  store: FhirStore;
  requests: RecordedRequest[];
  tokenRequests: TokenRequest[];
  /** Tokens issued by the SMART endpoint (valid until revoked). */
  issuedTokens: Set<string>;
  fault(rule: FaultRule): void;
  clearFaults(): void;
  close(): Promise<void>;
}

export interface TestFhirServerOptions extends Pick<FhirServerOptions, 'resources' | 'defaultPageSize' | 'maxPageSize'> {
  auth?: TestAuth;
}

const TOKEN_PATH = '/auth/token';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

const outcome = (status: number, code: string, diagnostics: string): FhirHttpResponse => ({
  status,
  body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] },
});

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function decodePart(part: string | undefined): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Checks a client assertion as an authorisation server must (RFC 7523 and SMART Backend Services). */
function checkAssertion(
  jwt: string,
  auth: Extract<TestAuth, { kind: 'smart' }>,
  tokenUrl: string,
  seenJti: Set<string>,
): { ok: true; header: Record<string, unknown>; payload: Record<string, unknown> } | { ok: false; reason: string; header?: Record<string, unknown>; payload?: Record<string, unknown> } {
  const [h, p, s, ...rest] = jwt.split('.');
  const header = decodePart(h);
  const payload = decodePart(p);
  if (!header || !payload || !s || rest.length) return { ok: false, reason: 'not a JWS compact serialisation' };
  const fail = (reason: string) => ({ ok: false as const, reason, header, payload });
  if (header.alg !== auth.alg) return fail(`alg ${String(header.alg)}`);
  if (auth.keyId !== undefined && header.kid !== auth.keyId) return fail('kid');
  const key = typeof auth.publicKey === 'string' ? createPublicKey(auth.publicKey) : auth.publicKey;
  const signature = Buffer.from(s, 'base64url');
  const data = Buffer.from(`${h}.${p}`);
  const valid = auth.alg === 'ES384' ? verify('sha384', data, { key, dsaEncoding: 'ieee-p1363' }, signature) : verify('sha384', data, key, signature);
  if (!valid) return fail('signature');
  const now = Math.floor(Date.now() / 1000);
  if (payload.iss !== auth.clientId || payload.sub !== auth.clientId) return fail('iss/sub');
  if (payload.aud !== tokenUrl) return fail('aud');
  if (typeof payload.exp !== 'number' || payload.exp <= now || payload.exp > now + 300) return fail('exp');
  if (typeof payload.jti !== 'string' || seenJti.has(payload.jti)) return fail('jti');
  seenJti.add(payload.jti);
  return { ok: true, header, payload };
}

export async function startTestFhirServer(options: TestFhirServerOptions = {}): Promise<TestFhirServer> {
  const handler = createFhirHandler(options);
  await handler.store.load(options.resources ?? []);
  const rules: (FaultRule & { used: number })[] = [];
  const requests: RecordedRequest[] = [];
  const tokenRequests: TokenRequest[] = [];
  const issuedTokens = new Set<string>();
  const seenJti = new Set<string>();
  let tokenUrl = '';

  async function token(req: IncomingMessage, res: ServerResponse, auth: Extract<TestAuth, { kind: 'smart' }>) {
    const form = new URLSearchParams(await readBody(req));
    const refuse = (reason: string, extra: Partial<TokenRequest> = {}) => {
      tokenRequests.push({ ok: false, reason, ...extra });
      sendJson(res, reason === 'grant_type' ? 400 : 401, { error: reason === 'grant_type' ? 'unsupported_grant_type' : 'invalid_client' });
    };
    if (req.method !== 'POST' || form.get('grant_type') !== 'client_credentials') return refuse('grant_type');
    if (form.get('client_assertion_type') !== ASSERTION_TYPE) return refuse('client_assertion_type');
    const checked = checkAssertion(form.get('client_assertion') ?? '', auth, tokenUrl, seenJti);
    if (!checked.ok) return refuse(checked.reason, { header: checked.header, payload: checked.payload });
    const accessToken = randomBytes(24).toString('base64url');
    issuedTokens.add(accessToken);
    tokenRequests.push({ ok: true, header: checked.header, payload: checked.payload, scope: form.get('scope') ?? undefined });
    sendJson(res, 200, { access_token: accessToken, token_type: 'bearer', expires_in: auth.expiresIn ?? 300, scope: form.get('scope') });
  }

  const authorised = (authorization: string | undefined): boolean => {
    const auth = options.auth;
    if (!auth) return true;
    if (auth.kind === 'bearer') return authorization === `Bearer ${auth.token}`;
    return authorization?.startsWith('Bearer ') === true && issuedTokens.has(authorization.slice('Bearer '.length));
  };

  const http = await listen(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fhir.invalid');
    const path = url.pathname.startsWith(`${FHIR_BASE_PATH}/`) ? url.pathname.slice(FHIR_BASE_PATH.length + 1) : url.pathname;
    requests.push({ method: req.method ?? 'GET', path, query: url.searchParams, authorization: req.headers.authorization, at: Date.now() });

    const auth = options.auth;
    if (auth?.kind === 'smart' && url.pathname === TOKEN_PATH) return token(req, res, auth);
    if (auth?.kind === 'smart' && path === '.well-known/smart-configuration') {
      return sendJson(res, 200, {
        token_endpoint: tokenUrl,
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
        token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
        capabilities: ['client-confidential-asymmetric'],
      });
    }

    const rule = rules.find((r) => (typeof r.path === 'string' ? r.path === path : r.path.test(path)) && (r.when?.(url.searchParams) ?? true) && r.used < (r.times ?? Infinity));
    if (rule) rule.used++;
    const fault = rule?.fault;
    if (fault?.kind === 'hang') return; // the socket stays open until the client gives up or the server closes
    if (fault?.kind === 'status') {
      if (fault.body === undefined) return writeFhirResponse(res, { ...outcome(fault.status, 'transient', 'Injected fault'), headers: fault.headers });
      res.writeHead(fault.status, { 'content-type': 'application/fhir+json', ...fault.headers });
      return void res.end(fault.body);
    }
    if (fault?.kind === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      return void res.end(fault.body ?? '{"resourceType": "Bundle", "entry": [ <html>Gateway');
    }
    if (fault?.kind === 'invalid') return writeFhirResponse(res, { status: 200, body: fault.body });
    if (fault?.kind === 'reset') {
      res.writeHead(200, { 'content-type': 'application/fhir+json', 'content-length': '1000' });
      res.write('{"resourceType": "Bundle", "type": "searchset", "entry": [');
      return void setTimeout(() => res.socket?.destroy(), 20);
    }

    if (!authorised(req.headers.authorization)) return writeFhirResponse(res, outcome(401, 'login', 'A valid bearer token is required'));
    const response = await handler.respond({ method: req.method ?? 'GET', url: req.url ?? '/', baseUrl: baseUrlOf(req) });
    const body = response.body as { entry?: unknown[]; link?: { relation: string }[] };
    if (fault?.kind === 'drop-entries') delete body.entry;
    if (fault?.kind === 'drop-next-link') body.link = body.link?.filter((l) => l.relation !== 'next');
    writeFhirResponse(res, response);
  });
  tokenUrl = `${http.origin}${TOKEN_PATH}`;

  return {
    baseUrl: `${http.origin}${FHIR_BASE_PATH}`,
    tokenUrl,
    store: handler.store,
    requests,
    tokenRequests,
    issuedTokens,
    fault: (rule) => void rules.push({ ...rule, used: 0 }),
    clearFaults: () => void rules.splice(0),
    close: http.close,
  };
}
