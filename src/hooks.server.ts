import { randomUUID } from 'node:crypto';
import { error, redirect, type Handle, type HandleServerError } from '@sveltejs/kit';
import { appContext } from '$lib/server/app-context';
import { SESSION_COOKIE } from '$lib/server/auth/session-cookie';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '$lib/server/db/errors';
import { bodyLimitFor } from '$lib/server/pages/body-limits';
import { recordId } from '$lib/server/pages/load';

const PUBLIC_PATHS = new Set(['/login', '/login/code', '/auth/oidc/start', '/auth/oidc/callback']);
/** Pages open to a person who must add an authenticator before anything else (MFA_REQUIRED_ROLES). */
const ENROLMENT_PATHS = new Set(['/account', '/logout']);

export const handle: Handle = async ({ event, resolve }) => {
  const { services } = appContext();
  // Set by the Fastify server in front of SvelteKit, overwriting anything the client sent.
  event.locals.requestId = event.request.headers.get('x-request-id') ?? randomUUID();
  event.locals.clientAddress = event.request.headers.get('x-client-address');
  event.locals.services = services;
  // Each page takes a body of its own size (a form, or the caseload page's file), refused before it is read.
  if (Number(event.request.headers.get('content-length')) > bodyLimitFor(event.url.pathname)) {
    error(413, { message: 'What was sent is larger than this page takes.', requestId: event.locals.requestId });
  }
  let mustEnrol = false;
  try {
    const session = await services.auth.resolveSession(event.cookies.get(SESSION_COOKIE));
    event.locals.actor = session?.actor ?? null;
    mustEnrol = session?.mustEnrolSecondFactor ?? false;
  } catch (e) {
    // Every page starts here, so an outage is met here first: 503 and src/error.html, which needs no database.
    if (isDatabaseUnavailable(e)) error(503, { message: DATABASE_UNAVAILABLE_MESSAGE, requestId: event.locals.requestId });
    throw e;
  }
  event.locals.ctx = event.locals.actor
    ? {
        actor: event.locals.actor,
        requestId: event.locals.requestId,
        clientAddress: event.locals.clientAddress,
        userAgent: event.request.headers.get('user-agent'),
      }
    : null;

  if (!event.locals.actor && !PUBLIC_PATHS.has(event.url.pathname)) {
    const next = event.url.pathname + event.url.search;
    redirect(303, next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`);
  }
  event.locals.mustEnrolSecondFactor = mustEnrol;
  if (mustEnrol && !ENROLMENT_PATHS.has(event.url.pathname)) redirect(303, '/account');
  // Every route parameter is a record id ([id]): one that is not a UUID is a page that does not exist.
  for (const value of Object.values(event.params)) recordId(value);
  const response = await resolve(event);
  // Pages show patient data: never keep them in a shared or browser cache.
  response.headers.set('cache-control', 'no-store');
  return response;
};

export const handleError: HandleServerError = ({ error, event, status }) => {
  const requestId = event.locals.requestId;
  // The database went away after the session was read: still a 500 to SvelteKit, but said plainly.
  const unavailable = isDatabaseUnavailable(error);
  if (status !== 404) appContext().log.error({ err: error, requestId, url: event.url.pathname }, unavailable ? 'database unavailable' : 'page error');
  return { message: unavailable ? DATABASE_UNAVAILABLE_MESSAGE : 'Try again later. Nothing you were entering has been saved.', requestId };
};
