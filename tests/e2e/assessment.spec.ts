import { expect, test, type Browser, type Page } from '@playwright/test';
import { expectAccessible, signIn, clockNhsNumber } from './support';

const today = new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

/** A signed-in page of its own for one role. */
async function as(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, email);
  return page;
}

/** A patient of the user's first site, with an HbA1c result, made through the API with the user's session. */
async function patientOf(page: Page, over: Record<string, unknown>, hba1c?: number) {
  const me = await (await page.request.get('/api/v1/me')).json();
  const res = await page.request.post('/api/v1/patients', {
    data: { nhsNumber: clockNhsNumber(Math.floor(Math.random() * 1e5)), sex: 'female', siteId: me.siteIds[0], diabetesType: 'type1', ...over },
  });
  expect(res.status()).toBe(201);
  const patient = await res.json();
  if (hba1c !== undefined) {
    await page.request.post(`/api/v1/patients/${patient.id}/observations`, { data: { kind: 'hba1c', effective: daysAgo(20), value: hba1c, unit: 'mmol/mol' } });
  }
  return patient as { id: string; givenName: string; familyName: string };
}

async function refer(page: Page, patientId: string, therapy: 'csii' | 'hcl', priorityGroup?: string) {
  const res = await page.request.post('/api/v1/referrals', { data: { patientId, therapy, receivedOn: daysAgo(10), source: 'gp', ...(priorityGroup ? { priorityGroup } : {}) } });
  expect(res.status()).toBe(201);
  return (await res.json()) as { id: string; version: number };
}

test('a closed-loop assessment asks only the TA943 questions, agrees with the queue, and says each rule in words', async ({ browser }, info) => {
  test.setTimeout(120_000);
  const page = await as(browser, 'consultant@example.org');
  const patient = await patientOf(page, { givenName: 'Loop', familyName: `Adult${Date.now() % 100000}`, birthDate: '1962-03-01' }, 70);
  const referral = await refer(page, patient.id, 'hcl', 'adult');

  // The queue's provisional suggestion for this referral.
  await page.goto('/');
  const row = page.getByRole('row').filter({ hasText: patient.familyName.toUpperCase() });
  const cell = row.getByRole('cell').filter({ hasText: 'Rules suggest' });
  await expect(cell).toContainText('Not eligible');
  await expect(cell).toContainText('Needs best possible management with CSII, real-time CGM or intermittently scanned CGM (TA943-1.1)');
  await expect(cell).not.toContainText('Met:');

  await page.goto(`/referrals/${referral.id}`);
  await page.waitForLoadState('networkidle');
  const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Record assessment' }) });
  // Only the closed loop's own questions: no MDI, no under-12 question, no TA151 continuation target.
  await expect(form.getByRole('group', { name: 'Multiple daily injections tried?' })).toHaveCount(0);
  await expect(form.getByText('impractical')).toHaveCount(0);
  await expect(form.getByLabel('Continuation target HbA1c (mmol/mol)')).toHaveCount(0);
  await expect(form.getByRole('group', { name: 'Technology already used' })).toBeVisible();
  await expect(form.getByRole('group', { name: 'Pregnant or planning pregnancy?' })).toBeVisible();

  // Before any answer the form reads the rules as the queue does, and says what is missing rather than listing a rule met.
  const preview = form.locator('[aria-live="polite"]');
  await expect(preview).toContainText('The rules suggest: not eligible');
  await expect(preview).toContainText('Still needed for eligibility: best possible management with CSII, real-time CGM or intermittently scanned CGM (TA943-1.1)');
  await expect(preview).toContainText('Aged 18 or over: TA943-1.2 does not apply (it is for children and young people under 18).');
  await expect(preview).not.toContainText('TA943-1.2 not met');

  // One submit reports every problem: a future date and both unanswered questions.
  await form.getByLabel('Assessed on').fill('2999-01-01');
  await form.getByRole('group', { name: 'Decision' }).getByLabel('Eligible', { exact: true }).check();
  await form.getByRole('button', { name: 'Record assessment' }).click();
  const summary = page.getByRole('alert');
  await expect(summary.getByRole('link')).toHaveText([
    'Date cannot be in the future',
    'Say whether there is disabling hypoglycaemia',
    'Say whether structured education has been had or offered',
  ]);
  await expectAccessible(page);
  await page.screenshot({ path: info.outputPath('hcl-assessment-errors.png'), fullPage: true });

  await page.waitForLoadState('networkidle');
  await form.getByLabel('Assessed on').fill(today);
  await form.getByRole('group', { name: 'Disabling hypoglycaemia?' }).getByLabel('No').check();
  await form.getByLabel('Intermittently scanned CGM').check();
  await form.getByRole('group', { name: 'Structured education had or offered?' }).getByLabel('Yes').check();
  await expect(preview).toContainText('The rules suggest: eligible');
  await expect(preview).not.toContainText('Still needed');
  await form.getByRole('group', { name: 'Decision' }).getByLabel('Not eligible', { exact: true }).check();
  await form.getByLabel('Rationale').fill('Wishes to wait until after moving house');
  await form.getByRole('button', { name: 'Record assessment' }).click();
  await expect(page.getByRole('status')).toContainText('Eligibility assessment recorded');
  await expect(page.locator('.pp-timeline h3')).toContainText([
    'Referral received',
    "Assessed: not eligible, against the rules' suggestion: Wishes to wait until after moving house",
  ]);
  await expectAccessible(page);
  await page.screenshot({ path: info.outputPath('hcl-assessed.png'), fullPage: true });
  await page.context().close();
});

