import { expect, test } from '@playwright/test';
import { tokenFor } from './api';
import { signInAs } from './signIn';
import { DEVELOPER } from './users';

const ADMIN_ROLE = 'AWSReservedSSO_AdministratorAccess_d30e4baaef3150d0';

test('effective access: an Identity Center role tab shows who gets it through Identity Center', async ({
  page,
  request,
}, testInfo) => {
  // The role entity's name is the module's; find it by the role's name (its title) in production.
  const res = await request.get(
    `/api/catalog/entities/by-query?filter=kind=resource,spec.type=aws-iam-role,metadata.title=${ADMIN_ROLE}&fields=metadata.name,metadata.namespace`,
    {
      headers: {
        Authorization: `Bearer ${await tokenFor(request, DEVELOPER)}`,
      },
    },
  );
  expect(res.ok()).toBe(true);
  const [role] = (await res.json()).items;
  expect(role).toBeTruthy();

  await signInAs(page, DEVELOPER);
  await page.goto(
    `/catalog/${role.metadata.namespace}/resource/${role.metadata.name}`,
  );
  await page.getByText('Trust & access', { exact: true }).click();

  const who = page.getByRole('region', { name: 'Who can assume this role' });
  await expect(
    who.getByText(/through Identity Center \(1 group, 1 user\)/),
  ).toBeVisible();
  const identityCenter = who.getByRole('region', {
    name: 'Through Identity Center',
  });
  // The trust map: compact, above the tables; its Identity Center node leads to their section.
  const map = who.getByRole('group', {
    name: `Who can assume ${ADMIN_ROLE} and what it reaches, as a map`,
  });
  await expect(map).toBeVisible();
  expect((await map.boundingBox())!.height).toBeLessThanOrEqual(260);
  await map
    .getByRole('button', { name: /^Identity Center: 1 group, 1 user/ })
    .click();
  await expect(
    identityCenter.getByRole('heading', { name: 'Through Identity Center' }),
  ).toBeFocused();
  await expect(
    identityCenter.getByRole('link', { name: 'Platform Engineering' }),
  ).toBeVisible();
  await expect(
    page.getByRole('region', { name: 'Organization guardrails (RCPs)' }),
  ).toContainText('acme-deny-assume-outside-org');
  await page.screenshot({
    path: testInfo.outputPath('effective-identity-center.png'),
    fullPage: true,
  });
});

test('effective access: a Pod Identity role tab names the component whose pods get it', async ({
  page,
  request,
}) => {
  const res = await request.get(
    '/api/catalog/entities/by-query?filter=kind=resource,spec.type=aws-iam-role,metadata.title=log-shipper-pod-identity-production&fields=metadata.name,metadata.namespace',
    {
      headers: {
        Authorization: `Bearer ${await tokenFor(request, DEVELOPER)}`,
      },
    },
  );
  expect(res.ok()).toBe(true);
  const [role] = (await res.json()).items;
  expect(role).toBeTruthy();

  await signInAs(page, DEVELOPER);
  await page.goto(
    `/catalog/${role.metadata.namespace}/resource/${role.metadata.name}`,
  );
  await page.getByText('Trust & access', { exact: true }).click();
  const pods = page
    .getByRole('region', { name: 'Who can assume this role' })
    .getByRole('region', { name: 'Through EKS Pod Identity' });
  await expect(pods).toContainText('observability/fluent-bit');
  await expect(pods.getByRole('link', { name: 'log-shipper' })).toBeVisible();
});

test('effective access: the incident lookup of an Identity Center user by email gives her roles and the chains onward', async ({
  page,
  request,
}, testInfo) => {
  const query = 'identity-center-user:jane.doe@acme.example';
  // The broker's answer in catalog terms: the matched catalog User, her groups, each role's assignment.
  const res = await request.get(
    `/api/iam-roles/lookup?q=${encodeURIComponent(query)}`,
    {
      headers: {
        Authorization: `Bearer ${await tokenFor(request, DEVELOPER)}`,
      },
    },
  );
  expect(res.ok()).toBe(true);
  const body = await res.json();
  expect(body.identityCenter.principal).toMatchObject({
    name: 'jane.doe',
    status: 'matched',
    entityRef: 'user:default/jane.doe',
  });
  expect(
    body.identityCenter.groups.map((g: { name: string }) => g.name).sort(),
  ).toEqual(['Platform Engineering', 'engineering']);
  // Nine AWSReservedSSO_* roles (README of the sample data, "Expected answers").
  expect(body.roles).toHaveLength(9);
  expect(
    body.roles.every(
      (r: { derivedVia: string[] }) => r.derivedVia[0] === 'identity-center',
    ),
  ).toBe(true);
  expect(body.chains.map((c: { title: string }) => c.title).sort()).toEqual([
    'break-glass-admin',
    'org-inventory-reader',
    'partner-webhook-relay',
  ]);

  await signInAs(page, DEVELOPER);
  await page.goto('/iam-roles');
  await page.getByRole('tab', { name: 'Incident lookup' }).click();
  const search = page.getByRole('search', { name: 'Incident lookup' });
  await search.getByLabel('Identity to look up').fill(query);
  await search.getByRole('button', { name: 'Look up' }).click();
  const results = page
    .getByRole('table')
    .filter({ hasText: ADMIN_ROLE })
    .first();
  await expect(results.getByRole('link', { name: ADMIN_ROLE })).toBeVisible();
  await expect(
    page.getByText(/^Through role chaining it reaches \d+ more roles/),
  ).toBeVisible();
  await expect(
    page
      .getByRole('table')
      .filter({ hasText: 'break-glass-admin' })
      .last()
      .getByRole('link', { name: 'break-glass-admin' })
      .first(),
  ).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('effective-identity-center-lookup.png'),
    fullPage: true,
  });
});
