import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { sveltekit } from '@sveltejs/kit/vite';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * nhsuk-frontend's compiled CSS is served as it ships (its IE hacks do not pass Vite's CSS minifier), beside the
 * icons it refers to at /assets/images. Copied from the package at build time, never kept in git.
 */
const NHSUK = 'node_modules/nhsuk-frontend/dist/nhsuk';
const nhsukAssets = (): Plugin => ({
  name: 'nhsuk-assets',
  buildStart() {
    cpSync(`${NHSUK}/assets/images`, 'static/assets/images', { recursive: true });
    // The Frutiger web font lives on a CDN the content security policy does not allow; Arial is the fallback.
    const css = readFileSync(`${NHSUK}/nhsuk-frontend.min.css`, 'utf8').replace(/@font-face\{[^}]*assets\.nhs\.uk[^}]*\}/g, '');
    writeFileSync('static/assets/nhsuk-frontend.min.css', css);
  },
});

export default defineConfig({
  plugins: [nhsukAssets(), sveltekit()],
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
