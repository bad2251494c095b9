import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { idParams, problem } from '../../lib/schemas/common.schema';
import { createDeviceBody, device, deviceQuery, updateDeviceBody } from '../../lib/schemas/devices.schema';
import { z } from 'zod';
import { ctxOf } from '../plugins/auth.plugin';

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get('/devices', {
    config: { permission: 'devices:read' },
    schema: {
      tags: ['Devices'],
      summary: 'The device catalogue',
      description: 'Pumps, CGMs and algorithms a device start may name (`device_started` refuses others with 400). Short reference data: not paged.',
      querystring: deviceQuery,
      response: { 200: z.object({ items: z.array(device) }), 401: problem },
    },
    handler: async (req) => app.services.devices.list(ctxOf(req), req.query),
  });

  app.post('/devices', {
    config: { permission: 'devices:manage' },
    schema: {
      tags: ['Devices'],
      summary: 'Add a device to the catalogue (admin)',
      description: 'A second device of the same kind and name gets 409.',
      body: createDeviceBody,
      response: { 201: device, 400: problem, 401: problem, 403: problem, 409: problem },
    },
    handler: async (req, reply) => reply.code(201).send(await app.services.devices.create(ctxOf(req), req.body)),
  });

  app.patch('/devices/:id', {
    config: { permission: 'devices:manage' },
    schema: {
      tags: ['Devices'],
      summary: 'Retire, restore or correct a device (admin)',
      params: idParams,
      body: updateDeviceBody,
      response: { 200: device, 400: problem, 401: problem, 403: problem, 404: problem, 409: problem },
    },
    handler: async (req) => app.services.devices.update(ctxOf(req), req.params.id, req.body),
  });
};

export default routes;
