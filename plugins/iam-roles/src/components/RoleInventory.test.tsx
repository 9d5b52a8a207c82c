import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { registerMswTestHooks } from '@backstage/test-utils';
import type {
  RoleInventoryPage,
  RoleInventoryRow,
} from '@backstage-iam/plugin-iam-roles-common';
import { IamRolesPage } from './IamRolesPage';
import { renderWithApis } from '../__testUtils__/renderWithApis';
import { brokerHandlers, errorResponse } from '../__testUtils__/handlers';
import { BASE } from '../__testUtils__/fixtures';

const rows: RoleInventoryRow[] = [
  {
    entityRef: 'resource:default/legacy-open',
    title: 'legacy-open',
    arn: 'arn:aws:iam::111111111111:role/legacy-open',
    accountId: '111111111111',
    accountName: 'acme-production',
    accountRef: 'resource:default/acme-production',
    owner: 'group:default/team-legacy',
    severity: 'critical',
    findings: 2,
    topFinding: 'public-trust',
    exposure: 'public',
    trustedBy: [{ kind: 'public', count: 1 }],
    requestable: true,
  },
  {
    entityRef: 'resource:default/payments-deploy',
    title: 'payments-deploy',
    arn: 'arn:aws:iam::222222222222:role/payments-deploy',
    accountId: '222222222222',
    owner: 'group:default/team-payments',
    findings: 0,
    trustedBy: [
      { kind: 'oidc', count: 2 },
      { kind: 'role', count: 1 },
    ],
    lastUsed: new Date(Date.now() - 2 * 86_400_000).toISOString(),
    requestable: true,
  },
  {
    entityRef: 'resource:default/awsserviceroleforecs',
    title: 'AWSServiceRoleForECS',
    arn: 'arn:aws:iam::111111111111:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS',
    accountId: '111111111111',
    accountName: 'acme-production',
    findings: 0,
    trustedBy: [{ kind: 'service', count: 1 }],
    requestable: false,
  },
];

function inventory(items: RoleInventoryRow[]): RoleInventoryPage {
  return {
    items,
    totalItems: items.length,
    offset: 0,
    limit: 500,
    facets: {
      roles: 3,
      accounts: [
        { value: '111111111111', label: 'acme-production', count: 2 },
        { value: '222222222222', count: 1 },
      ],
      owners: [
        { value: 'group:default/team-legacy', count: 1 },
        { value: 'group:default/team-payments', count: 1 },
      ],
      severities: [
        { value: 'critical', count: 1 },
        { value: 'high', count: 0 },
        { value: 'none', count: 2 },
      ],
      presets: { exposed: 1, unused: 2, critical: 1 },
    },
    index: { roles: 3, builtAt: '2026-12-01T00:00:00.000Z' },
  };
}

