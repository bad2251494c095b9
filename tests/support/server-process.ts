import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';

export const HAS_BUILD = existsSync('build/handler.js');

/** TOTP_ENCRYPTION_KEY for servers the tests start: 32 bytes in base64, as `openssl rand -base64 32` gives. */
export const TEST_TOTP_KEY = Buffer.alloc(32, 7).toString('base64');

export interface ServerProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Starts the real server (`src/server/main.ts`) on a free port and waits until it listens. Over an IPC channel it
 * watches this test process, and stops when it is gone (see exit-with-parent.ts): it never outlives the run.
 */
export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './tests/support/exit-with-parent.ts', 'src/server/main.ts'], {
    // On PostgreSQL the server needs an encryption key for authenticator apps, and would make admins add one before
    // anything else: these tests are not about sign-in, so nobody is made to (a test may say otherwise in `env`).
    env: { ...process.env, NODE_ENV: 'production', PORT: '0', LOG_LEVEL: 'info', TOTP_ENCRYPTION_KEY: TEST_TOTP_KEY, MFA_REQUIRED_ROLES: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  }) as ServerProcess['child']; // Node's types know the piped streams only when there is no IPC channel
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 150_000);
    const check = () => {
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited:\n${out}`));
    });
  });
  return { child, url, output: () => out, exited };
}

/** Stops the server as a service manager would (SIGTERM); resolves to its exit code, 0 when it stopped cleanly. */
export async function stopServer(server: ServerProcess): Promise<number | null> {
  if (server.child.exitCode === null) server.child.kill('SIGTERM');
  return server.exited;
}

export interface ApiAnswer {
  status: number;
  /** The JSON the server sent (or its text): tests read it as they expect it. */
  body: any;
}

/** Calls a running server's JSON API as a client over the network would. Rejects when the server is gone. */
export async function callApi(baseUrl: string, method: string, path: string, options: { cookie?: string; body?: unknown } = {}): Promise<ApiAnswer> {
  const res = await fetch(new URL(path, baseUrl), {
    method,
    headers: { ...(options.cookie ? { cookie: options.cookie } : {}), ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text };
}

/** Signs in through the API and returns the cookie header to send. */
export async function signInTo(baseUrl: string, email: string, password: string): Promise<string> {
  const res = await fetch(new URL('/api/v1/auth/login', baseUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (res.status !== 200) throw new Error(`sign-in failed for ${email}: ${res.status} ${await res.text()}`);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('pp_session='))!;
}

/**
 * Starts the server on an embedded database folder that a killed server may still hold: its lock goes stale
 * within 15 s (see openEmbedded), and until then the start fails with "in use".
 */
export async function startServerWhenUnlocked(env: Record<string, string>, timeoutMs = 40_000): Promise<ServerProcess> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await startServer(env);
    } catch (e) {
      if (!/in use by another Pump Pathway process/.test(String(e)) || Date.now() > deadline) throw e;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
