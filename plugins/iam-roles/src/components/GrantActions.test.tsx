import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { registerMswTestHooks } from '@backstage/test-utils';
import { GrantActions, extensionLeft } from './GrantActions';
import { IamRolesQueryProvider } from '../hooks/IamRolesQueryProvider';
import { renderWithApis } from '../__testUtils__/renderWithApis';
import { brokerHandlers, errorResponse } from '../__testUtils__/handlers';
import { accessRequest, BASE, grant } from '../__testUtils__/fixtures';

describe('GrantActions', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  const render = (g = grant()) =>
    renderWithApis(
      <IamRolesQueryProvider>
        <GrantActions grant={g} />
      </IamRolesQueryProvider>,
    );

  /** A grant with 60 minutes left to extend, its dialog open; `sent` records what reaches the broker. */
  async function openExtendDialog() {
    const user = userEvent.setup();
    const sent: unknown[] = [];
    server.use(
      ...brokerHandlers(),
      http.post(`${BASE}/grants/g-1/extend`, async ({ request }) => {
        sent.push(await request.json());
        return HttpResponse.json(
          accessRequest({
            id: 'r-2',
            kind: 'extension',
            extendsGrantId: 'g-1',
          }),
          { status: 201 },
        );
      }),
    );
    // granted 60 minutes ago for 2 hours: 240 - 180 = 60 minutes are left
    const now = Date.now();
    await render(
      grant({
        grantedAt: new Date(now - 3600_000).toISOString(),
        expiresAt: new Date(now + 7200_000).toISOString(),
      }),
    );
    await user.click(
      await screen.findByRole('button', {
        name: 'Extend access to payments-deploy',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    return { user, dialog, sent };
  }

  it('asks for an extension within what is left of the maximum, with a justification', async () => {
    const { user, dialog, sent } = await openExtendDialog();
    expect(dialog).toHaveTextContent('At most 1 hour more');
    await user.click(
      within(dialog).getByRole('button', { name: 'Ask to extend' }),
    );
    expect(
      within(dialog).getByText('Say why, in at least 10 characters.'),
    ).toBeInTheDocument();
    expect(sent).toEqual([]);
    await user.type(
      within(dialog).getByLabelText(/Why you need more time/),
      'The migration runs longer than planned',
    );
    await user.click(
      within(dialog).getByRole('button', { name: 'Ask to extend' }),
    );
    expect(await screen.findByRole('status')).toHaveTextContent(
      "Asked to extend your access to payments-deploy by 30 minutes; the role's approvers decide it.",
    );
    expect(sent).toEqual([
      {
        durationMinutes: 30,
        justification: 'The migration runs longer than planned',
      },
    ]);
  });

  it('holds back a justification longer than the broker takes, and says the limit', async () => {
    const { user, dialog, sent } = await openExtendDialog();
    const field = within(dialog).getByLabelText(/Why you need more time/);
    await user.click(field);
    await user.paste('x'.repeat(1001));
    expect(dialog).toHaveTextContent('1001/1000 — The approvers read this.');
    await user.click(
      within(dialog).getByRole('button', { name: 'Ask to extend' }),
    );
    expect(
      within(dialog).getByText('Keep it to 1000 characters at most.'),
    ).toBeInTheDocument();
    expect(sent).toEqual([]);
  });

  it('offers no extension once a grant lasts the maximum', async () => {
    server.use(...brokerHandlers());
    const now = Date.now();
    const atMax = grant({
      grantedAt: new Date(now - 3600_000).toISOString(),
      expiresAt: new Date(now + 3 * 3600_000).toISOString(),
    });
    expect(extensionLeft(atMax, 240)).toBe(0);
    await render(atMax);
    expect(
      await screen.findByText('Already at the longest time allowed.'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Extend access to payments-deploy' }),
    ).toBeDisabled();
  });

  it('releases the grant, and keeps the dialog open with the reason when the broker refuses', async () => {
    const user = userEvent.setup();
    let calls = 0;
    server.use(
      ...brokerHandlers(),
      http.post(`${BASE}/grants/g-1/release`, () => {
        calls++;
        return calls === 1
          ? errorResponse(
              409,
              'ConflictError',
              'Cannot revoke grant g-1: it is already expired.',
            )
          : HttpResponse.json(grant({ status: 'revoked' }));
      }),
    );
    await render();
    await user.click(
      await screen.findByRole('button', {
        name: 'Release access to payments-deploy',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Release' }));
    expect(
      await within(dialog).findByText(/it is already expired/),
    ).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Release' }));
    expect(await screen.findByRole('status')).toHaveTextContent(
      'Released your access to payments-deploy.',
    );
    expect(calls).toBe(2);
  });
});
