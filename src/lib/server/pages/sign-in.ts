import { error } from '@sveltejs/kit';
import type { RequestEvent } from '@sveltejs/kit';
import type { SsoRefused } from '../services/sso.service';

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
