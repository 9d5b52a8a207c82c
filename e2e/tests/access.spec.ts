import { expect, test } from '@playwright/test';
import { tokenFor } from './api';
import { expectAccessible, expectAnswerOnFirstScreen } from './a11y';
import { signInAs } from './signIn';
import { DEVELOPER, NON_OWNER, OWNER } from './users';

const ROLE = 'payments-api-staging';

test('journey 2: request access from a component page, the owner approves', async ({
  browser,
  request,
}, testInfo) => {
  const justification = `Debug the staging payment retries, run ${Date.now()}`;

  // As a developer: on the component's page, request access to a role the component uses.
  const developer = await (await browser.newContext()).newPage();
  await signInAs(developer, DEVELOPER);
  await developer.goto('/catalog/default/component/payments-api/iam-roles');
  await expect(
    developer.getByRole('heading', { name: 'Roles it can assume' }),
  ).toBeVisible();
  await expectAnswerOnFirstScreen(
    developer,
    /^payments-api can assume \d+ roles in \d+ accounts.* — \d+ critical/,
  );
  await developer.screenshot({
    path: testInfo.outputPath('2-component-roles.png'),
  });
  await expectAccessible(developer, testInfo, 'component IAM roles tab');
  await developer
    .getByRole('button', { name: `Request access to ${ROLE}` })
    .click();
  const dialog = developer.getByRole('dialog', {
    name: `Request access to ${ROLE}`,
  });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: /request access|submit/i }).click();
  await expect(dialog.getByText(/at least 10 characters/)).toBeVisible();
  await dialog.getByLabel('Justification').fill(justification);
  await dialog.getByLabel('Duration (minutes)').fill('60');
  await developer.screenshot({
    path: testInfo.outputPath('2-request-dialog.png'),
  });
  await dialog.getByRole('button', { name: /request access|submit/i }).click();
  // The dialog turns into the request: what was asked, who decides, its state and its cancel.
  const summary = dialog.getByRole('region', { name: /^Your request for / });
  await expect(summary).toBeVisible();
  await expect(summary.getByText(justification)).toBeVisible();
  await expect(summary.getByText('1 hour', { exact: true })).toBeVisible();
  await expect(summary.getByRole('status')).toHaveText(
    /^Request sent .*you'll be notified when they decide/,
  );
  await expect(
    summary.getByRole('button', { name: /^Cancel request for / }),
  ).toBeVisible();
  await expect(
    dialog.getByRole('button', { name: /request access|submit/i }),
  ).toHaveCount(0);
  await developer.screenshot({
    path: testInfo.outputPath('2-request-sent.png'),
  });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
  // Closed, the row keeps the request one click away instead of offering a second one.
  await expect(
    developer.getByRole('button', { name: `View your request for ${ROLE}` }),
  ).toBeVisible();

  // The request is pending; find it through the API, as the developer.
  const developerToken = await tokenFor(request, DEVELOPER);
  const mine = await request.get('/api/iam-roles/requests?mine=true', {
    headers: { Authorization: `Bearer ${developerToken}` },
  });
  // A list answer is one page: { items, totalItems, offset, limit }.
  const pending = (await mine.json()).items.find(
    (r: { justification: string }) => r.justification === justification,
  );
  expect(pending?.status).toBe('pending');

  // A non-owner sees no approve button, and the API refuses them.
  const outsider = await (await browser.newContext()).newPage();
  await signInAs(outsider, NON_OWNER);
  await outsider.goto('/iam-roles');
  await outsider.getByRole('tab', { name: 'Approvals' }).click();
  await expect(
    outsider.getByText('No requests are waiting for your decision.'),
  ).toBeVisible();
  await expect(
    outsider.getByRole('button', { name: /^Approve request from/ }),
  ).toHaveCount(0);
  const outsiderToken = await tokenFor(request, NON_OWNER);
  const refused = await request.post(
    `/api/iam-roles/requests/${pending.id}/approve`,
    {
      headers: { Authorization: `Bearer ${outsiderToken}` },
      data: { reason: 'not mine to approve' },
    },
  );
  // A request the caller may not see answers as one that does not exist (ids cannot be probed).
  expect(refused.status()).toBe(404);
  // Nor can the requester approve their own request.
  const selfApproval = await request.post(
    `/api/iam-roles/requests/${pending.id}/approve`,
    {
      headers: { Authorization: `Bearer ${developerToken}` },
      data: {},
    },
  );
  expect(selfApproval.status()).toBe(403);

  // As the role's owner: approve it from the approvals inbox.
  const owner = await (await browser.newContext()).newPage();
  await signInAs(owner, OWNER);
  await owner.goto('/iam-roles');
  await owner.getByRole('tab', { name: 'Approvals' }).click();
  const row = owner.getByRole('row').filter({ hasText: justification });
  await expect(row).toBeVisible();
  await owner.screenshot({
    path: testInfo.outputPath('2-approvals-inbox.png'),
    fullPage: true,
  });
  await expectAccessible(owner, testInfo, 'approvals inbox');
  await row.getByRole('button', { name: /^Approve request from/ }).click();
  const confirm = owner.getByRole('dialog');
  await confirm.getByLabel(/Reason/).fill('Staging only, one hour');
  await confirm.getByRole('button', { name: /^Approve/ }).click();
  await expect(
    owner.getByRole('row').filter({ hasText: justification }),
  ).toHaveCount(0);

  // As the developer again: the grant is active.
  await developer.goto('/iam-roles?tab=access');
  const grants = developer
    .getByRole('table')
    .filter({ hasText: 'Your active grants' })
    .or(developer.locator('table').filter({ hasText: ROLE }));
  await expect(grants.getByText(ROLE).first()).toBeVisible();
  await expect(developer.getByText(/approved/i).first()).toBeVisible();
  await developer.screenshot({
    path: testInfo.outputPath('2-active-grant.png'),
    fullPage: true,
  });
  await expectAccessible(developer, testInfo, 'my access');
});
