import { expect, test as setup } from '@playwright/test';
import { tokenFor } from './api';
import { DEVELOPER } from './users';

/** Role entities the demo's sample snapshots hold (packages/sample-data/README.md). */
const SAMPLE_ROLES = 125;

// The backend reports ready before the catalog has read the sample data and before the broker's
// trust index has followed it; the journeys start once both are there, as a person would wait.
setup('the demo has loaded Acme’s sample data', async ({ request }) => {
  setup.setTimeout(300_000);
  const headers = {
    Authorization: `Bearer ${await tokenFor(request, DEVELOPER)}`,
  };

  await expect
    .poll(
      async () => {
        const res = await request.get(
          '/api/catalog/entities/by-query?filter=kind=resource,spec.type=aws-iam-role&limit=1',
          { headers },
        );
        return res.ok() ? (await res.json()).totalItems : 0;
      },
      { timeout: 240_000, intervals: [2_000] },
    )
    .toBe(SAMPLE_ROLES);

  await expect
    .poll(
      async () => {
        const res = await request.get(
          '/api/iam-roles/assumable?entityRef=component:default/payments-api',
          { headers },
        );
        return res.ok()
          ? (await res.json()).roles.map((r: { title: string }) => r.title)
          : [];
      },
      { timeout: 240_000, intervals: [2_000] },
    )
    .toContain('payments-api-staging');
});
