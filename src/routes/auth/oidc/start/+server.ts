import { error, redirect } from '@sveltejs/kit';
import { SIGN_IN_FLOW_COOKIE, signInFlowCookieOptions } from '$lib/server/auth/session-cookie';
import { callbackUrl, requestMeta, ssoRefused } from '$lib/server/pages/sign-in';
import type { RequestHandler } from './$types';

/** Sends the browser to the identity provider, the sign-in's state kept under a short-lived cookie. */
export const GET: RequestHandler = async (event) => {
  const { locals, url, cookies } = event;
  const sso = locals.services.sso;
  if (!sso) error(404, { message: 'Single sign-on is not set up here.', requestId: locals.requestId });
  const started = await sso.begin(requestMeta(event), callbackUrl(url), url.searchParams.get('next'));
  if (!started.ok) ssoRefused(started, locals.requestId);
  cookies.set(SIGN_IN_FLOW_COOKIE, started.token, signInFlowCookieOptions(url.protocol === 'https:', started.expiresAt));
  redirect(303, started.url.href);
};
