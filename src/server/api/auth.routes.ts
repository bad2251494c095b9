import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problem } from '../../lib/schemas/common.schema';
import { loginBody, secondFactorCode, totpEnrolment, user } from '../../lib/schemas/users.schema';
import { SESSION_COOKIE, sessionCookieOptions } from '../../lib/server/auth/session-cookie';
import { ctxOf, isSecure, metaOf, sessionToken } from '../plugins/auth.plugin';

const routes: FastifyPluginAsyncZod<{ origin?: string }> = async (app, { origin }) => {
  app.post('/auth/login', {
    config: { public: true },
    schema: {
      tags: ['Sign-in'],
      summary: 'Sign in',
      description:
        'Opens a session and sets it as an HttpOnly, SameSite=Lax cookie (Secure over https). Any session the client already had is ended. An unknown email and a wrong password get the same 401, as does a person who signs in only through single sign-on (they have no password). ' +
        'Once the account has an authenticator app, `totp` is needed too: without it the answer is 401 with `type` `/api/problems/mfa-required`, and a wrong code is the same 401 and counts as a failed attempt. ' +
        'After 5 failures (wrong passwords and wrong codes alike) for one account, or 30 from one address, within 15 minutes, attempts get 429 with Retry-After until the window passes. ' +
        'With PASSWORD_SIGN_IN=false (single sign-on only) every attempt gets 403, as does the right password of an account an administrator has closed. A role listed in MFA_REQUIRED_ROLES still signs in (200) without an authenticator, and then gets 403 `/api/problems/mfa-enrolment-required` everywhere until it adds one.',
      body: loginBody,
      response: { 200: z.object({ user }), 400: problem, 401: problem, 403: problem, 429: problem },
    },
    handler: async (req, reply) => {
      const signedIn = await app.services.auth.login(req.body.email, req.body.password, metaOf(req), sessionToken(req), req.body.totp);
      reply.setCookie(SESSION_COOKIE, signedIn.token, sessionCookieOptions(isSecure(req, origin), signedIn.expiresAt));
      return { user: signedIn.user };
    },
  });

  app.post('/auth/logout', {
    config: { public: true },
    schema: {
      tags: ['Sign-in'],
      summary: 'Sign out',
      description:
        'Ends the session (if any) and clears the cookie. Answers 204 even when not signed in. (The sign-out button of the pages also ends the identity provider\'s session after a single sign-on; an API client has no browser to send there.)',
      response: { 204: z.null() },
    },
    handler: async (req, reply) => {
      await app.services.auth.logout(sessionToken(req), metaOf(req));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  });

  app.get('/me', {
    config: { duringEnrolment: true },
    schema: { tags: ['Sign-in'], summary: 'The signed-in user', response: { 200: user, 401: problem } },
    handler: async (req) => {
      const { actor } = ctxOf(req);
      return { id: actor.userId, email: actor.email, name: actor.name, role: actor.role, siteIds: actor.siteIds };
    },
  });

  app.post('/me/totp', {
    config: { duringEnrolment: true },
    schema: {
      tags: ['Sign-in'],
      summary: 'Start adding an authenticator app',
      description:
        'For an account that signs in with a password. Answers a new TOTP secret (RFC 6238: SHA-1, 30-second steps, 6 digits) as base32 and as an otpauth:// URI for a QR code, and ten one-time recovery codes. They are shown this once: the codes are stored only as argon2id hashes, the secret encrypted. ' +
        'Nothing changes at sign-in until POST /api/v1/me/totp/confirm; calling this again replaces an unconfirmed enrolment. 409 when an authenticator is already active; 403 for a person who signs in only through single sign-on.',
      response: { 200: totpEnrolment, 401: problem, 403: problem, 409: problem },
    },
    handler: async (req) => app.services.secondFactor.begin(ctxOf(req)),
  });

  app.post('/me/totp/confirm', {
    config: { duringEnrolment: true },
    schema: {
      tags: ['Sign-in'],
      summary: 'Confirm the authenticator app',
      description:
        'Makes the authenticator started with POST /api/v1/me/totp active, with a current code from it: from then on, signing in with the password needs a code too. A wrong code is 400 on `code` and changes nothing; 409 when there is nothing to confirm.',
      body: secondFactorCode,
      response: { 204: z.null(), 400: problem, 401: problem, 409: problem },
    },
    handler: async (req, reply) => {
      await app.services.secondFactor.confirm(ctxOf(req), req.body.code);
      return reply.code(204).send(null);
    },
  });

  app.delete('/me/totp', {
    schema: {
      tags: ['Sign-in'],
      summary: 'Remove your authenticator app',
      description:
        'Removes the active authenticator and its recovery codes, with a current code or an unused recovery code (so that a session left open is not enough). A wrong code is 400 on `code` and counts as a failed sign-in (429 after too many). 404 when there is no active authenticator. A role in MFA_REQUIRED_ROLES must then add one again.',
      body: secondFactorCode,
      response: { 204: z.null(), 400: problem, 401: problem, 404: problem, 429: problem },
    },
    handler: async (req, reply) => {
      await app.services.secondFactor.disable(ctxOf(req), req.body.code);
      return reply.code(204).send(null);
    },
  });
};

export default routes;
