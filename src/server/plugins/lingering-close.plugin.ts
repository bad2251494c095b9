import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** How long, and how much more, a refused body is read before the answer goes anyway. */
export const LINGER_MS = 5_000;
export const LINGER_MAX_BYTES = 64 * 1024 * 1024;

/**
 * A body over the limit is refused with 413 before it is read. Closing the connection then, while the client is
 * still sending, makes many HTTP clients (Node's own among them) fail with EPIPE or a reset instead of reading the
 * 413. So, in the spirit of nginx's lingering close, the rest of the body is read and discarded, for a bounded time
 * and size, before the answer is finished and the connection closed. This holds for the API and for the pages,
 * whose answers SvelteKit writes straight to the raw response.
 */
export default fp(async function lingeringClose(app: FastifyInstance) {
  app.addHook('onRequest', async (req, reply) => {
    const res = reply.raw;
    const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
    res.end = ((...args: unknown[]) => {
      if (res.statusCode !== 413 || req.raw.complete || req.raw.destroyed) return end(...args);
      void drain(req.raw).then(() => end(...args));
      return res;
    }) as typeof res.end;
  });
});

/** Reads and discards the rest of the request, until it ends, LINGER_MS pass or LINGER_MAX_BYTES arrive. */
function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    let read = 0;
    const done = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', done);
      req.off('close', done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      read += chunk.length;
      if (read > LINGER_MAX_BYTES) done();
    };
    const timer = setTimeout(done, LINGER_MS);
    req.on('data', onData);
    req.once('end', done);
    req.once('close', done);
    req.resume();
  });
}
