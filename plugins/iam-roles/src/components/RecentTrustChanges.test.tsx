import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { registerMswTestHooks } from '@backstage/test-utils';
import type {
  TrustSubscription,
  TrustVersion,
} from '@backstage-iam/plugin-iam-roles-common';
import { RecentTrustChanges } from './RecentTrustChanges';
import { renderWithApis } from '../__testUtils__/renderWithApis';
import { listPage } from '../__testUtils__/handlers';
import { BASE } from '../__testUtils__/fixtures';
import {
  paymentsDeployHistory,
  trustVersion,
} from '../__testUtils__/trustHistoryFixtures';
import { IamRolesQueryProvider } from '../hooks/IamRolesQueryProvider';

describe('RecentTrustChanges', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it('lists the risky change first as the broker orders them, filters by severity and subscribes', async () => {
    const user = userEvent.setup();
    const risky = paymentsDeployHistory[1];
    const harmless = trustVersion({
      version: 4,
      roleRef: 'resource:default/web-deploy',
      arn: 'arn:aws:iam::111111111111:role/web-deploy',
      seenAt: '2026-11-28T09:00:00.000Z',
      changes: {
        ...paymentsDeployHistory[0].changes,
        changed: ['policies'],
        owner: undefined,
        policiesAttached: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      },
    });
    const queries: URLSearchParams[] = [];
    let subscriptions: TrustSubscription[] = [];
    const posted: unknown[] = [];
    server.use(
      http.get(`${BASE}/trust-history/changes`, ({ request }) => {
        const params = new URL(request.url).searchParams;
        queries.push(params);
        return listPage(
          request,
          params.get('severity') ? [risky] : [risky, harmless],
        );
      }),
      http.get(`${BASE}/trust-history/subscriptions`, () =>
        HttpResponse.json({ items: subscriptions }),
      ),
      http.post(`${BASE}/trust-history/subscriptions`, async ({ request }) => {
        const body = (await request.json()) as { roleRef: string };
        posted.push(body);
        subscriptions = [
          { roleRef: body.roleRef, createdAt: '2026-11-28T10:00:00.000Z' },
        ];
        return HttpResponse.json(subscriptions[0]);
      }),
    );
    await renderWithApis(
      <IamRolesQueryProvider>
        <RecentTrustChanges />
      </IamRolesQueryProvider>,
    );

    const section = await screen.findByRole('region', {
      name: 'Recent trust changes',
    });
    expect(
      await within(section).findByText('2 changes, risky first'),
    ).toBeInTheDocument();
    const rows = within(section).getAllByRole('row').slice(1);
    expect(within(rows[0]).getByText('payments-deploy')).toBeInTheDocument();
    expect(
      within(rows[0]).getByText(
        'New finding: Any tenant of the identity provider can assume the role (critical)',
      ),
    ).toBeInTheDocument();
    expect(within(rows[1]).getByText('web-deploy')).toBeInTheDocument();
    expect(
      within(rows[1]).getByText(
        'Policy attached: arn:aws:iam::aws:policy/ReadOnlyAccess',
      ),
    ).toBeInTheDocument();
    // The last 7 days by default.
    expect(queries[0].get('since')).toMatch(/^\d{4}-\d\d-\d\dT/);

    await user.click(within(section).getByLabelText('Brought a finding'));
    await user.click(screen.getByRole('option', { name: 'High or critical' }));
    expect(
      await within(section).findByText('1 change, risky first'),
    ).toBeInTheDocument();
    expect(queries.at(-1)?.get('severity')).toBe('high');

    await user.click(
      within(section).getByRole('button', {
        name: 'Subscribe to changes of payments-deploy',
      }),
    );
    expect(posted).toEqual([{ roleRef: 'resource:default/payments-deploy' }]);
    await waitFor(() =>
      expect(
        within(section).getByRole('button', {
          name: 'Unsubscribe from changes of payments-deploy',
        }),
      ).toBeInTheDocument(),
    );
  });

  /** The section with `items` as the broker's changes and no subscription. */
  async function showChanges(items: TrustVersion[]) {
    server.use(
      http.get(`${BASE}/trust-history/changes`, ({ request }) =>
        listPage(request, items),
      ),
      http.get(`${BASE}/trust-history/subscriptions`, () =>
        HttpResponse.json({ items: [] }),
      ),
    );
    await renderWithApis(
      <IamRolesQueryProvider>
        <RecentTrustChanges />
      </IamRolesQueryProvider>,
    );
  }

  it('names a removed role without a link to its page, which is gone', async () => {
    await showChanges([
      trustVersion({ version: 2, kind: 'removed' }),
      paymentsDeployHistory[0],
    ]);
    const section = await screen.findByRole('region', {
      name: 'Recent trust changes',
    });
    await within(section).findByText('2 changes, risky first');
    const [removed, changed] = within(section).getAllByRole('row').slice(1);
    expect(within(removed).getByText('payments-deploy')).toBeInTheDocument();
    expect(within(removed).queryByRole('link')).toBeNull();
    expect(removed).toHaveTextContent(/Gone from the catalog/);
    expect(
      within(changed).getByRole('link', { name: 'payments-deploy' }),
    ).toBeInTheDocument();
  });

  it('says so when nothing changed in the period', async () => {
    await showChanges([]);
    expect(
      await screen.findByText(
        'No trust policy, finding, owner or policy changed in this period.',
      ),
    ).toBeInTheDocument();
  });
});
