import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const HEALTH_TIMEOUT_MS = 2_000;

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get('/health', {
    schema: {
      tags: ['Operations'],
      summary: 'Liveness and database check',
      description: '200 when the database answers within 2 seconds, else 503.',
      response: {
        200: z.object({ status: z.literal('ok'), database: z.literal('ok') }),
        503: z.object({ status: z.literal('unavailable'), database: z.literal('unreachable') }),
      },
    },
    handler: async (req, reply) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          app.services.health.check(),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), HEALTH_TIMEOUT_MS))),
        ]);
        return { status: 'ok' as const, database: 'ok' as const };
      } catch (err) {
        req.log.warn({ err }, 'health check: database unreachable');
        return reply.code(503).send({ status: 'unavailable' as const, database: 'unreachable' as const });
      } finally {
        clearTimeout(timer);
      }
    },
  });
};

export default routes;