describe('RoleInventory (the IAM roles home)', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it('opens on every role: the answer with counts, then the table risky first, in catalog terms', async () => {
    server.use(
      http.get(`${BASE}/roles`, () => HttpResponse.json(inventory(rows))),
      ...brokerHandlers(),
    );
    await renderWithApis(<IamRolesPage />);
    expect(
      screen.getByRole('tab', { name: 'Roles', selected: true }),
    ).toBeInTheDocument();
    expect(await screen.findByTestId('iam-answer')).toHaveTextContent(
      '3 roles in 2 accounts — 1 publicly assumable or unpinned, 1 critical, 2 not used in 90 days',
    );
    const table = screen.getByRole('table');
    const first = within(table).getAllByRole('row')[1];
    expect(
      within(first).getByRole('link', { name: 'legacy-open' }),
    ).toBeVisible();
    expect(
      within(first).getByRole('link', {
        name: 'acme-production (111111111111)',
      }),
    ).toBeVisible();
    expect(within(first).getByText('Public')).toBeVisible();
    expect(
      within(first).getByText(
        'Anyone in any AWS account can assume the role (+1 more)',
      ),
    ).toBeVisible();
    expect(within(first).getByText('Never used')).toBeVisible();
    // Owner names break at spaces only, never inside a word.
    expect(
      within(first).getByRole('link', { name: 'team-legacy' }).closest('td'),
    ).toHaveStyle({ wordBreak: 'normal', overflowWrap: 'break-word' });
    expect(
      within(table).getByText('Web identity (OIDC) · 2, IAM roles · 1'),
    ).toBeVisible();
    // an account without an entity shows its id, unlinked
    expect(within(table).getByText('222222222222')).toBeVisible();
    expect(
      within(table).getByText('Managed by AWS: not requestable'),
    ).toBeVisible();
    expect(
      screen.getByRole('button', {
        name: 'Publicly assumable or unpinned (1)',
      }),
    ).toBeVisible();
  });

  it('asks the broker for a preset, a facet and words, and exports what is filtered', async () => {
    const user = userEvent.setup();
    const asked: string[] = [];
    server.use(
      http.get(`${BASE}/roles`, ({ request }) => {
        const url = new URL(request.url);
        url.searchParams.sort();
        if (url.searchParams.get('format') === 'csv') {
          asked.push(`csv ${url.searchParams.toString()}`);
          return new HttpResponse('entityRef\r\n', {
            headers: { 'Content-Type': 'text/csv' },
          });
        }
        asked.push(url.searchParams.toString());
        const preset = url.searchParams.get('preset');
        return HttpResponse.json(
          inventory(preset === 'exposed' ? rows.slice(0, 1) : rows),
        );
      }),
      ...brokerHandlers(),
    );
    const created: Blob[] = [];
    URL.createObjectURL = jest.fn((blob: Blob) => {
      created.push(blob);
      return 'blob:inventory';
    });
    URL.revokeObjectURL = jest.fn();
    await renderWithApis(<IamRolesPage />);
    await screen.findByTestId('iam-answer');

    await user.click(
      screen.getByRole('button', {
        name: 'Publicly assumable or unpinned (1)',
      }),
    );
    expect(
      await screen.findByText(
        '1 of 3 roles match — 1 publicly assumable or unpinned, 1 critical, 2 not used in 90 days',
      ),
    ).toBeVisible();
    expect(asked).toContain('limit=500&preset=exposed');

    await user.click(screen.getByRole('combobox', { name: 'Account' }));
    await user.click(
      screen.getByRole('option', {
        name: 'acme-production (111111111111) · 2',
      }),
    );
    await waitFor(() =>
      expect(asked).toContain('account=111111111111&limit=500&preset=exposed'),
    );

    await user.type(
      screen.getByRole('textbox', { name: 'Search roles' }),
      'legacy',
    );
    await waitFor(() =>
      expect(asked).toContain(
        'account=111111111111&limit=500&preset=exposed&q=legacy',
      ),
    );

    await user.click(screen.getByRole('button', { name: 'Export CSV' }));
    await waitFor(() =>
      expect(asked).toContain(
        'csv account=111111111111&format=csv&preset=exposed&q=legacy',
      ),
    );
    expect(created).toHaveLength(1);

    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(await screen.findByTestId('iam-answer')).toHaveTextContent(
      /^3 roles in 2 accounts/,
    );
    expect(screen.getByRole('textbox', { name: 'Search roles' })).toHaveValue(
      '',
    );
    expect(
      screen.queryByRole('button', { name: 'Clear filters' }),
    ).not.toBeInTheDocument();
  });

  it('says what to do when there is no role, and what failed when the broker does not answer', async () => {
    server.use(...brokerHandlers());
    const { unmount } = await renderWithApis(<IamRolesPage />);
    expect(await screen.findByTestId('iam-answer')).toHaveTextContent(
      'No IAM roles yet: the catalog has not ingested any account',
    );
    expect(
      screen.getByText(/Once the catalog module has read an account/),
    ).toBeVisible();
    unmount();

    server.use(
      http.get(`${BASE}/roles`, () =>
        errorResponse(503, 'ServiceUnavailableError', 'trust index down'),
      ),
    );
    await renderWithApis(<IamRolesPage />);
    expect(await screen.findByText(/Could not load the roles/)).toBeVisible();
  });
});
