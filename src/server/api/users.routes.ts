import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { listQuery, page, problem } from '../../lib/schemas/common.schema';
import { createUserBody, user } from '../../lib/schemas/users.schema';
import { ctxOf } from '../plugins/auth.plugin';

const routes: FastifyPluginAsyncZod = async (app) => {
  app.post('/users', {
    config: { permission: 'users:manage' },
    schema: {
      tags: ['Users'],
      summary: 'Create a user (admin)',
      description: 'The password is stored as an argon2id hash and never returned. A second user with the same email (case-insensitive) gets 409.',
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
};

export default routes;
