import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import { expectAccessible, expectAnswerOnFirstScreen } from './a11y';
import { signInAs } from './signIn';
import { NON_OWNER } from './users';

test('IAM roles home: every role, risky first, with presets, facets and an export', async ({
  page,
}, testInfo) => {
  await signInAs(page, NON_OWNER);
  await page.goto('/iam-roles');
  await expect(
    page.getByRole('tab', { name: 'Roles', selected: true }),
  ).toBeVisible();
  // The answer first: how many roles, in how many accounts, and what to look at.
  await expectAnswerOnFirstScreen(
    page,
    /^\d+ roles in \d+ accounts — \d+ publicly assumable or unpinned, \d+ critical/,
  );
  const table = page.getByRole('table').filter({ hasText: 'Trusted by' });
  // Risky first: the first row is critical, and accounts show their names.
  const first = table.getByRole('row').nth(1);
  await expect(first.getByText('critical')).toBeVisible();
  await expect(
    table.getByRole('link', { name: /^acme-[a-z]+ \(\d{12}\)$/ }).first(),
  ).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('0-iam-roles-home.png') });
  await expectAccessible(page, testInfo, 'iam roles home');

  // The preset narrows the table to exposed roles, and the answer says how many match.
  await page
    .getByRole('button', { name: /^Publicly assumable or unpinned \(\d+\)$/ })
    .click();
  await expectAnswerOnFirstScreen(page, /^\d+ of \d+ roles match/);
  const rows = table.getByRole('row');
  await expect(rows.nth(1)).toBeVisible();
  const count = await rows.count();
  for (let i = 1; i < count; i++) {
    await expect(rows.nth(i).getByText(/^(Public|Unpinned)$/)).toBeVisible();
  }
  await expect(page).toHaveURL(/preset=exposed/);

  // The export holds what is filtered, formulas neutralised by the broker's one CSV writer.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const csv = fs.readFileSync(await (await download).path(), 'utf8');
  const lines = csv.trim().split('\r\n');
  expect(lines[0]).toMatch(/^entityRef,title,arn,accountId,accountName,owner/);
  expect(lines.length - 1).toBe(count - 1);
});
