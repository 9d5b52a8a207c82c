import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { registerMswTestHooks } from '@backstage/test-utils';
import { MyRequestsTable } from './MyRequestsTable';
import { IamRolesQueryProvider } from '../hooks/IamRolesQueryProvider';
import { renderWithApis } from '../__testUtils__/renderWithApis';
import { brokerHandlers, listPage } from '../__testUtils__/handlers';
import { accessRequest, BASE } from '../__testUtils__/fixtures';

describe('MyRequestsTable', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it('fetches the next pages of a list longer than one page and shows every row', async () => {
    const user = userEvent.setup();
    const requests = Array.from({ length: 1234 }, (_, i) =>
      accessRequest({
        id: `r-${i}`,
        status: 'denied',
        justification: `Ticket number ${i}`,
      }),
    );
    const offsets: string[] = [];
    server.use(
      http.get(`${BASE}/requests`, ({ request }) => {
        offsets.push(new URL(request.url).searchParams.get('offset') ?? '');
        return listPage(request, requests);
      }),
      ...brokerHandlers(),
    );
    await renderWithApis(
      <IamRolesQueryProvider>
        <MyRequestsTable title="Your requests" />
      </IamRolesQueryProvider>,
    );
    expect(
      await screen.findByText('Ticket number 0', {}, { timeout: 5000 }),
    ).toBeInTheDocument();
    expect(offsets).toEqual(['0', '500', '1000']);
    // A row of the last page is there, and nothing says the list is cut.
    await user.type(screen.getByPlaceholderText('Filter'), 'number 1233');
    expect(await screen.findByText('Ticket number 1233')).toBeInTheDocument();
    expect(screen.queryByText(/the rest are not loaded/)).toBeNull();
  });

  it('says plainly when the broker holds more requests than the list loads', async () => {
    const requests = Array.from({ length: 2345 }, (_, i) =>
      accessRequest({ id: `r-${i}`, status: 'denied' }),
    );
    server.use(
      http.get(`${BASE}/requests`, ({ request }) =>
        listPage(request, requests),
      ),
      ...brokerHandlers(),
    );
    await renderWithApis(
      <IamRolesQueryProvider>
        <MyRequestsTable title="Your requests" />
      </IamRolesQueryProvider>,
    );
    await waitFor(
      () =>
        expect(screen.getByRole('status')).toHaveTextContent(
          'Showing 2,000 of 2,345 requests: the rest are not loaded.',
        ),
      { timeout: 10000 },
    );
  });
});
