import { expect, test } from '@playwright/test';
import { signInAs } from './signIn';
import { DEVELOPER } from './users';

test('the catalog lists Acme’s components, and the org shows its groups', async ({ page }, testInfo) => {
  await signInAs(page, DEVELOPER);
  await expect(page.getByRole('heading', { name: /Acme developer portal/i }).first()).toBeVisible();
  await expect(page.getByRole('table')).toBeVisible();
  await expect(page.getByRole('row')).not.toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('catalog.png'), fullPage: true });
  await testInfo.attach('catalog', { path: testInfo.outputPath('catalog.png'), contentType: 'image/png' });
});
