import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { expectAccessible, signIn, signOut } from './support';

/** Two years back from today: the demo's improvement charts' span, with hands-on facilitation a year before today. */
const twoYearsAgo = () => {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() - 2);
  return d.toISOString().slice(0, 10);
};

/** The figures of one row of a table, by its row header. */
async function rowFigures(page: Page, caption: string | RegExp, rowName: string): Promise<string[]> {
  const table = page.getByRole('table', { name: caption });
  return table.getByRole('row', { name: rowName }).getByRole('cell').allInnerTexts();
}
/** A figure from a table; a withheld one (1-7) is taken at its most, 7, so that "fewer than" still holds. */
const count = (text: string | undefined) => (text === '1-7' ? 7 : Number((text ?? '').replace(/,/g, '')));

test('a commissioner reads the implementation dashboard for a board paper: charts with tables, the stalled site, print', async ({ page }, info) => {
  // Two accessibility scans of a long page and three full-page screenshots: more than the default 30 s on a busy machine.
  test.setTimeout(120_000);
  await signIn(page, 'commissioner@example.org');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Implementation dashboard');
  await expect(page.getByText('Counts from 1 to 7 are withheld')).toBeVisible();
  await page.getByLabel('From', { exact: true }).fill(twoYearsAgo());
  await page.getByLabel('Starts per', { exact: true }).selectOption('quarter');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/bin=quarter/);

  // Every chart has a heading, an accessible name and description, and a table behind it.
  for (const heading of ['Uptake against the NICE benchmark', 'Starts over time, with facilitation and barriers', 'The pathway in the period', 'Waits', 'Funding decisions by commissioner and route', 'Continuation and HbA1c change']) {
    await expect(page.getByRole('heading', { level: 2, name: heading })).toBeVisible();
  }
  await expect(page.getByRole('img', { name: /Uptake: people on therapy/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /Device starts per quarter per site/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /The pathway at Moorside General Diabetes Clinic/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /Referral to start: waits in bins of days/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /Funding decisions in the period/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /still on therapy 12 months/ })).toBeVisible();
  // The benchmark line and the facilitation marks are drawn; withheld cells read 1-7, never 0.
  await expect(page.getByText('NICE benchmark 12%')).toBeVisible();
  await expect(page.getByRole('img', { name: /Device starts/ }).locator('text', { hasText: '1-7' }).first()).toBeVisible();

  // The passive-toolkit site is stalled at funding: few approvals and starts, many still waiting on funding.
  await page.getByText('Pathway table').click();
  const figures = async (site: string) => {
    const [referred, , , requested, approved, started, , , waiting] = await rowFigures(page, 'Referrals and pathway steps in the period', site);
    return { referred: count(referred), requested: count(requested), approved: count(approved), started: count(started), waiting: count(waiting) };
  };
  const moorside = await figures('Moorside General Diabetes Clinic');
  // Over two years of its settled pathway (the demo's history is four), a third or less of its referrals start.
  expect(moorside.started / moorside.referred).toBeLessThan(0.4);
  expect(moorside.approved).toBeLessThan(moorside.requested * 0.6);
  expect(moorside.waiting / moorside.referred).toBeGreaterThan(0.25);
  for (const site of ['Riverside Diabetes Centre', 'Hillcrest Hospital Diabetes Service']) {
    const facilitated = await figures(site);
    // Half again Moorside's share of referrals started or more, whatever day the demo was made (about twice, as a rule).
    expect(facilitated.started / facilitated.referred, site).toBeGreaterThan(Math.max(0.5, (1.5 * moorside.started) / moorside.referred));
    expect(facilitated.waiting, site).toBeLessThan(moorside.waiting / 2);
  }
  // Starts per quarter, site by site, with the facilitation that came before them.
  await page.getByText('Starts, facilitation and barriers tables').click();
  await expect(page.getByRole('table', { name: 'Facilitation in the period, and barriers open in it' }).getByRole('row', { name: /Moorside.*Passive facilitation: Web resource/ })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Device starts per quarter' }).getByRole('rowheader', { name: 'Riverside Diabetes Centre' })).toBeVisible();

  await expectAccessible(page);
  await page.screenshot({ path: info.outputPath('dashboard-1280.png'), fullPage: true });
  await page.setViewportSize({ width: 640, height: 900 });
  await expectAccessible(page);
  await page.screenshot({ path: info.outputPath('dashboard-640.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });

  // On paper: no navigation or form, the title, period and disclosure notice, every table open.
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('button', { name: 'Show' })).toBeHidden();
  await expect(page.getByRole('navigation', { name: 'Menu' })).toBeHidden();
  await expect(page.getByText('Disclosure-controlled.')).toBeVisible();
  await expect(page.getByRole('table', { name: 'Waits per bin of days' })).toBeVisible();
  await page.screenshot({ path: info.outputPath('dashboard-print.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });
});

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
  // The long dashboard twice, an accessibility scan and a full-page screenshot: more than the default 30 s on a busy machine.
  test.setTimeout(90_000);
  await signIn(page, 'commissioner@example.org');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Implementation dashboard');
  await expect(page.getByText('Counts from 1 to 7 are withheld')).toBeVisible();
  for (const site of ['Riverside Diabetes Centre', 'Hillcrest Hospital Diabetes Service', 'Moorside General Diabetes Clinic', 'Valley Community Diabetes Team']) {
    await expect(page.getByRole('img', { name: `The pathway at ${site}` })).toBeVisible();
  }
  await page.getByLabel('Compare').selectOption('facilitation');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByText('Facilitation modes compared')).toBeVisible();
  // Active, passive and none side by side, in every chart that compares groups.
  for (const mode of ['Active facilitation', 'Passive facilitation', 'No facilitation']) {
    await expect(page.getByRole('img', { name: `The pathway at ${mode}` })).toBeVisible();
    await expect(page.getByRole('img', { name: /Referral to start: waits/ }).locator('text').filter({ hasText: mode })).toBeVisible();
  }
  await page.getByText('Uptake table').click();
  await expect(page.getByRole('rowheader', { name: 'Active facilitation' })).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: info.outputPath('dashboard-by-facilitation.png'), fullPage: true });
  // The download is a spreadsheet to read: what the figures are, written in the file, and headings in words.
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download the figures (CSV spreadsheet)' }).click();
  const sheet = await readFile(await (await download).path(), 'utf8');
  const lines = sheet.replace(/^\ufeff/, '').split(/\r?\n/);
  expect(lines).toContain(`Period,${await page.locator('.pp-report-header .nhsuk-body-l').innerText()}`);
  expect(lines).toContain('Compared,Facilitation modes');
  expect(lines.find((l) => l.startsWith('Figures,'))).toContain('Disclosure-controlled');
  const headings = lines.find((l) => l.startsWith('Facilitation mode,'))!;
  expect(headings).toContain('Uptake (% of the type 1 population)');
  expect(headings).not.toMatch(/uptakePct|t1dPopulation/);
  // Programs keep the API's file, with its field names.
  const api = await page.request.get(`/api/v1/metrics.csv?groupBy=facilitation`);
  expect(api.status()).toBe(200);
  expect((await api.text()).split('\n')[0]).toContain('uptakePct');
});
