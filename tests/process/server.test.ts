import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HAS_BUILD, startServer } from '../support/server-process';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const dataDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'pp-proc-'));
  dirs.push(d);
  return d;
};

describe('the server process', () => {
  it('stops at once with one line naming a bad variable', async () => {
    const { spawnSync } = await import('node:child_process');
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], { env: { ...process.env, PORT: 'eighty' }, encoding: 'utf8' });
    expect(res.status).toBe(78);
    expect(res.stderr.trim()).toBe('Configuration error: PORT Invalid input: expected number, received NaN (got "eighty")');
  });

  // The page handler comes from the production build; CI builds before it tests.
  describe.skipIf(!HAS_BUILD)('(needs `npm run build`)', () => {
    // A new embedded folder is created and filled with the demo first: that alone can take 20 s on a busy machine.
    it('refuses to open an embedded database that another server holds', { timeout: 120_000 }, async () => {
      const dir = await dataDir();
      const first = await startServer({ DATA_DIR: dir });
      try {
        const second = startServer({ DATA_DIR: dir });
        await expect(second).rejects.toThrow(/is in use by another Pump Pathway process/);
      } finally {
        first.child.kill('SIGTERM');
        await first.exited;
      }
    });

    it('with DEMO_FHIR=false starts no demo FHIR server, and its FHIR features say there is none', { timeout: 120_000 }, async () => {
      const server = await startServer({ DATA_DIR: await dataDir(), DEMO_FHIR: 'false' });
      try {
        const call = async (path: string, init: RequestInit = {}) => fetch(new URL(path, server.url), init);
        const login = await call('/api/v1/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'nurse@example.org', password: 'insulin-pump-demo' }),
        });
        const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
        const { siteIds } = await (await call('/api/v1/me', { headers: { cookie } })).json();
        const imported = await call('/api/v1/patients/import', {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/json' },
          body: JSON.stringify({ siteId: siteIds[0], nhsNumber: '9434765919' }),
        });
        expect(imported.status).toBe(503);
      } finally {
        server.child.kill('SIGTERM');
        await server.exited;
      }
    });

    it('on SIGTERM lets an in-flight request finish, then exits cleanly', { timeout: 120_000 }, async () => {
      const server = await startServer({ DATA_DIR: await dataDir() });
      const body = JSON.stringify({ email: 'admin@example.org', password: 'insulin-pump-demo' });
      const url = new URL('/api/v1/auth/login', server.url);
      const response = new Promise<number>((resolve, reject) => {
        const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        // Half the body now, SIGTERM, the rest after: the request is in flight when the signal arrives.
        req.write(body.slice(0, 10));
        setTimeout(() => {
          server.child.kill('SIGTERM');
          setTimeout(() => req.end(body.slice(10)), 300);
        }, 200);
      });
      expect(await response).toBe(200);
      expect(await server.exited).toBe(0);
      expect(server.output()).toContain('"msg":"stopped"');
    });
  });
});
