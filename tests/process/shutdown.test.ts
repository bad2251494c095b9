import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freshDatabase, onPostgresServer } from '../support/database';
import { callApi, HAS_BUILD, startServer, type ServerProcess } from '../support/server-process';
import { tcpRelay } from '../support/tcp-relay';

/**
 * A service manager sends SIGTERM and waits (systemd 90 s, Kubernetes 30 s by default) before it kills. The server
 * gives in-flight requests 25 s; these tests allow 40 s for it to be gone at all. They never time how fast it is.
 */
const EXIT_BOUND_MS = 40_000;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function started(env: Record<string, string>) {
  const server = await startServer(env);
  cleanups.push(async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    await server.exited;
  });
  return server;
}

/** The server's exit code once it has gone, or 'still running' when it has not within the bound. */
async function exitCode(server: ServerProcess): Promise<number | null | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), EXIT_BOUND_MS)));
  try {
    return await Promise.race([server.exited, bound]);
  } finally {
    clearTimeout(timer);
  }
}

/** A fresh PostgreSQL database reached through a relay the test can cut or silence. */
async function postgresThroughRelay() {
  const fresh = await freshDatabase();
  const relay = tcpRelay(new URL(fresh.url!));
  await relay.start();
  cleanups.push(() => fresh.close(), () => relay.close());
  return relay;
}

/** A database for a server the test does not break: PostgreSQL when the run has one, else a new embedded folder. */
async function anyDatabase(): Promise<Record<string, string>> {
  if (onPostgresServer()) {
    const fresh = await freshDatabase();
    cleanups.push(() => fresh.close());
    return { DATABASE_URL: fresh.url! };
  }
  const dir = await mkdtemp(join(tmpdir(), 'pp-shutdown-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return { DATA_DIR: dir };
}

const signIn = { email: 'nobody@shutdown.test', password: 'not-the-password-1' };

/** A sign-in sent in two parts: the server has the request, and waits for the rest of its body. */
function signInInTwoParts(baseUrl: string) {
  const body = JSON.stringify(signIn);
  let req!: ReturnType<typeof request>;
  const status = new Promise<number | 'connection closed'>((resolve) => {
    req = request(new URL('/api/v1/auth/login', baseUrl), { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', () => resolve('connection closed'));
  });
  req.write(body.slice(0, 10));
  return { status, finish: () => req.end(body.slice(10)) };
}

/** Requests whose log lines are long (the server logs each URL): a couple of MiB of log in a few hundred requests. */
async function logMuch(server: ServerProcess) {
  const padding = 'x'.repeat(8000);
  for (let i = 0; i < 300; i++) expect((await callApi(server.url, 'GET', `/api/nowhere?padding=${padding}`)).status).toBe(404);
}

describe.skipIf(!HAS_BUILD)('stopping the server (needs `npm run build`)', () => {
  describe.runIf(onPostgresServer())('when its PostgreSQL database has gone', () => {
    it('stops on SIGTERM when the database server has stopped, answering the request in flight with 503', { timeout: 120_000 }, async () => {
      const relay = await postgresThroughRelay();
      const server = await started({ DATABASE_URL: relay.url() });
      const inFlight = signInInTwoParts(server.url);
      await expect.poll(() => server.output(), { timeout: 10_000 }).toContain('"url":"/api/v1/auth/login"');

      await relay.cut();
      server.child.kill('SIGTERM');
      inFlight.finish();

      expect(await inFlight.status).toBe(503);
      expect(await exitCode(server)).toBe(0);
      expect(server.output()).toContain('"msg":"stopped"');
    });

    it('stops on SIGTERM within the grace period when the database has gone silent under a request in flight, exiting with 1', { timeout: 120_000 }, async () => {
      const relay = await postgresThroughRelay();
      // A silent network is bounded by the statement timeout (tests/process/silent-network.test.ts): here it is set
      // longer than the grace period, so that a request is still waiting when the grace period ends.
      const server = await started({ DATABASE_URL: relay.url(), DATABASE_STATEMENT_TIMEOUT_MS: '60000' });
      // A first sign-in leaves an open connection in the pool, on which the next one's query will wait.
      expect((await callApi(server.url, 'POST', '/api/v1/auth/login', { body: signIn })).status).toBe(401);

      relay.silence();
      const stuck = callApi(server.url, 'POST', '/api/v1/auth/login', { body: signIn }).then(
        (answer) => answer.status,
        () => 'connection closed',
      );
      await expect.poll(() => relay.swallowedBytes(), { timeout: 10_000 }).toBeGreaterThan(0);
      server.child.kill('SIGTERM');

      expect(await exitCode(server)).toBe(1);
      expect(await stuck).toBe('connection closed');
      expect(server.output()).toContain('in-flight requests did not finish in time');
    });
  });

  describe('when nobody reads its log', () => {
    it('keeps answering, and stops on SIGTERM', { timeout: 120_000 }, async () => {
      const server = await started(await anyDatabase());
      server.child.stdout.pause(); // the log's reader stops reading: the pipe fills, and stays full

      await logMuch(server);
      expect((await callApi(server.url, 'GET', '/api/health')).status).toBe(200);
      server.child.kill('SIGTERM');

      expect(await exitCode(server)).toBe(0);
    });

    it('holds back what the reader has not taken, drops the excess, and says how many lines it dropped once read again', { timeout: 120_000 }, async () => {
      const server = await started(await anyDatabase());
      let stdout = '';
      server.child.stdout.on('data', (d) => (stdout += d));
      server.child.stdout.pause();

      await logMuch(server);
      server.child.stdout.resume();

      // (The log is not printed on failure: its lines are long.)
      const wholeLines = () => stdout.slice(0, stdout.lastIndexOf('\n')).split('\n');
      await expect.poll(() => wholeLines().some((line) => line.includes('"droppedLines"')), { timeout: 20_000 }).toBe(true);
      const warning = JSON.parse(wholeLines().find((line) => line.includes('"droppedLines"'))!);
      expect(warning).toMatchObject({ level: 40, msg: 'log lines were dropped while standard output was not read' });
      expect(warning.droppedLines).toBeGreaterThan(0);
      // Far more than a pipe holds (64 KiB): what was held back came through once the log was read again.
      expect(Buffer.byteLength(stdout)).toBeGreaterThan(512 * 1024);
      // Every line the server wrote is whole: lines are held back or dropped, never cut.
      const lines = wholeLines().filter((line) => line.includes('"level":'));
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(() => JSON.parse(line), line.slice(0, 200)).not.toThrow();
    });
  });
});
