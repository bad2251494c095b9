import { error, fail, redirect } from '@sveltejs/kit';
import type { RequestEvent } from '@sveltejs/kit';
import { isDomainError } from '../../domain/errors';
import { safeReturnPath } from '../../domain/sign-in';
import { SESSION_COOKIE, SIGN_IN_FLOW_COOKIE, sessionCookieOptions } from '../auth/session-cookie';
import type { SignedIn } from '../services/auth.service';
import type { SsoRefused } from '../services/sso.service';
import type { FieldErrors } from './forms';

/** Where the provider sends the browser back: registered with the provider as the redirect URI. */
export const callbackUrl = (url: URL) => new URL('/auth/oidc/callback', url.origin).href;

export const requestMeta = ({ locals, request }: RequestEvent) => ({
  requestId: locals.requestId,
  clientAddress: locals.clientAddress,
  userAgent: request.headers.get('user-agent'),
});

/** A single sign-on that signed nobody in: its page, with the real status and what to do next. */
export function ssoRefused(refused: SsoRefused, requestId: string): never {
  error(refused.status, { message: refused.message, title: refused.status === 403 ? 'You cannot sign in' : 'Sign-in did not work', requestId, signIn: true });
}

/** Sets the session cookie and goes on to `returnTo`, by default the page asked for (or home). */
export function signedInTo({ cookies, url }: RequestEvent, signedIn: SignedIn, returnTo = safeReturnPath(url.searchParams.get('next'))): never {
  cookies.delete(SIGN_IN_FLOW_COOKIE, { path: '/' });
  cookies.set(SESSION_COOKIE, signedIn.token, sessionCookieOptions(url.protocol === 'https:', signedIn.expiresAt));
  redirect(303, returnTo);
}

/** Keeps a sign-in half done under its cookie, until it finishes or expires. */
export function keepSignInFlow({ cookies, url }: RequestEvent, flow: { token: string; expiresAt: Date }) {
  cookies.set(SIGN_IN_FLOW_COOKIE, flow.token, sessionCookieOptions(url.protocol === 'https:', flow.expiresAt));
}

const REFUSAL_STATUS = { unauthorized: 401, forbidden: 403, rate_limited: 429, mfa_required: 401 } as const;

/** A refused sign-in said beside its form (a wrong code beside the code field), keeping the email typed. */
export function signInRefused(e: unknown, values: { email?: string } = {}) {
  if (!isDomainError(e) || !(e.kind in REFUSAL_STATUS)) throw e;
  const status = REFUSAL_STATUS[e.kind as keyof typeof REFUSAL_STATUS];
  const errors: FieldErrors = e.kind === 'mfa_required' ? { code: e.detail } : {};
  return fail(status, { values, errors, message: e.kind === 'mfa_required' ? undefined : e.detail });
}
