import { expect, test } from '@playwright/test';
import { signInAs } from './signIn';
import { DEVELOPER } from './users';

test('the catalog lists Acme’s components and the org page shows its groups', async ({
  page,
}, testInfo) => {
  await signInAs(page, DEVELOPER);

  const table = page.getByRole('table');
  // A developer first sees what their team owns, then everything Acme has.
  await expect(table.getByRole('link', { name: 'payments-api' })).toBeVisible();
  await page
    .getByRole('menuitem', { name: /All/ })
    .or(page.getByText('All', { exact: true }))
    .first()
    .click();
  await expect(
    table.getByRole('link', { name: 'identity-service' }),
  ).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('catalog.png'),
    fullPage: true,
  });

  await page.goto('/catalog/default/group/engineering');
  await expect(
    page.getByRole('heading', { name: /engineering/i }).first(),
  ).toBeVisible();
  await expect(
    page.getByText('Payments', { exact: true }).first(),
  ).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('group.png'),
    fullPage: true,
  });
});
