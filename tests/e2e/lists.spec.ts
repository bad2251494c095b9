import { expect, test, type Locator, type Page } from '@playwright/test';
import { expectAccessible, signIn } from './support';

// The family name in capitals, then the given name: "HARRIS, Leo" (other tests' patients may carry digits).
const NAME = /^[^\p{Ll}]+, \S/u;
const NHS_NUMBER = /^(\d{3} \d{3} \d{4}|None)$/;
const UK_DATE = /\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}/;

/** The text of each body row's cell under the column headed `header`. */
async function column(table: Locator, header: string): Promise<string[]> {
  const headers = (await table.locator('thead th').allInnerTexts()).map((h) => h.trim());
  const index = headers.indexOf(header);
  expect(index, `a column headed ${header} among ${headers.join(', ')}`).toBeGreaterThanOrEqual(0);
  return (await table.locator(`tbody tr > :nth-child(${index + 1})`).allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

// The worklist and the lists are long pages: each axe scan of them takes a while on a busy machine.
test.describe.configure({ timeout: 90_000 });

const worklistSection = (page: Page, heading: string) => page.locator('section').filter({ has: page.getByRole('heading', { level: 2, name: heading }) });

test.describe('the list of referrals', () => {
  test('names whose referral each one is, and links from the patient to the referral', async ({ page }, info) => {
    await signIn(page, 'nurse@example.org');
    await page.goto('/referrals');
    const table = page.getByRole('table');
    const names = await column(table, 'Patient');
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name).toMatch(NAME);
    for (const nhs of await column(table, 'NHS number')) expect(nhs).toMatch(NHS_NUMBER);
    expect((await column(table, 'NHS number')).some((n) => n !== 'None')).toBe(true);

    const first = table.locator('tbody tr').first().getByRole('rowheader').getByRole('link');
    await expect(first).toHaveText(names[0]!);
    await expectAccessible(page);
    await page.screenshot({ path: info.outputPath('referrals.png'), fullPage: true });
    await first.click();
    await expect(page).toHaveURL(/\/referrals\/[0-9a-f-]{36}$/);
  });

  test('filters by status, therapy and site, in the address, through a reload and onto the next page', async ({ page }, info) => {
    await signIn(page, 'consultant@example.org');
    await page.goto('/referrals?limit=5');
    await page.getByLabel('Status').selectOption({ label: 'On therapy' });
    await page.getByLabel('Therapy').selectOption({ label: 'Hybrid closed loop (HCL)' });
    await page.getByLabel('Site').selectOption({ label: 'Hillcrest Hospital Diabetes Service' });
    await page.getByRole('button', { name: 'Show' }).click();
    await expect(page).toHaveURL(/status=on_therapy/);
    await expect(page).toHaveURL(/therapy=hcl/);

    const check = async () => {
      const table = page.getByRole('table');
      const therapies = await column(table, 'Therapy');
      expect(therapies.length).toBeGreaterThan(0);
      expect(new Set(therapies)).toEqual(new Set(['Hybrid closed loop (HCL)']));
      expect(new Set(await column(table, 'Site'))).toEqual(new Set(['Hillcrest Hospital Diabetes Service']));
      expect(new Set(await column(table, 'Status'))).toEqual(new Set(['On therapy']));
    };
    await check();
    await page.reload();
    await expect(page.getByLabel('Therapy')).toHaveValue('hcl');
    await expect(page.getByLabel('Status')).toHaveValue('on_therapy');
    await expect(page.getByLabel('Site').locator('option:checked')).toHaveText('Hillcrest Hospital Diabetes Service');
    await check();
    await expectAccessible(page);
    await page.screenshot({ path: info.outputPath('referrals-filtered.png'), fullPage: true });

    const firstPage = await column(page.getByRole('table'), 'Patient');
    await page.getByRole('link', { name: 'Next page' }).click();
    await expect(page).toHaveURL(/cursor=/);
    await expect(page.getByLabel('Therapy')).toHaveValue('hcl');
    await check();
    expect(await column(page.getByRole('table'), 'Patient')).not.toEqual(firstPage);
  });

  test.describe('without scripts', () => {
    test.use({ javaScriptEnabled: false });

    test('the filters are a plain form', async ({ page }) => {
      await signIn(page, 'nurse@example.org');
      await page.goto('/referrals');
      await page.getByLabel('Therapy').selectOption('csii');
      await page.getByRole('button', { name: 'Show' }).click();
      await expect(page).toHaveURL(/therapy=csii/);
      expect(new Set(await column(page.getByRole('table'), 'Therapy'))).toEqual(new Set(['Insulin pump (CSII)']));
    });
  });
});

test.describe("the consultant's eligibility queue", () => {
  test('shows each referral\'s site and NHS number, and narrows to one of her sites', async ({ page }, info) => {
    await signIn(page, 'consultant@example.org');
    const table = page.getByRole('table', { name: /Eligibility queue/ });
    const sites = await column(table, 'Site');
    expect(new Set(sites)).toEqual(new Set(['Riverside Diabetes Centre', 'Hillcrest Hospital Diabetes Service']));
    for (const nhs of await column(table, 'NHS number')) expect(nhs).toMatch(NHS_NUMBER);
    await expectAccessible(page);
    await page.screenshot({ path: info.outputPath('queue.png'), fullPage: true });

    await page.getByLabel('Site', { exact: true }).selectOption({ label: 'Hillcrest Hospital Diabetes Service' });
    await page.getByRole('button', { name: 'Show' }).click();
    await expect(page).toHaveURL(/siteId=/);
    const narrowed = await column(table, 'Site');
    expect(narrowed.length).toBe(sites.filter((s) => s === 'Hillcrest Hospital Diabetes Service').length);
    expect(new Set(narrowed)).toEqual(new Set(['Hillcrest Hospital Diabetes Service']));
    await page.reload();
    await expect(page.getByLabel('Site', { exact: true }).locator('option:checked')).toHaveText('Hillcrest Hospital Diabetes Service');
    expect(await column(table, 'Site')).toEqual(narrowed);
  });

  test('offers no site filter to a consultant of one site', async ({ page }) => {
    await signIn(page, 'admin@example.org');
    await page.goto('/admin/users');
    await page.getByLabel('Full name').fill('Rae Riverside');
    await page.getByLabel('Email').fill('rae.riverside@example.org');
    await page.getByLabel('Consultant', { exact: true }).check();
    await page.getByLabel('Riverside Diabetes Centre (RDM01)').check();
    await page.getByLabel('Initial password').fill('riverside-consultant-password');
    await page.getByRole('button', { name: 'Add user' }).click();
    await expect(page.getByRole('status')).toContainText('Account created');
    await page.getByRole('button', { name: 'Sign out' }).click();

    await signIn(page, 'rae.riverside@example.org', 'riverside-consultant-password');
    const table = page.getByRole('table', { name: /Eligibility queue/ });
    expect(new Set(await column(table, 'Site'))).toEqual(new Set(['Riverside Diabetes Centre']));
    await expect(page.getByLabel('Site', { exact: true })).toHaveCount(0);
  });
});

test("the nurse's reviews due say when each review falls due and by how much it is overdue", async ({ page }, info) => {
  await signIn(page, 'nurse@example.org');
  const reviews = worklistSection(page, 'Reviews due').getByRole('table');
  const due = await column(reviews, 'Review due');
  expect(due.length).toBeGreaterThan(0);
  for (const cell of due) {
    expect(cell).toMatch(UK_DATE);
    expect(cell).toMatch(/(\d+ (days?|weeks?|months?|years?) overdue|due in \d+ (days?|weeks?)|due today|due tomorrow)/i);
  }
  expect(due.some((cell) => /overdue/.test(cell))).toBe(true);
  await expect(reviews.getByRole('columnheader', { name: 'Days at this step' })).toHaveCount(0);
  await expect(reviews.getByText('Overdue', { exact: true })).toHaveCount(0);
  await expectAccessible(page);
  await page.screenshot({ path: info.outputPath('worklist.png'), fullPage: true });
});

test.describe('the worklist at 200% zoom', () => {
  // A 1280-pixel screen at 200% zoom lays out like a 640-pixel one (the zoom-200 project's viewport).
  test.use({ viewport: { width: 640, height: 450 } });

  test('shows several referrals a screen, each still with everything the wide table says', async ({ page }, info) => {
    await signIn(page, 'nurse@example.org');
    await page.screenshot({ path: info.outputPath('worklist-640.png'), fullPage: true });
    const rows = page.locator('.pp-worklist tbody tr');
    const count = await rows.count();
    expect(count).toBeGreaterThan(8);
    const boxes = await rows.evaluateAll((trs) => trs.map((tr) => tr.getBoundingClientRect()).map((r) => ({ top: r.top + window.scrollY, bottom: r.bottom + window.scrollY })));

    // Two screens down from the first referral hold at least eight of them; stacked one cell a line, they held three.
    const screen = page.viewportSize()!.height;
    const start = boxes[0]!.top;
    expect(boxes.filter((b) => b.bottom <= start + 2 * screen).length).toBeGreaterThanOrEqual(8);
    for (const b of boxes) expect(b.bottom - b.top).toBeLessThanOrEqual(screen / 4);

    // Nothing is lost: each row still names the patient, the NHS number, therapy, site, status and the wait or due date.
    const first = rows.first();
    await expect(first.getByRole('link')).toHaveText(NAME);
    await expect(first).toContainText(/\d{3} \d{3} \d{4}|None/);
    await expect(first).toContainText(/Insulin pump \(CSII\)|Hybrid closed loop \(HCL\)/);
    await expect(first).toContainText('Riverside Diabetes Centre');
    await expect(first.locator('.nhsuk-tag').first()).toBeVisible();
    const last = worklistSection(page, 'Reviews due').locator('tbody tr').first();
    await expect(last).toContainText(UK_DATE);
    // No page-wide sideways scrolling at this width.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(640);
    await expectAccessible(page);
  });
});
