import { expect, test } from '@playwright/test';
import { expectAccessible, signIn, clockNhsNumber } from './support';

test('a nurse records someone already on a pump, fixing two mistakes at once, then reviews them', async ({ page }, info) => {
  test.setTimeout(90_000);
  const shot = async (name: string) => {
    await expectAccessible(page);
    await page.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true });
  };

  await signIn(page, 'nurse@example.org');
  // A patient of the nurse's own site, made through the API with her session.
  const me = await (await page.request.get('/api/v1/me')).json();
  const created = await page.request.post('/api/v1/patients', {
    data: { nhsNumber: clockNhsNumber(250_000), givenName: 'Pippa', familyName: 'Already', birthDate: '1985-09-21', sex: 'female', siteId: me.siteIds[0], diabetesType: 'type1' },
  });
  expect(created.status()).toBe(201);
  const patient = await created.json();
  await page.goto(`/patients/${patient.id}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('ALREADY, Pippa');

  // A start typed a decade out, after the date known to be on it (today by default), and no pump chosen.
  await page.getByText('Record a therapy already in use').click();
  const knownOn = await page.getByLabel('Date known to be on it').inputValue();
  const typo = `${Number(knownOn.slice(0, 4)) + 10}-03-04`;
  await page.getByLabel('Insulin pump', { exact: true }).check();
  await page.getByLabel('Start date (optional)').fill(typo);
  await page.getByLabel('NHS funded', { exact: true }).check();
  await page.getByRole('button', { name: 'Record therapy in use' }).click();

  // Both problems at once, each linked from the summary to its field, with what was typed kept.
  const summary = page.getByRole('alert');
  await expect(summary).toContainText('There is a problem');
  const startLink = summary.getByRole('link', { name: 'The start cannot be after the date known to be on therapy' });
  const pumpLink = summary.getByRole('link', { name: 'Pump is required' });
  await expect(startLink).toHaveAttribute('href', '#startedOn');
  await expect(pumpLink).toHaveAttribute('href', '#pump');
  await expect(summary.getByRole('link')).toHaveCount(2);
  await expect(page.locator('#startedOn-error')).toContainText('The start cannot be after');
  await expect(page.locator('#pump-error')).toContainText('Pump is required');
  await expect(page.getByLabel('Start date (optional)')).toHaveValue(typo);
  await expect(page.getByLabel('Insulin pump', { exact: true })).toBeChecked();
  await shot('existing-therapy-errors');

  // The summary's link takes the keyboard to the field.
  await pumpLink.focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#pump$/);
  await page.getByLabel('Pump', { exact: true }).selectOption('Tandem t:slim X2');
  await page.getByLabel('Start date (optional)').fill('2019-03-04');
  await page.getByRole('button', { name: 'Record therapy in use' }).click();

  await expect(page.getByRole('status')).toContainText('Therapy already in use recorded');
  await expect(page.getByText(/^On an insulin pump since 4 March 2019, recorded on \d{1,2} \w+ \d{4}$/)).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'Tandem t:slim X2' })).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: /^NHS funded$/ })).toBeVisible();
  await expect(page.getByRole('heading', { level: 3, name: 'Already on therapy' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 3, name: 'Referral received' })).toHaveCount(0);
  const recordUrl = page.url().replace(/\?.*$/, '');
  await shot('existing-therapy-record');

  // It takes reviews like any record on therapy.
  await page.getByLabel('Continue therapy', { exact: true }).check();
  await page.getByRole('button', { name: 'Record review' }).click();
  await expect(page.getByRole('status')).toContainText('Review recorded');
  await expect(page.locator('.pp-timeline h3')).toHaveText(['Already on therapy', 'Reviewed: therapy continues']);
  await shot('existing-therapy-reviewed');

  // The patient's page says what the record is.
  await page.getByRole('link', { name: 'ALREADY, Pippa' }).click();
  const entry = page.getByRole('link', { name: /^Insulin pump: on therapy since 4 March 2019 \(already on it when recorded, / });
  await expect(entry).toHaveAttribute('href', new URL(recordUrl).pathname);

  // And the list of referrals, which can also show the records a closed loop ended.
  await page.goto('/referrals');
  await expect(page.getByLabel('Status').locator('option', { hasText: 'Switched to closed loop' })).toHaveCount(1);
  const existingRow = page.getByRole('row').filter({ hasText: '(already on therapy)' }).first();
  await expect(existingRow.getByRole('link')).toHaveText(/^[A-Z' -]+, \S/);
});
