import { redirect } from '@sveltejs/kit';
import { safeReturnPath } from '$lib/domain/sign-in';
import { loginBody } from '$lib/schemas/users.schema';
import { SESSION_COOKIE } from '$lib/server/auth/session-cookie';
import { formValues, parseForm, readForm } from '$lib/server/pages/forms';
import { keepSignInFlow, requestMeta, signedInTo, signInRefused } from '$lib/server/pages/sign-in';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
  if (locals.actor) redirect(303, safeReturnPath(url.searchParams.get('next')));
  return { ...locals.services.auth.signInOptions(), next: url.searchParams.get('next') };
};

export const actions: Actions = {
  default: async (event) => {
    const values = formValues(await readForm(event.request));
    const parsed = parseForm(loginBody, values);
    if (!parsed.ok) return parsed.failure;
    let step;
    try {
      step = await event.locals.services.auth.beginPasswordSignIn(parsed.data.email, parsed.data.password, requestMeta(event), event.cookies.get(SESSION_COOKIE));
    } catch (e) {
      return signInRefused(e, { email: parsed.data.email });
    }
    if ('signedIn' in step) signedInTo(event, step.signedIn);
    // The password was right and the account has an authenticator: its code is the second step.
    keepSignInFlow(event, step.secondFactor);
    redirect(303, `/login/code${event.url.search}`);
  },
};
