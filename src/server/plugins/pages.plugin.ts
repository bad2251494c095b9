import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { LARGEST_PAGE_BODY } from '../../lib/server/pages/body-limits';

export type PagesMode = 'build' | 'dev' | 'none';
type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;

const BUILD_HANDLER = resolve('build/handler.js');

/**
 * Serves the SvelteKit pages from this same process: the adapter-node build in production, Vite in middleware
 * mode (with hot reload) in development. Registered last, as a catch-all: the API's routes are more specific and win.
 */
export default async function pages(app: FastifyInstance, { mode }: { mode: PagesMode }) {
  if (mode === 'none') return;
  const handler = mode === 'build' ? await loadBuild() : await startVite(app);

  // SvelteKit reads request bodies itself.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));

  app.all('/*', { schema: { hide: true } }, (req, reply) => {
    // Tell SvelteKit the protocol the browser used (see main.ts), and the request id to log and audit with.
    // Both overwrite whatever the client sent.
    req.raw.headers['x-forwarded-proto'] = req.protocol;
    req.raw.headers['x-request-id'] = String(req.id);
    req.raw.headers['x-client-address'] = req.ip;
    reply.hijack();
    handler(req.raw, reply.raw, () => {
      reply.raw.statusCode = 404;
      reply.raw.end('Not found');
    });
  });
}

async function loadBuild(): Promise<NodeHandler> {
  if (!existsSync(BUILD_HANDLER)) throw new Error(`No page build at ${BUILD_HANDLER}: run "npm run build" first`);
  // adapter-node reads its one body limit as the handler loads: the largest page's, each page held to its own by
  // the pages' hook (src/lib/server/pages/body-limits.ts).
  process.env.BODY_SIZE_LIMIT ??= String(LARGEST_PAGE_BODY);
  const mod = (await import(pathToFileURL(BUILD_HANDLER).href)) as { handler: NodeHandler };
  return mod.handler;
}

async function startVite(app: FastifyInstance): Promise<NodeHandler> {
  const { createServer } = await import('vite');
  const vite = await createServer({
    server: { middlewareMode: true, hmr: { server: app.server } },
    appType: 'custom',
  });
  app.addHook('onClose', () => vite.close());
  return vite.middlewares as unknown as NodeHandler;
}
