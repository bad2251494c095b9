import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.E2E_PORT ?? 3199);
const DATA_DIR = process.env.E2E_DATA_DIR ?? 'test-results/e2e-data';
// The test identity provider (panva's oidc-provider) that the app's single sign-on is pointed at.
const OIDC_PORT = Number(process.env.E2E_OIDC_PORT ?? PORT + 1);
const E2E_OIDC = { issuer: `http://127.0.0.1:${OIDC_PORT}`, clientId: 'pump-pathway-tests', displayName: 'Test NHS Trust' };

/**
 * Browser tests drive Debian's Chromium (no browser downloads) against the built app on a fresh embedded
 * database in demo mode, started exactly as `npm start` starts it, with single sign-on through a test provider.
 */
export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results/e2e',
  // A bound on a hung test, not a speed target: CI's two shared cores can take a plain journey past 30 s.
  timeout: 60_000,
  // Expectations wait up to 15 s rather than 5: on those cores a page can take longer to answer a click.
  expect: { timeout: 15_000 },
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
  webServer: [
    {
      command: `E2E_PORT=${PORT} E2E_OIDC_PORT=${OIDC_PORT} npx tsx tests/support/oidc-provider.main.ts`,
      url: `${E2E_OIDC.issuer}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 120_000, // it makes two RSA keys, which takes a while on a loaded machine
    },
    {
      command:
        `rm -rf ${DATA_DIR} && NODE_ENV=production LOG_LEVEL=warn PORT=${PORT} DATA_DIR=${DATA_DIR} ` +
        `OIDC_ISSUER=${E2E_OIDC.issuer} OIDC_CLIENT_ID=${E2E_OIDC.clientId} OIDC_CLIENT_SECRET=a-test-client-secret-that-is-long-enough ` +
        `OIDC_DISPLAY_NAME='${E2E_OIDC.displayName}' npx tsx src/server/main.ts`,
      url: `http://localhost:${PORT}/api/health`,
      reuseExistingServer: false,
      // The first start creates the embedded database and its demo: about 20 s of CPU, mostly PGlite's initdb in
      // WebAssembly, which takes minutes of wall time when the machine's cores are shared.
      timeout: 180_000,
      stdout: 'pipe',
    },
  ],
});
