import { expect, test } from '@playwright/test';
import { expectAccessible, signIn, signOut, clockNhsNumber } from './support';

test("from a site's admin page, an administrator reaches its facilitation activities and barriers", async ({ page }) => {
  await signIn(page, 'admin@example.org');
  await page.goto('/admin/sites');
  await page.locator('main table a').first().click();
  await expect(page).toHaveURL(/\/admin\/sites\/[0-9a-f-]{36}$/);
  const name = (await page.getByRole('heading', { level: 1 }).textContent())!;
  await page.getByRole('link', { name: 'facilitation activities' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
  await expect(page.getByRole('heading', { name: 'Facilitation', exact: true })).toBeVisible();
  await page.goBack();
  await page.getByRole('link', { name: 'barriers' }).click();
  await expect(page.getByRole('heading', { name: 'Barriers', exact: true })).toBeVisible();
});

test('the audit trail names who acted, what they did and the record, and lists what changed', async ({ page }, info) => {
  test.setTimeout(120_000);
  // A failed sign-in: the email is kept, the password never.
  await page.goto('/login');
  await page.getByLabel('Email').fill('nurse@example.org');
  await page.getByLabel('Password').fill('not-the-Password-99');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('alert')).toBeVisible();

  await signIn(page, 'nurse@example.org');
  const me = await (await page.request.get('/api/v1/me')).json();
  const nhsNumber = clockNhsNumber(7);
  const patient = await (
    await page.request.post('/api/v1/patients', {
      data: { nhsNumber, givenName: 'Audrey', familyName: 'Trail', birthDate: '1979-05-06', sex: 'female', siteId: me.siteIds[0], diabetesType: 'type1' },
    })
  ).json();
  expect((await page.request.patch(`/api/v1/patients/${patient.id}`, { data: { postcode: 'LS1 4AP', version: 1 } })).status()).toBe(200);
  const referral = await page.request.post('/api/v1/referrals', { data: { patientId: patient.id, therapy: 'hcl', receivedOn: '2026-02-03', source: 'gp' } });
  expect(referral.status()).toBe(201);
  await signOut(page);

  await signIn(page, 'admin@example.org');
  await page.goto('/admin/audit');
  const rows = page.locator('main tbody tr');
  const signedOut = rows.filter({ hasText: 'Signed out' }).first();
  await expect(signedOut).toContainText('Demo Nurse');
  await expect(signedOut).not.toContainText('The system');
  const failed = rows.filter({ hasText: 'Sign-in failed' }).first();
  await expect(failed).toContainText('tried nurse@example.org');
  await expect(failed).toContainText('Method: password');
  await expect(failed).toContainText('Why: Email or password not right');
  await expect(page.locator('main')).not.toContainText('not-the-Password-99');

  const changed = rows.filter({ hasText: 'Patient details changed' }).first();
  await expect(changed.getByRole('link', { name: `TRAIL, Audrey (NHS number ${nhsNumber.slice(0, 3)} ${nhsNumber.slice(3, 6)} ${nhsNumber.slice(6)})` })).toBeVisible();
  await expect(changed).toContainText('Postcode: (blank) → LS1 4AP');
  await expect(changed).not.toContainText('Given name');
  await expect(changed).not.toContainText('{');

  const referred = rows.filter({ hasText: 'Referral added' }).first();
  await expect(referred.getByRole('link', { name: 'Hybrid closed loop (HCL) referral, 3 February 2026' })).toHaveAttribute('href', /\/referrals\//);
  await expect(page.locator('main')).not.toContainText('referral.create');
  await page.screenshot({ path: info.outputPath('audit.png'), fullPage: true });
  await expectAccessible(page);
});

test('an administrator closes an account, which signs the person out at once, and opens it again', async ({ page, browser }, info) => {
  test.setTimeout(60_000); // two people in two browsers, three sign-ins
  const person = { email: 'cleo.closed@example.org', password: 'cleo-closed-password-1' };
  const nurse = await (await browser.newContext()).newPage();
  await signIn(page, 'admin@example.org');
  const sites = (await (await page.request.get('/api/v1/sites')).json()).items as { id: string }[];
  expect((await page.request.post('/api/v1/users', { data: { ...person, name: 'Cleo Closed', role: 'nurse', siteIds: [sites[0]!.id] } })).status()).toBe(201);
  await signIn(nurse, person.email, person.password);
  await expect(nurse.getByRole('heading', { level: 1 })).toHaveText('Your worklist');

  await page.goto('/admin/users');
  const row = page.getByRole('row', { name: /Cleo Closed/ });
  await row.getByRole('button', { name: 'Close account for Cleo Closed' }).click();
  await expect(page.getByRole('status')).toContainText('Account closed for cleo.closed@example.org');
  await expect(row).toContainText('Cannot sign in');
  await expectAccessible(page);
  await page.screenshot({ path: info.outputPath('account-closed.png'), fullPage: true });

  await nurse.reload();
  await expect(nurse).toHaveURL(/\/login/);
  await nurse.getByLabel('Email').fill(person.email);
  await nurse.getByLabel('Password').fill(person.password);
  await nurse.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(nurse.getByRole('alert')).toContainText('This account has been closed');

  await row.getByRole('button', { name: 'Open again for Cleo Closed' }).click();
  await expect(page.getByRole('status')).toContainText('Account opened again for cleo.closed@example.org');
  await signIn(nurse, person.email, person.password);
  await expect(nurse.getByRole('heading', { level: 1 })).toHaveText('Your worklist');
});
