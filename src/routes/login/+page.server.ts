import { fail, redirect } from '@sveltejs/kit';
import { isDomainError } from '$lib/domain/errors';
import { safeReturnPath } from '$lib/domain/sign-in';
import { loginBody, secondFactorCode } from '$lib/schemas/users.schema';
import { SESSION_COOKIE, SIGN_IN_FLOW_COOKIE, sessionCookieOptions, signInFlowCookieOptions } from '$lib/server/auth/session-cookie';
import type { SignedIn } from '$lib/server/services/auth.service';
import { formValues, parseForm, readForm, type FieldErrors } from '$lib/server/pages/forms';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
  if (locals.actor) redirect(303, safeReturnPath(url.searchParams.get('next')));
  return { ...locals.services.auth.signInOptions(), next: url.searchParams.get('next') };
};

const metaOf = ({ locals, request }: RequestEvent) => ({ requestId: locals.requestId, clientAddress: locals.clientAddress, userAgent: request.headers.get('user-agent') });

function signedInTo({ cookies, url }: RequestEvent, signedIn: SignedIn): never {
  cookies.delete(SIGN_IN_FLOW_COOKIE, { path: '/' });
  cookies.set(SESSION_COOKIE, signedIn.token, sessionCookieOptions(url.protocol === 'https:', signedIn.expiresAt));
  redirect(303, safeReturnPath(url.searchParams.get('next')));
}

/** An expected refusal, said beside the form: the step it belongs to stays on the page. */
function refusal(e: unknown, step: 'password' | 'code', email?: string) {
  const values: { email?: string } = { email };
  if (!isDomainError(e) || !['unauthorized', 'forbidden', 'rate_limited', 'mfa_required'].includes(e.kind)) throw e;
  const status = { unauthorized: 401, forbidden: 403, rate_limited: 429, mfa_required: 401 }[e.kind as 'unauthorized'];
  const errors: FieldErrors = e.kind === 'mfa_required' ? { code: e.detail } : {};
  return fail(status, { step, values, errors, message: e.kind === 'mfa_required' ? undefined : e.detail });
}

export const actions: Actions = {
  default: async (event) => {
    const values = formValues(await readForm(event.request));
    const parsed = parseForm(loginBody, values);
    if (!parsed.ok) return parsed.failure;
    let step;
    try {
      step = await event.locals.services.auth.beginPasswordSignIn(parsed.data.email, parsed.data.password, metaOf(event), event.cookies.get(SESSION_COOKIE));
    } catch (e) {
      return refusal(e, 'password', parsed.data.email);
    }
    if ('signedIn' in step) signedInTo(event, step.signedIn);
    // The password was right and the account has an authenticator: its code is the second step.
    event.cookies.set(SIGN_IN_FLOW_COOKIE, step.secondFactor.token, signInFlowCookieOptions(event.url.protocol === 'https:', step.secondFactor.expiresAt));
    return { step: 'code' as const };
  },

  code: async (event) => {
    const parsed = parseForm(secondFactorCode, formValues(await readForm(event.request)));
    if (!parsed.ok) return fail(400, { step: 'code' as const, values: {} as { email?: string }, errors: { code: 'Enter the code from your authenticator app' } as FieldErrors });
    let signedIn;
    try {
      signedIn = await event.locals.services.auth.finishPasswordSignIn(event.cookies.get(SIGN_IN_FLOW_COOKIE), parsed.data.code, metaOf(event), event.cookies.get(SESSION_COOKIE));
    } catch (e) {
      // A sign-in that timed out starts again from the password.
      const step = isDomainError(e) && e.kind === 'unauthorized' ? 'password' : 'code';
      if (step === 'password') event.cookies.delete(SIGN_IN_FLOW_COOKIE, { path: '/' });
      return refusal(e, step);
    }
    signedInTo(event, signedIn);
  },
};
