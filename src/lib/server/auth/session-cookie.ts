/** The session cookie, set the same way by the API and by the sign-in page. */
export const SESSION_COOKIE = 'pp_session';

export function sessionCookieOptions(secure: boolean, expires: Date) {
  return { httpOnly: true, sameSite: 'lax' as const, secure, path: '/', expires };
}
