import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { registerMswTestHooks } from '@backstage/test-utils';
import { DateTime } from 'luxon';
import { RoleSummaryCard } from './RoleSummaryCard';
import { renderWithApis } from '../__testUtils__/renderWithApis';
import { brokerHandlers } from '../__testUtils__/handlers';
import {
  accessRequest,
  BASE,
  ROLE_ARN,
  ROLE_REF,
  roleEntity,
} from '../__testUtils__/fixtures';

describe('RoleSummaryCard', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it('summarises the risk and last use, and requests access', async () => {
    const user = userEvent.setup();
    const posted: any[] = [];
    server.use(
      http.post(`${BASE}/requests`, async ({ request }) => {
        posted.push(await request.json());
        return HttpResponse.json(accessRequest(), { status: 201 });
      }),
      ...brokerHandlers(),
    );
    const date = DateTime.now().minus({ days: 3 }).toISO()!;
    await renderWithApis(<RoleSummaryCard />, {
      entity: roleEntity({ lastUsed: { date } }),
    });

    expect(screen.getByText('IAM role')).toBeInTheDocument();
    expect(screen.getByText('high')).toBeInTheDocument();
    expect(screen.getByText('1 high')).toBeInTheDocument();
    expect(screen.getByText(ROLE_ARN)).toBeInTheDocument();
    expect(screen.getByText('Last used: 3 days ago')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Request access' }));
    const dialog = await screen.findByRole('dialog', {
      name: 'Request access to payments-deploy',
    });
    await user.type(
      within(dialog).getByLabelText(/Justification/),
      'Check the deploy pipeline permissions',
    );
    await user.click(
      within(dialog).getByRole('button', { name: 'Submit request' }),
    );
    await waitFor(() => expect(posted).toHaveLength(1));
    expect(posted[0].roleRef).toBe(ROLE_REF);
    expect(await screen.findByText(/Request submitted/)).toBeInTheDocument();
  });
});
