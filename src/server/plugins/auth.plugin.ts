import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { UserActor } from '../../lib/domain/access';
import { unauthorized } from '../../lib/domain/errors';
import { SESSION_COOKIE } from '../../lib/server/auth/session-cookie';
import type { Ctx, RequestMeta } from '../../lib/server/context';

declare module 'fastify' {
  interface FastifyRequest {
    actor: UserActor | null;
    /** MFA_REQUIRED_ROLES: this session must add an authenticator before anything else. */
    mustEnrolSecondFactor: boolean;
  }
}

export const metaOf = (req: FastifyRequest): RequestMeta => ({
  requestId: String(req.id),
  clientAddress: req.ip ?? null,
  userAgent: req.headers['user-agent'] ?? null,
});

/** The service context of a signed-in request; 401 otherwise. */
export function ctxOf(req: FastifyRequest): Ctx<UserActor> {
  if (!req.actor) throw unauthorized();
  return { ...metaOf(req), actor: req.actor };
}

export const sessionToken = (req: FastifyRequest): string | undefined => req.cookies[SESSION_COOKIE];

/** True when the browser reached us over https (directly, or through a proxy that says so). */
export const isSecure = (req: FastifyRequest, origin?: string) => req.protocol === 'https' || origin?.startsWith('https:') === true;

/** Resolves the session cookie to an actor once per API request. */
export default fp(async function auth(app: FastifyInstance) {
  await app.register(cookie);
  app.decorateRequest('actor', null);
  app.decorateRequest('mustEnrolSecondFactor', false);
  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/api/v1/')) return;
    const session = await app.services.auth.resolveSession(sessionToken(req));
    req.actor = session?.actor ?? null;
    req.mustEnrolSecondFactor = session?.mustEnrolSecondFactor ?? false;
  });
});
