import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { registerMswTestHooks } from '@backstage/test-utils';
import { ReviewList } from './ReviewList';
import { IamRolesQueryProvider } from '../hooks/IamRolesQueryProvider';
import { renderWithApis } from '../__testUtils__/renderWithApis';
import { brokerHandlers, listPage } from '../__testUtils__/handlers';
import { BASE, grant } from '../__testUtils__/fixtures';

describe('ReviewList', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  const render = () =>
    renderWithApis(
      <IamRolesQueryProvider>
        <ReviewList />
      </IamRolesQueryProvider>,
    );

  it('says when nothing waits for a review', async () => {
    server.use(...brokerHandlers());
    await render();
    expect(
      await screen.findByText('No break-glass access waits for your review.'),
    ).toBeInTheDocument();
  });

  it('records a review with a note, and the grant leaves the list', async () => {
    const user = userEvent.setup();
    let pending = [
      grant({ id: 'g-9', user: 'user:default/jane.doe', breakGlass: true }),
    ];
    const notes: unknown[] = [];
    server.use(
      http.post(`${BASE}/grants/g-9/review`, async ({ request }) => {
        notes.push(await request.json());
        pending = [];
        return HttpResponse.json(
          grant({
            id: 'g-9',
            breakGlass: true,
            reviewedBy: 'user:default/dev',
          }),
        );
      }),
      http.get(`${BASE}/reviews`, ({ request }) => listPage(request, pending)),
      ...brokerHandlers(),
    );
    await render();
    await user.click(
      await screen.findByRole('button', {
        name: 'Mark the break-glass access of jane.doe to payments-deploy reviewed',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    await user.type(
      within(dialog).getByLabelText(/Reason/),
      'Matches INC-7; CloudTrail checked',
    );
    await user.click(
      within(dialog).getByRole('button', { name: 'Mark reviewed' }),
    );
    expect(await screen.findByRole('status')).toHaveTextContent(
      "Recorded your review of jane.doe's break-glass access.",
    );
    expect(notes).toEqual([{ note: 'Matches INC-7; CloudTrail checked' }]);
    expect(
      await screen.findByText('No break-glass access waits for your review.'),
    ).toBeInTheDocument();
  });
});
