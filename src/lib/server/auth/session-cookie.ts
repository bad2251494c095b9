/** The session cookie, set the same way by the API and by the sign-in page. */
export const SESSION_COOKIE = 'pp_session';

/** A sign-in half done (single sign-on at the provider, or a password waiting for its code): a short-lived token. */
export const SIGN_IN_FLOW_COOKIE = 'pp_sign_in';

/** Both cookies: never readable by scripts, and sent on the provider's redirect back (Lax) but not on cross-site posts. */
export function sessionCookieOptions(secure: boolean, expires: Date) {
  return { httpOnly: true, sameSite: 'lax' as const, secure, path: '/', expires };
}
