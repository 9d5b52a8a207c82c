import { expect, Page } from '@playwright/test';

/**
 * Signs in through the demo sign-in page (development only) as the given catalog user. Each
 * browser context keeps its own user (sessionStorage), so a test can act as two people.
 */
export async function signInAs(page: Page, userName: string) {
  await page.goto('/');
  const picker = page.getByRole('button', { name: `Sign in as ${userName}` });
  await expect(picker).toBeVisible();
  await picker.click();
  // The sidebar only renders once the app has a signed-in identity.
  await expect(page.getByRole('link', { name: 'Settings' })).toBeVisible();
}
