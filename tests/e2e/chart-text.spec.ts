import { expect, test, type Page } from '@playwright/test';
import { expectAccessible, signIn, signOut } from './support';

/**
 * Chart text must stay readable where people zoom: a 1280-pixel screen at 200% lays out like a 640-pixel one.
 * The charts are SVG scaled to their box, so text is measured as drawn: its font size times the chart's scale.
 */
test.use({ viewport: { width: 640, height: 900 } });

const SMALLEST_PX = 12;

/** Every visible chart text: what it says, and its size in CSS px as rendered. */
function chartText(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll<SVGTextElement>('svg text')]
      .filter((t) => (t.textContent ?? '').trim() !== '' && t.getBoundingClientRect().width > 0)
      .map((t) => {
        const m = t.getScreenCTM()!;
        const [box, chart] = [t.getBoundingClientRect(), t.closest('svg')!.getBoundingClientRect()];
        const clipped = box.left < chart.left - 1 || box.right > chart.right + 1;
        return { text: t.textContent!.trim(), px: Math.round(parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b) * 10) / 10, clipped };
      }),
  );
}

async function expectReadableCharts(page: Page, atLeast: number) {
  const texts = await chartText(page);
  expect(texts.length).toBeGreaterThanOrEqual(atLeast);
  expect(texts.filter((t) => t.px < SMALLEST_PX)).toEqual([]);
  // Larger text must still fit: nothing runs off a chart's edge.
  expect(texts.filter((t) => t.clipped)).toEqual([]);
  // The page itself does not scroll sideways: a chart too wide for it scrolls within its own box.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(640);
}

test('chart text on the dashboard and on a patient page is at least 12 px at 640 px wide', async ({ page }, info) => {
  // The dashboard is the heaviest page, and an accessibility scan follows.
  test.setTimeout(90_000);
  await signIn(page, 'commissioner@example.org');
  await page.goto('/dashboard');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Implementation dashboard');
  await expectReadableCharts(page, 50);
  await page.screenshot({ path: info.outputPath('dashboard-640.png'), fullPage: true });
  await signOut(page);

  await signIn(page, 'nurse@example.org');
  await page.goto('/patients');
  await page.locator('main table a[href^="/patients/"]').first().click();
  await expect(page.getByRole('img', { name: /HbA1c over time/ })).toBeVisible();
  await expectReadableCharts(page, 4);
  await expectAccessible(page);
  await page.screenshot({ path: info.outputPath('patient-640.png'), fullPage: true });
});

test("a clinician's improvement charts, two years of months side by side, are as readable at 640 px wide", async ({ page }) => {
  await signIn(page, 'consultant@example.org');
  const twoYearsAgo = new Date();
  twoYearsAgo.setUTCFullYear(twoYearsAgo.getUTCFullYear() - 2);
  await page.goto(`/dashboard?from=${twoYearsAgo.toISOString().slice(0, 10)}`);
  await expect(page.getByRole('img', { name: /starts per month, with mean and process limits/ })).toHaveCount(2);
  await expectReadableCharts(page, 50);
});

test("the dashboard says what its flow counts and commissioners' uptake are", async ({ page }) => {
  await signIn(page, 'commissioner@example.org');
  await page.goto('/dashboard');
  await expect(page.locator('#flow-counts-note')).toContainText('"Assessed" can be larger than "Referred"');
  await expect(page.locator('#uptake-rounding-note')).toContainText('worked out from the rounded counts');
  await signOut(page);
  // Clinicians see exact figures: no rounding to explain.
  await signIn(page, 'nurse@example.org');
  await page.goto('/dashboard');
  await expect(page.locator('#flow-counts-note')).toBeVisible();
  await expect(page.locator('#uptake-rounding-note')).toHaveCount(0);
});
