import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app';

/**
 * A body over the limit, sent by Node's own HTTP client over a real socket, as most integration clients do: the
 * client must read the 413, not fail with EPIPE or a reset because the connection closed while it was sending.
 */

const t = await createTestApp();
await t.app.listen({ port: 0, host: '127.0.0.1' });
afterAll(() => t.app.close());
const { port } = t.app.server.address() as AddressInfo;
const admin = await t.as('admin');

/**
 * Sends `bytes` of JSON in 64 KiB writes, each after the last has drained. Resolves, once the request is over, with
 * the answer's status and any error the client saw on the way (an EPIPE or reset after the answer still fails a
 * client that waits for its request to finish sending).
 */
function post(path: string, bytes: number, headers: Record<string, string | number> = {}): Promise<{ status: number | null; error: string | null }> {
  return new Promise((resolve) => {
    let status: number | null = null;
    let error: string | null = null;
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: { 'content-type': 'application/json', cookie: admin.cookie, ...headers } });
    req.on('response', (res) => {
      status = res.statusCode!;
      res.resume();
    });
    req.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    req.on('close', () => resolve({ status, error }));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const write = () => {
      while (sent < bytes && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) return req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

describe('a body over the limit', () => {
  it('gets its 413 when its length was declared, every time', async () => {
    const bytes = 8 * 1024 * 1024;
    for (let i = 0; i < 10; i++) expect(await post('/api/v1/sites', bytes, { 'content-length': bytes })).toEqual({ status: 413, error: null });
  });

  it('gets its 413 when it was sent in chunks of unknown total length', async () => {
    for (let i = 0; i < 5; i++) expect(await post('/api/v1/sites', 8 * 1024 * 1024)).toEqual({ status: 413, error: null });
  });

  it('leaves the server answering the next request on a fresh connection', async () => {
    const health = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(health.status).toBe(200);
  });
});
