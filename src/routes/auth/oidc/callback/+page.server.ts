import { error } from '@sveltejs/kit';
import { SESSION_COOKIE, SIGN_IN_FLOW_COOKIE } from '$lib/server/auth/session-cookie';
import { requestMeta, signedInTo, ssoRefused } from '$lib/server/pages/sign-in';
import type { PageServerLoad } from './$types';

/** The provider sends the browser back here: signed in and on to the page asked for, or a page saying why not. */
export const load: PageServerLoad = async (event) => {
  const { locals, url, cookies } = event;
  const sso = locals.services.sso;
  if (!sso) error(404, { message: 'Single sign-on is not set up here.', requestId: locals.requestId });
  const flowToken = cookies.get(SIGN_IN_FLOW_COOKIE);
  cookies.delete(SIGN_IN_FLOW_COOKIE, { path: '/' });
  const outcome = await sso.complete(requestMeta(event), flowToken, url, cookies.get(SESSION_COOKIE));
  if (!outcome.ok) ssoRefused(outcome, locals.requestId);
  signedInTo(event, outcome.signedIn, outcome.returnTo);
};
