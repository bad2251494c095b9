/**
 * The browser tests' identity provider, run by playwright.config.ts beside the app: the same in-process provider
 * as the integration tests, on its own port, for the app at E2E_PORT.
 */
import { startTestProvider } from './oidc-provider';

const appPort = Number(process.env.E2E_PORT ?? 3199);
const port = Number(process.env.E2E_OIDC_PORT ?? appPort + 1);
const app = `http://localhost:${appPort}`;
const provider = await startTestProvider({ port, redirectUris: [`${app}/auth/oidc/callback`], postLogoutRedirectUris: [`${app}/login`] });
console.log(`test identity provider at ${provider.issuer}`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void provider.close().then(() => process.exit(0)));
