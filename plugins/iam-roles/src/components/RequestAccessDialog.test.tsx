import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { registerMswTestHooks } from '@backstage/test-utils';
import type {
  AccessRequest,
  RequestOptions,
} from '@backstage-iam/plugin-iam-roles-common';
import { RequestAccessDialog } from './RequestAccessDialog';
import { IamRolesQueryProvider } from '../hooks/IamRolesQueryProvider';
import { REQUEST_POLL_MS } from '../hooks/queries';
import { renderWithApis } from '../__testUtils__/renderWithApis';
import {
  brokerHandlers,
  errorResponse,
  requestHandlers,
  workflowHandlers,
} from '../__testUtils__/handlers';
import {
  accessRequest,
  BASE,
  grant,
  ROLE_ARN,
  ROLE_REF,
  roleEntity,
} from '../__testUtils__/fixtures';

const server = setupServer();
registerMswTestHooks(server);

function renderDialog(onSubmitted: (r: AccessRequest) => void = () => {}) {
  return renderWithApis(
    <IamRolesQueryProvider>
      <RequestAccessDialog
        open
        roleRef={ROLE_REF}
        roleTitle="payments-deploy"
        roleArn={ROLE_ARN}
        onClose={() => {}}
        onSubmitted={onSubmitted}
      />
    </IamRolesQueryProvider>,
    { catalogEntities: [roleEntity()] },
  );
}

const approvers: Partial<RequestOptions> = {
  approvers: {
    groups: ['group:default/payments'],
    quorum: 1,
    members: ['user:default/priya.patel', 'user:default/sam.lee'],
  },
  credentials: { issuable: true },
};

async function submit(justification: string) {
  const user = userEvent.setup({ advanceTimers: jest.advanceTimersByTime });
  const dialog = await screen.findByRole('dialog');
  await user.type(
    await within(dialog).findByLabelText(/Justification/),
    justification,
  );
  await user.click(
    within(dialog).getByRole('button', { name: 'Submit request' }),
  );
  return { user, dialog };
}

