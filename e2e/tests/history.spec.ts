import { expect, test } from '@playwright/test';
import { tokenFor } from './api';
import { signInAs } from './signIn';
import { OWNER } from './users';

// #14 in the demo: the archived production snapshot of 2026-11-14 is recorded first, then the
// catalog's roles; partner-webhook-relay became public since, the riskiest change.
const RISKY = '333333333333-partner-webhook-relay';

test('trust history: the risky change comes first on the incident page, and the role tab shows its timeline', async ({
  page,
  request,
}) => {
  const token = await tokenFor(request, OWNER);
  await expect
    .poll(
      async () => {
        const res = await request.get('/api/iam-roles/trust-history/changes', {
          headers: { Authorization: `Bearer ${token}` },
        });
        if (!res.ok()) return `${res.status()}`;
        const [first] = (await res.json()).items;
        return first ? `${first.roleRef} ${first.introducedSeverity}` : 'none';
      },
      { timeout: 120_000, intervals: [2_000] },
    )
    .toBe(`resource:default/${RISKY} critical`);

  await signInAs(page, OWNER);
  await page.goto('/iam-roles');
  await page.getByRole('tab', { name: 'Incident lookup' }).click();
  const changes = page.getByRole('region', { name: 'Recent trust changes' });
  await expect(changes.getByRole('row').nth(1)).toContainText(
    'partner-webhook-relay',
  );

  await page.goto(`/catalog/default/resource/${RISKY}`);
  await page.getByText('Trust & access', { exact: true }).click();
  const history = page.getByRole('region', { name: 'Trust history' });
  await expect(history.getByRole('list', { name: 'Versions' })).toBeVisible();
  expect(
    await history
      .getByRole('list', { name: 'Versions' })
      .getByRole('listitem')
      .count(),
  ).toBeGreaterThanOrEqual(2);
});
