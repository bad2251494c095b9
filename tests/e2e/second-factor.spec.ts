import { expect, test, type Page } from '@playwright/test';
import { Secret, TOTP } from 'otpauth';
import { DEMO_PASSWORD, expectAccessible, signIn, signOut } from './support';

const NURSE = { email: 'tara.totp@trust.nhs.uk', password: 'tara-totp-password-1' };
const codeFor = (secret: string, stepsAhead = 0) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + stepsAhead * 30_000 });

async function passwordStep(page: Page) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(NURSE.email);
  await page.getByLabel('Password').fill(NURSE.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/login\/code$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Enter the code from your authenticator app');
}

test('a nurse adds an authenticator app, then signs in with a code from it and with a recovery code', async ({ page, request }, info) => {
  test.setTimeout(150_000); // a long journey: enrolment, four sign-ins and removal
  await request.post('/api/v1/auth/login', { data: { email: 'admin@example.org', password: DEMO_PASSWORD } });
  const sites = (await (await request.get('/api/v1/sites')).json()).items as { id: string }[];
  expect((await request.post('/api/v1/users', { data: { ...NURSE, name: 'Tara Totp', role: 'nurse', siteIds: [sites[0]!.id] } })).status()).toBe(201);

  await signIn(page, NURSE.email, NURSE.password);
  await page.getByRole('link', { name: 'Tara Totp' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your account');
  await page.getByRole('button', { name: 'Add an authenticator app' }).click();

  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  const codes = await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allTextContents();
  expect(codes).toHaveLength(10);
  const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
  await expectAccessible(page);
  await page.screenshot({ path: info.outputPath('enrolment.png'), fullPage: true });

  await page.getByLabel('6-digit code').fill('000000' === codeFor(secret) ? '111111' : '000000');
  await page.getByRole('button', { name: 'Turn on authenticator app' }).click();
  await expect(page.getByRole('alert')).toContainText('The code is not right');
  await page.getByLabel('6-digit code').fill(codeFor(secret));
  await page.getByRole('button', { name: 'Turn on authenticator app' }).click();
  await expect(page.getByRole('status')).toContainText('Your authenticator app is set up');
  await expect(page.getByText('You have 10 recovery codes left')).toBeVisible();
  await signOut(page);

  // The password alone is not enough now; a code from the app is (the next step's, as the app would show it soon).
  await passwordStep(page);
  await expectAccessible(page);
  await page.screenshot({ path: info.outputPath('code-step.png'), fullPage: true });
  await page.getByLabel('Security code').fill('123');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('alert')).toContainText('The code is not right');
  await page.getByLabel('Security code').fill(codeFor(secret, 1));
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your worklist');
  await signOut(page);

  // Without the phone: a recovery code, once.
  await passwordStep(page);
  await page.getByLabel('Security code').fill(codes[0]!);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your worklist');
  await page.goto('/account');
  await expect(page.getByText('You have 9 recovery codes left')).toBeVisible();
  await signOut(page);
  await passwordStep(page);
  await page.getByLabel('Security code').fill(codes[0]!);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('alert')).toContainText('The code is not right');

  // A new phone: the nurse removes the app with a recovery code, and the password alone signs in again.
  await page.getByLabel('Security code').fill(codes[1]!);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your worklist');
  await page.goto('/account');
  const removal = page.getByLabel('Code from your authenticator app, or a recovery code');
  await removal.fill(codes[1]!);
  await page.getByRole('button', { name: 'Remove authenticator app' }).click();
  await expect(page.getByRole('alert')).toContainText('The code is not right');
  await removal.fill(codes[2]!);
  await page.getByRole('button', { name: 'Remove authenticator app' }).click();
  await expect(page.getByRole('status')).toContainText('Your authenticator app has been removed');
  await expect(page.getByRole('button', { name: 'Add an authenticator app' })).toBeVisible();
  await signOut(page);
  await signIn(page, NURSE.email, NURSE.password);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your worklist');
});
