import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { registerMswTestHooks } from '@backstage/test-utils';
import { RequestDecision } from './RequestDecision';
import { IamRolesQueryProvider } from '../hooks/IamRolesQueryProvider';
import { renderWithApis } from '../__testUtils__/renderWithApis';
import { brokerHandlers, errorResponse } from '../__testUtils__/handlers';
import { accessRequest, BASE } from '../__testUtils__/fixtures';

const ID = '0b6f1a52-7d0e-4c43-9a64-2f7f4f0d3a11';

describe('RequestDecision', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  const render = (search: string) =>
    renderWithApis(
      <IamRolesQueryProvider>
        <p>Page</p>
        <RequestDecision />
      </IamRolesQueryProvider>,
      { routeEntries: [`/iam-roles${search}`] },
    );

  it('shows nothing without a request in the link', async () => {
    server.use(...brokerHandlers());
    await render('');
    expect(await screen.findByText('Page')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Approve/ })).toBeNull();
  });

  it('opens the request of a notification link with its decision buttons, and approves it', async () => {
    const user = userEvent.setup();
    let current = accessRequest({
      id: ID,
      requester: 'user:default/jane.doe',
      canDecide: true,
    });
    server.use(
      http.get(`${BASE}/requests/${ID}`, () => HttpResponse.json(current)),
      http.post(`${BASE}/requests/${ID}/approve`, () => {
        current = { ...current, status: 'approved', canDecide: false };
        return HttpResponse.json(current);
      }),
      ...brokerHandlers(),
    );
    await render(`?request=${ID}`);
    expect(
      await screen.findByText(
        'jane.doe requests access to payments-deploy for 1 hour',
      ),
    ).toBeInTheDocument();
    await user.click(
      screen.getByRole('button', {
        name: "Approve jane.doe's request for payments-deploy",
      }),
    );
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Approve' }));
    expect(await screen.findByRole('status')).toHaveTextContent(
      "Approved jane.doe's request for payments-deploy.",
    );
    expect(await screen.findByText('approved')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Approve/ })).toBeNull();
  });

  it('tells the requester who decides instead of offering buttons', async () => {
    server.use(
      http.get(`${BASE}/requests/${ID}`, () =>
        HttpResponse.json(accessRequest({ id: ID, canDecide: false })),
      ),
      ...brokerHandlers(),
    );
    await render(`?request=${ID}`);
    expect(
      await screen.findByText(/You cannot decide this request/),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Approve/ })).toBeNull();
  });

  it('says what failed when the link names a request the caller cannot see', async () => {
    server.use(
      http.get(`${BASE}/requests/${ID}`, () =>
        errorResponse(404, 'NotFoundError', `No access request with id ${ID}`),
      ),
      ...brokerHandlers(),
    );
    await render(`?request=${ID}`);
    expect(
      await screen.findByText('Could not open the request from the link'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(new RegExp(`No access request with id ${ID}`)),
    ).toBeInTheDocument();
  });
});
