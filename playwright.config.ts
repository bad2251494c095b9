import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.E2E_PORT ?? 3199);
const DATA_DIR = process.env.E2E_DATA_DIR ?? 'test-results/e2e-data';

/**
 * Browser tests drive Debian's Chromium (no browser downloads) against the built app on a fresh embedded
 * database in demo mode, started exactly as `npm start` starts it.
 */
export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results/e2e',
  // A bound on a hung test, not a speed target: CI's two shared cores can take a plain journey past 30 s.
  timeout: 60_000,
  retries: 0,
  workers: 1,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e-report.json' }]],
  use: {
    baseURL: `http://localhost:${PORT}`,
    locale: 'en-GB',
    timezoneId: 'Europe/London',
    screenshot: 'on',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [
    { name: 'desktop', use: { viewport: { width: 1280, height: 900 } } },
    // The clinical journey again at tablet width, as nurses use it between clinics.
    { name: 'tablet', testMatch: 'pathway.spec.ts', use: { viewport: { width: 768, height: 1024 }, hasTouch: true } },
    // A 1280-pixel screen at 200% zoom lays out like a 640-pixel one.
    { name: 'zoom-200', testMatch: 'pathway.spec.ts', use: { viewport: { width: 640, height: 450 } } },
  ],
  webServer: {
    command: `rm -rf ${DATA_DIR} && NODE_ENV=production LOG_LEVEL=warn PORT=${PORT} DATA_DIR=${DATA_DIR} npx tsx src/server/main.ts`,
    url: `http://localhost:${PORT}/api/health`,
    reuseExistingServer: false,
    timeout: 180_000, // the demo's first start fills its database: well over a minute on a busy machine
    stdout: 'pipe',
  },
});
