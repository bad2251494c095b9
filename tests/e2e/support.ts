import { expect, type Page } from '@playwright/test';

export const DEMO_PASSWORD = 'insulin-pump-demo';

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).not.toHaveText('Sign in to Pump Pathway');
}

export async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
}

/** A valid NHS number (modulus 11) in the 999 range no real person holds. */
export function testNhsNumber(seed: number): string {
  for (let i = seed; ; i++) {
    const first = `999${String(i % 1_000_000).padStart(6, '0')}`;
    const sum = [...first].reduce((s, d, k) => s + Number(d) * (10 - k), 0);
    const check = 11 - (sum % 11);
    if (check !== 10) return `${first}${check === 11 ? 0 : check}`;
  }
}

/**
 * Seeds below this are for numbers made from the clock (clockNhsNumber); the fixed seeds the specs use (a caseload
 * file's 8,000 people among them) are at or above it, so a number made from the clock is never one of theirs.
 */
const CLOCK_SEEDS = 400_000;

/** A test NHS number from the clock, `offset` milliseconds on: new in each run, and never one of the fixed seeds. */
export const clockNhsNumber = (offset = 0): string => testNhsNumber((Date.now() + offset) % CLOCK_SEEDS);

/** axe-core on the page as it stands: no serious or critical WCAG 2.1 AA violation. */
export async function expectAccessible(page: Page) {
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(blocking.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
}

/** The test identity provider that playwright.config.ts starts beside the app. */
export const PROVIDER = `http://127.0.0.1:${process.env.E2E_OIDC_PORT ?? Number(process.env.E2E_PORT ?? 3199) + 1}`;

/** Makes the test provider misbehave (see tests/support/oidc-provider.ts), or behave again with null. */
export async function providerFault(fault: 'down_after_sign_in' | 'tampered_state' | 'foreign_key' | 'wrong_nonce' | 'expired' | null) {
  const res = await fetch(`${PROVIDER}/__test/fault?fault=${fault ?? ''}`, { method: 'POST' });
  expect(res.status).toBe(204);
}

/** From the sign-in page, through the provider's own sign-in page as `email`. */
export async function signInWithProvider(page: Page, email: string) {
  await page.goto('/login');
  await page.getByRole('button', { name: 'Sign in with Test NHS Trust' }).click();
  await expect(page).toHaveURL(new RegExp(`^${PROVIDER}/interaction/`));
  await page.getByLabel('Email at the test provider').fill(email);
  await page.getByRole('button', { name: 'Sign in at the provider' }).click();
}
