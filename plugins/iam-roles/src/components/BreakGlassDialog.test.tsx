import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { registerMswTestHooks } from '@backstage/test-utils';
import { BreakGlassButton } from './BreakGlassDialog';
import { IamRolesQueryProvider } from '../hooks/IamRolesQueryProvider';
import { renderWithApis } from '../__testUtils__/renderWithApis';
import { brokerHandlers, workflowHandlers } from '../__testUtils__/handlers';
import {
  accessRequest,
  BASE,
  grant,
  ROLE_REF,
} from '../__testUtils__/fixtures';

describe('BreakGlassButton', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  const render = () =>
    renderWithApis(
      <IamRolesQueryProvider>
        <p>Role card</p>
        <BreakGlassButton roleRef={ROLE_REF} roleTitle="payments-deploy" />
      </IamRolesQueryProvider>,
    );

  it('offers nothing on a role that does not allow break-glass', async () => {
    server.use(...brokerHandlers());
    await render();
    expect(await screen.findByText('Role card')).toBeInTheDocument();
    // the options have arrived and say no: still no button
    await new Promise(r => setTimeout(r, 200));
    expect(screen.queryByRole('button', { name: /Break glass/ })).toBeNull();
  });

  it('takes the role at once with an incident and a justification, and says the owners will review it', async () => {
    const user = userEvent.setup();
    const sent: unknown[] = [];
    const expiresAt = new Date(Date.now() + 30 * 60_000).toISOString();
    server.use(
      ...workflowHandlers({
        requestOptions: {
          breakGlass: { allowed: true, maxDurationMinutes: 30 },
        },
      }),
      ...brokerHandlers(),
      http.post(`${BASE}/break-glass`, async ({ request }) => {
        sent.push(await request.json());
        return HttpResponse.json(
          accessRequest({
            kind: 'break-glass',
            status: 'approved',
            grant: grant({ breakGlass: true, expiresAt }),
          }),
          { status: 201 },
        );
      }),
    );
    await render();
    await user.click(
      await screen.findByRole('button', {
        name: 'Break glass: take access to payments-deploy now',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('for 30 minutes, without an approval');
    await user.click(
      within(dialog).getByRole('button', { name: 'Break glass' }),
    );
    expect(
      within(dialog).getByText('Give the incident reference, e.g. INC-1234.'),
    ).toBeInTheDocument();
    expect(sent).toEqual([]);
    await user.type(
      within(dialog).getByLabelText(/Incident reference/),
      'INC-7',
    );
    await user.type(
      within(dialog).getByLabelText(/What is broken/),
      'Payments fail in production; rolling back',
    );
    await user.click(
      within(dialog).getByRole('button', { name: 'Break glass' }),
    );
    expect(await screen.findByRole('status')).toHaveTextContent(
      'Its owners were told and will review it.',
    );
    expect(sent).toEqual([
      {
        roleRef: ROLE_REF,
        incident: 'INC-7',
        justification: 'Payments fail in production; rolling back',
      },
    ]);
  });
});
