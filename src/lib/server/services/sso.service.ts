import { decideSso, safeReturnPath, SSO_REFUSAL_MESSAGE, type SsoRefusal } from '../../domain/sign-in';
import { OidcFailure, type OidcClient, type OidcPending } from '../auth/oidc.client';
import type { Db } from '../db/client';
import { writeAudit } from '../repositories/audit.repository';
import { insertSignInFlow, takeSignInFlow } from '../repositories/sign-in-flow.repository';
import { findUser, findUserByEmail, findUserByOidcIdentity, linkOidcIdentity } from '../repositories/user.repository';
import type { RequestMeta } from '../context';
import { hashToken, newToken, type AuthService, type SignedIn } from './auth.service';

/** How long the person may take at the provider before the sign-in has to start again. */
const FLOW_MINUTES = 10;

/** A single sign-on that did not sign anyone in: the page's status and what it tells the person. */
export interface SsoRefused {
  status: 400 | 403 | 502 | 504;
  message: string;
}

export type SsoOutcome = { ok: true; signedIn: SignedIn; returnTo: string } | ({ ok: false } & SsoRefused);

/**
 * Single sign-on through the organisation's OpenID Connect provider. It signs in only people an administrator has
 * added: by the issuer and subject linked to them, or the first time by a verified email (then linked). It never
 * creates anyone, and the role and sites are always the product's, never the token's.
 */
export class SsoService {
  constructor(
    private readonly db: Db,
    private readonly client: OidcClient,
    private readonly auth: AuthService,
  ) {}

  get displayName() {
    return this.client.settings.displayName;
  }

  /**
   * Starts a sign-in: the provider's authorisation URL, and a token for the browser's cookie under which the state,
   * nonce, PKCE verifier and return path wait in the database (any app process may receive the callback).
   */
  async begin(meta: RequestMeta, redirectUri: string, returnTo: string | null): Promise<{ ok: true; url: URL; token: string; expiresAt: Date } | ({ ok: false } & SsoRefused)> {
    let started;
    try {
      started = await this.client.startSignIn(redirectUri);
    } catch (e) {
      return this.unreachable(e, meta);
    }
    const token = newToken();
    const expiresAt = new Date(Date.now() + FLOW_MINUTES * 60_000);
    const data: OidcPending & { returnTo: string } = { ...started.pending, returnTo: safeReturnPath(returnTo) };
    await insertSignInFlow(this.db, { tokenHash: hashToken(token), kind: 'oidc', userId: null, data, expiresAt });
    return { ok: true, url: started.url, token, expiresAt };
  }

  /**
   * Finishes a sign-in with what the provider sent back. The flow is used up whatever happens, so a callback
   * cannot be replayed. Every outcome is audited with the method `oidc`.
   */
  async complete(meta: RequestMeta, flowToken: string | undefined, callbackUrl: URL, previousToken?: string): Promise<SsoOutcome> {
    const flow = flowToken ? await takeSignInFlow(this.db, hashToken(flowToken), 'oidc') : undefined;
    const pending = flow?.data as (OidcPending & { returnTo: string }) | undefined;
    // Checked here as well as by the library, to tell a stale or forged callback apart from a bad token.
    if (!pending || callbackUrl.searchParams.get('state') !== pending.state) {
      await this.auditFailure(meta, null, { reason: 'state_mismatch' });
      return { ok: false, status: 400, message: 'This sign-in link is out of date or was not started here. Go back to the sign-in page and try again.' };
    }
    let result;
    try {
      result = await this.client.finishSignIn(callbackUrl, pending);
    } catch (e) {
      if (!(e instanceof OidcFailure) || e.kind === 'unreachable' || e.kind === 'timeout') return this.unreachable(e, meta);
      await this.auditFailure(meta, null, { reason: e.kind === 'refused' ? 'provider_refused' : 'invalid_response', detail: e.detail.slice(0, 300) });
      return {
        ok: false,
        status: 403,
        message:
          e.kind === 'refused'
            ? `${this.displayName} did not sign you in. Go back to the sign-in page and try again.`
            : `We could not confirm the sign-in that ${this.displayName} sent back, so you have not been signed in. Try again; if it keeps happening, tell your IT team.`,
      };
    }

    const { identity, idToken } = result;
    const [linked, byEmail] = await Promise.all([
      findUserByOidcIdentity(this.db, identity.issuer, identity.subject),
      identity.email ? findUserByEmail(this.db, identity.email) : undefined,
    ]);
    const decision = decideSso(identity, linked, byEmail);
    const seen = { email: identity.email, issuer: identity.issuer, subject: identity.subject };
    if (decision.kind === 'refuse') {
      await this.auditFailure(meta, linked?.id ?? byEmail?.id ?? null, { ...seen, reason: decision.reason });
      return { ok: false, status: 403, message: SSO_REFUSAL_MESSAGE[decision.reason as SsoRefusal] };
    }
    if (decision.link) {
      await this.db.transaction(async (tx) => {
        await linkOidcIdentity(tx, decision.userId, identity.issuer, identity.subject);
        await writeAudit(tx, meta, { action: 'user.sso_linked', entityType: 'user', entityId: decision.userId, after: seen });
      });
    }
    const row = (await findUser(this.db, decision.userId))!;
    return { ok: true, signedIn: await this.auth.openSession(row, 'oidc', meta, previousToken, idToken), returnTo: pending.returnTo };
  }

  /** Where to send the browser after signing out here, to end the provider's session too (null: it offers none). */
  endSessionUrl(idToken: string | null, postLogoutRedirectUri: string): Promise<URL | null> {
    return this.client.endSessionUrl(idToken, postLogoutRedirectUri);
  }

  private async unreachable(e: unknown, meta: RequestMeta): Promise<{ ok: false } & SsoRefused> {
    const failure = e instanceof OidcFailure ? e : new OidcFailure('unreachable', String(e));
    await this.auditFailure(meta, null, { reason: failure.kind === 'timeout' ? 'provider_timeout' : 'provider_unreachable', detail: failure.detail.slice(0, 300) });
    return {
      ok: false,
      status: failure.kind === 'timeout' ? 504 : 502,
      message: `${this.displayName} is not answering just now, so you cannot sign in with it. Try again in a few minutes; if it keeps happening, tell your IT team.`,
    };
  }

  private async auditFailure(meta: RequestMeta, userId: string | null, after: Record<string, unknown>) {
    await this.db.transaction((tx) => writeAudit(tx, meta, { action: 'auth.login_failed', entityType: 'user', entityId: userId, after: { method: 'oidc', ...after } }));
  }
}
