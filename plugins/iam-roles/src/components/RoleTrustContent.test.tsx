import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { registerMswTestHooks } from '@backstage/test-utils';
import { DateTime } from 'luxon';
import {
  groupFindings,
  PolicyNames,
  RoleTrustContent,
} from './RoleTrustContent';
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
  trustView,
} from '../__testUtils__/fixtures';

describe('groupFindings', () => {
  it('merges repeated findings, worst first, keeping their principals', () => {
    const groups = groupFindings([
      { id: 'service-confused-deputy', severity: 'medium', message: 'm' },
      {
        id: 'cross-account-no-external-id',
        severity: 'high',
        message: 'a',
        principal: '1',
      },
      {
        id: 'cross-account-no-external-id',
        severity: 'high',
        message: 'b',
        principal: '2',
      },
    ]);
    expect(groups.map(g => [g.first.id, g.count, g.principals])).toEqual([
      ['cross-account-no-external-id', 2, ['1', '2']],
      ['service-confused-deputy', 1, []],
    ]);
  });
});

describe('PolicyNames', () => {
  it('names every policy and the boundary, the rest of a long list on demand', async () => {
    const managed = Array.from({ length: 7 }, (_, i) => ({
      name: `Policy${i + 1}`,
      arn: `arn:aws:iam::aws:policy/Policy${i + 1}`,
    }));
    render(
      <PolicyNames
        iam={{
          attachedManagedPolicies: managed,
          inlinePolicyNames: ['deploy-artifacts'],
          permissionsBoundary:
            'arn:aws:iam::111111111111:policy/boundaries/developer-boundary',
        }}
      />,
    );
    const lines = screen.getAllByRole('listitem').map(li => li.textContent);
    expect(lines[0]).toBe(
      '7 managed: Policy1, Policy2, Policy3, Policy4, Policy5 and 2 more Show all',
    );
    expect(lines.slice(1)).toEqual([
      '1 inline: deploy-artifacts',
      'Limited by the permissions boundary developer-boundary',
    ]);
    await userEvent.click(
      screen.getByRole('button', { name: 'Show all 7 managed policies' }),
    );
    expect(screen.getAllByRole('listitem')[0]).toHaveTextContent(
      '7 managed: Policy1, Policy2, Policy3, Policy4, Policy5, Policy6, Policy7',
    );
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });

  it('says so when the role has no policy', () => {
    render(
      <PolicyNames
        iam={{ attachedManagedPolicies: [], inlinePolicyNames: [] }}
      />,
    );
    expect(
      screen.getByText('No managed or inline policies'),
    ).toBeInTheDocument();
  });
});

