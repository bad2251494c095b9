import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { page, problem } from '../../lib/schemas/common.schema';
import { auditEntry, auditQuery } from '../../lib/schemas/audit.schema';
import { ctxOf } from '../plugins/auth.plugin';

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get('/audit', {
    config: { permission: 'audit:read' },
    schema: {
      tags: ['Audit'],
      summary: 'The audit trail (admin)',
      description: 'Who did what, when, from where, with the record before and after; newest first. Read-only: no endpoint changes an entry, and the database refuses updates and deletes.',
      querystring: auditQuery,
      response: { 200: page(auditEntry), 400: problem, 401: problem, 403: problem },
    },
    handler: async (req) => app.services.audit.list(ctxOf(req), req.query),
  });
};

export default routes;
