import { expect, test } from '@playwright/test';
import { expectAccessible, signIn, signOut } from './support';

test('an admin logs facilitation at the passive-toolkit site and resolves its funding barrier; a commissioner reads it', async ({ page }, info) => {
  await signIn(page, 'admin@example.org');
  await page.getByRole('link', { name: 'Moorside General Diabetes Clinic' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Moorside General Diabetes Clinic');
  await expect(page.getByRole('cell', { name: 'Web resource' })).toBeVisible();
  await expect(page.getByText('2 open barriers')).toBeVisible();

  await page.getByRole('group', { name: 'Mode' }).getByLabel('Active (hands-on)').check();
  await page.getByRole('group', { name: 'Activity' }).getByLabel('Site visit').check();
  await page.getByLabel('Facilitator (optional)').fill('Regional implementation lead');
  await page.getByRole('button', { name: 'Log facilitation' }).click();
  await expect(page.getByRole('status')).toContainText('Facilitation activity logged');
  await expect(page.getByRole('cell', { name: 'Regional implementation lead' })).toBeVisible();

  await page.getByRole('button', { name: /Mark resolved\s*: Funding decisions/ }).click();
  await expect(page.getByText('1 open barrier.')).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: info.outputPath('site-implementation.png'), fullPage: true });
  await signOut(page);

  await signIn(page, 'commissioner@example.org');
  await page.getByRole('link', { name: 'Moorside General Diabetes Clinic' }).first().click();
  await expect(page.getByRole('cell', { name: 'Regional implementation lead' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Log facilitation' })).toHaveCount(0);
});

test('a commissioner reads the sites side by side, grouped by facilitation, and downloads the CSV', async ({ page }, info) => {
  await signIn(page, 'commissioner@example.org');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Implementation dashboard');
  await expect(page.getByText('Counts from 1 to 7 are withheld')).toBeVisible();
  for (const site of ['Riverside Diabetes Centre', 'Hillcrest Hospital Diabetes Service', 'Moorside General Diabetes Clinic', 'Valley Community Diabetes Team']) {
    await expect(page.getByRole('rowheader', { name: site }).first()).toBeVisible();
  }
  await page.getByLabel('Compare').selectOption('facilitation');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByRole('rowheader', { name: /active/i }).first()).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: info.outputPath('dashboard-by-facilitation.png'), fullPage: true });
  const href = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
  const csv = await page.request.get(href!);
  expect(csv.status()).toBe(200);
  expect(csv.headers()['content-type']).toMatch(/^text\/csv/);
  expect((await csv.text()).split('\n')[0]).toContain('uptakePct');
});
