import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { registerMswTestHooks } from '@backstage/test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { AssumableRolesResponse } from '@backstage-iam/plugin-iam-roles-common';
import {
  EntityIamRolesCard,
  EntityIamRolesContent,
} from './EntityIamRolesContent';
import { renderWithApis } from '../__testUtils__/renderWithApis';
import { EMPTY_INDEX_POLL_MS, REQUEST_POLL_MS } from '../hooks/queries';
import {
  brokerHandlers,
  errorResponse,
  listPage,
  requestHandlers,
  workflowHandlers,
} from '../__testUtils__/handlers';
import {
  accessRequest,
  BASE,
  EKS_ISSUER,
  EKS_PROVIDER,
  grant,
  effectiveRoleEntity,
  productionAccount,
  roleEntity,
  ROLE_ARN,
  SSO_ROLE_ARN,
  SSO_ROLE_REF,
} from '../__testUtils__/fixtures';

const component: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: { 'github.com/project-slug': 'acme/payments-api' },
  },
  spec: {
    type: 'service',
    owner: 'group:default/payments',
    lifecycle: 'production',
  },
};

const group: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'payments', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

const assumable: AssumableRolesResponse = {
  query: 'component:default/payments-api',
  principals: [{ type: 'github', owner: 'acme', repo: 'payments-api' }],
  roles: [
    {
      entityRef: 'resource:default/payments-deploy',
      arn: ROLE_ARN,
      title: 'payments-deploy',
      owner: 'group:default/payments',
      outcome: 'allowed',
      via: 'sts:AssumeRoleWithWebIdentity',
      conditions: [],
      findings: [],
      matchedBy: 'github:acme/payments-api@refs/heads/main',
    },
    {
      entityRef: 'resource:default/legacy-admin',
      arn: 'arn:aws:iam::111111111111:role/legacy-admin',
      title: 'legacy-admin',
      owner: 'group:default/platform',
      outcome: 'possible',
      via: 'sts:AssumeRoleWithWebIdentity',
      conditions: [
        {
          operator: 'StringLike',
          key: 'token.actions.githubusercontent.com:sub',
          values: ['repo:acme/*'],
        },
      ],
      findings: [
        {
          id: 'oidc-broad-subject',
          severity: 'critical',
          message: 'Any repository of acme can assume it.',
        },
      ],
      matchedBy: 'github:acme/payments-api',
    },
  ],
};

