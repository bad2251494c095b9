import { expect, test, type Page } from '@playwright/test';
import { expectAccessible } from './support';

const PASSWORD = 'insulin-pump-demo';

async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

const HOMES = [
  { role: 'nurse', heading: 'Your worklist', nav: ['Worklist', 'Patients', 'Referrals', 'Dashboard', 'National return', 'Import caseload'] },
  { role: 'consultant', heading: 'Eligibility queue', nav: ['Eligibility queue', 'Patients', 'Referrals', 'Dashboard', 'National return', 'Import caseload'] },
  { role: 'commissioner', heading: 'Implementation dashboard', nav: ['Dashboard'] },
  { role: 'admin', heading: 'Overview', nav: ['Overview', 'Sites', 'Users', 'Devices', 'Reference data', 'Referrals', 'Dashboard', 'National return', 'Import caseload', 'Audit trail'] },
] as const;

for (const { role, heading, nav } of HOMES) {
  test(`the demo ${role} signs in and lands on their home`, async ({ page }, info) => {
    await signIn(page, `${role}@example.org`);
    await expect(page).toHaveURL(role === 'commissioner' ? /\/dashboard$/ : /\/$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
    const menu = page.getByRole('navigation', { name: 'Menu' });
    await expect(menu.getByRole('link')).toHaveText([...nav]);
    await expectAccessible(page);
    await page.screenshot({ path: info.outputPath(`${role}-home.png`), fullPage: true });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login$/);
    await page.goto('/');
    await expect(page).toHaveURL(/\/login$/);
  });
}

test('a wrong password is refused with a message, keeping the email typed', async ({ page }) => {
  await signIn(page, 'nurse@example.org', 'not-the-password');
  await expect(page.getByRole('alert')).toContainText('Email or password is not right');
  await expect(page.getByLabel('Email')).toHaveValue('nurse@example.org');
  await expect(page.getByLabel('Password')).toHaveValue('');
});

test('what is typed before the page has started its scripts is kept, as a password manager would fill it', async ({ page }) => {
  // Hold the page's scripts back until both fields are filled, then let the page hydrate over them.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/_app/immutable/**', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto('/login', { waitUntil: 'commit' });
  await page.getByLabel('Email').fill('nurse@example.org');
  await page.getByLabel('Password').fill(PASSWORD);
  release();
  await page.waitForLoadState('networkidle');
  await expect(page.getByLabel('Email')).toHaveValue('nurse@example.org');
  await expect(page.getByLabel('Password')).toHaveValue(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your worklist');
});

test('an empty form names each missing field next to it', async ({ page }) => {
  await page.goto('/login');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('Email is required');
  await expect(page.locator('#email-error')).toContainText('Email is required');
  await expect(page.locator('#password-error')).toContainText('Password is required');
  await expectAccessible(page);
});

test('signing in works from the keyboard alone', async ({ page }) => {
  await page.goto('/login');
  await page.keyboard.press('Tab'); // skip link
  await page.keyboard.press('Tab'); // logo
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Sign in with Test NHS Trust' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Email')).toBeFocused();
  await page.keyboard.type('consultant@example.org');
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Eligibility queue');
});

test('a page the role may not see answers 403, and an unknown page 404', async ({ page }) => {
  await signIn(page, 'nurse@example.org');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your worklist');
  const forbidden = await page.goto('/admin/users');
  expect(forbidden?.status()).toBe(403);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You do not have access to this page');
  const missing = await page.goto('/no-such-page');
  expect(missing?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
});

test('after signing in, the user returns to the page they asked for', async ({ page }) => {
  await page.goto('/admin/sites');
  await expect(page).toHaveURL(/\/login\?next=%2Fadmin%2Fsites$/);
  await page.getByLabel('Email').fill('admin@example.org');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/admin\/sites$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sites');
});

test('an admin adds a site and a nurse for it, and the nurse can sign in', async ({ page }, info) => {
  await signIn(page, 'admin@example.org');
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Sites' }).click();
  await page.getByLabel('ODS code').fill('zz9');
  await page.getByRole('button', { name: 'Add site' }).click();
  await expect(page.getByRole('alert')).toContainText('Name is required');
  await expect(page.getByLabel('ODS code')).toHaveValue('zz9');
  await page.getByLabel('Name').fill('Lakeside Diabetes Unit');
  await page.getByLabel('Integrated care board').fill('NHS Lakeside ICB');
  await page.getByRole('button', { name: 'Add site' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Lakeside Diabetes Unit');
  await expect(page.getByRole('status')).toContainText('Site added');

  await page.getByLabel('Number of people').fill('812');
  await page.getByLabel('Date of the count').fill('2026-10-01');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status')).toContainText('Changes saved');
  await expect(page.getByRole('table')).toContainText('1 October 2026');
  await expect(page.getByRole('table')).toContainText('812');

  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Users' }).click();
  await page.getByLabel('Full name').fill('Sam Lakeside');
  await page.getByLabel('Email').fill('sam.lakeside@example.org');
  await page.getByLabel('Diabetes specialist nurse').check();
  await page.getByLabel('Lakeside Diabetes Unit (ZZ9)').check();
  await page.getByLabel('Initial password').fill('lakeside-nurse-password');
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('status')).toContainText('Account created for sam.lakeside@example.org');
  await expectAccessible(page);
  await page.screenshot({ path: info.outputPath('admin-users.png'), fullPage: true });

  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, 'sam.lakeside@example.org', 'lakeside-nurse-password');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your worklist');
  await page.getByRole('link', { name: 'Add a patient' }).click();
  await expect(page.getByText('Site: Lakeside Diabetes Unit')).toBeVisible();
});

test('a commissioner never reaches a patient page: the real status, 403', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill('commissioner@example.org');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Implementation dashboard');
  for (const path of ['/patients', '/referrals', '/patients/new']) {
    const res = await page.goto(path);
    expect([path, res?.status()]).toEqual([path, 403]);
  }
});
