import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import { expectAccessible, expectAnswerOnFirstScreen } from './a11y';
import { signInAs } from './signIn';
import { NON_OWNER } from './users';

test('journey 3: incident lookup of a repository and an external account', async ({
  page,
}, testInfo) => {
  await signInAs(page, NON_OWNER);
  await page.goto('/iam-roles');
  await page.getByRole('tab', { name: 'Incident lookup' }).click();

  // A GitHub repository: every role its workflows can assume, with findings.
  const search = page.getByRole('search', { name: 'Incident lookup' });
  await search
    .getByLabel('Identity to look up')
    .fill('github:acme/payments-api');
  await search.getByRole('button', { name: 'Look up' }).click();
  // The answer first, with the worst risk, on the first screen.
  await expectAnswerOnFirstScreen(
    page,
    /^\d+ roles in \d+ accounts trust GitHub Actions in acme\/payments-api — \d+ critical/,
  );
  // The first table: the roles that trust it directly (role chains follow below).
  const results = page
    .getByRole('table')
    .filter({ hasText: 'gha-ecr-push' })
    .first();
  await expect(
    results.getByRole('link', { name: 'gha-load-tests' }),
  ).toBeVisible();
  await expect(results.getByText('critical').first()).toBeVisible();
  // Role chains: a production-environment workflow reaches production admin in three hops.
  await expect(
    page.getByText(/^Through role chaining it reaches \d+ more roles/),
  ).toBeVisible();
  const chains = page
    .getByRole('table')
    .filter({ hasText: 'platform-cluster-admin' })
    .last();
  await expect(
    chains.getByRole('link', { name: 'platform-cluster-admin' }).first(),
  ).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('3-lookup-repository.png'),
  });
  await expectAccessible(page, testInfo, 'incident lookup');

  // An external account id.
  await search.getByLabel('Identity to look up').fill('464622532012');
  await search.getByRole('button', { name: 'Look up' }).click();
  const external = page
    .getByRole('table')
    .filter({ hasText: 'DatadogIntegrationRole' })
    .first();
  await expect(
    external.getByRole('link', { name: 'partner-webhook-relay' }),
  ).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('3-lookup-account.png'),
    fullPage: true,
  });

  // Export the list.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  const csvPath = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(csvPath);
  const csv = fs.readFileSync(csvPath, 'utf8');
  expect(csv.split('\n')[0]).toMatch(/arn/i);
  expect(csv).toContain('partner-webhook-relay');

  // Open the risky role: the finding explains what is wrong and how to fix it.
  await external.getByRole('link', { name: 'partner-webhook-relay' }).click();
  await page.getByText('Trust & access', { exact: true }).click();
  await expectAnswerOnFirstScreen(
    page,
    /^\d+ principals? can assume partner-webhook-relay — worst risk critical: /,
  );
  await expect(page.getByText('public-trust').first()).toBeVisible();
  await expect(page.getByText(/anyone|any AWS account/i).first()).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('3-risky-role.png'),
  });
  await expectAccessible(page, testInfo, 'risky role tab');
});
