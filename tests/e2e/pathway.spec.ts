import { expect, test } from '@playwright/test';
import { expectAccessible, signIn, signOut, clockNhsNumber } from './support';

const today = new Date().toISOString().slice(0, 10);

test('a nurse and a consultant take a patient from referral to a continuing review using only the pages', async ({ page }, info) => {
  // Ten accessibility scans on top of the journey itself; at 200% zoom on a busy machine, well over two minutes.
  test.setTimeout(300_000);
  // Every page of the journey is checked with axe-core and kept as a screenshot.
  const shot = async (name: string) => {
    await expectAccessible(page);
    await page.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true });
  };
  const nhs = clockNhsNumber();

  // The nurse registers the patient, checking the NHS number as she types.
  await signIn(page, 'nurse@example.org');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your worklist');
  await shot('nurse-worklist');
  await page.getByRole('link', { name: 'Add a patient' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Add a patient');
  await page.getByLabel('NHS number', { exact: true }).fill('943 476 5918');
  await expect(page.locator('#nhsNumber-error')).toContainText('NHS number is not valid');
  await shot('nurse-new-patient');
  await page.getByLabel('NHS number', { exact: true }).fill(`${nhs.slice(0, 3)} ${nhs.slice(3, 6)} ${nhs.slice(6)}`);
  await expect(page.locator('#nhsNumber-error')).toHaveCount(0);
  await page.getByLabel('Given name').fill('Olivia');
  await page.getByLabel('Family name').fill('Pumpington');
  await page.getByLabel('Date of birth').fill('1991-04-12');
  await page.getByLabel('Female').check();
  await page.getByLabel('Type 1').check();
  await page.getByRole('button', { name: 'Add patient' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('PUMPINGTON, Olivia');
  await shot('nurse-patient');

  await page.getByText('Add an HbA1c result').click();
  await page.getByLabel('Date of the result').fill(today);
  await page.getByLabel('Result', { exact: true }).fill('8.9');
  await page.getByLabel('% (DCCT)').check();
  await page.getByRole('button', { name: 'Add result' }).click();
  await expect(page.getByRole('status')).toContainText('HbA1c result added');
  await expect(page.getByRole('cell', { name: '74', exact: true })).toBeVisible();

  await page.getByText('Refer for pump or hybrid closed loop').click();
  await page.getByLabel('Insulin pump (CSII)').check();
  await page.getByLabel('GP').check();
  await page.getByRole('button', { name: 'Refer' }).click();
  await expect(page.getByRole('status')).toContainText('Referral recorded');
  const referralUrl = page.url().replace(/\?.*$/, '');
  await shot('nurse-referral');
  await signOut(page);

  // The consultant finds it in the queue and overrides the rules, with a rationale.
  await signIn(page, 'consultant@example.org');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Eligibility queue');
  await shot('consultant-queue');
  await page.goto(referralUrl);
  // The rules' live view needs the page's script running.
  await page.waitForLoadState('networkidle');
  await page.getByRole('group', { name: 'Disabling hypoglycaemia?' }).getByLabel('No').check();
  await page.getByRole('group', { name: 'Multiple daily injections tried?' }).getByLabel('Yes').check();
  await page.getByRole('group', { name: 'Structured education had or offered?' }).getByLabel('Yes').check();
  // The field starts from the latest result (8.9% entered by the nurse today), and the hint says where it came from.
  await expect(page.getByLabel('HbA1c (mmol/mol)', { exact: true })).toHaveValue('74');
  await expect(page.locator('#hba1cMmolMol-hint')).toHaveText(/^Latest result, \d{1,2} \w+ \d{4}, entered by hand\./);
  await page.getByLabel('HbA1c (mmol/mol)', { exact: true }).fill('66');
  await expect(page.getByText('The rules suggest: not eligible')).toBeVisible();
  await shot('consultant-assessment-form');
  await page.getByRole('group', { name: 'Decision' }).getByLabel('Eligible', { exact: true }).check();
  await page.getByRole('button', { name: 'Record assessment' }).click();
  await expect(page.getByRole('alert')).toContainText('Give a rationale');
  await expect(page.getByLabel('HbA1c (mmol/mol)', { exact: true })).toHaveValue('66');
  await shot('consultant-rationale-error');
  await page.getByLabel('Rationale').fill('Nocturnal hypoglycaemia on CGM download; pump with suspend needed');
  await page.getByLabel('Continuation target HbA1c (mmol/mol)').fill('58');
  await page.getByRole('group', { name: 'Disabling hypoglycaemia?' }).getByLabel('No').check();
  await page.getByRole('group', { name: 'Multiple daily injections tried?' }).getByLabel('Yes').check();
  await page.getByRole('group', { name: 'Structured education had or offered?' }).getByLabel('Yes').check();
  await page.getByRole('group', { name: 'Decision' }).getByLabel('Eligible', { exact: true }).check();
  await page.getByRole('button', { name: 'Record assessment' }).click();
  await expect(page.getByRole('status')).toContainText('Eligibility assessment recorded');
  await expect(page.getByRole('heading', { level: 3, name: "Assessed: eligible, against the rules' suggestion: Nocturnal hypoglycaemia on CGM download; pump with suspend needed" })).toBeVisible();
  await shot('consultant-assessed');
  await signOut(page);

  // The nurse requests and records funding, starts the pump and reviews.
  await signIn(page, 'nurse@example.org');
  await page.goto(referralUrl);
  await page.getByLabel('Routine commissioning').check();
  await page.getByRole('button', { name: 'Record funding request' }).click();
  await expect(page.getByRole('status')).toContainText('Funding requested recorded');
  await page.getByLabel('Approved').check();
  await page.getByRole('button', { name: 'Record funding decision' }).click();
  await page.getByLabel('Pump', { exact: true }).selectOption('Tandem t:slim X2');
  await page.getByLabel('CGM (optional)').selectOption('Dexcom G7');
  await page.getByLabel('Algorithm (none for a pump alone)').selectOption('Control-IQ');
  await page.getByRole('button', { name: 'Record device start' }).click();
  await expect(page.getByText('On therapy').first()).toBeVisible();
  // The chart's caption points to where every result is listed: the patient's page, not a table here.
  await expect(page.locator('.pp-chart figcaption')).toContainText("Every result, as reported and with its source, is listed on the patient's page");
  await expect(page.locator('.pp-chart figcaption').getByRole('link', { name: "the patient's page" })).toHaveAttribute('href', /^\/patients\/[0-9a-f-]+#hba1c$/);
  // The review takes the HbA1c as the lab gave it: 8.7 in mmol/mol is a slip, refused in words; in % it is 72 mmol/mol.
  await page.getByLabel('HbA1c at review (optional)').fill('8.7');
  await page.getByLabel('Continue therapy', { exact: true }).check();
  await page.getByRole('button', { name: 'Record review' }).click();
  await expect(page.getByRole('alert').getByRole('link', { name: 'HbA1c in mmol/mol must be between 20 and 200; for a result in %, choose %' })).toHaveAttribute('href', '#hba1cResult');
  await expect(page.getByLabel('HbA1c at review (optional)')).toHaveValue('8.7');
  await expectAccessible(page);
  await page.getByRole('group', { name: 'Unit of the HbA1c' }).getByLabel('% (DCCT)').check();
  await page.getByRole('button', { name: 'Record review' }).click();
  await expect(page.getByRole('status')).toContainText('Review recorded');
  await expect(page.getByText('HbA1c 72 mmol/mol')).toBeVisible();
  await expect(page.getByRole('heading', { level: 3 })).toContainText([
    'Referral received',
    "Assessed: eligible, against the rules' suggestion: Nocturnal hypoglycaemia on CGM download; pump with suspend needed",
    'Funding requested from',
    'Funding approved',
    'Started on Tandem t:slim X2 + Dexcom G7 + Control-IQ',
    'Reviewed: therapy continues',
  ]);
  await shot('nurse-timeline');
});
