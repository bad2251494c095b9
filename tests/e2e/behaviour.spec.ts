import { expect, test } from '@playwright/test';
import { expectAccessible, signIn, clockNhsNumber } from './support';

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a nurse signs in, finds a patient and adds an HbA1c result with plain form posts', async ({ page }) => {
    await signIn(page, 'nurse@example.org');
    await page.getByLabel('Find a patient by NHS number or name').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Patients');
    await page.locator('main table a').first().click();
    const name = await page.getByRole('heading', { level: 1 }).textContent();
    await page.getByText('Add an HbA1c result').click();
    await page.getByLabel('Date of the result').fill('2026-11-01');
    await page.getByLabel('Result', { exact: true }).fill('not a number');
    await page.getByRole('button', { name: 'Add result' }).click();
    await expect(page.getByRole('alert')).toContainText('The result must be a number');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(name!);
    // The form stays open with the error beside the field and the date still filled in.
    await expect(page.getByLabel('Date of the result')).toHaveValue('2026-11-01');
    await page.getByLabel('Result', { exact: true }).fill('61');
    await page.getByRole('button', { name: 'Add result' }).click();
    await expect(page.getByRole('status')).toContainText('HbA1c result added');
  });
});

test('when someone else changes the referral first, the second nurse is told, sees the current state and keeps what she typed', async ({ browser }) => {
  const first = await (await browser.newContext()).newPage();
  const second = await (await browser.newContext()).newPage();
  await signIn(first, 'nurse@example.org');
  await signIn(second, 'nurse@example.org');
  // A fresh referral of the nurse's own, made through the API with her session.
  const me = await (await first.request.get('/api/v1/me')).json();
  const patient = await (
    await first.request.post('/api/v1/patients', {
      data: { nhsNumber: clockNhsNumber(), givenName: 'Conflict', familyName: 'Tester', birthDate: '1980-01-01', sex: 'male', siteId: me.siteIds[0], diabetesType: 'type1' },
    })
  ).json();
  const referral = await (await first.request.post('/api/v1/referrals', { data: { patientId: patient.id, therapy: 'hcl', receivedOn: '2026-01-05', source: 'gp' } })).json();
  await first.goto(`/referrals/${referral.id}`);
  await second.goto(`/referrals/${referral.id}`);

  await first.getByText('Withdraw this referral').click();
  await first.getByLabel('Patient declined').check();
  await first.getByRole('button', { name: 'Withdraw referral' }).click();
  await expect(first.getByRole('status')).toContainText('Withdrawn recorded');

  await second.getByText('Withdraw this referral').click();
  await second.getByLabel('Moved away').check();
  await second.getByRole('button', { name: 'Withdraw referral' }).click();
  await expect(second.getByRole('alert')).toContainText('Someone else has changed this referral');
  await expect(second.getByText('Withdrawn').first()).toBeVisible();
  // The withdrawal form is gone (the step is done), so her entries are shown for her to copy.
  await expect(second.getByText('What you entered was not saved')).toBeVisible();
  await expect(second.getByRole('definition').filter({ hasText: 'Moved away' })).toBeVisible();
  await expectAccessible(second);
  await first.close();
  await second.close();
});

test('an assessment refused because someone else assessed first keeps the HbA1c the consultant typed, not the latest result', async ({ browser }) => {
  const first = await (await browser.newContext()).newPage();
  const second = await (await browser.newContext()).newPage();
  await signIn(first, 'consultant@example.org');
  await signIn(second, 'consultant@example.org');
  const me = await (await first.request.get('/api/v1/me')).json();
  const patient = await (
    await first.request.post('/api/v1/patients', {
      data: { nhsNumber: clockNhsNumber(200_000), givenName: 'Prefill', familyName: 'Tester', birthDate: '1980-01-01', sex: 'female', siteId: me.siteIds[0], diabetesType: 'type1' },
    })
  ).json();
  const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
  await first.request.post(`/api/v1/patients/${patient.id}/observations`, { data: { kind: 'hba1c', effective: daysAgo(20), value: 71, unit: 'mmol/mol' } });
  const referral = await (await first.request.post('/api/v1/referrals', { data: { patientId: patient.id, therapy: 'csii', receivedOn: daysAgo(10), source: 'gp' } })).json();

  await second.goto(`/referrals/${referral.id}`);
  const hba1c = second.getByLabel('HbA1c (mmol/mol)', { exact: true });
  await expect(hba1c).toHaveValue('71');
  await expect(second.locator('#hba1cMmolMol-hint')).toContainText('entered by hand');

  // The first consultant defers it meanwhile, so the second one's form is out of date.
  const deferred = await first.request.post(`/api/v1/referrals/${referral.id}/events`, {
    data: { type: 'assessment', version: referral.version, assessedOn: daysAgo(0), disablingHypoglycaemia: false, mdiTried: true, structuredEducation: true, decision: 'deferred' },
  });
  expect(deferred.status()).toBe(201);

  await hba1c.fill('83');
  await second.getByRole('group', { name: 'Disabling hypoglycaemia?' }).getByLabel('No').check();
  await second.getByRole('group', { name: 'Multiple daily injections tried?' }).getByLabel('Yes').check();
  await second.getByRole('group', { name: 'Structured education had or offered?' }).getByLabel('Yes').check();
  await second.getByRole('group', { name: 'Decision' }).getByLabel('Deferred').check();
  await second.getByRole('button', { name: 'Record assessment' }).click();
  await expect(second.getByRole('alert')).toContainText('Someone else has changed this referral');
  // Deferred referrals are assessed again, so the form is still there, with her value in it.
  await expect(second.getByLabel('HbA1c (mmol/mol)', { exact: true })).toHaveValue('83');
  await first.close();
  await second.close();
});

test('a nurse records a funding decision with the keyboard alone', async ({ page }) => {
  await signIn(page, 'nurse@example.org');
  await page.getByRole('link', { name: /^Awaiting funding decision/ }).focus();
  await page.keyboard.press('Enter');
  const link = page.locator('section[aria-labelledby="funding_decision"] a[href^="/referrals/"]').first();
  await link.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Funding decision', level: 3, exact: true })).toBeVisible();
  await page.getByLabel('Decided on').focus();
  // Tab on past the date's day, month and year segments to the outcome radios; Space chooses; Enter submits.
  const approved = page.getByLabel('Approved');
  for (let i = 0; i < 5 && !(await approved.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(approved).toBeFocused();
  await page.keyboard.press('Space');
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Reference (optional)')).toBeFocused();
  await page.keyboard.type('PA-KEYBOARD-1');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status')).toContainText('Funding decision recorded');
  await expect(page.getByText('Awaiting start').first()).toBeVisible();
});
