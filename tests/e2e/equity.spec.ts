import { expect, test } from '@playwright/test';
import { demoPostcodeFile } from '../../src/lib/server/demo/demo.demographics';
import { expectAccessible, signIn } from './support';

test('an admin loads the postcode-to-deprivation table; a file with problems changes nothing', async ({ page }, info) => {
  await signIn(page, 'admin@example.org');
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Reference data' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Reference data');
  // The demo loaded its own areas' postcodes when it started (a retry of this test finds one more).
  const held = page.getByText(/^The table holds [\d,]+ postcodes\.$/);
  await expect(held).toHaveText(/^The table holds 2,00[01] postcodes\.$/);
  const before = await held.textContent();

  await page.getByLabel('Postcode file (CSV)').setInputFiles({ name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from('postcode,imd_decile\nLS1 4AP,3\nNOT A CODE,11\n') });
  await page.getByRole('button', { name: 'Load postcode file' }).click();
  await expect(page.getByRole('alert')).toContainText('Nothing was loaded');
  await expect(page.getByRole('table', { name: 'Problems found in the file' })).toContainText('"NOT A CODE" is not a UK postcode');
  await expect(held).toHaveText(before!);
  await expectAccessible(page);

  // The same areas again, with one postcode more: the table is replaced, not added to.
  const file = `${demoPostcodeFile()}LS1 4AP,1\n`;
  await page.getByLabel('Postcode file (CSV)').setInputFiles({ name: 'imd.csv', mimeType: 'text/csv', buffer: Buffer.from(file) });
  await page.getByRole('button', { name: 'Load postcode file' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'loaded' })).toContainText('imd.csv loaded: the table now holds 2,001 postcodes.');
  await expect(held).toHaveText('The table holds 2,001 postcodes.');
  await page.screenshot({ path: info.outputPath('reference-data.png'), fullPage: true });
});

test('a commissioner reads who is reached: uptake by deprivation and ethnic group, and the gap in words', async ({ page }, info) => {
  // Reloads of the long dashboard while the demo's population sync may still run, then an accessibility scan.
  test.setTimeout(150_000);
  await signIn(page, 'commissioner@example.org');
  const section = page.getByRole('region', { name: 'Who is reached' });
  await expect(section).toBeVisible();
  // The demo reaches the most deprived fifth less than the least deprived. Its population by split comes from the
  // sync it runs once the server answers: a reload may be needed on a slow machine.
  await expect(async () => {
    await page.reload();
    await expect(section.locator('#equity-gap')).toHaveText(/gap of/, { timeout: 1_000 });
  }).toPass({ timeout: 90_000 });
  await expect(section.locator('#equity-gap')).toHaveText(/^[\d.]+% of people with type 1 diabetes in the most deprived fifth are on therapy, against [\d.]+% in the least deprived: a gap of [\d.]+ percentage points/);
  await expect(section.getByRole('img', { name: /Uptake by deprivation fifth/ })).toBeVisible();
  await expect(section.getByRole('img', { name: /Uptake by ethnic group/ })).toBeVisible();
  await section.getByText('Deprivation table', { exact: true }).click();
  const table = section.getByRole('table', { name: /Uptake by deprivation fifth/ });
  await expect(table.getByRole('row')).toHaveCount(7);
  await expect(table.getByRole('rowheader', { name: '1 (most deprived fifth)' })).toBeVisible();
  await expectAccessible(page);
  await section.screenshot({ path: info.outputPath('who-is-reached.png') });
});
