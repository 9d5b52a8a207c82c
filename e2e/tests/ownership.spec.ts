import { expect, test } from '@playwright/test';
import { expectAccessible, expectAnswerOnFirstScreen } from './a11y';
import { signInAs } from './signIn';
import { DEVELOPER } from './users';

test('journey 1: role ownership and trust in the catalog', async ({
  page,
}, testInfo) => {
  await signInAs(page, DEVELOPER);

  // Catalog → IAM roles, through the catalog's own filters: kind Resource, type aws-iam-role, all of Acme.
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Catalog', exact: true })
    .click();
  await page.getByRole('button', { name: 'Component', exact: true }).click();
  await page.getByRole('option', { name: 'Resource', exact: true }).click();
  await page.getByRole('button', { name: 'all', exact: true }).click();
  await page.getByRole('option', { name: 'aws-iam-role', exact: true }).click();
  await page.getByRole('menuitem', { name: /^All \d+/ }).click();
  await expect(page).toHaveURL(/filters%5Btype%5D=aws-iam-role/);
  await expect(
    page
      .getByRole('heading', { name: /All aws-iam-role Resources \(\d+\)/ })
      .first(),
  ).toBeVisible();
  await page.getByRole('textbox', { name: 'Search' }).fill('gha-ecr-push');
  const table = page.getByRole('table');
  // The search finds the role: its row names the owning group.
  const row = table.getByRole('row').filter({
    has: page.getByRole('link', { name: 'gha-ecr-push', exact: true }),
  });
  await expect(row).toHaveCount(1);
  await expect(
    row.getByRole('link', { name: 'Platform Engineering' }),
  ).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('1-catalog-iam-roles.png'),
    fullPage: true,
  });

  // A role shows its owner group and its trust relations in the catalog graph.
  await row.getByRole('link', { name: 'gha-ecr-push' }).click();
  await expect(
    page.getByRole('heading', { name: 'gha-ecr-push' }).first(),
  ).toBeVisible();
  await expect(page.getByText('Platform Engineering').first()).toBeVisible();
  const graph = page.locator('svg').filter({ hasText: 'assumableBy' }).first();
  await expect(graph).toBeVisible();
  await expect(graph.getByText('payments-api', { exact: true })).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('1-role-graph.png'),
    fullPage: true,
  });

  // Its trust tab says who can assume it, in catalog terms.
  await page.getByText('Trust & access', { exact: true }).click();
  // The answer first: who can assume it and its worst risk, then who, first of the sections.
  await expectAnswerOnFirstScreen(
    page,
    /^\d+ principals? can assume gha-ecr-push — (no findings|worst risk \w+: )/,
  );
  await expect(
    page.getByRole('heading', { name: 'Who can assume this role' }),
  ).toBeVisible();
  // Nine repositories read in words, each linked to its own component on demand: not one link for all.
  const oidc = page.getByRole('region', { name: /^Web identity \(OIDC\)/ });
  await expect(
    oidc.getByText('GitHub Actions in 9 repositories'),
  ).toBeVisible();
  await expect(oidc.getByText(/branch main of 9 repositories/)).toBeVisible();
  await expect(oidc.getByText('assume with an OIDC token')).toBeVisible();
  const details = oidc.getByRole('button', {
    name: 'Details: GitHub Actions in 9 repositories',
  });
  await details.click();
  await expect(details).toHaveAttribute('aria-expanded', 'true');
  await expect(
    oidc.locator('a[href$="/catalog/default/component/payments-api"]'),
  ).toBeVisible();
  await expect(
    oidc.locator('a[href$="/catalog/default/component/data-pipeline"]'),
  ).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('1-role-trust.png'),
  });
  await expectAccessible(page, testInfo, 'role tab');

  // The owning group's page lists the roles it owns.
  await page.goto('/catalog/default/group/platform/iam-roles');
  await expect(
    page.getByRole('heading', { name: 'Roles it owns' }),
  ).toBeVisible();
  // The page also lists the roles the group can assume: look in the owned ones.
  const ownedRegion = page.getByRole('region', { name: 'Roles it owns' });
  const owned = ownedRegion.getByRole('table');
  await expect(
    owned.getByRole('link', { name: 'gha-shared-ci' }),
  ).toBeVisible();
  await expectAnswerOnFirstScreen(
    page,
    /^Platform Engineering can assume (no IAM role|\d+ roles? in)/,
  );
  await expect(page.getByTestId('iam-answer').nth(1)).toHaveText(
    /^Platform Engineering owns \d+ roles in \d+ accounts — /,
  );
  await page.screenshot({
    path: testInfo.outputPath('1-group-roles.png'),
    fullPage: true,
  });
  await expectAccessible(page, testInfo, 'group IAM roles tab');
  await ownedRegion.getByPlaceholder('Filter').fill('gha-ecr');
  await expect(owned.getByRole('link', { name: 'gha-ecr-push' })).toBeVisible();
});
