import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problem } from '../../lib/schemas/common.schema';
import { loginBody, user } from '../../lib/schemas/users.schema';
import { SESSION_COOKIE, sessionCookieOptions } from '../../lib/server/auth/session-cookie';
import { ctxOf, isSecure, metaOf, sessionToken } from '../plugins/auth.plugin';

const routes: FastifyPluginAsyncZod<{ origin?: string }> = async (app, { origin }) => {
  app.post('/auth/login', {
    config: { public: true },
    schema: {
      tags: ['Sign-in'],
      summary: 'Sign in',
      description:
        'Opens a session and sets it as an HttpOnly, SameSite=Lax cookie (Secure over https). Any session the client already had is ended. An unknown email and a wrong password get the same 401. After 5 failures for one account, or 30 from one address, within 15 minutes, attempts get 429 with Retry-After until the window passes.',
      body: loginBody,
      response: { 200: z.object({ user }), 400: problem, 401: problem, 429: problem },
    },
    handler: async (req, reply) => {
      const signedIn = await app.services.auth.login(req.body.email, req.body.password, metaOf(req), sessionToken(req));
      reply.setCookie(SESSION_COOKIE, signedIn.token, sessionCookieOptions(isSecure(req, origin), signedIn.expiresAt));
      return { user: signedIn.user };
    },
  });

  app.post('/auth/logout', {
    config: { public: true },
    schema: {
      tags: ['Sign-in'],
      summary: 'Sign out',
      description: 'Ends the session (if any) and clears the cookie. Answers 204 even when not signed in.',
      response: { 204: z.null() },
    },
    handler: async (req, reply) => {
      await app.services.auth.logout(sessionToken(req), metaOf(req));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  });

  app.get('/me', {
    schema: { tags: ['Sign-in'], summary: 'The signed-in user', response: { 200: user, 401: problem } },
    handler: async (req) => {
      const { actor } = ctxOf(req);
      return { id: actor.userId, email: actor.email, name: actor.name, role: actor.role, siteIds: actor.siteIds };
    },
  });
};

export default routes;
