import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { registerMswTestHooks } from '@backstage/test-utils';
import type { ListPage } from '@backstage-iam/plugin-iam-roles-common';
import { GrantsTable } from './GrantsTable';
import { IamRolesQueryProvider } from '../hooks/IamRolesQueryProvider';
import { renderWithApis } from '../__testUtils__/renderWithApis';
import { brokerHandlers, listPage } from '../__testUtils__/handlers';
import { BASE, brokerInfo, grant } from '../__testUtils__/fixtures';

describe('GrantsTable', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  const render = () =>
    renderWithApis(
      <IamRolesQueryProvider>
        <GrantsTable canRevoke title="Active grants" />
      </IamRolesQueryProvider>,
    );

  it('asks only for active grants, one page of at most 500 at a time', async () => {
    const asked: URLSearchParams[] = [];
    const grants = Array.from({ length: 501 }, (_, i) =>
      grant({ id: `g-${i}`, user: `user:default/u${i}` }),
    );
    server.use(
      http.get(`${BASE}/grants`, ({ request }) => {
        asked.push(new URL(request.url).searchParams);
        return listPage(request, grants);
      }),
      ...brokerHandlers(),
    );
    await render();
    expect(
      await screen.findByRole('button', { name: 'Revoke access of u0' }),
    ).toBeInTheDocument();
    expect(
      asked.map(p => [p.get('status'), p.get('limit'), p.get('offset')]),
    ).toEqual([
      ['active', '500', '0'],
      ['active', '500', '500'],
    ]);
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('says the list is cut when the broker runs out of rows before its count', async () => {
    // The broker counted 900 grants but had only 700 left to page through (some ended meanwhile).
    const grants = Array.from({ length: 700 }, (_, i) =>
      grant({ id: `g-${i}` }),
    );
    server.use(
      http.get(`${BASE}/grants`, ({ request }) => {
        const params = new URL(request.url).searchParams;
        const offset = Number(params.get('offset'));
        const limit = Number(params.get('limit'));
        const page: ListPage<ReturnType<typeof grant>> = {
          items: grants.slice(offset, offset + limit),
          totalItems: 900,
          offset,
          limit,
        };
        return new Response(JSON.stringify(page), {
          headers: { 'Content-Type': 'application/json' },
        });
      }),
      ...brokerHandlers(),
    );
    await render();
    expect(await screen.findByRole('status')).toHaveTextContent(
      'Showing 700 of 900 active grants: the rest are not loaded.',
    );
  });

  it('shows an answer that is not a page as an error, not as an empty list', async () => {
    server.use(
      http.get(
        `${BASE}/grants`,
        () =>
          new Response(JSON.stringify([grant()]), {
            headers: { 'Content-Type': 'application/json' },
          }),
      ),
      ...brokerHandlers(),
    );
    await render();
    // Not the server's refusal, so the query client tries twice more (1 s, then 2 s) first.
    expect(
      await screen.findByText(
        'Could not load the active grants',
        {},
        { timeout: 6000 },
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/answered GET \/grants without a list page/),
    ).toBeInTheDocument();
    expect(
      screen.queryByText('No one has active access right now.'),
    ).toBeNull();
  }, 15_000);

  it('says in the page, not in a tooltip, why a holder gets no credentials', async () => {
    const user = userEvent.setup();
    server.use(
      http.get(`${BASE}/grants`, ({ request }) =>
        listPage(request, [grant({ id: 'g-1' })]),
      ),
      ...brokerHandlers({
        info: {
          ...brokerInfo,
          credentialsEnabled: false,
          credentialsDisabledReason:
            'This installation records grants but issues no credentials.',
        },
      }),
    );
    await renderWithApis(
      <IamRolesQueryProvider>
        <GrantsTable mine canRevoke={false} title="Your active grants" />
      </IamRolesQueryProvider>,
    );
    const why = await screen.findByText('No credentials here');
    expect(
      screen.queryByRole('button', { name: 'Get credentials' }),
    ).not.toBeInTheDocument();
    expect(
      screen.getByText(
        'This installation records grants but issues no credentials.',
      ),
    ).not.toBeVisible();
    // a disclosure (details/summary: the browser makes it keyboard reachable)
    await user.click(why);
    expect(
      screen.getByText(
        'This installation records grants but issues no credentials.',
      ),
    ).toBeVisible();
  });
});
