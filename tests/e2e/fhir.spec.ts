import { expect, test } from '@playwright/test';
import { expectAccessible, signIn } from './support';

test('a nurse imports a patient from the demo FHIR server by NHS number and sees the HbA1c history', async ({ page }, info) => {
  await signIn(page, 'nurse@example.org');
  await page.goto('/patients/new');
  const hint = await page.locator('#importNhsNumber-hint').textContent();
  const nhsNumber = /try (\d{3} \d{3} \d{4})/.exec(hint ?? '')![1]!;

  await page.getByLabel('NHS number to import').fill('943 476 5919');
  await page.getByRole('button', { name: 'Import from FHIR' }).click();
  await expect(page.getByRole('alert')).toContainText('The FHIR server has no patient with NHS number 943 476 5919');

  await page.getByLabel('NHS number to import').fill(nhsNumber);
  await page.getByRole('button', { name: 'Import from FHIR' }).click();
  await expect(page.getByRole('status')).toContainText('Brought up to date from the FHIR server');
  await expect(page.getByRole('img', { name: /HbA1c over time/ })).toBeVisible();
  await expect(page.getByRole('cell', { name: /^FHIR/ }).first()).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: info.outputPath('imported-patient.png'), fullPage: true });

  await page.getByRole('button', { name: 'Refresh from FHIR' }).click();
  await expect(page.getByRole('status')).toContainText('Brought up to date from the FHIR server');
});

test('an admin counts a site\'s type 1 population on the demo FHIR server', async ({ page }) => {
  await signIn(page, 'admin@example.org');
  await page.goto('/admin/sites');
  await page.getByRole('link', { name: 'Valley Community Diabetes Team' }).click();
  await page.getByRole('button', { name: 'Sync population from FHIR' }).click();
  await expect(page.getByRole('status')).toContainText(/Population counted on the FHIR server: \d+ people with type 1 diabetes/);
});

test("the admin's overview names the FHIR server and its version, from its capability statement", async ({ page }) => {
  await signIn(page, 'admin@example.org');
  await expect(page.getByRole('heading', { name: 'FHIR server' })).toBeVisible();
  await expect(page.getByText(/Reading patient context from .+ \(FHIR 4\.0\.1\)/)).toBeVisible();
});
