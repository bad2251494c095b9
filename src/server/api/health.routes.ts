import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const HEALTH_TIMEOUT_MS = 2_000;

/** Present only when a read replica is configured (READ_DATABASE_URL). */
const replicaFields = {
  replica: z
    .enum(['ok', 'lagging', 'unreachable'])
    .optional()
    .describe(
      'The read replica: `ok` when it answers and is at most `READ_MAX_LAG_SECONDS` behind; `lagging` when it is further behind; `unreachable` when it does not answer. Metrics, dashboard series, SPC, equity and the national return are read from it only when `ok`, else from the primary.',
    ),
  replicaLagSeconds: z
    .number()
    .nullable()
    .optional()
    .describe(
      'How far the replica is behind the primary, in seconds (to a tenth): 0 when it has replayed everything it has received, else the time since the last transaction it replayed was committed. Null when it is unreachable, or has replayed nothing yet.',
    ),
};

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get('/health', {
    schema: {
      tags: ['Operations'],
      summary: 'Liveness and database check',
      description:
        '200 when the database answers within 2 seconds, else 503: a load balancer takes a process whose database is unreachable out of service. With a read replica configured, the answer also says how the replica is; a replica problem alone never makes it 503, because reads then go to the primary.',
      response: {
        200: z.object({ status: z.literal('ok'), database: z.literal('ok'), ...replicaFields }),
        503: z.object({ status: z.literal('unavailable'), database: z.literal('unreachable'), ...replicaFields }),
      },
    },
    handler: async (req, reply) => {
      let timer: NodeJS.Timeout | undefined;
      const replica = app.services.health.replica();
      try {
        await Promise.race([
          app.services.health.check(),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), HEALTH_TIMEOUT_MS))),
        ]);
        return { status: 'ok' as const, database: 'ok' as const, ...(await replica) };
      } catch (err) {
        req.log.warn({ err }, 'health check: database unreachable');
        return reply.code(503).send({ status: 'unavailable' as const, database: 'unreachable' as const, ...(await replica) });
      } finally {
        clearTimeout(timer);
      }
    },
  });
};

export default routes;
