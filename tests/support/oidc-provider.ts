import { createHash, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import Provider from 'oidc-provider';

/**
 * A real OpenID Connect provider for the tests: panva's oidc-provider (a certified implementation) in this process,
 * with its own signing key. Its sign-in page asks only for an email: whoever types one is that account. An email
 * starting `unverified` comes with `email_verified: false`; `subjects` can give an email a fixed subject (to test
 * linking by subject when the email changes).
 *
 * `fault` makes it misbehave as a broken or hostile provider would: its ID tokens re-signed with another key, with
 * a nonce the app never sent, or long expired (the real key, so that only that check fails); `tampered_state`, the
 * browser sent back with another state (as a forged callback would be); or `down`, every connection dropped
 * (`down_after_sign_in`: from when it sends the browser back, so that the app's token request finds it down).
 */
export type ProviderFault = 'down' | 'down_after_sign_in' | 'tampered_state' | 'foreign_key' | 'wrong_nonce' | 'expired' | null;

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  fault: ProviderFault;
  subjects: Map<string, string>;
  close(): Promise<void>;
}

export const TEST_CLIENT = { clientId: 'pump-pathway-tests', clientSecret: 'a-test-client-secret-that-is-long-enough' };

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

function signJwt(payload: Record<string, unknown>, key: KeyObject, kid: string): string {
  const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const body = b64url(JSON.stringify(payload));
  const signature = createSign('RSA-SHA256').update(`${head}.${body}`).sign(key);
  return `${head}.${body}.${b64url(signature)}`;
}

function tamper(idToken: string, fault: ProviderFault, own: KeyObject, foreign: KeyObject, kid: string): string {
  const payload = JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
  const now = Math.floor(Date.now() / 1000);
  if (fault === 'foreign_key') return signJwt(payload, foreign, kid);
  if (fault === 'wrong_nonce') return signJwt({ ...payload, nonce: 'a-nonce-this-app-never-sent' }, own, kid);
  if (fault === 'expired') return signJwt({ ...payload, iat: now - 7200, exp: now - 3600 }, own, kid);
  return idToken;
}

const page = (body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head><body><main><h1>Test identity provider</h1>${body}</main></body></html>`;

async function readBody(req: IncomingMessage): Promise<URLSearchParams> {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return new URLSearchParams(raw);
}

/**
 * Starts the provider on `port` (0: any free one) on 127.0.0.1, for clients whose redirect URIs are given. The
 * `control` routes let a test in another process (the browser tests) set a fault: POST /__test/fault?fault=down.
 */
export async function startTestProvider(options: { port?: number; host?: string; redirectUris: string[]; postLogoutRedirectUris?: string[] }): Promise<TestProvider> {
  const host = options.host ?? '127.0.0.1';
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const issuer = `http://${host === '127.0.0.1' ? '127.0.0.1' : host}:${(server.address() as AddressInfo).port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const kid = createHash('sha256').update(issuer).digest('hex').slice(0, 16);
  const subjects = new Map<string, string>();

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: TEST_CLIENT.clientId,
        client_secret: TEST_CLIENT.clientSecret,
        redirect_uris: options.redirectUris,
        post_logout_redirect_uris: options.postLogoutRedirectUris ?? [],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...(privateKey.export({ format: 'jwk' }) as object), kid, alg: 'RS256', use: 'sig' }] },
    cookies: { keys: ['test-provider-cookie-key'] },
    ttl: { Interaction: 600, Grant: 3600, Session: 3600, AccessToken: 600, IdToken: 600 },
    pkce: { required: () => true },
    // The email claims go in the ID token itself, as Entra ID's optional claims put them there.
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: async (_ctx, id) => ({
      accountId: id,
      claims: async () => ({
        sub: subjects.get(id) ?? `subject-${createHash('sha256').update(id).digest('hex').slice(0, 20)}`,
        email: id,
        email_verified: !id.startsWith('unverified'),
        name: id.split('@')[0],
      }),
    }),
    // A first-party application: no consent screen.
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  provider.use(async (ctx, next) => {
    await next();
    const location = ctx.response.get('location');
    if (location && options.redirectUris.some((uri) => location.startsWith(uri))) {
      if (state.fault === 'tampered_state') {
        const forged = new URL(location);
        forged.searchParams.set('state', 'a-state-from-somewhere-else');
        ctx.redirect(forged.href);
      }
      if (state.fault === 'down_after_sign_in') state.fault = 'down';
    }
    const body = ctx.body as { id_token?: string } | undefined;
    if (ctx.path === '/token' && body?.id_token && state.fault) body.id_token = tamper(body.id_token, state.fault, privateKey, foreign, kid);
  });
  const callback = provider.callback();

  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const state: TestProvider = {
    issuer,
    ...TEST_CLIENT,
    fault: null,
    subjects,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  server.on('request', async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', issuer);
    try {
      if (url.pathname === '/__test/fault' && req.method === 'POST') {
        state.fault = (url.searchParams.get('fault') || null) as ProviderFault;
        res.writeHead(204).end();
        return;
      }
      if (state.fault === 'down') {
        req.socket.destroy();
        return;
      }
      const interaction = /^\/interaction\/([\w-]+)$/.exec(url.pathname);
      if (interaction && req.method === 'GET') {
        await provider.interactionDetails(req, res);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
          page(
            `<form method="post"><label for="email">Email at the test provider</label> <input id="email" name="email" type="email" autocomplete="username"> <button type="submit">Sign in at the provider</button></form>`,
          ),
        );
        return;
      }
      if (interaction && req.method === 'POST') {
        const email = (await readBody(req)).get('email')?.trim().toLowerCase() ?? '';
        await provider.interactionFinished(req, res, { login: { accountId: email } }, { mergeWithLastSubmission: false });
        return;
      }
      callback(req, res);
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  return state;
}

/**
 * Plays the browser at the provider for a test without one: follows the authorisation URL through the provider's
 * sign-in page as `email`, and answers the URL it finally sends the browser back to (the app's callback).
 */
export async function signInAtProvider(authorizationUrl: string, email: string): Promise<URL> {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
  };
  let url = new URL(authorizationUrl);
  let init: RequestInit = {};
  for (let hops = 0; hops < 10; hops++) {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as object), cookie: cookieHeader() } });
    keep(res);
    init = {};
    const location = res.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      if (next.origin !== url.origin && !next.pathname.startsWith('/interaction')) return next; // back to the app
      url = next;
      continue;
    }
    if (res.status === 200 && url.pathname.startsWith('/interaction/')) {
      await res.text();
      init = { method: 'POST', body: new URLSearchParams({ email }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
      continue;
    }
    throw new Error(`the test provider answered ${res.status} at ${url.pathname}: ${await res.text()}`);
  }
  throw new Error('too many redirects at the test provider');
}
