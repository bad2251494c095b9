import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams, listQuery, page, problem } from '../../lib/schemas/common.schema';
import { createUserBody, user } from '../../lib/schemas/users.schema';
import { ctxOf } from '../plugins/auth.plugin';

const routes: FastifyPluginAsyncZod = async (app) => {
  app.post('/users', {
    config: { permission: 'users:manage' },
    schema: {
      tags: ['Users'],
      summary: 'Create a user (admin)',
      description:
        'The password is stored as an argon2id hash and never returned. A second user with the same email (case-insensitive) gets 409. With single sign-on set up the password may be left out: that person signs in only through the identity provider, matched by their verified email the first time and by the provider\'s subject after that. Their role and sites are always these, never the provider\'s.',
      body: createUserBody,
      response: { 201: user, 400: problem, 401: problem, 403: problem, 409: problem },
    },
    handler: async (req, reply) => reply.code(201).send(await app.services.users.create(ctxOf(req), req.body)),
  });

  app.get('/users', {
    config: { permission: 'users:manage' },
    schema: {
      tags: ['Users'],
      summary: 'List users (admin)',
      querystring: listQuery,
      response: { 200: page(user), 401: problem, 403: problem },
    },
    handler: async (req) => app.services.users.list(ctxOf(req), req.query),
  });

  app.delete('/users/:id/totp', {
    config: { permission: 'users:manage' },
    schema: {
      tags: ['Users'],
      summary: "Reset someone's authenticator app (admin)",
      description:
        'Removes the person\'s authenticator app and recovery codes (a lost or replaced phone): they sign in with their password alone and can add a new one (must, when their role is in MFA_REQUIRED_ROLES). Audited. 404 when the user does not exist or has no authenticator.',
      params: idParams,
      response: { 204: z.null(), 401: problem, 403: problem, 404: problem },
    },
    handler: async (req, reply) => {
      await app.services.secondFactor.reset(ctxOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  });
};

export default routes;
