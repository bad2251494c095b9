import { redirect } from '@sveltejs/kit';
import { isDomainError } from '$lib/domain/errors';
import { secondFactorCode } from '$lib/schemas/users.schema';
import { SESSION_COOKIE, SIGN_IN_FLOW_COOKIE } from '$lib/server/auth/session-cookie';
import { failWith, formValues, parseForm, readForm } from '$lib/server/pages/forms';
import { requestMeta, signedInTo, signInRefused } from '$lib/server/pages/sign-in';
import type { Actions, PageServerLoad } from './$types';

/** The second step of a password sign-in, for an account with an authenticator app. */
export const load: PageServerLoad = ({ cookies, url }) => {
  if (!cookies.get(SIGN_IN_FLOW_COOKIE)) redirect(303, `/login${url.search}`);
  return { next: url.searchParams.get('next') };
};

export const actions: Actions = {
  default: async (event) => {
    const parsed = parseForm(secondFactorCode, formValues(await readForm(event.request)));
    if (!parsed.ok) return failWith(400, 'Enter the code from your authenticator app');
    let signedIn;
    try {
      signedIn = await event.locals.services.auth.finishPasswordSignIn(event.cookies.get(SIGN_IN_FLOW_COOKIE), parsed.data.code, requestMeta(event), event.cookies.get(SESSION_COOKIE));
    } catch (e) {
      // A sign-in that timed out starts again from the password.
      if (isDomainError(e) && e.kind === 'unauthorized') event.cookies.delete(SIGN_IN_FLOW_COOKIE, { path: '/' });
      return signInRefused(e);
    }
    signedInTo(event, signedIn);
  },
};