describe('EntityIamRolesContent', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it('lists the roles a component can assume with risk, and requests access from a row', async () => {
    const user = userEvent.setup();
    let asked: string | null = null;
    const posted: any[] = [];
    server.use(
      http.get(`${BASE}/assumable`, ({ request }) => {
        asked = new URL(request.url).searchParams.get('entityRef');
        return HttpResponse.json(assumable);
      }),
      http.post(`${BASE}/requests`, async ({ request }) => {
        posted.push(await request.json());
        return HttpResponse.json(
          accessRequest({
            roleRef: 'resource:default/legacy-admin',
            roleArn: 'arn:aws:iam::111111111111:role/legacy-admin',
            justification: 'Debug the failing deploy job',
          }),
          { status: 201 },
        );
      }),
      ...brokerHandlers(),
    );
    await renderWithApis(<EntityIamRolesContent />, { entity: component });

    expect(
      await screen.findByRole('link', { name: 'payments-deploy' }),
    ).toHaveAttribute('href', '/catalog/default/resource/payments-deploy');
    expect(asked).toBe('component:default/payments-api');
    expect(screen.getByTestId('iam-answer')).toHaveTextContent(
      'payments-api can assume 2 roles in 1 account (1 only under conditions) — 1 critical',
    );
    // Risky rows first; the finding is a chip and a short title, its advice one click away.
    const rows = screen.getAllByRole('row').slice(1);
    expect(within(rows[0]).getByText('critical')).toBeInTheDocument();
    expect(within(rows[1]).getByText('no findings')).toBeInTheDocument();
    expect(
      screen.getByText(
        'as any workflow of acme/payments-api, with an OIDC token',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('only if the token subject matches "repo:acme/*"'),
    ).toBeInTheDocument();

    await user.click(
      screen.getByRole('button', { name: 'Request access to legacy-admin' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Request access to legacy-admin',
    });
    await user.type(
      within(dialog).getByLabelText(/Justification/),
      'Debug the failing deploy job',
    );
    await user.click(
      within(dialog).getByRole('button', { name: 'Submit request' }),
    );
    await waitFor(() => expect(posted).toHaveLength(1));
    expect(posted[0]).toMatchObject({
      roleRef: 'resource:default/legacy-admin',
      durationMinutes: 60,
      justification: 'Debug the failing deploy job',
    });
    expect(
      await screen.findByText(/Request for legacy-admin submitted/),
    ).toBeInTheDocument();
    // The dialog stays open and turns into the request it sent.
    const summary = await within(dialog).findByRole('region', {
      name: 'Your request for legacy-admin',
    });
    expect(within(summary).getByText('pending')).toBeInTheDocument();
    expect(
      within(summary).getByText('Debug the failing deploy job (INC-42)'),
    ).toBeInTheDocument();
    expect(
      within(dialog).queryByRole('button', { name: 'Submit request' }),
    ).not.toBeInTheDocument();
  });

  it('opens the pending request of a row in full instead of a second request', async () => {
    const user = userEvent.setup();
    const pending = accessRequest();
    server.use(
      http.get(`${BASE}/assumable`, () => HttpResponse.json(assumable)),
      ...workflowHandlers({ requestOptions: { openRequest: pending } }),
      ...requestHandlers(new Map([[pending.id, pending]])),
      ...brokerHandlers({ myRequests: [pending] }),
    );
    await renderWithApis(<EntityIamRolesContent />, { entity: component });
    await user.click(
      await screen.findByRole('button', {
        name: 'View your request for payments-deploy',
      }),
    );
    expect(
      screen.queryByRole('button', {
        name: 'Request access to payments-deploy',
      }),
    ).not.toBeInTheDocument();
    const dialog = await screen.findByRole('dialog');
    const summary = await within(dialog).findByRole('region', {
      name: 'Your request for payments-deploy',
    });
    expect(
      within(summary).getByRole('link', { name: 'payments-deploy' }),
    ).toHaveAttribute('href', '/catalog/default/resource/payments-deploy');
    expect(
      within(summary).getByRole('button', {
        name: 'Cancel request for payments-deploy',
      }),
    ).toBeInTheDocument();
  });

  it("shows a row's decision without a reload: pending, then active once approved", async () => {
    jest.useFakeTimers({ advanceTimers: true });
    try {
      let pending = [accessRequest()];
      let active: ReturnType<typeof grant>[] = [];
      server.use(
        http.get(`${BASE}/assumable`, () => HttpResponse.json(assumable)),
        http.get(`${BASE}/requests`, ({ request }) =>
          listPage(request, pending),
        ),
        http.get(`${BASE}/grants`, ({ request }) => listPage(request, active)),
        ...brokerHandlers(),
      );
      await renderWithApis(<EntityIamRolesContent />, { entity: component });
      expect(
        await screen.findByRole('button', {
          name: 'View your request for payments-deploy',
        }),
      ).toBeInTheDocument();

      // The owner approves elsewhere; the next poll moves the row to its grant.
      pending = [];
      active = [grant()];
      await act(() => jest.advanceTimersByTimeAsync(REQUEST_POLL_MS));
      const row = (await screen.findByText(/^until /)).closest('tr')!;
      expect(within(row).getByText('active')).toBeInTheDocument();
      expect(
        within(row).getByRole('link', { name: 'payments-deploy' }),
      ).toBeInTheDocument();
      expect(
        screen.queryByRole('button', {
          name: 'View your request for payments-deploy',
        }),
      ).not.toBeInTheDocument();
    } finally {
      jest.useRealTimers();
    }
  });

  it('says so when no role trusts the component', async () => {
    server.use(
      http.get(`${BASE}/assumable`, () =>
        HttpResponse.json({ ...assumable, roles: [] }),
      ),
    );
    await renderWithApis(<EntityIamRolesCard />, { entity: component });
    expect(
      await screen.findByText(/No IAM role trusts this entity/),
    ).toBeInTheDocument();
  });

  it('asks again while the broker has indexed no role yet, and then shows the roles', async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/assumable`, () => {
        calls += 1;
        return HttpResponse.json(
          calls === 1
            ? {
                ...assumable,
                roles: [],
                index: { roles: 0, builtAt: '2026-11-29T12:00:00.000Z' },
              }
            : {
                ...assumable,
                index: { roles: 123, builtAt: '2026-11-29T12:00:05.000Z' },
              },
        );
      }),
    );
    await renderWithApis(<EntityIamRolesCard />, { entity: component });
    expect(
      await screen.findByText(/has not indexed any IAM role yet/),
    ).toBeInTheDocument();
    expect(
      screen.queryByText(/No IAM role trusts this entity/),
    ).not.toBeInTheDocument();
    // No reload: the card asks again after EMPTY_INDEX_POLL_MS and stops once roles are indexed.
    expect(
      await screen.findByRole(
        'link',
        { name: 'payments-deploy' },
        { timeout: EMPTY_INDEX_POLL_MS + 3000 },
      ),
    ).toBeInTheDocument();
    expect(calls).toBe(2);
  });

  it('shows why the roles could not be found', async () => {
    server.use(
      http.get(`${BASE}/assumable`, () =>
        errorResponse(404, 'NotFoundError', 'entity not found'),
      ),
    );
    await renderWithApis(<EntityIamRolesContent />, { entity: component });
    expect(
      await screen.findByText(/entity not found \(HTTP 404\)/),
    ).toBeInTheDocument();
  });

  it("tags the roles a group gets through Identity Center, from the broker's derivedVia, and still lists the roles it owns", async () => {
    let asked: string | null = null;
    server.use(
      http.get(`${BASE}/assumable`, ({ request }) => {
        asked = new URL(request.url).searchParams.get('entityRef');
        return HttpResponse.json({
          query: 'group:default/engineering',
          principals: [],
          roles: [
            {
              entityRef: SSO_ROLE_REF,
              arn: SSO_ROLE_ARN,
              title: 'AWSReservedSSO_ReadOnlyAccess',
              outcome: 'possible',
              conditions: [],
              findings: [],
              matchedBy: 'a catalog relation (assumableBy)',
              derivedVia: ['identity-center-config'],
            },
            {
              entityRef: 'resource:default/payments-deploy',
              arn: ROLE_ARN,
              title: 'payments-deploy',
              outcome: 'allowed',
              via: 'sts:AssumeRoleWithWebIdentity',
              conditions: [],
              findings: [],
              matchedBy: 'github:acme/payments-api@refs/heads/main',
              through: 'component:default/payments-api',
              derivedVia: ['trust-policy'],
            },
          ],
        } satisfies AssumableRolesResponse);
      }),
      ...brokerHandlers(),
    );
    const owned = roleEntity();
    owned.relations = [
      { type: 'ownedBy', targetRef: 'group:default/engineering' },
    ];
    await renderWithApis(<EntityIamRolesContent />, {
      entity: {
        ...group,
        metadata: { name: 'engineering', namespace: 'default' },
      },
      catalogEntities: [effectiveRoleEntity(), owned],
    });

    const tag = await screen.findByText('through Identity Center');
    expect(
      within(tag.closest('tr')!).getByRole('link', {
        name: 'AWSReservedSSO_ReadOnlyAccess',
      }),
    ).toBeInTheDocument();
    // payments-deploy twice: assumable through the component the group owns, and owned.
    const deployRows = screen
      .getAllByRole('link', { name: 'payments-deploy' })
      .map(a => a.closest('tr')!);
    expect(deployRows).toHaveLength(2);
    expect(
      deployRows.filter(r => r.textContent?.includes('for payments-api')),
    ).toHaveLength(1);
    for (const r of deployRows) {
      expect(r).not.toHaveTextContent('through Identity Center');
    }
    expect(asked).toBe('group:default/engineering');

    const canAssume = screen.getByRole('region', {
      name: 'Roles it can assume',
    });
    const owns = screen.getByRole('region', { name: 'Roles it owns' });
    expect(
      within(canAssume).getByText('through Identity Center'),
    ).toBeInTheDocument();
    expect(
      within(owns).getByRole('link', { name: 'payments-deploy' }),
    ).toBeInTheDocument();
    expect(
      within(owns).queryByRole('link', {
        name: 'AWSReservedSSO_ReadOnlyAccess',
      }),
    ).not.toBeInTheDocument();
  });

  it("tags Pod Identity roles from the broker's derivedVia, and Identity Center roles from the SAML provider the broker names when the row says nothing", async () => {
    const podRole = effectiveRoleEntity();
    server.use(
      http.get(`${BASE}/assumable`, () =>
        HttpResponse.json({
          query: 'component:default/reporting',
          principals: [],
          roles: [
            {
              entityRef: SSO_ROLE_REF,
              arn: SSO_ROLE_ARN,
              title: 'reporting-pods',
              outcome: 'allowed',
              via: 'sts:AssumeRole',
              conditions: [],
              findings: [],
              matchedBy: 'a catalog relation (assumableBy)',
              derivedVia: ['pod-identity'],
            },
            {
              entityRef: 'resource:default/unread-sso',
              arn: 'arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1',
              title: 'unread-sso',
              outcome: 'allowed',
              via: 'sts:AssumeRoleWithSAML',
              conditions: [],
              findings: [],
              matchedBy:
                'arn:aws:iam::222222222222:saml-provider/AWSSSO_0123_DO_NOT_DELETE',
            },
            assumable.roles[0],
          ],
        } satisfies AssumableRolesResponse),
      ),
      ...brokerHandlers(),
    );
    await renderWithApis(<EntityIamRolesContent />, {
      entity: {
        ...component,
        metadata: { name: 'reporting', namespace: 'default' },
      },
      catalogEntities: [podRole],
    });
    const rowOf = (name: string) =>
      screen.getByRole('link', { name }).closest('tr')!;
    expect(await screen.findByText('through Pod Identity')).toBeInTheDocument();
    expect(rowOf('reporting-pods')).toHaveTextContent('through Pod Identity');
    expect(rowOf('reporting-pods')).not.toHaveTextContent(
      'through Identity Center',
    );
    expect(rowOf('unread-sso')).toHaveTextContent('through Identity Center');
    expect(rowOf('payments-deploy')).not.toHaveTextContent(
      /through (Identity Center|Pod Identity)/,
    );
  });

  it('says how an EKS service account gets in by the name of its cluster, the provider ARN on hover (#16)', async () => {
    const provider = EKS_PROVIDER;
    const workload: Entity = {
      ...component,
      metadata: {
        name: 'payments-api',
        namespace: 'default',
        annotations: {
          'iam-roles.backstage-iam.io/kubernetes-service-accounts':
            'payments/payments-api',
        },
      },
    };
    const production = productionAccount;
    server.use(
      http.get(`${BASE}/assumable`, () =>
        HttpResponse.json({
          query: 'component:default/payments-api',
          principals: [
            {
              type: 'eks',
              namespace: 'payments',
              serviceAccount: 'payments-api',
            },
          ],
          roles: [
            {
              entityRef: 'resource:default/payments-api-production',
              arn: 'arn:aws:iam::333333333333:role/eks/payments-api-production',
              title: 'payments-api-production',
              owner: 'group:default/payments',
              outcome: 'possible',
              via: 'sts:AssumeRoleWithWebIdentity',
              // What the engine leaves open for a service account: the cluster it runs on.
              conditions: [
                {
                  operator: 'ArnEquals',
                  key: 'aws:FederatedProvider',
                  values: [provider],
                },
              ],
              findings: [],
              matchedBy: 'eks:payments/payments-api',
            },
          ],
        } satisfies AssumableRolesResponse),
      ),
      ...brokerHandlers(),
    );
    await renderWithApis(<EntityIamRolesContent />, {
      entity: workload,
      catalogEntities: [production],
    });
    expect(
      await screen.findByText(
        'as Kubernetes service account payments/payments-api, with an OIDC token',
      ),
    ).toBeInTheDocument();
    const condition = await screen.findByText(
      'only if the workload runs on cluster acme-production (eu-west-1, acme-production)',
    );
    expect(condition).toHaveAttribute(
      'title',
      `ArnEquals aws:FederatedProvider ${provider}`,
    );
    expect(screen.queryByText(new RegExp(EKS_ISSUER))).not.toBeInTheDocument();
  });

  it('lists the roles a group owns from the catalog', async () => {
    server.use(
      http.get(`${BASE}/assumable`, () =>
        HttpResponse.json({
          query: 'group:default/payments',
          principals: [],
          roles: [],
        } satisfies AssumableRolesResponse),
      ),
    );
    const other = roleEntity();
    other.metadata.name = 'someone-elses';
    other.relations = [
      { type: 'ownedBy', targetRef: 'group:default/platform' },
    ];
    await renderWithApis(<EntityIamRolesContent />, {
      entity: group,
      catalogEntities: [roleEntity(), other, component],
    });
    expect(
      await screen.findByRole('link', { name: 'payments-deploy' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('link', { name: 'someone-elses' }),
    ).not.toBeInTheDocument();
    const [assumableAnswer, owns] = screen.getAllByTestId('iam-answer');
    expect(assumableAnswer).toHaveTextContent(
      'payments can assume no IAM role',
    );
    expect(owns).toHaveTextContent(
      'payments owns 1 role in 1 account — 1 high',
    );
    const owned = screen.getByRole('region', { name: 'Roles it owns' });
    expect(
      within(within(owned).getAllByRole('row')[1]).getByText('high'),
    ).toBeInTheDocument();
    expect(screen.getByText('Never used')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Request access to payments-deploy' }),
    ).toBeInTheDocument();
  });

  it('keeps owner names whole: the Owner cell breaks at spaces only, the role cell may still break a long id', async () => {
    server.use(
      http.get(`${BASE}/assumable`, () => HttpResponse.json(assumable)),
      ...brokerHandlers(),
    );
    await renderWithApis(<EntityIamRolesContent />, { entity: component });
    // The catalog's link to the group: in an app, the entity presentation API gives it its title.
    const owner = await screen.findByRole('link', { name: 'platform' });
    expect(owner).toHaveAttribute('href', '/catalog/default/group/platform');
    const cell = owner.closest('td')!;
    expect(cell).toHaveStyle({
      wordBreak: 'normal',
      overflowWrap: 'break-word',
    });
    const role = screen
      .getByRole('link', { name: 'legacy-admin' })
      .closest('td')!;
    expect(role.style.wordBreak).toBe('');
  });
});
