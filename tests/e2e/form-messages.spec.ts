import { expect, test, type Page } from '@playwright/test';
import { expectAccessible, signIn, signOut } from './support';

/** No message may show the API's codes or date format to someone filling in a page. */
async function expectNoSystemWords(page: Page) {
  const summary = (await page.getByRole('alert').textContent()) ?? '';
  expect(summary).not.toMatch(/YYYY|must be one of|_| or hcl|female, male/);
}

test('errors on the patient form name its fields and choices as the page shows them, dates as dd/mm/yyyy', async ({ page }, info) => {
  test.setTimeout(90_000);
  await signIn(page, 'nurse@example.org');
  await page.goto('/patients/new');
  await page.getByRole('button', { name: 'Add patient' }).click();
  const alert = page.getByRole('alert');
  for (const message of ['Enter the given name', 'Enter the date of birth', 'Select the sex', 'Select the diabetes type']) {
    await expect(alert.getByRole('link', { name: message })).toBeVisible();
  }
  await expectNoSystemWords(page);
  await page.screenshot({ path: info.outputPath('patient-form.png'), fullPage: true });
  await expectAccessible(page);

  // A browser without a date picker sends what was typed: the message shows the format the field shows.
  await page.locator('#birthDate').evaluate((input: HTMLInputElement) => (input.type = 'text'));
  await page.locator('#birthDate').fill('31/02/1990');
  await page.getByRole('button', { name: 'Add patient' }).click();
  await expect(alert).toContainText('The date of birth must be a real date, for example 27/03/2026');
  await expectNoSystemWords(page);
});

test('errors on the facilitation and barrier forms say "Activity" and the date as the page shows them', async ({ page }, info) => {
  test.setTimeout(90_000);
  await signIn(page, 'nurse@example.org');
  const me = await (await page.request.get('/api/v1/me')).json();
  await page.goto(`/sites/${me.siteIds[0]}`);
  await page.getByLabel('Date', { exact: true }).fill('');
  await page.getByRole('button', { name: 'Log facilitation' }).click();
  const alert = page.getByRole('alert');
  for (const message of ['Enter the date of the activity', 'Select the mode', 'Select the activity']) {
    await expect(alert.getByRole('link', { name: message })).toBeVisible();
  }
  await expectNoSystemWords(page);
  await page.screenshot({ path: info.outputPath('facilitation-form.png'), fullPage: true });
  await expectAccessible(page);

  await page.getByLabel('Raised on').fill('');
  await page.getByRole('button', { name: 'Record barrier' }).click();
  await expect(alert.getByRole('link', { name: 'Enter the date the barrier was raised' })).toBeVisible();
  await expect(alert.getByRole('link', { name: 'Select the category' })).toBeVisible();
  await expectNoSystemWords(page);
});

test("errors on the admin's user and device forms ask for a choice in words", async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page, 'admin@example.org');
  await page.goto('/admin/users');
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('alert').getByRole('link', { name: 'Select the role' })).toBeVisible();
  await expectNoSystemWords(page);
  await page.goto('/admin/devices');
  await page.getByRole('button', { name: 'Add device' }).click();
  await expect(page.getByRole('alert').getByRole('link', { name: 'Select the kind of device' })).toBeVisible();
  await expectNoSystemWords(page);
  await expectAccessible(page);
  await signOut(page);
});
