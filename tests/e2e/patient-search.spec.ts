import { expect, test, type Page } from '@playwright/test';
import { expectAccessible, signIn, signOut, clockNhsNumber } from './support';

const nhsNumber = clockNhsNumber();
const spaced = `${nhsNumber.slice(0, 3)} ${nhsNumber.slice(3, 6)} ${nhsNumber.slice(6)}`;

async function addPatient(page: Page, number: string, givenName: string, familyName: string) {
  await page.goto('/patients/new');
  await page.getByLabel('NHS number', { exact: true }).fill(number);
  await page.getByLabel('Given name').fill(givenName);
  await page.getByLabel('Family name').fill(familyName);
  await page.getByLabel('Date of birth').fill('1984-06-02');
  await page.getByRole('radio', { name: 'Male', exact: true }).check();
  await page.getByRole('radio', { name: 'Type 1' }).check();
  await page.getByRole('button', { name: 'Add patient' }).click();
}

test('a nurse finds a patient by the name as the app writes it, in either order, and by the NHS number with spaces', async ({ page }, info) => {
  test.setTimeout(120_000);
  await signIn(page, 'nurse@example.org');
  await addPatient(page, nhsNumber, 'Leopold', 'Harrisfield');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('HARRISFIELD, Leopold');
  for (const q of ['Leopold Harrisfield', 'Harrisfield, Leopold', 'HARRISFIELD, Leopold', 'harrisfield leopold', spaced]) {
    await page.goto('/patients');
    await page.getByLabel('NHS number or name', { exact: true }).fill(q);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.locator('main table a', { hasText: 'Leopold' }), q).toHaveCount(1);
  }
  await page.screenshot({ path: info.outputPath('search.png'), fullPage: true });
  await expectAccessible(page);
});

test('adding an NHS number already registered links to that patient, or says only that another site has them', async ({ page }, info) => {
  test.setTimeout(120_000);
  await signIn(page, 'nurse@example.org');
  const own = clockNhsNumber(1);
  await addPatient(page, own, 'Ada', 'Duplicated');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('DUPLICATED, Ada');
  const ownPage = page.url().replace(/\?.*$/, '');

  await addPatient(page, own, 'Ada', 'Again');
  await expect(page.getByRole('alert')).toContainText('This NHS number is already registered');
  await page.getByRole('link', { name: 'DUPLICATED, Ada' }).click();
  await expect(page).toHaveURL(ownPage);

  // A patient of Hillcrest, which the consultant works at and the nurse does not.
  await signOut(page);
  await signIn(page, 'consultant@example.org');
  const sites = (await (await page.request.get('/api/v1/sites')).json()).items as { id: string; name: string }[];
  const hillcrest = sites.find((s) => /hillcrest/i.test(s.name))!;
  const elsewhere = clockNhsNumber(2);
  const created = await page.request.post('/api/v1/patients', {
    data: { nhsNumber: elsewhere, givenName: 'Hidden', familyName: 'Elsewhere', birthDate: '1970-01-01', sex: 'female', siteId: hillcrest.id, diabetesType: 'type1' },
  });
  expect(created.status()).toBe(201);
  await signOut(page);
  await signIn(page, 'nurse@example.org');
  await addPatient(page, elsewhere, 'Someone', 'Else');
  await expect(page.getByRole('alert')).toContainText('This NHS number is already registered at another site');
  await expect(page.locator('main')).not.toContainText('Elsewhere');
  await expect(page.locator('main')).not.toContainText('Hidden');
  await page.screenshot({ path: info.outputPath('duplicate-elsewhere.png'), fullPage: true });
  await expectAccessible(page);
});
