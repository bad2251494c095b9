import { expect, test, type Page } from '@playwright/test';
import { expectAccessible, signIn, signOut } from './support';

/** Two years back from today: the demo's improvement charts' span, with hands-on facilitation a year before today. */
const twoYearsAgo = () => {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() - 2);
  return d.toISOString().slice(0, 10);
};

const SECTIONS = [
  { heading: 'Referrals each month, with signals of change', table: 'Referrals each month: table', chart: 'referrals per month' },
  { heading: 'Starts each month, with signals of change', table: 'Starts each month: table', chart: 'starts per month' },
  { heading: 'Wait from referral to start each month, with signals of change', table: 'Wait from referral to start each month: table', chart: 'median wait from referral to start' },
];
const section = (page: Page, heading: string) => page.getByRole('region', { name: heading });

test("a consultant reads their sites' improvement charts: a sentence, a chart split at hands-on facilitation, and the figures", async ({ page }, info) => {
  // Two accessibility scans of the long dashboard, with its tables open: more than the default 30 s on a busy machine.
  test.setTimeout(150_000);
  await signIn(page, 'consultant@example.org');
  await page.goto(`/dashboard?from=${twoYearsAgo()}`);
  for (const s of SECTIONS) {
    const region = section(page, s.heading);
    await expect(region.getByText(/Each month from \w+ \d{4} to \w+ \d{4}; \w+ \d{4} is left out until it ends\./)).toBeVisible();
    for (const site of ['Riverside Diabetes Centre', 'Hillcrest Hospital Diabetes Service']) {
      const chart = region.getByRole('img', { name: new RegExp(`^${site}: ${s.chart}`) });
      await expect(chart).toBeVisible();
      // The figure says in words what its chart shows; the chart's description says it too, with the mean and limits.
      const reading = await region.getByRole('figure', { name: new RegExp(`^${site}`) }).locator('.pp-reading').innerText();
      expect(reading).toMatch(/^(Referrals|Starts|Waits from referral to start)( rose| fell| show| after|:)/);
      const description = (await chart.locator('desc').textContent())!;
      expect(description.slice(0, reading.length)).toBe(reading);
      expect(description.slice(reading.length)).toMatch(/^ (From \w+ \d{4}: mean|Mean) [-\d.,]+(, process limits [-\d.,]+ to [-\d.,]+)?\.$/);
    }
    // Points are marked improvement, concern or common cause by shape as well as colour, as the key says.
    await expect(region.getByRole('list', { name: 'Key' }).getByRole('listitem')).toContainText(['Improvement', 'Concern', 'Common cause', 'Mean', 'Process limits', 'First hands-on facilitation']);
    // The facilitated sites' charts are split where hands-on help came, a year before today.
    await expect(region.getByRole('img', { name: /^Riverside Diabetes Centre/ }).locator('text', { hasText: 'Hands-on facilitation' })).toBeVisible();

    await region.getByText(s.table).click();
    const table = region.getByRole('table', { name: 'Riverside Diabetes Centre' });
    await expect(table.getByRole('columnheader')).toHaveText(['Month', /Referrals|Starts|Median wait/, 'Mean', 'Lower limit', 'Upper limit', 'Signal']);
    // Two years of whole months, the month under way left out.
    await expect(table.getByRole('row')).toHaveCount(1 + 24);
    await expect(table.getByRole('rowheader', { name: /\(hands-on facilitation\)$/ })).toHaveCount(1);
    const signals = await table.locator('tbody tr td:last-child').allInnerTexts();
    expect(signals.filter((t) => t !== '').every((t) => /^(Common cause|Improvement: .+|Concern: .+)$/.test(t))).toBe(true);
  }

  await expectAccessible(page);
  await page.locator('#spc-starts').scrollIntoViewIfNeeded();
  await page.screenshot({ path: info.outputPath('improvement-1280.png'), fullPage: true });
  await page.setViewportSize({ width: 640, height: 900 });
  await expectAccessible(page);
  await page.screenshot({ path: info.outputPath('improvement-640.png'), fullPage: true });
});

test('a commissioner sees each site charted, or why it is not, and the disclosed figures', async ({ page }) => {
  // Twelve tables opened and an accessibility scan of the long page.
  test.setTimeout(120_000);
  await signIn(page, 'commissioner@example.org');
  await page.goto('/dashboard');
  for (const s of SECTIONS) {
    const region = section(page, s.heading);
    for (const site of ['Riverside Diabetes Centre', 'Hillcrest Hospital Diabetes Service', 'Moorside General Diabetes Clinic', 'Valley Community Diabetes Team']) {
      const figure = region.getByRole('figure', { name: new RegExp(`^${site}`) });
      const withheld = figure.getByText(/^Not charted: /);
      // Disclosure control decides: a chart on the values as disclosed, or the reason there is none.
      await expect(figure.getByRole('img', { name: new RegExp(`^${site}: ${s.chart}`) }).or(withheld)).toBeVisible();
      if (await withheld.isVisible()) await expect(figure.getByRole('img')).toHaveCount(0);
    }
    await region.getByText(s.table).click();
    await expect(region.getByRole('table', { name: 'Moorside General Diabetes Clinic' })).toBeVisible();
  }
  // A month of 1 to 7 starts reads 1-7 in the table, never its count.
  await expect(section(page, 'Starts each month, with signals of change').getByRole('cell', { name: '1-7' }).first()).toBeVisible();
  await expectAccessible(page);
  await signOut(page);
});
