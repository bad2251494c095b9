import { randomUUID } from 'node:crypto';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../lib/server/config';
import type { Services } from '../lib/server/services';
import auditRoutes from './api/audit.routes';
import authRoutes from './api/auth.routes';
import deviceRoutes from './api/devices.routes';
import exportRoutes from './api/exports.routes';
import healthRoutes from './api/health.routes';
import importRoutes from './api/imports.routes';
import referenceRoutes from './api/reference.routes';
import implementationRoutes from './api/implementation.routes';
import metricsRoutes from './api/metrics.routes';
import metricsSeriesRoutes from './api/metrics-series.routes';
import patientRoutes from './api/patients.routes';
import problemRoutes from './api/problems.routes';
import referralRoutes from './api/referrals.routes';
import siteRoutes from './api/sites.routes';
import userRoutes from './api/users.routes';
import accessPlugin from './plugins/access.plugin';
import authPlugin from './plugins/auth.plugin';
import jsonBodyPlugin from './plugins/json-body.plugin';
import lingeringClosePlugin from './plugins/lingering-close.plugin';
import openapiPlugin from './plugins/openapi.plugin';
import problemsPlugin, { sendProblem } from './plugins/problems.plugin';
import pagesPlugin, { type PagesMode } from './plugins/pages.plugin';
import { createLogger } from './logger';

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface AppOptions {
  config: Pick<Config, 'ORIGIN' | 'LOG_LEVEL' | 'NODE_ENV'> & { TRUST_PROXY?: boolean };
  services: Services;
  pages?: PagesMode;
  logger?: FastifyBaseLogger;
}

/** Builds the whole app (API and pages) around services that the caller owns and closes. */
export async function buildApp({ config, services, pages = 'none', logger }: AppOptions) {
  const app = Fastify({
    loggerInstance: logger ?? createLogger(config.LOG_LEVEL),
    genReqId: () => randomUUID(),
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY ?? false,
    // Lets in-flight requests finish on close while refusing new ones with 503.
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('services', services);

  app.addHook('onRequest', async (req, reply) => {
    // Set on the raw response so that pages served by SvelteKit (hijacked replies) carry it too.
    reply.raw.setHeader('x-request-id', String(req.id));
  });

  await app.register(lingeringClosePlugin);
  await app.register(problemsPlugin);
  await app.register(helmet, {
    // Pages get their Content Security Policy from SvelteKit (with per-response nonces); the API sends JSON only.
    contentSecurityPolicy: false,
    crossOriginEmbedderPolicy: false,
    // Not no-referrer: under it browsers send `Origin: null` with form posts, and SvelteKit's CSRF check refuses them.
    referrerPolicy: { policy: 'same-origin' },
    // HSTS only means something over https, where the operator sets it at the proxy or with ORIGIN.
    strictTransportSecurity: config.ORIGIN?.startsWith('https:') ? undefined : false,
  });
  await app.register(authPlugin);
  await app.register(openapiPlugin);

  await app.register(async (api) => {
    await api.register(jsonBodyPlugin);
    await api.register(healthRoutes);
    await api.register(problemRoutes);
    await api.register(
      async (v1) => {
        await v1.register(accessPlugin);
        await v1.register(authRoutes, { origin: config.ORIGIN });
        await v1.register(userRoutes);
        await v1.register(siteRoutes);
        await v1.register(patientRoutes);
        await v1.register(referralRoutes);
        await v1.register(auditRoutes);
        await v1.register(deviceRoutes);
        await v1.register(implementationRoutes);
        await v1.register(metricsRoutes);
        await v1.register(metricsSeriesRoutes);
        await v1.register(exportRoutes);
        await v1.register(importRoutes);
        await v1.register(referenceRoutes);
      },
      { prefix: '/v1' },
    );
    // Unknown API paths answer JSON, never a page.
    api.all('/*', { schema: { hide: true } }, async (req, reply) =>
      sendProblem(reply, 'not_found', `No such endpoint: ${req.method} ${req.url.split('?')[0]}`),
    );
  }, { prefix: '/api' });

  await app.register(pagesPlugin, { mode: pages });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