describe('RequestAccessDialog', () => {
  it('says why a role cannot be requested instead of offering the form', async () => {
    server.use(
      ...workflowHandlers({
        requestOptions: {
          requestable: false,
          reasons: ['Identity Center roles are assigned in Identity Center.'],
        },
      }),
      ...brokerHandlers(),
    );
    await renderDialog();
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText(
        'Identity Center roles are assigned in Identity Center.',
      ),
    ).toBeInTheDocument();
    expect(within(dialog).queryByLabelText(/Justification/)).toBeNull();
    expect(
      within(dialog).queryByRole('button', { name: 'Submit request' }),
    ).toBeNull();
  });

  it('shows the open request in full instead of a form for a second one', async () => {
    const open = accessRequest();
    server.use(
      ...workflowHandlers({
        requestOptions: { ...approvers, openRequest: open },
      }),
      ...requestHandlers(new Map([[open.id, open]])),
      ...brokerHandlers(),
    );
    await renderDialog();
    const dialog = await screen.findByRole('dialog');
    const summary = await within(dialog).findByRole('region', {
      name: 'Your request for payments-deploy',
    });
    expect(
      within(summary).getByText(
        'Rotate the payments database credentials (INC-42) (INC-42)',
      ),
    ).toBeInTheDocument();
    expect(within(summary).getByRole('status')).toHaveTextContent(
      /^Request sent to payments \(2 members: priya\.patel, sam\.lee\) — you'll be notified when they decide\. 0 of 1 approval so far/,
    );
    expect(
      within(summary).getByRole('button', {
        name: 'Cancel request for payments-deploy',
      }),
    ).toBeInTheDocument();
    expect(
      within(dialog).queryByRole('button', { name: 'Submit request' }),
    ).toBeNull();
  });

  describe('after submitting', () => {
    beforeEach(() => {
      jest.useFakeTimers({ advanceTimers: true });
    });
    afterEach(() => {
      jest.useRealTimers();
    });

    it('turns into the request, follows it while pending and offers credentials once approved', async () => {
      const sent = accessRequest({
        id: 'r-9',
        justification: 'Debug the failing deploy job',
        durationMinutes: 90,
        ticket: undefined,
      });
      const requests = new Map([[sent.id, sent]]);
      const submitted: AccessRequest[] = [];
      let reads = 0;
      server.use(
        ...workflowHandlers({ requestOptions: approvers }),
        http.post(`${BASE}/requests`, () =>
          HttpResponse.json(sent, { status: 201 }),
        ),
        http.get(`${BASE}/requests/:id`, () => {
          reads += 1;
          return undefined;
        }),
        ...requestHandlers(requests),
        ...brokerHandlers(),
      );
      await renderDialog(r => submitted.push(r));
      const { dialog } = await submit('Debug the failing deploy job');

      const summary = await within(dialog).findByRole('region', {
        name: 'Your request for payments-deploy',
      });
      expect(submitted.map(r => r.id)).toEqual(['r-9']);
      expect(
        within(summary).getByText('Debug the failing deploy job'),
      ).toBeInTheDocument();
      expect(
        within(summary).getByText('1 hour 30 minutes'),
      ).toBeInTheDocument();
      expect(within(summary).getByText('pending')).toBeInTheDocument();
      expect(within(summary).getByRole('status')).toHaveTextContent(
        /^Request sent to payments \(2 members: priya\.patel, sam\.lee\)/,
      );
      expect(
        within(summary).getByRole('button', {
          name: 'Cancel request for payments-deploy',
        }),
      ).toBeInTheDocument();
      expect(
        within(dialog).queryByLabelText(/Justification/),
      ).not.toBeInTheDocument();
      expect(
        within(summary).getByRole('link', { name: 'My access' }),
      ).toHaveAttribute('href', '/iam-roles?tab=access');

      // The approvers decide; without a reload, the next poll shows it.
      requests.set(sent.id, {
        ...sent,
        status: 'approved',
        decidedBy: 'user:default/priya.patel',
        decidedAt: '2026-11-29T01:00:00Z',
        decisionReason: 'Go ahead',
        approvals: [
          {
            approver: 'user:default/priya.patel',
            at: '2026-11-29T01:00:00Z',
            reason: 'Go ahead',
          },
        ],
        grant: grant({ requestId: sent.id }),
      });
      expect(reads).toBe(0);
      await act(() => jest.advanceTimersByTimeAsync(REQUEST_POLL_MS));
      expect(await within(summary).findByText('approved')).toBeInTheDocument();
      expect(within(summary).getByRole('status')).toHaveTextContent(
        /^Approved by priya\.patel .*: Go ahead$/,
      );
      expect(
        within(summary).getByRole('button', { name: 'Get credentials' }),
      ).toBeEnabled();
      expect(
        within(summary).queryByRole('button', { name: /^Cancel/ }),
      ).not.toBeInTheDocument();

      // Decided: no more polling.
      const after = reads;
      await act(() => jest.advanceTimersByTimeAsync(3 * REQUEST_POLL_MS));
      expect(reads).toBe(after);
    });

    it('cancels the request it shows', async () => {
      const sent = accessRequest({ id: 'r-7' });
      const requests = new Map([[sent.id, sent]]);
      server.use(
        ...workflowHandlers({ requestOptions: approvers }),
        http.post(`${BASE}/requests`, () =>
          HttpResponse.json(sent, { status: 201 }),
        ),
        ...requestHandlers(requests),
        ...brokerHandlers(),
      );
      await renderDialog();
      const { user, dialog } = await submit('Rotate the payments keys');
      await user.click(
        await within(dialog).findByRole('button', {
          name: 'Cancel request for payments-deploy',
        }),
      );
      expect(await within(dialog).findByText('cancelled')).toBeInTheDocument();
      expect(within(dialog).getByRole('status')).toHaveTextContent(
        /^You cancelled it/,
      );
    });

    it('shows the open request instead of an error when the broker answers 409', async () => {
      const existing = accessRequest({
        id: 'r-5',
        justification: 'Asked from another tab',
      });
      let options: Partial<RequestOptions> = approvers;
      server.use(
        http.get(`${BASE}/request-options`, ({ request }) =>
          HttpResponse.json({
            role: new URL(request.url).searchParams.get('role'),
            requestable: true,
            reasons: [],
            maxDurationMinutes: 480,
            defaultDurationMinutes: 60,
            breakGlass: { allowed: false },
            ...options,
          }),
        ),
        http.post(`${BASE}/requests`, () => {
          options = { ...approvers, openRequest: existing };
          return errorResponse(
            409,
            'ConflictError',
            'You already have an open request for this role',
          );
        }),
        ...requestHandlers(new Map([[existing.id, existing]])),
        ...workflowHandlers(),
        ...brokerHandlers(),
      );
      await renderDialog();
      const { dialog } = await submit('Debug the failing deploy job');
      const summary = await within(dialog).findByRole('region', {
        name: 'Your request for payments-deploy',
      });
      expect(
        within(summary).getByText('Asked from another tab (INC-42)'),
      ).toBeInTheDocument();
      await waitFor(() =>
        expect(
          within(dialog).queryByText(/The request was not created/),
        ).not.toBeInTheDocument(),
      );
    });
  });

  it('gives the trust statement the owner would add when no credentials can be issued', async () => {
    const statement = {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::999999999999:role/broker' },
      Action: 'sts:AssumeRole',
    };
    server.use(
      ...workflowHandlers({
        requestOptions: {
          credentials: {
            issuable: false,
            reason: 'the role does not trust the access broker',
            trustStatement: statement,
          },
          maxDurationMinutes: 120,
        },
      }),
      ...brokerHandlers(),
    );
    await renderDialog();
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText(
        /no credentials can be issued: the role does not trust the access broker/,
      ),
    ).toBeInTheDocument();
    expect(
      JSON.parse(
        within(dialog).getByLabelText('Statement the owner would add')
          .textContent!,
      ),
    ).toEqual(statement);
    // The role's own maximum, not the broker's wider one.
    expect(
      within(dialog).getByText(/Between \d+ and 120 minutes/),
    ).toBeInTheDocument();
    expect(
      await within(dialog).findByText(/^Managed policies:|^No managed policy/),
    ).toBeInTheDocument();
  });
});
