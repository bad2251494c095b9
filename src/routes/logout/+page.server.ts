import { redirect } from '@sveltejs/kit';
import { SESSION_COOKIE } from '$lib/server/auth/session-cookie';
import type { Actions, PageServerLoad } from './$types';

// Only the sign-out form's answer is a page here (the way on to the provider's sign-out).
export const load: PageServerLoad = ({ request }) => {
  if (request.method !== 'POST') redirect(303, '/');
};

export const actions: Actions = {
  default: async ({ cookies, locals, url }) => {
    const ended = await locals.services.auth.logout(cookies.get(SESSION_COOKIE), { requestId: locals.requestId, clientAddress: locals.clientAddress });
    cookies.delete(SESSION_COOKIE, { path: '/' });
    // After a single sign-on, the provider's session ends too (RP-initiated logout), when it offers an end-session
    // endpoint. The page sends the browser on itself: the content security policy lets a form's redirect go only to
    // this site.
    const endSession = ended?.method === 'oidc' && locals.services.sso ? await locals.services.sso.endSessionUrl(ended.idToken, new URL('/login', url.origin).href) : null;
    if (!endSession) redirect(303, '/login');
    return { endSession: endSession.href, provider: locals.services.sso!.displayName };
  },
};
