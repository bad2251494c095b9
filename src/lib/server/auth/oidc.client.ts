import * as oidc from 'openid-client';
import type { SsoIdentity } from '../../domain/sign-in';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** What the sign-in page calls the provider: "Sign in with <displayName>". */
  displayName: string;
  timeoutMs: number;
}

/** What is kept while the person is at the provider, to check what comes back. */
export interface OidcPending {
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
}

/**
 * Why talking to the provider failed. `refused`: the provider answered with an error (the person cancelled, the
 * code was already used); `invalid`: its answer failed a check (issuer, audience, signature, expiry, nonce);
 * `unreachable` and `timeout`: it did not answer usefully.
 */
export class OidcFailure extends Error {
  override readonly name = 'OidcFailure';
  constructor(
    readonly kind: 'refused' | 'invalid' | 'unreachable' | 'timeout',
    readonly detail: string,
  ) {
    super(detail);
  }
}

const SCOPE = 'openid email profile';
// Metadata and keys are read again at each sign-in's start, and otherwise now and then, so that a provider's changes
// are seen without a restart (a signing key it rotates in is also fetched at once when a token names it).
const DISCOVERY_TTL_MS = 60 * 60_000;

/**
 * The outbound OpenID Connect adapter, on openid-client (panva's certified relying-party library): discovery, the
 * authorisation code flow with PKCE S256, state and nonce, and the ID token's checks. It keeps nothing about a
 * sign-in in memory: the caller stores the pending values and hands them back.
 */
export class OidcClient {
  private discovered?: { config: Promise<oidc.Configuration>; at: number };

  constructor(readonly settings: OidcSettings) {}

  /** Where to send the browser, and what to keep until it comes back. */
  async startSignIn(redirectUri: string): Promise<{ url: URL; pending: OidcPending }> {
    // Read afresh for every sign-in (one small request): a provider that has gone down since is then met here, with a
    // page saying so, rather than by the browser at the provider's address.
    const config = await this.configuration(true);
    const pending = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier(), redirectUri };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: SCOPE,
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url, pending };
  }

  /**
   * Exchanges the code the provider sent back for an ID token, and checks it: issuer, audience, expiry, nonce, and
   * its signature against the provider's published keys even though it came straight from the token endpoint.
   */
  async finishSignIn(callbackUrl: URL, pending: OidcPending): Promise<{ identity: SsoIdentity; idToken: string }> {
    const config = await this.configuration();
    // The library checks against the redirect URI it is given, which must be the one the request was made with.
    const current = new URL(pending.redirectUri);
    current.search = callbackUrl.search;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims()!;
      return {
        idToken: tokens.id_token!,
        identity: {
          issuer: claims.iss,
          subject: claims.sub,
          email: typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : null,
          emailVerified: claims.email_verified === true || claims.xms_edov === true,
        },
      };
    } catch (e) {
      throw this.failure(e);
    }
  }

  /** The provider's end-session URL for RP-initiated sign-out, or null when it offers none (or cannot be reached). */
  async endSessionUrl(idToken: string | null, postLogoutRedirectUri: string): Promise<URL | null> {
    try {
      const config = await this.configuration();
      if (!config.serverMetadata().end_session_endpoint) return null;
      return oidc.buildEndSessionUrl(config, {
        client_id: this.settings.clientId,
        post_logout_redirect_uri: postLogoutRedirectUri,
        ...(idToken ? { id_token_hint: idToken } : {}),
      });
    } catch {
      return null;
    }
  }

  private configuration(fresh = false): Promise<oidc.Configuration> {
    if (fresh || !this.discovered || Date.now() - this.discovered.at > DISCOVERY_TTL_MS) {
      const { issuer, clientId, clientSecret, timeoutMs } = this.settings;
      const url = new URL(issuer);
      const config = oidc
        .discovery(url, clientId, undefined, oidc.ClientSecretBasic(clientSecret), {
          timeout: Math.ceil(timeoutMs / 1000),
          // config.ts allows plain http for a provider on this machine only.
          execute: [oidc.enableNonRepudiationChecks, ...(url.protocol === 'http:' ? [oidc.allowInsecureRequests] : [])],
        })
        .catch((e: unknown) => {
          this.discovered = undefined; // the next sign-in tries again
          throw this.failure(e);
        });
      this.discovered = { config, at: Date.now() };
    }
    return this.discovered.config;
  }

  private failure(e: unknown): OidcFailure {
    if (e instanceof OidcFailure) return e;
    if (e instanceof oidc.AuthorizationResponseError || e instanceof oidc.ResponseBodyError) {
      return new OidcFailure('refused', `${e.error}${e.error_description ? `: ${e.error_description}` : ''}`);
    }
    const cause = e instanceof Error ? e.cause : undefined;
    const names = [e, cause].map((x) => (x instanceof Error ? x.name : ''));
    if (names.some((n) => n === 'TimeoutError' || n === 'AbortError')) return new OidcFailure('timeout', 'the identity provider did not answer in time');
    if (names.some((n) => n === 'TypeError') || (e instanceof oidc.ClientError && /RESPONSE_IS_NOT|PARSE_ERROR|SERVER_METADATA/.test(e.code ?? ''))) {
      return new OidcFailure('unreachable', `the identity provider could not be reached or answered something unreadable (${e instanceof Error ? e.message : String(e)})`);
    }
    return new OidcFailure('invalid', describe(e));
  }
}

/** The library's message, with the check that failed when it says which (the claim, or the signature's cause). */
function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause as { claim?: unknown; message?: unknown } | undefined;
  const detail = typeof cause?.claim === 'string' ? `claim ${cause.claim}` : typeof cause?.message === 'string' ? cause.message : undefined;
  return [`${e.message}${'code' in e && e.code ? ` (${String(e.code)})` : ''}`, detail].filter(Boolean).join(': ');
}
