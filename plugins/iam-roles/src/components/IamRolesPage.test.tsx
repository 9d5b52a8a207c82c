import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { registerMswTestHooks } from '@backstage/test-utils';
import type {
  AssumableRolesResponse,
  RoleFinding,
} from '@backstage-iam/plugin-iam-roles-common';
import { IamRolesPage } from './IamRolesPage';
import { renderWithApis } from '../__testUtils__/renderWithApis';
import {
  brokerHandlers,
  errorResponse,
  listPage,
} from '../__testUtils__/handlers';
import {
  accessRequest,
  BASE,
  grant,
  ROLE_ARN,
} from '../__testUtils__/fixtures';

const lookupResult: AssumableRolesResponse = {
  query: '999999999999',
  principals: [{ type: 'account', accountId: '999999999999' }],
  roles: [
    {
      entityRef: 'resource:default/payments-deploy',
      arn: ROLE_ARN,
      title: 'payments-deploy',
      owner: 'group:default/payments',
      outcome: 'possible',
      via: 'sts:AssumeRole',
      conditions: [
        { operator: 'StringEquals', key: 'sts:ExternalId', values: ['x1'] },
      ],
      findings: [
        {
          id: 'cross-account-no-external-id',
          severity: 'high',
          message:
            'Account 999999999999 can assume it, "without" an ExternalId.',
        },
      ],
      matchedBy: '999999999999',
    },
  ],
};

const findings: RoleFinding[] = [
  {
    entityRef: 'resource:default/payments-deploy',
    arn: ROLE_ARN,
    title: 'payments-deploy',
    owner: 'group:default/payments',
    finding: {
      id: 'cross-account-no-external-id',
      severity: 'high',
      message: 'No ExternalId. Fix: add one.',
    },
  },
  {
    entityRef: 'resource:default/legacy-admin',
    arn: 'arn:aws:iam::111111111111:role/legacy-admin',
    title: 'legacy-admin',
    owner: 'group:default/platform',
    finding: {
      id: 'public-trust',
      severity: 'critical',
      message: 'Anyone can assume it. Fix: name principals.',
    },
  },
];

