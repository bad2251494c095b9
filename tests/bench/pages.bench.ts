import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/lib/server/demo/demo.seed';

type Role = 'nurse' | 'consultant' | 'commissioner' | 'admin';
interface PageToTime {
  role: Role;
  name: string;
  path: string;
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const WARM_UP = 3;

/**
 * Each role's main pages on the demo, as `npm start` serves it on first start (embedded database, demo history,
 * demo FHIR server): per page, the p95 time to first byte over `requests` requests made one at a time, and the
 * browser's load time in Chromium (navigation timing's loadEventEnd, the median of `loads` visits, scripts and
 * styles cached after the first, as for someone working through the day). Each figure is measured in `rounds`
 * rounds and printed as the range over them, so the run-to-run spread is in sight. The server runs in a process
 * of its own; the aims (TTFB p95 at most 150 ms, load at most 500 ms) are printed beside the figures, never asserted.
 */
export async function pagesBench(options: { requests: number; loads: number; rounds: number; port: number }) {
  if (!existsSync('build/handler.js')) throw new Error('The pages phase runs the built server: run "npm run build" first');
  const server = await startDemoServer(options.port);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const cookies = Object.fromEntries(await Promise.all((['nurse', 'consultant', 'commissioner', 'admin'] as const).map(async (role) => [role, await signIn(server.address, role)] as const))) as Record<Role, string>;
    const pages = await pagesToTime(server.address, cookies.nurse);
    const rounds: { ttfbP95Ms: number; loadMs: number }[][] = [];
    for (let round = 0; round < options.rounds; round++) {
      const results = [];
      for (const p of pages) {
        results.push({
          ttfbP95Ms: await ttfbP95(server.address + p.path, cookies[p.role], options.requests),
          loadMs: await loadTime(browser, server.address, p.path, cookies[p.role], options.loads),
        });
      }
      rounds.push(results);
    }
    const range = (values: number[]) => ({ min: Math.min(...values), max: Math.max(...values) });
    return {
      server: 'demo mode, embedded database, production build, its own process',
      requestsPerRound: options.requests,
      browserLoadsPerRound: options.loads,
      rounds: options.rounds,
      aims: { ttfbP95Ms: 150, loadMs: 500 },
      pages: pages.map((p, i) => {
        const ttfb = range(rounds.map((r) => r[i]!.ttfbP95Ms));
        const load = range(rounds.map((r) => r[i]!.loadMs));
        return {
          page: `${p.role}: ${p.name}`,
          path: p.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '{id}'),
          ttfbP95Ms: ttfb,
          loadMs: load,
          withinAims: ttfb.max <= 150 && load.max <= 500,
        };
      }),
    };
  } finally {
    await browser.close();
    await server.stop();
  }
}

/** The pages, with a patient and a referral of the nurse's (an on-therapy referral, the longest timeline). */
async function pagesToTime(address: string, nurseCookie: string): Promise<PageToTime[]> {
  const res = await fetch(`${address}/api/v1/referrals?status=on_therapy&limit=1`, { headers: { cookie: nurseCookie } });
  const referral = ((await res.json()) as { items: { id: string; patientId: string }[] }).items[0];
  if (!referral) throw new Error('The demo has no referral on therapy at the nurse\'s sites');
  return [
    { role: 'nurse', name: 'worklist', path: '/' },
    { role: 'nurse', name: 'patients', path: '/patients' },
    { role: 'nurse', name: 'a patient', path: `/patients/${referral.patientId}` },
    { role: 'nurse', name: 'referrals', path: '/referrals' },
    { role: 'nurse', name: 'a referral', path: `/referrals/${referral.id}` },
    { role: 'consultant', name: 'eligibility queue', path: '/' },
    { role: 'commissioner', name: 'dashboard', path: '/dashboard' },
    { role: 'admin', name: 'overview', path: '/' },
    { role: 'admin', name: 'audit', path: '/admin/audit' },
  ];
}

async function signIn(address: string, role: Role): Promise<string> {
  const res = await fetch(`${address}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `${role}@example.org`, password: DEMO_PASSWORD }),
  });
  if (!res.ok) throw new Error(`${role} could not sign in: ${res.status}`);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

/** Time to the response's headers (fetch settles on them), one request at a time; bodies are read in full. */
async function ttfbP95(url: string, cookie: string, requests: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < WARM_UP + requests; i++) {
    const started = performance.now();
    const res = await fetch(url, { headers: { cookie }, redirect: 'manual' });
    const firstByte = performance.now() - started;
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    if (i >= WARM_UP) times.push(firstByte);
  }
  return round(nearestRank(times, 0.95));
}

/** The median loadEventEnd of `loads` visits in one signed-in browser context, after a first visit to warm it. */
async function loadTime(browser: Browser, address: string, path: string, cookie: string, loads: number): Promise<number> {
  const [name, value] = [cookie.slice(0, cookie.indexOf('=')), cookie.slice(cookie.indexOf('=') + 1)];
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    await context.addCookies([{ name, value, url: address }]);
    const page = await context.newPage();
    const times: number[] = [];
    for (let i = 0; i <= loads; i++) {
      await page.goto(address + path, { waitUntil: 'load' });
      // loadEventEnd is set just after the load event's handlers have run.
      await page.waitForFunction(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)?.loadEventEnd);
      const ms = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd);
      if (i > 0) times.push(ms);
    }
    return round(nearestRank(times, 0.5));
  } finally {
    await context.close();
  }
}

const nearestRank = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil(q * values.length) - 1)]!;
const round = (ms: number) => Math.round(ms * 10) / 10;

/** The built server as `npm start` runs it, first start on a fresh data folder: demo mode. */
async function startDemoServer(port: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'pump-pathway-bench-pages-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: '' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    if (child.exitCode !== null) throw new Error(`the demo server exited with ${child.exitCode}`);
    const up = await fetch(`${address}/api/health`).then((r) => r.ok, () => false);
    if (up) break;
    if (tries > 400) throw new Error('the demo server did not start within 200 seconds');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return {
    address,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