describe('RoleTrustContent', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it('shows the header, who can assume grouped by kind, findings and the raw policy', async () => {
    server.use(...brokerHandlers());
    await renderWithApis(<RoleTrustContent />, { entity: roleEntity() });

    expect(screen.getByLabelText('Role ARN')).toHaveTextContent(ROLE_ARN);
    expect(
      screen.getByRole('button', { name: 'Copy ARN' }),
    ).toBeInTheDocument();
    expect(screen.getByText('111111111111')).toBeInTheDocument();
    expect(screen.getByText('/ci/')).toBeInTheDocument();
    expect(screen.getByText('Never used')).toBeInTheDocument();

    const who = await screen.findByRole('region', {
      name: 'Who can assume this role',
    });
    const oidc = within(who).getByRole('region', {
      name: 'Web identity (OIDC) (1)',
    });
    expect(
      within(oidc).getByRole('link', {
        name: 'GitHub Actions in acme/payments-api on branch main',
      }),
    ).toHaveAttribute('href', '/catalog/default/component/payments-api');
    expect(
      within(oidc).getByText('branch main of acme/payments-api'),
    ).toBeInTheDocument();
    const accounts = within(who).getByRole('region', {
      name: 'AWS accounts (1)',
    });
    expect(
      within(accounts).getByText(/account 999999999999 \(external\)/),
    ).toBeInTheDocument();
    expect(within(accounts).getByText('external')).toBeInTheDocument();

    const findings = screen.getByRole('region', { name: 'Findings' });
    expect(
      within(findings).getByText(
        'An account not configured as internal, without ExternalId',
      ),
    ).toBeInTheDocument();
    expect(
      within(findings).getByText('Rule cross-account-no-external-id'),
    ).toBeInTheDocument();
    // The answer first: who can assume it and the worst risk, before the sections.
    expect(screen.getByTestId('iam-answer')).toHaveTextContent(
      /^\d+ principals? can assume payments-deploy — worst risk high: An account not configured as internal, without ExternalId$/,
    );
    const headings = screen
      .getAllByRole('heading', { level: 2 })
      .map(h => h.textContent);
    expect(headings.indexOf('Who can assume this role')).toBeLessThan(
      headings.indexOf('Findings'),
    );
    expect(headings.indexOf('Findings')).toBeLessThan(
      headings.indexOf('Your access'),
    );
    expect(
      within(findings).getByText(
        /Fix: add a StringEquals condition on sts:ExternalId/,
      ),
    ).toBeInTheDocument();
    expect(within(findings).getByText('high')).toBeInTheDocument();

    const policy = screen.getByLabelText('Trust policy JSON');
    expect(policy.textContent).toContain('"sts:AssumeRoleWithWebIdentity"');
    expect(JSON.parse(policy.textContent!)).toEqual(
      (roleEntity().spec as any).iam.trustPolicy,
    );
  });

  it('calls out a role not used for a long time', async () => {
    server.use(...brokerHandlers());
    const date = DateTime.now().minus({ days: 200 }).toISO()!;
    await renderWithApis(<RoleTrustContent />, {
      entity: roleEntity({ lastUsed: { date, region: 'eu-west-1' } }),
    });
    expect(
      screen.getByText(/Not used in 200 days .* in eu-west-1/),
    ).toBeInTheDocument();
  });

  it('shows the error of the trust analysis, and the header still renders from the catalog', async () => {
    // msw uses the first matching handler: the override goes first.
    server.use(
      http.get(`${BASE}/roles/trust`, () =>
        errorResponse(500, 'Error', 'trust index not ready'),
      ),
      ...brokerHandlers(),
    );
    await renderWithApis(<RoleTrustContent />, { entity: roleEntity() });
    expect(
      await screen.findByText(
        "Could not analyse this role's trust policy",
        {},
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(/trust index not ready \(HTTP 500\)/),
    ).toHaveLength(2);
    expect(screen.getByLabelText('Role ARN')).toHaveTextContent(ROLE_ARN);
  });

  it('shows a designed empty state when no principal is trusted', async () => {
    server.use(...brokerHandlers({ trust: trustView({ principals: [] }) }));
    await renderWithApis(<RoleTrustContent />, { entity: roleEntity() });
    expect(
      await screen.findByText(/No principal can assume this role/),
    ).toBeInTheDocument();
  });

  it('shows who reaches the role through role chains, and the catalog entities behind them', async () => {
    const hop = (name: string) => ({
      entityRef: `resource:default/${name}`,
      arn: `arn:aws:iam::111111111111:role/${name}`,
      title: name,
      outcome: 'allowed' as const,
      via: 'sts:AssumeRole',
      conditions: [],
    });
    server.use(
      ...brokerHandlers({
        trust: trustView({
          reachableFrom: [
            {
              ...hop('gha-deploy'),
              depth: 2,
              outcome: 'allowed',
              path: [hop('acme-deployer'), hop('payments-deploy')],
              holders: ['component:default/payments-api'],
            },
          ],
        }),
      }),
    );
    await renderWithApis(<RoleTrustContent />, { entity: roleEntity() });
    expect(
      await screen.findByText(
        '1 role can reach it through role chaining, and through them 1 catalog entity.',
      ),
    ).toBeInTheDocument();
    const table = screen
      .getByText('Through role chains')
      .closest('div[class*="MuiPaper"]') as HTMLElement;
    expect(
      within(table).getByRole('link', { name: 'gha-deploy' }),
    ).toBeVisible();
    expect(within(table).getByText('payments-api')).toBeInTheDocument();
    expect(
      within(table)
        .getAllByRole('listitem')
        .map(li => li.textContent),
    ).toContain('acme-deployer (sts:AssumeRole)');
  });

  it('says nothing about role chains when no role reaches it', async () => {
    server.use(...brokerHandlers({ trust: trustView() }));
    await renderWithApis(<RoleTrustContent />, { entity: roleEntity() });
    expect(
      await screen.findByText('Who can assume this role'),
    ).toBeInTheDocument();
    expect(screen.queryByText('Through role chains')).toBeNull();
  });

  it('validates the request dialog, then submits with an idempotency key', async () => {
    const user = userEvent.setup();
    const posted: any[] = [];
    server.use(
      ...workflowHandlers({
        requestOptions: {
          credentials: { issuable: true },
          approvers: {
            groups: ['group:default/payments'],
            quorum: 1,
            members: ['user:default/priya'],
          },
        },
      }),
      ...brokerHandlers(),
      http.post(`${BASE}/requests`, async ({ request }) => {
        posted.push(await request.json());
        return HttpResponse.json(accessRequest(), { status: 201 });
      }),
      ...requestHandlers(new Map([['r-1', accessRequest()]])),
    );
    await renderWithApis(<RoleTrustContent />, { entity: roleEntity() });

    await user.click(screen.getByRole('button', { name: 'Request access' }));
    const dialog = await screen.findByRole('dialog', {
      name: 'Request access to payments-deploy',
    });
    expect(
      await within(dialog).findByText(
        /Once approved, you can get short-lived credentials/,
      ),
    ).toBeInTheDocument();
    expect(within(dialog).getByText(/One approval from/)).toBeInTheDocument();

    await user.type(
      within(dialog).getByLabelText(/Justification/),
      'too short',
    );
    const duration = within(dialog).getByLabelText(/Duration \(minutes\)/);
    await user.clear(duration);
    await user.type(duration, '500');
    await user.click(
      within(dialog).getByRole('button', { name: 'Submit request' }),
    );
    expect(
      within(dialog).getByText(/at least 10 characters/),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText('Between 15 and 240 minutes.'),
    ).toBeInTheDocument();
    expect(posted).toHaveLength(0);

    await user.type(
      within(dialog).getByLabelText(/Justification/),
      ' — rotate the payments DB password',
    );
    await user.clear(duration);
    await user.type(duration, '90');
    await user.type(
      within(dialog).getByLabelText('Ticket (optional)'),
      'INC-42',
    );
    await user.click(
      within(dialog).getByRole('button', { name: 'Submit request' }),
    );

    await waitFor(() => expect(posted).toHaveLength(1));
    expect(posted[0]).toEqual({
      roleRef: ROLE_REF,
      justification: 'too short — rotate the payments DB password',
      durationMinutes: 90,
      ticket: 'INC-42',
      idempotencyKey: expect.stringMatching(/.{8,}/),
    });
    expect(
      await screen.findByText(/Request submitted: it waits for 1 approval/),
    ).toBeInTheDocument();
    // The dialog turns into the request; closed, the request stays in "Your access".
    expect(
      await within(dialog).findByRole('region', {
        name: 'Your request for payments-deploy',
      }),
    ).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Close' }));
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    const access = screen.getByRole('region', { name: 'Your access' });
    const summary = within(access).getByRole('region', {
      name: 'Your request for payments-deploy',
    });
    expect(
      within(summary).getByRole('button', {
        name: 'Cancel request for payments-deploy',
      }),
    ).toBeInTheDocument();
  });

  it('keeps the dialog open and shows the broker refusal', async () => {
    const user = userEvent.setup();
    server.use(
      ...brokerHandlers(),
      http.post(`${BASE}/requests`, () =>
        errorResponse(
          409,
          'ConflictError',
          'You already have a pending request for this role',
        ),
      ),
    );
    await renderWithApis(<RoleTrustContent />, { entity: roleEntity() });
    await user.click(screen.getByRole('button', { name: 'Request access' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(
      within(dialog).getByLabelText(/Justification/),
      'Investigate the failed deploy of today',
    );
    await user.click(
      within(dialog).getByRole('button', { name: 'Submit request' }),
    );
    expect(
      await within(dialog).findByText(
        /You already have a pending request for this role \(HTTP 409\)/,
      ),
    ).toBeInTheDocument();
  });

  it('says when approval will not yield credentials', async () => {
    const user = userEvent.setup();
    server.use(
      ...brokerHandlers({
        info: {
          credentialsEnabled: false,
          credentialsDisabledReason:
            'the broker has no AWS credentials in this demo',
          defaultDurationMinutes: 60,
          minDurationMinutes: 15,
          maxDurationMinutes: 240,
        },
      }),
    );
    await renderWithApis(<RoleTrustContent />, { entity: roleEntity() });
    await user.click(screen.getByRole('button', { name: 'Request access' }));
    expect(
      await screen.findByText(
        'Approval records your access, but this installation does not issue credentials: the broker has no AWS credentials in this demo',
      ),
    ).toBeInTheDocument();
  });

  it("lists the user's requests and shows credentials once during an active grant", async () => {
    const user = userEvent.setup();
    let issued = 0;
    server.use(
      ...brokerHandlers({
        myRequests: [accessRequest({ status: 'approved', grant: grant() })],
      }),
      http.post(`${BASE}/grants/g-1/credentials`, () => {
        issued += 1;
        return issued === 1
          ? HttpResponse.json({
              accessKeyId: 'ASIAEXAMPLE',
              secretAccessKey: 'wJalrSECRET',
              sessionToken: 'FwoTOKEN',
              expiration: '2026-11-29T03:00:00Z',
              roleArn: ROLE_ARN,
              region: 'eu-west-1',
            })
          : errorResponse(
              409,
              'ConflictError',
              'Credentials for this grant were already issued',
            );
      }),
    );
    await renderWithApis(<RoleTrustContent />, { entity: roleEntity() });

    const access = screen.getByRole('region', { name: 'Your access' });
    expect(await within(access).findByText('approved')).toBeInTheDocument();
    expect(
      within(access).getByText(/Rotate the payments database credentials/),
    ).toBeInTheDocument();

    await user.click(
      within(access).getByRole('button', { name: 'Get credentials' }),
    );
    const dialog = await screen.findByRole('dialog');
    const env = await within(dialog).findByLabelText('Environment variables');
    expect(env).toHaveTextContent('export AWS_SECRET_ACCESS_KEY=wJalrSECRET');
    expect(
      within(dialog).getByLabelText('Profile for ~/.aws/credentials'),
    ).toHaveTextContent('[payments-deploy] aws_access_key_id = ASIAEXAMPLE');
    expect(within(dialog).getByText(/shown once/)).toBeInTheDocument();

    await user.click(
      within(dialog).getByRole('button', { name: 'Done, discard them' }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(screen.queryByText(/wJalrSECRET/)).not.toBeInTheDocument();

    await user.click(
      within(access).getByRole('button', { name: 'Get credentials' }),
    );
    expect(
      await screen.findByText(
        /Credentials for this grant were already issued \(HTTP 409\)/,
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText(/wJalrSECRET/)).not.toBeInTheDocument();
    expect(issued).toBe(2);
  });

  it('hides the owner review from people who do not own the role', async () => {
    server.use(...brokerHandlers());
    await renderWithApis(<RoleTrustContent />, { entity: roleEntity() });
    await screen.findByRole('region', { name: 'Who can assume this role' });
    expect(
      screen.queryByRole('region', { name: 'Owner review' }),
    ).not.toBeInTheDocument();
  });

  it('lets an owner approve, deny with a reason, revoke, and read the audit trail', async () => {
    const user = userEvent.setup();
    const decisions: Array<{ path: string; body: unknown }> = [];
    const record = async ({ request }: { request: Request }) => {
      decisions.push({
        path: new URL(request.url).pathname,
        body: await request.json(),
      });
      return HttpResponse.json(accessRequest({ status: 'approved' }));
    };
    server.use(
      ...brokerHandlers({
        approvals: [
          accessRequest({
            id: 'r-7',
            requester: 'user:default/alice',
            canDecide: true,
          }),
          accessRequest({
            id: 'r-8',
            requester: 'user:default/bob',
            canDecide: true,
          }),
        ],
        grants: [grant({ id: 'g-9', user: 'user:default/carol' })],
        audit: [
          {
            id: 'a-1',
            at: '2026-11-29T00:31:00Z',
            actor: 'user:default/alice',
            action: 'request-created',
            requestId: 'r-7',
            fromState: undefined,
            toState: 'pending',
          },
        ],
      }),
      http.post(`${BASE}/requests/r-7/approve`, record),
      http.post(`${BASE}/requests/r-8/deny`, record),
      http.post(`${BASE}/grants/g-9/revoke`, record),
    );
    await renderWithApis(<RoleTrustContent />, {
      entity: roleEntity(),
      ownershipEntityRefs: ['user:default/owner', 'group:default/payments'],
    });

    const owner = await screen.findByRole('region', { name: 'Owner review' });
    expect(
      await within(owner).findByText('request-created'),
    ).toBeInTheDocument();

    const blobs: Blob[] = [];
    Object.assign(URL, {
      createObjectURL: (blob: Blob) => {
        blobs.push(blob);
        return 'blob:audit';
      },
      revokeObjectURL: () => {},
    });
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(() => {});
    await user.click(
      within(owner).getByRole('button', { name: 'Export audit CSV' }),
    );
    click.mockRestore();
    const csv = await blobs[0].text();
    expect(csv.split('\r\n')[1]).toBe(
      'a-1,2026-11-29T00:31:00Z,user:default/alice,request-created,r-7,,,,pending,',
    );

    await user.click(
      await within(owner).findByRole('button', {
        name: /Approve request from alice/,
      }),
    );
    let dialog = await screen.findByRole('dialog', {
      name: 'Approve access to payments-deploy',
    });
    await user.click(within(dialog).getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(decisions).toHaveLength(1));
    expect(decisions[0]).toEqual({
      path: '/api/iam-roles/requests/r-7/approve',
      body: {},
    });
    expect(
      await screen.findByText('Approved the request from alice.'),
    ).toBeInTheDocument();

    await user.click(
      within(owner).getByRole('button', { name: /Deny request from bob/ }),
    );
    dialog = await screen.findByRole('dialog', {
      name: 'Deny access to payments-deploy',
    });
    await user.click(within(dialog).getByRole('button', { name: 'Deny' }));
    expect(within(dialog).getByText(/Give a reason/)).toBeInTheDocument();
    expect(decisions).toHaveLength(1);
    await user.type(
      within(dialog).getByLabelText(/Reason/),
      'Use the read-only role instead',
    );
    await user.click(within(dialog).getByRole('button', { name: 'Deny' }));
    await waitFor(() => expect(decisions).toHaveLength(2));
    expect(decisions[1]).toEqual({
      path: '/api/iam-roles/requests/r-8/deny',
      body: { reason: 'Use the read-only role instead' },
    });

    await user.click(
      within(owner).getByRole('button', { name: /Revoke access of carol/ }),
    );
    dialog = await screen.findByRole('dialog', {
      name: 'Revoke access of carol',
    });
    await user.type(within(dialog).getByLabelText(/Reason/), 'Incident closed');
    await user.click(within(dialog).getByRole('button', { name: 'Revoke' }));
    await waitFor(() => expect(decisions).toHaveLength(3));
    expect(decisions[2]).toEqual({
      path: '/api/iam-roles/grants/g-9/revoke',
      body: { reason: 'Incident closed' },
    });
    expect(
      await screen.findByText('Revoked the access of carol.'),
    ).toBeInTheDocument();
  });
});
