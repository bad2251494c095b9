import { expect, test } from '@playwright/test';
import { expectAccessible, signIn, testNhsNumber } from './support';

test("a nurse checks the last quarter's national return for her site and downloads the file", async ({ page }, info) => {
  await signIn(page, 'nurse@example.org');
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'National return' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('National hybrid closed loop return');
  await expect(page.getByLabel('Site')).toHaveValue(/.+/);
  await expect(page.getByLabel('Financial quarter')).toHaveValue(/^\d{4}-Q[1-4]$/);
  await expect(page.getByRole('heading', { name: 'Who is in the return' })).toBeVisible();
  // The demo site's caseload and pathway put people in the return, and one closed loop user came from FHIR with no
  // NHS number: a problem to put right before the deadline.
  await expect(page.getByRole('table', { name: /people in the return/ }).getByRole('row')).not.toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Patient without an NHS number' })).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: info.outputPath('national-return.png'), fullPage: true });

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download the CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^nda-hcl-RDM01-\d{4}-Q[1-4]\.csv$/);

  // She puts the problem right from the patient's page, and the person joins the return.
  const rows = await page.getByRole('table', { name: /people in the return/ }).getByRole('row').count();
  await page.getByRole('link', { name: 'Patient without an NHS number' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.getByLabel('NHS number').fill('12345');
  await page.getByLabel('Postcode').fill('ls1 4ap');
  await page.getByRole('button', { name: 'Save details' }).click();
  await expect(page.getByRole('alert')).toContainText('NHS number must be 10 digits');
  await expect(page.getByLabel('Postcode')).toHaveValue('ls1 4ap');
  await expectAccessible(page);
  const nhsNumber = testNhsNumber(731_000);
  await page.getByLabel('NHS number').fill(nhsNumber);
  await page.getByRole('button', { name: 'Save details' }).click();
  await expect(page.getByRole('status')).toContainText('Details saved');
  await expect(page.getByRole('definition').filter({ hasText: 'LS1 4AP' })).toBeVisible();
  await page.screenshot({ path: info.outputPath('patient-details-saved.png'), fullPage: true });
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'National return' }).click();
  await expect(page.getByRole('link', { name: 'Patient without an NHS number' })).toHaveCount(0);
  await expect(page.getByRole('table', { name: /people in the return/ }).getByRole('row')).toHaveCount(rows + 1);
});

test('a commissioner is refused the national return, which names patients', async ({ page }) => {
  await signIn(page, 'commissioner@example.org');
  const res = await page.goto('/exports/national-hcl');
  expect(res?.status()).toBe(403);
});
