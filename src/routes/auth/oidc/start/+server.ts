import { error, redirect } from '@sveltejs/kit';
import { callbackUrl, keepSignInFlow, requestMeta, ssoRefused } from '$lib/server/pages/sign-in';
import type { RequestHandler } from './$types';

/** Sends the browser to the identity provider, the sign-in's state kept under a short-lived cookie. */
export const GET: RequestHandler = async (event) => {
  const { locals, url } = event;
  const sso = locals.services.sso;
  if (!sso) error(404, { message: 'Single sign-on is not set up here.', requestId: locals.requestId });
  const started = await sso.begin(requestMeta(event), callbackUrl(url), url.searchParams.get('next'));
  if (!started.ok) ssoRefused(started, locals.requestId);
  keepSignInFlow(event, started);
  redirect(303, started.url.href);
};
