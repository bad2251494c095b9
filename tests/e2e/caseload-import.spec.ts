import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { expectAccessible, signIn, testNhsNumber } from './support';

const HEADER = 'nhs_number,given_name,family_name,birth_date,sex,diabetes_type,record,therapy,started_on,pump,cgm,algorithm,funding,received_on,source';
const [ADA, BOB] = [testNhsNumber(424_242), testNhsNumber(434_343)];
const file = (pump: string) => ({
  name: 'caseload.csv',
  mimeType: 'text/csv',
  buffer: Buffer.from(
    [
      HEADER,
      `${ADA},Ada,Lovelace,17/05/1990,female,type1,on_therapy,hcl,2024-06-01,${pump},Dexcom G6,SmartAdjust,nhs,,`,
      `${BOB},Bob,Jones,1985-01-01,male,type1,waiting,csii,,,,,,2025-11-03,gp`,
    ].join('\r\n'),
  ),
});

test('a nurse checks a caseload file, finds its problem by line and column, puts it right and applies it', async ({ page }, info) => {
  await signIn(page, 'nurse@example.org');
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Import caseload' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Import a caseload');
  await expect(page.getByLabel('Site')).toHaveValue(/.+/);
  await expectAccessible(page);

  await page.getByLabel('CSV file').setInputFiles(file('Omnipod Five'));
  await page.getByRole('button', { name: 'Check file' }).click();
  const summary = page.getByRole('alert');
  await expect(summary).toContainText('The file has a problem to put right. Nothing has been written.');
  await expect(summary).toBeFocused();
  const problem = page.getByRole('table', { name: 'Problems in the file, by line and column' }).getByRole('row').nth(1);
  await expect(problem.getByRole('cell')).toHaveText(['2', 'pump', /^Omnipod Five is not a pump in the device catalogue/]);
  await expect(page.getByRole('button', { name: 'Apply' })).toHaveCount(0);
  await expectAccessible(page);
  await page.screenshot({ path: info.outputPath('caseload-problem.png'), fullPage: true });

  await page.getByLabel('CSV file').setInputFiles(file('Insulet Omnipod 5'));
  await page.getByRole('button', { name: 'Check file' }).click();
  await expect(page.getByRole('heading', { name: 'Check of caseload.csv' })).toBeFocused();
  await expect(page.getByText('No problems found.')).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByText('2 new patients to register')).toBeVisible();

  // The file checked is still chosen: Apply sends it.
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('heading', { name: 'Caseload applied' })).toBeVisible();
  await expect(page.getByText('2 new patients registered')).toBeVisible();
  await expect(page.getByText('1 record added')).toBeVisible();
  await expect(page.getByText('1 referral added')).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: info.outputPath('caseload-applied.png'), fullPage: true });

  await page.getByRole('link', { name: 'See the patients' }).click();
  await page.getByLabel('NHS number or name').fill(ADA);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('link', { name: 'LOVELACE, Ada' })).toBeVisible();
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a consultant checks a file, chooses it again, and applies it', async ({ page }) => {
    const [carol, dan] = [testNhsNumber(454_545), testNhsNumber(464_646)];
    const rows = [HEADER, `${carol},Carol,Smith,1970-02-02,female,type1,waiting,hcl,,,,,,2025-10-01,gp`, `${dan},Dan,Brown,1960-03-03,male,type1,waiting,csii,,,,,,2025-10-02,self`];
    const upload = { name: 'waiting.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) };
    await signIn(page, 'consultant@example.org');
    await page.goto('/imports/caseload');
    await page.getByLabel('CSV file').setInputFiles(upload);
    await page.getByRole('button', { name: 'Check file' }).click();
    await expect(page.getByText('No problems found.')).toBeVisible();

    // The browser has forgotten the file: Apply without it asks for it, and stays offered.
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page.getByRole('alert')).toContainText('Choose the CSV file to apply');
    await expect(page.getByRole('alert').getByRole('link', { name: 'Choose the CSV file to apply' })).toHaveAttribute('href', '#file');
    await page.getByLabel('CSV file').setInputFiles(upload);
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page.getByRole('heading', { name: 'Caseload applied' })).toBeVisible();
    await expect(page.getByText('2 referrals added')).toBeVisible();
  });
});

test('the template downloads, and passes the check', async ({ page }) => {
  await signIn(page, 'consultant@example.org');
  await page.goto('/imports/caseload');
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download a template (CSV)' }).click();
  const template = await download;
  expect(template.suggestedFilename()).toBe('caseload-template.csv');
  await page.getByLabel('CSV file').setInputFiles({ name: 'caseload-template.csv', mimeType: 'text/csv', buffer: await readFile(await template.path()) });
  await page.getByRole('button', { name: 'Check file' }).click();
  await expect(page.getByText('No problems found.')).toBeVisible();
  await expect(page.getByText('3 new patients to register')).toBeVisible();
});

test('a file far larger than any other form is taken', async ({ page }) => {
  // 8,000 rows, some 700 KiB: more than the 512 KiB every other page takes.
  const rows = Array.from({ length: 8_000 }, (_, i) => `${testNhsNumber(600_000 + i * 7)},Alexandra,Worthington,1980-01-01,female,type1,waiting,csii,,,,,,2025-10-01,gp`);
  const buffer = Buffer.from([HEADER, ...rows].join('\r\n'));
  expect(buffer.length).toBeGreaterThan(512 * 1024);
  await signIn(page, 'nurse@example.org');
  await page.goto('/imports/caseload');
  await page.getByLabel('CSV file').setInputFiles({ name: 'large.csv', mimeType: 'text/csv', buffer });
  await page.getByRole('button', { name: 'Check file' }).click();
  await expect(page.getByRole('heading', { name: 'Check of large.csv' })).toBeVisible();
  await expect(page.getByText('8,000 rows')).toBeVisible();
});

test('a commissioner is refused the caseload import, which registers patients', async ({ page }) => {
  await signIn(page, 'commissioner@example.org');
  await expect(page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Import caseload' })).toHaveCount(0);
  const res = await page.goto('/imports/caseload');
  expect(res?.status()).toBe(403);
});