describe('IamRolesPage', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it('shows my active grants and my requests on the My access tab', async () => {
    server.use(
      ...brokerHandlers({
        grants: [grant()],
        myRequests: [
          accessRequest({
            status: 'denied',
            decidedBy: 'user:default/owner',
            decisionReason: 'Use read-only',
          }),
        ],
      }),
    );
    await renderWithApis(<IamRolesPage />, { routeEntries: ['/?tab=access'] });
    expect(
      screen.getByRole('tab', { name: 'My access', selected: true }),
    ).toBeInTheDocument();
    expect(await screen.findByText('denied')).toBeInTheDocument();
    expect(screen.getByText('by owner: Use read-only')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Get credentials' }),
    ).toBeEnabled();
    expect(
      screen.getAllByRole('link', { name: 'payments-deploy' }),
    ).toHaveLength(2);
  });

  it('shows empty states when there is nothing to show', async () => {
    server.use(...brokerHandlers());
    await renderWithApis(<IamRolesPage />, { routeEntries: ['/?tab=access'] });
    expect(
      await screen.findByText('You have not requested access to any role yet.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('No one has active access right now.'),
    ).toBeInTheDocument();
  });

  it('lets an approver approve from the inbox', async () => {
    const user = userEvent.setup();
    let approvals = [
      accessRequest({
        id: 'r-5',
        requester: 'user:default/dev',
        canDecide: true,
      }),
    ];
    const approved: string[] = [];
    server.use(
      http.get(`${BASE}/approvals`, ({ request }) =>
        listPage(request, approvals),
      ),
      http.post(`${BASE}/requests/:id/approve`, ({ params }) => {
        approved.push(String(params.id));
        approvals = [];
        return HttpResponse.json(
          accessRequest({ id: 'r-5', status: 'approved' }),
        );
      }),
      ...brokerHandlers(),
    );
    await renderWithApis(<IamRolesPage />, {
      routeEntries: ['/?tab=approvals'],
    });
    await user.click(
      await screen.findByRole('button', {
        name: 'Approve request from dev for payments-deploy',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    await user.type(
      within(dialog).getByLabelText('Reason (optional)'),
      'ok for INC-42',
    );
    await user.click(within(dialog).getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(approved).toEqual(['r-5']));
    expect(
      await screen.findByText('Approved the request from dev.'),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('No requests are waiting for your decision.'),
    ).toBeInTheDocument();
  });

  it('shows the refusal when a decision is not allowed', async () => {
    const user = userEvent.setup();
    server.use(
      http.get(`${BASE}/approvals`, ({ request }) =>
        listPage(request, [accessRequest({ id: 'r-6', canDecide: true })]),
      ),
      http.post(`${BASE}/requests/r-6/deny`, () =>
        errorResponse(403, 'NotAllowedError', 'You do not own this role'),
      ),
      ...brokerHandlers(),
    );
    await renderWithApis(<IamRolesPage />, {
      routeEntries: ['/?tab=approvals'],
    });
    await user.click(
      await screen.findByRole('button', { name: /Deny request from dev/ }),
    );
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText(/Reason/), 'not needed');
    await user.click(within(dialog).getByRole('button', { name: 'Deny' }));
    expect(
      await within(dialog).findByText(/You do not own this role \(HTTP 403\)/),
    ).toBeInTheDocument();
  });

  it('looks up an identity and exports the result as CSV and JSON', async () => {
    const user = userEvent.setup();
    let asked: string | null = null;
    server.use(
      http.get(`${BASE}/lookup`, ({ request }) => {
        asked = new URL(request.url).searchParams.get('q');
        return HttpResponse.json(lookupResult);
      }),
    );
    const blobs: Blob[] = [];
    const names: string[] = [];
    const createObjectURL = jest.fn((blob: Blob) => {
      blobs.push(blob);
      return `blob:${blobs.length}`;
    });
    Object.assign(URL, { createObjectURL, revokeObjectURL: jest.fn() });
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        names.push(this.download);
      });

    await renderWithApis(<IamRolesPage />, { routeEntries: ['/?tab=lookup'] });
    await user.click(screen.getByRole('button', { name: 'Look up' }));
    expect(
      screen.getByText('Enter an identity to look up.'),
    ).toBeInTheDocument();

    await user.type(
      screen.getByLabelText('Identity to look up'),
      '999999999999',
    );
    await user.click(screen.getByRole('button', { name: 'Look up' }));
    expect(
      await screen.findByRole('link', { name: 'payments-deploy' }),
    ).toBeInTheDocument();
    expect(asked).toBe('999999999999');
    expect(screen.getByTestId('iam-answer')).toHaveTextContent(
      /^1 role in 1 account \(1 only under conditions\) trusts account 999999999999 — /,
    );
    expect(screen.getByText('Conditional')).toBeInTheDocument();
    expect(
      screen.getByText('only if the ExternalId is "x1"'),
    ).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Export CSV' }));
    await user.click(screen.getByRole('button', { name: 'Export JSON' }));
    expect(names).toEqual([
      'iam-lookup-999999999999.csv',
      'iam-lookup-999999999999.json',
    ]);
    const csv = await blobs[0].text();
    expect(csv.split('\r\n')[0]).toBe(
      'query,role,arn,entityRef,owner,outcome,via,matchedBy,conditions,risk,findings',
    );
    expect(csv).toContain(
      `999999999999,payments-deploy,${ROLE_ARN},resource:default/payments-deploy,group:default/payments,possible,sts:AssumeRole,999999999999,"{""StringEquals"":{""sts:ExternalId"":[""x1""]}}",high,high: cross-account-no-external-id`,
    );
    expect(JSON.parse(await blobs[1].text())).toEqual(lookupResult);
    click.mockRestore();
  });

  it('shows the roles an identity reaches through role chains, hop by hop', async () => {
    const hop = (name: string, via = 'sts:AssumeRole') => ({
      entityRef: `resource:default/${name}`,
      arn: `arn:aws:iam::111111111111:role/${name}`,
      title: name,
      outcome: 'allowed' as const,
      via,
      conditions: [],
    });
    server.use(
      http.get(`${BASE}/lookup`, () =>
        HttpResponse.json({
          ...lookupResult,
          chains: [
            {
              ...hop('prod-admin'),
              owner: 'group:default/platform',
              depth: 3,
              outcome: 'possible',
              path: [
                hop('gha-deploy', 'sts:AssumeRoleWithWebIdentity'),
                hop('acme-deployer'),
                {
                  ...hop('prod-admin'),
                  outcome: 'possible',
                  conditions: [
                    {
                      operator: 'Bool',
                      key: 'aws:MultiFactorAuthPresent',
                      values: ['true'],
                    },
                  ],
                },
              ],
            },
          ],
        }),
      ),
    );
    await renderWithApis(<IamRolesPage />, {
      routeEntries: ['/?tab=lookup&q=999999999999'],
    });
    expect(
      await screen.findByText(
        'Through role chaining it reaches 1 more role (1 only under conditions), up to 3 hops away.',
      ),
    ).toBeInTheDocument();
    const table = screen
      .getByText('Reached through role chains')
      .closest('div[class*="MuiPaper"]') as HTMLElement;
    const path = within(table).getByRole('list');
    expect(
      within(path)
        .getAllByRole('listitem')
        .map(li => li.textContent),
    ).toEqual([
      'gha-deploy (sts:AssumeRoleWithWebIdentity)',
      'acme-deployer (sts:AssumeRole)',
      expect.stringMatching(/^prod-admin \(sts:AssumeRole, only if .*MFA/),
    ]);
    expect(
      within(table).getByText('Only under conditions'),
    ).toBeInTheDocument();
  });

  it('says nothing about role chains when there are none', async () => {
    server.use(
      http.get(`${BASE}/lookup`, () => HttpResponse.json(lookupResult)),
    );
    await renderWithApis(<IamRolesPage />, {
      routeEntries: ['/?tab=lookup&q=999999999999'],
    });
    expect(
      await screen.findByRole('link', { name: 'payments-deploy' }),
    ).toBeInTheDocument();
    expect(screen.queryByText('Reached through role chains')).toBeNull();
    expect(screen.queryByText(/Through role chaining/)).toBeNull();
  });

  it('warns that a lookup answered by an empty index is not complete', async () => {
    server.use(
      http.get(`${BASE}/lookup`, () =>
        HttpResponse.json({
          query: '999999999999',
          principals: [],
          roles: [],
          index: { roles: 0, builtAt: '2026-11-29T12:00:00.000Z' },
        }),
      ),
    );
    await renderWithApis(<IamRolesPage />, {
      routeEntries: ['/?tab=lookup&q=999999999999'],
    });
    expect(
      await screen.findByText(/so this answer\s+is not complete/),
    ).toBeInTheDocument();
  });

  it('explains a lookup the broker cannot parse', async () => {
    server.use(
      http.get(`${BASE}/lookup`, () =>
        errorResponse(
          400,
          'InputError',
          'Not an ARN, account id, github:OWNER/REPO or provider: "foo"',
        ),
      ),
    );
    await renderWithApis(<IamRolesPage />, {
      routeEntries: ['/?tab=lookup&q=foo'],
    });
    expect(
      await screen.findByText(/Not an ARN, account id/),
    ).toBeInTheDocument();
  });

  it('filters findings across all roles by owner and severity', async () => {
    server.use(
      http.get(`${BASE}/findings`, ({ request }) =>
        listPage(request, findings),
      ),
    );
    await renderWithApis(<IamRolesPage />, {
      routeEntries: ['/?tab=findings'],
    });
    expect(await screen.findByText('Findings (2)')).toBeInTheDocument();

    fireEvent.mouseDown(screen.getByRole('combobox', { name: 'Severity' }));
    fireEvent.click(
      within(await screen.findByRole('listbox')).getByRole('option', {
        name: 'critical',
      }),
    );
    expect(await screen.findByText('Findings (1)')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'legacy-admin' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('link', { name: 'payments-deploy' }),
    ).not.toBeInTheDocument();

    fireEvent.mouseDown(screen.getByRole('combobox', { name: 'Owner' }));
    fireEvent.click(
      within(await screen.findByRole('listbox')).getByRole('option', {
        name: 'payments',
      }),
    );
    expect(
      await screen.findByText('No finding matches these filters.'),
    ).toBeInTheDocument();
  });

  it('says the findings are cut when the broker counts more than it pages out', async () => {
    server.use(
      http.get(`${BASE}/findings`, ({ request }) => {
        const offset = Number(new URL(request.url).searchParams.get('offset'));
        return HttpResponse.json({
          items: offset === 0 ? findings : [],
          totalItems: 1234,
          offset,
          limit: 500,
        });
      }),
    );
    await renderWithApis(<IamRolesPage />, {
      routeEntries: ['/?tab=findings'],
    });
    expect(await screen.findByText('Findings (2)')).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent(
      'Showing 2 of 1,234 findings: the rest are not loaded.',
    );
  });
});
