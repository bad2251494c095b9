import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { DEMO_PASSWORD, expectAccessible, providerFault, PROVIDER, signIn, signInWithProvider, signOut } from './support';

/** An admin adds a person through the API, without a password unless given. */
async function adminAdds(request: APIRequestContext, person: { email: string; name: string; role: string; siteIds?: string[] }) {
  await request.post('/api/v1/auth/login', { data: { email: 'admin@example.org', password: DEMO_PASSWORD } });
  const sites = (await (await request.get('/api/v1/sites')).json()).items as { id: string }[];
  const res = await request.post('/api/v1/users', { data: { siteIds: person.role === 'nurse' || person.role === 'consultant' ? [sites[0]!.id] : [], ...person } });
  expect(res.status()).toBe(201);
  await request.post('/api/v1/auth/logout');
}

/** The status the callback answered with, and the page it shows. */
async function callbackStatus(page: Page, act: () => Promise<void>) {
  const callback = page.waitForResponse((r) => r.url().includes('/auth/oidc/callback'));
  await act();
  return (await callback).status();
}

test.afterEach(() => providerFault(null));

test('the sign-in page offers the trust provider beside the password form', async ({ page }, info) => {
  await page.goto('/login');
  await expect(page.getByRole('button', { name: 'Sign in with Test NHS Trust' })).toBeVisible();
  await expect(page.getByLabel('Email')).toBeVisible();
  await expect(page.getByLabel('Password')).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: info.outputPath('sign-in-page.png'), fullPage: true });
});

test('an admin adds a person without a password, who signs in through the provider with the role the admin gave', async ({ page }, info) => {
  test.setTimeout(90_000); // the admin's page, the provider and back, and signing out at the provider
  await signIn(page, 'admin@example.org');
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Users' }).click();
  await page.getByLabel('Full name').fill('Priya Provider');
  await page.getByLabel('Email').fill('priya.provider@trust.nhs.uk');
  await page.getByLabel('Consultant').check();
  await page.getByRole('group', { name: 'Sites' }).getByRole('checkbox').first().check();
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('status')).toContainText('Account created for priya.provider@trust.nhs.uk');
  await expect(page.getByRole('row', { name: /Priya Provider/ })).toContainText('Test NHS Trust only');
  await signOut(page);

  await signInWithProvider(page, 'priya.provider@trust.nhs.uk');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Eligibility queue');
  await expect(page.getByRole('navigation', { name: 'Account' })).toContainText('Priya Provider (Consultant)');
  await expectAccessible(page);
  await page.screenshot({ path: info.outputPath('signed-in-through-provider.png'), fullPage: true });

  // Signing out here ends the provider's session too, and comes back to the sign-in page.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(new RegExp(`^${PROVIDER}/session/end`));
  await page.getByRole('button', { name: /yes/i }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
});

test('a person with no account is refused with a 403 page telling them to ask an administrator', async ({ page }, info) => {
  const status = await callbackStatus(page, () => signInWithProvider(page, 'not.known@trust.nhs.uk'));
  expect(status).toBe(403);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You cannot sign in');
  await expect(page.getByText('Ask an administrator of Pump Pathway to add you')).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: info.outputPath('unknown-person.png'), fullPage: true });
  await page.getByRole('link', { name: 'Go back to the sign-in page' }).click();
  await expect(page).toHaveURL(/\/login$/);
});

test('an email the provider has not verified is refused', async ({ page, request }) => {
  await adminAdds(request, { email: 'unverified.person@trust.nhs.uk', name: 'Unverified Person', role: 'nurse' });
  expect(await callbackStatus(page, () => signInWithProvider(page, 'unverified.person@trust.nhs.uk'))).toBe(403);
  await expect(page.getByText('did not confirm your email address')).toBeVisible();
});

test('a callback whose state was tampered with is refused with 400', async ({ page, request }) => {
  await adminAdds(request, { email: 'state.tamper@trust.nhs.uk', name: 'State Tamper', role: 'nurse' });
  await providerFault('tampered_state');
  expect(await callbackStatus(page, () => signInWithProvider(page, 'state.tamper@trust.nhs.uk'))).toBe(400);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign-in did not work');
});

for (const [fault, what] of [
  ['wrong_nonce', 'a token with a nonce the app never sent'],
  ['foreign_key', 'a token signed by another key'],
  ['expired', 'an expired token'],
] as const) {
  test(`${what} is refused with 403, and nobody is signed in`, async ({ page, request }) => {
    const email = `${fault.replace('_', '.')}.e2e@trust.nhs.uk`;
    await adminAdds(request, { email, name: `Fault ${fault}`, role: 'nurse' });
    await providerFault(fault);
    expect(await callbackStatus(page, () => signInWithProvider(page, email))).toBe(403);
    await expect(page.getByText('could not confirm the sign-in that Test NHS Trust sent back')).toBeVisible();
    await page.goto('/');
    await expect(page).toHaveURL(/\/login$/);
  });
}

test('a provider that goes down during the sign-in gets a clear 502 page, not a 500', async ({ page, request }, info) => {
  await adminAdds(request, { email: 'provider.down.e2e@trust.nhs.uk', name: 'Provider Down', role: 'nurse' });
  await providerFault('down_after_sign_in');
  expect(await callbackStatus(page, () => signInWithProvider(page, 'provider.down.e2e@trust.nhs.uk'))).toBe(502);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign-in did not work');
  await expect(page.getByText('Test NHS Trust is not answering just now')).toBeVisible();
  await page.screenshot({ path: info.outputPath('provider-down.png'), fullPage: true });
});
