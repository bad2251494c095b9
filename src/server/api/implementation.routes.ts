import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams, problem } from '../../lib/schemas/common.schema';
import { barrier, createBarrierBody, createFacilitationBody, facilitation, updateBarrierBody } from '../../lib/schemas/implementation.schema';
import { ctxOf } from '../plugins/auth.plugin';

const WHO_WRITES = 'Admins, and nurses and consultants of the site (404 for a site outside theirs).';

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get('/sites/:id/facilitation', {
    config: { permission: 'implementation:read' },
    schema: {
      tags: ['Implementation'],
      summary: "A site's facilitation activities, oldest first",
      params: idParams,
      response: { 200: z.object({ items: z.array(facilitation) }), 401: problem, 404: problem },
    },
    handler: async (req) => app.services.implementation.listFacilitation(ctxOf(req), req.params.id),
  });

  app.post('/sites/:id/facilitation', {
    config: { permission: 'implementation:write' },
    schema: {
      tags: ['Implementation'],
      summary: 'Log a facilitation activity',
      description: `Active (hands-on) or passive (e.g. a web toolkit) help given to the site. ${WHO_WRITES} \`on\` not in the future.`,
      params: idParams,
      body: createFacilitationBody,
      response: { 201: facilitation, 400: problem, 401: problem, 403: problem, 404: problem },
    },
    handler: async (req, reply) => reply.code(201).send(await app.services.implementation.logFacilitation(ctxOf(req), req.params.id, req.body)),
  });

  app.get('/sites/:id/barriers', {
    config: { permission: 'implementation:read' },
    schema: {
      tags: ['Implementation'],
      summary: "A site's barriers, newest first",
      params: idParams,
      response: { 200: z.object({ items: z.array(barrier) }), 401: problem, 404: problem },
    },
    handler: async (req) => app.services.implementation.listBarriers(ctxOf(req), req.params.id),
  });

  app.post('/sites/:id/barriers', {
    config: { permission: 'implementation:write' },
    schema: {
      tags: ['Implementation'],
      summary: 'Record a barrier',
      description: `What is holding the site back. ${WHO_WRITES} Dates not in the future; resolvedOn not before raisedOn.`,
      params: idParams,
      body: createBarrierBody,
      response: { 201: barrier, 400: problem, 401: problem, 403: problem, 404: problem },
    },
    handler: async (req, reply) => reply.code(201).send(await app.services.implementation.raiseBarrier(ctxOf(req), req.params.id, req.body)),
  });

  app.patch('/barriers/:id', {
    config: { permission: 'implementation:write' },
    schema: {
      tags: ['Implementation'],
      summary: 'Resolve (or reopen) a barrier',
      description: 'Send the `version` you read; a stale one gets 409.',
      params: idParams,
      body: updateBarrierBody,
      response: { 200: barrier, 400: problem, 401: problem, 403: problem, 404: problem, 409: problem },
    },
    handler: async (req) => app.services.implementation.resolveBarrier(ctxOf(req), req.params.id, req.body),
  });
};

export default routes;
