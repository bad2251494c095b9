import { fail, redirect } from '@sveltejs/kit';
import { isDomainError } from '$lib/domain/errors';
import { loginBody } from '$lib/schemas/users.schema';
import { SESSION_COOKIE, sessionCookieOptions } from '$lib/server/auth/session-cookie';
import { formValues, parseForm, readForm, type FieldErrors } from '$lib/server/pages/forms';
import type { Actions, PageServerLoad } from './$types';

/** Only paths on this site: an open redirect after sign-in would be a phishing aid. */
const safeNext = (next: string | null) => (next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/');

export const load: PageServerLoad = ({ locals, url }) => {
  if (locals.actor) redirect(303, safeNext(url.searchParams.get('next')));
};

export const actions: Actions = {
  default: async ({ request, cookies, locals, url }) => {
    const values = formValues(await readForm(request));
    const parsed = parseForm(loginBody, values);
    if (!parsed.ok) return parsed.failure;
    try {
      const signedIn = await locals.services.auth.login(
        parsed.data.email,
        parsed.data.password,
        { requestId: locals.requestId, clientAddress: locals.clientAddress, userAgent: request.headers.get('user-agent') },
        cookies.get(SESSION_COOKIE),
      );
      cookies.set(SESSION_COOKIE, signedIn.token, sessionCookieOptions(url.protocol === 'https:', signedIn.expiresAt));
    } catch (e) {
      if (isDomainError(e) && (e.kind === 'unauthorized' || e.kind === 'rate_limited')) {
        return fail(e.kind === 'unauthorized' ? 401 : 429, { values: { email: parsed.data.email }, errors: {} as FieldErrors, message: e.detail });
      }
      throw e;
    }
    redirect(303, safeNext(url.searchParams.get('next')));
  },
};