test('a pump assessment of a 63-year-old says the under-12 rule and the type 2 exclusion do not apply', async ({ browser }) => {
  const page = await as(browser, 'consultant@example.org');
  const patient = await patientOf(page, { givenName: 'Pump', familyName: `Older${Date.now() % 100000}`, birthDate: '1962-03-01' }, 75);
  const referral = await refer(page, patient.id, 'csii');
  await page.goto(`/referrals/${referral.id}`);
  await page.waitForLoadState('networkidle');
  const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Record assessment' }) });
  await expect(form.getByRole('group', { name: 'Multiple daily injections tried?' })).toBeVisible();
  await expect(form.getByRole('group', { name: 'Technology already used' })).toHaveCount(0);
  await expect(form.getByRole('group', { name: 'Pregnant or planning pregnancy?' })).toHaveCount(0);
  const preview = form.locator('[aria-live="polite"]');
  await expect(preview).toContainText('Aged 12 or over: TA151-1.2 does not apply (it is for children under 12).');
  await expect(preview).toContainText('Type 1 diabetes: TA151-1.5 does not apply (it excludes type 2 diabetes only).');
  await expect(preview).not.toContainText('not type 2');
  // MDI unanswered on a pump assessment is refused, with the other problems of the same submit.
  await form.getByRole('group', { name: 'Disabling hypoglycaemia?' }).getByLabel('No').check();
  await form.getByRole('group', { name: 'Decision' }).getByLabel('Eligible', { exact: true }).check();
  await form.getByLabel('If deferred, reassess on').fill('2000-01-01');
  await form.getByRole('button', { name: 'Record assessment' }).click();
  await expect(page.getByRole('alert').getByRole('link')).toHaveText([
    'Say whether multiple daily injections have been tried',
    'Say whether structured education has been had or offered',
  ]);
  await page.context().close();
});

test('the device start form reports every problem at once', async ({ browser }) => {
  const consultant = await as(browser, 'consultant@example.org');
  const patient = await patientOf(consultant, { givenName: 'Device', familyName: `Start${Date.now() % 100000}`, birthDate: '1985-01-01' }, 75);
  let referral = await refer(consultant, patient.id, 'csii');
  const post = async (who: Page, data: Record<string, unknown>) => {
    const res = await who.request.post(`/api/v1/referrals/${referral.id}/events`, { data: { ...data, version: referral.version } });
    expect(res.status()).toBe(201);
    referral = await res.json();
  };
  await post(consultant, { type: 'assessment', assessedOn: daysAgo(5), disablingHypoglycaemia: false, mdiTried: true, structuredEducation: true, decision: 'eligible' });
  const nurse = await as(browser, 'nurse@example.org');
  await post(nurse, { type: 'funding_requested', submittedOn: daysAgo(4), commissioner: 'ICB', route: 'routine' });
  await post(nurse, { type: 'funding_decision', decidedOn: daysAgo(3), outcome: 'approved', reference: 'PA-77' });

  await nurse.goto(`/referrals/${referral.id}`);
  await expect(nurse.locator('.pp-timeline h3')).toContainText(['Referral received', 'Assessed: eligible, as the rules suggest', 'Funding requested from ICB (Routine commissioning)', 'Funding approved, ref PA-77']);
  await nurse.getByLabel('Started on').fill('2999-01-01');
  await nurse.getByRole('button', { name: 'Record device start' }).click();
  await expect(nurse.getByRole('alert').getByRole('link')).toHaveText(['Date cannot be in the future', /pump/i]);
  await expectAccessible(nurse);
  await consultant.context().close();
  await nurse.context().close();
});

test('the referral form makes the priority group an explicit, clearable choice, and a pump referral never carries one', async ({ browser }, info) => {
  const page = await as(browser, 'nurse@example.org');
  const patient = await patientOf(page, { givenName: 'Priority', familyName: `Group${Date.now() % 100000}`, birthDate: '1990-01-01' });
  await page.goto(`/patients/${patient.id}`);
  await page.waitForLoadState('networkidle');
  await page.getByText('Refer for pump or hybrid closed loop').click();
  const group = page.getByRole('group', { name: 'NHS England priority group (hybrid closed loop only)' });
  await expect(group.getByLabel('Not yet known')).toBeChecked();
  await group.getByLabel('Adult').check();
  // Picked, then cleared again.
  await group.getByLabel('Not yet known').check();
  await expect(group.getByLabel('Adult')).not.toBeChecked();
  // A pump referral has no priority group to give.
  await page.getByLabel('Insulin pump (CSII)').check();
  await expect(group).toHaveCount(0);
  await page.getByLabel('Hybrid closed loop (HCL)').check();
  await expect(group.getByLabel('Not yet known')).toBeChecked();
  await expectAccessible(page);
  await page.screenshot({ path: info.outputPath('refer-priority-group.png'), fullPage: true });
  await page.getByLabel('GP').check();
  await page.getByRole('button', { name: 'Refer' }).click();
  await expect(page.getByRole('status')).toContainText('Referral recorded');
  await expect(page.getByRole('definition').filter({ hasText: 'priority group: not yet known' })).toBeVisible();
  const id = page.url().match(/referrals\/([^?]+)/)![1];
  expect((await (await page.request.get(`/api/v1/referrals/${id}`)).json()).priorityGroup).toBeNull();
  await page.context().close();
});
