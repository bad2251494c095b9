import { expect, test, type Page } from '@playwright/test';
import { expectAccessible, signIn } from './support';

/** The demo FHIR server's example NHS numbers, as the import form's hint offers them. */
async function demoExamples(page: Page): Promise<string[]> {
  const hint = await page.locator('#importTarget-hint').textContent();
  return [...(hint ?? '').matchAll(/\d{3} \d{3} \d{4}/g)].map((m) => m[0]);
}

test('a nurse looks a patient up on the demo FHIR server, checks the record, imports it and sees the HbA1c history', async ({ page }, info) => {
  // Two imports, two refreshes and two accessibility scans.
  test.setTimeout(60_000);
  await signIn(page, 'nurse@example.org');
  await page.goto('/patients/new');
  const [nhsNumber] = await demoExamples(page);

  await page.getByLabel('NHS number or FHIR patient id').fill('943 476 5919');
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.getByRole('alert')).toContainText('The FHIR server has no patient with NHS number 943 476 5919');

  await page.getByLabel('NHS number or FHIR patient id').fill(nhsNumber!);
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.getByRole('heading', { name: 'What the FHIR server holds' })).toBeVisible();
  const summary = page.getByRole('definition');
  await expect(page.getByText('Nothing has been saved yet.')).toBeVisible();
  await expect(summary.filter({ hasText: nhsNumber! })).toHaveCount(1);
  await expect(summary.filter({ hasText: /^Type 1$/ })).toHaveCount(1);
  await expect(summary.filter({ hasText: /^\d+ results?; latest [\d.]+ ?(%|mmol\/mol).* on \d{1,2} \w+ \d{4}$/ })).toHaveCount(1);
  await expect(summary.filter({ hasText: /^http:\/\/127\.0\.0\.1:\d+\/fhir \(patient id / })).toHaveCount(1);
  await expect(summary.filter({ hasText: /^Not yet: importing registers them at / })).toHaveCount(1);
  await expectAccessible(page);
  await page.screenshot({ path: info.outputPath('fhir-record-summary.png'), fullPage: true });
  // Looking up wrote nothing: the patient cannot be found in Pump Pathway yet.
  await page.goto(`/patients?q=${nhsNumber!.replaceAll(' ', '')}`);
  await expect(page.getByText(/^No patients found/)).toBeVisible();

  await page.goto('/patients/new');
  await page.getByLabel('NHS number or FHIR patient id').fill(nhsNumber!);
  await page.getByRole('button', { name: 'Look up' }).click();
  await page.getByRole('button', { name: 'Import this patient' }).click();
  await expect(page.getByRole('status')).toContainText('Brought up to date from the FHIR server');
  await expect(page.getByRole('img', { name: /HbA1c over time/ })).toBeVisible();
  // Each result names the server it came from as people know it (its capability statement), never by its URN.
  await expect(page.getByRole('cell', { name: 'FHIR: Pump Pathway demo FHIR server (medplum fhir-router, in memory)' }).first()).toBeVisible();
  await expect(page.locator('main')).not.toContainText('urn:');
  // Each condition once, however often the record holds it.
  const conditions = (await page.locator('.nhsuk-summary-list__row', { hasText: 'Conditions (FHIR)' }).locator('dd').innerText()).split('; ');
  expect(conditions.length).toBeGreaterThan(0);
  expect(new Set(conditions).size).toBe(conditions.length);
  await expectAccessible(page);
  await page.screenshot({ path: info.outputPath('imported-patient.png'), fullPage: true });

  await page.getByRole('button', { name: 'Refresh from FHIR' }).click();
  await expect(page.getByRole('status')).toContainText('Brought up to date from the FHIR server');

  // Looked up again, the patient is known: the action is a refresh.
  await page.goto('/patients/new');
  await page.getByLabel('NHS number or FHIR patient id').fill(nhsNumber!);
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.getByRole('link', { name: /^Already registered at / })).toBeVisible();
  await page.getByRole('button', { name: 'Refresh this patient' }).click();
  await expect(page.getByRole('status')).toContainText('Brought up to date from the FHIR server');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the look-up and the import are plain form posts', async ({ page }) => {
    await signIn(page, 'nurse@example.org');
    await page.goto('/patients/new');
    const nhsNumber = (await demoExamples(page))[1]!;
    await page.getByLabel('NHS number or FHIR patient id').fill('12 34');
    await page.getByRole('button', { name: 'Look up' }).click();
    await expect(page.getByRole('alert')).toContainText('NHS number must be 10 digits');
    await page.getByLabel('NHS number or FHIR patient id').fill(nhsNumber);
    await page.getByRole('button', { name: 'Look up' }).click();
    await expect(page.getByRole('heading', { name: 'What the FHIR server holds' })).toBeVisible();
    await page.getByRole('button', { name: 'Import this patient' }).click();
    await expect(page.getByRole('status')).toContainText('Brought up to date from the FHIR server');
    await expect(page.getByRole('heading', { level: 1 })).toContainText(',');
  });
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
