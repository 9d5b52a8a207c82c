import { ReactNode } from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { useLocation } from 'react-router-dom';
import { registerMswTestHooks } from '@backstage/test-utils';
import type {
  AssumableRole,
  AssumableRolesResponse,
  ChainedRole,
  Finding,
  IamRoleSpec,
  ResolvedPrincipal,
} from '@backstage-iam/plugin-iam-roles-common';
import {
  describeReach,
  TrustMap,
  trustMapReach,
  trustMapSources,
  type TrustMapPermissions,
} from './TrustMap';
import { WhoCanAssume } from './WhoCanAssume';
import { RoleTrustContent } from './RoleTrustContent';
import { renderWithApis } from '../__testUtils__/renderWithApis';
import {
  brokerHandlers,
  errorResponse,
  lookupHandler,
} from '../__testUtils__/handlers';
import { IamRolesQueryProvider } from '../hooks/IamRolesQueryProvider';
import {
  BASE,
  principals,
  roleEntity,
  effectiveRoleEntity,
  ROLE_ARN,
  trustView,
} from '../__testUtils__/fixtures';

function github(repo: string, statementIndex: number): ResolvedPrincipal {
  return {
    kind: 'oidc',
    id: 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com',
    accountId: '111111111111',
    provider: 'github',
    actions: ['sts:AssumeRoleWithWebIdentity'],
    conditions: [
      {
        operator: 'StringLike',
        key: 'token.actions.githubusercontent.com:sub',
        values: [`repo:acme/${repo}:*`],
      },
    ],
    statementIndex,
    description: `GitHub Actions in acme/${repo}`,
  };
}

const anyone: ResolvedPrincipal = {
  kind: 'public',
  id: '*',
  actions: ['sts:AssumeRole'],
  conditions: [],
  statementIndex: 3,
  description: 'anyone (any AWS principal in any account)',
};

const internalAccount: ResolvedPrincipal = {
  kind: 'account',
  id: '222222222222',
  accountId: '222222222222',
  actions: ['sts:AssumeRole'],
  conditions: [],
  statementIndex: 4,
  description: 'account 222222222222, any principal it allows',
};

const findings: Finding[] = [
  {
    id: 'public-trust',
    severity: 'critical',
    message: 'Statement 4 trusts "*".',
    statementIndex: 3,
    principal: '*',
  },
  {
    id: 'cross-account-no-external-id',
    severity: 'high',
    message: 'Account 999999999999 can assume this role without an ExternalId.',
    statementIndex: 1,
    principal: '999999999999',
  },
];

/** A role with no Identity Center or Pod Identity access and no policy. */
const noAccess: Pick<
  IamRoleSpec,
  'identityCenter' | 'podIdentityAssociations'
> &
  TrustMapPermissions = {
  arn: ROLE_ARN,
  attachedManagedPolicies: [],
  inlinePolicyNames: [],
};

/** What the catalog says the role may do, and what limits it. */
const permissions: TrustMapPermissions = {
  arn: ROLE_ARN,
  attachedManagedPolicies: [
    {
      name: 'AdministratorAccess',
      arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
    },
    { name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
    {
      name: 'AmazonS3FullAccess',
      arn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess',
    },
  ],
  inlinePolicyNames: ['deploy', 'logs'],
  permissionsBoundary:
    'arn:aws:iam::111111111111:policy/boundaries/DeveloperBoundary',
  resourceControlPolicies:
    effectiveRoleEntity().spec.iam.resourceControlPolicies,
};

function assumable(
  name: string,
  outcome: AssumableRole['outcome'],
  risks: Finding[] = [],
): AssumableRole {
  return {
    entityRef: `resource:default/${name}`,
    arn: `arn:aws:iam::333333333333:role/${name}`,
    title: name,
    outcome,
    via: 'sts:AssumeRole',
    conditions:
      outcome === 'possible'
        ? [{ operator: 'StringEquals', key: 'sts:ExternalId', values: ['x'] }]
        : [],
    findings: risks,
  };
}

function chained(
  name: string,
  depth: number,
  outcome: ChainedRole['outcome'] = 'allowed',
): ChainedRole {
  return {
    entityRef: `resource:default/${name}`,
    arn: `arn:aws:iam::333333333333:role/${name}`,
    title: name,
    depth,
    outcome,
    path: [],
  };
}

/** The broker's answer for the role's ARN: two roles onward (one risky, one conditional), two beyond. */
const reached: Pick<
  AssumableRolesResponse,
  'roles' | 'chains' | 'chainsTruncated'
> = {
  roles: [
    assumable('prod-admin', 'allowed', [findings[0]]),
    assumable('reports-read', 'possible'),
    // It trusts its own account: the broker lists the role itself, which reaches nothing new.
    { ...assumable('payments-deploy', 'allowed'), arn: ROLE_ARN },
  ],
  chains: [chained('billing-admin', 2), chained('org-admin', 3, 'possible')],
  chainsTruncated: true,
};

function view(who: ResolvedPrincipal[], risks: Finding[] = findings) {
  return trustView({
    principals: who,
    analysis: { ...trustView().analysis, findings: risks },
  });
}

describe('trustMapSources', () => {
  it('counts each kind, per web identity provider, with its external principals and worst finding', () => {
    const sources = trustMapSources(
      view([
        ...principals(),
        github('web', 2),
        github('infra', 2),
        anyone,
        internalAccount,
      ]),
      noAccess,
    );
    expect(sources.map(s => [s.label, s.detail, s.severity, s.target])).toEqual(
      [
        ['Anyone (public)', undefined, 'critical', 'iam-who-public'],
        ['GitHub Actions', '3', 'none', 'iam-who-oidc'],
        ['AWS accounts', '2 (1 external)', 'high', 'iam-who-account'],
      ],
    );
  });

  it('adds Identity Center, Pod Identity and role chains from the entity and the view', () => {
    const sso = effectiveRoleEntity().spec;
    const hop = {
      entityRef: 'resource:default/gha-deploy',
      arn: 'arn:aws:iam::111111111111:role/gha-deploy',
      title: 'gha-deploy',
      outcome: 'allowed' as const,
      via: 'sts:AssumeRole',
      conditions: [],
    };
    const sources = trustMapSources(
      trustView({
        principals: [],
        reachableFrom: [
          { ...hop, depth: 2, path: [hop] },
          { ...hop, entityRef: 'resource:default/other', depth: 3, path: [] },
        ],
      }),
      sso.iam,
    );
    expect(sources.map(s => `${s.label} · ${s.detail}`)).toEqual([
      'Identity Center · 2 groups, 2 users',
      'EKS Pod Identity · 1 service account',
      'Roles that chain here · 2',
    ]);
    const [group] = trustMapSources(trustView({ principals: [] }), {
      identityCenter: [
        {
          ...sso.iam.identityCenter![0],
          principals: [sso.iam.identityCenter![0].principals[0]],
        },
      ],
    });
    expect(group.detail).toBe('group engineering');
  });
});

describe('trustMapReach', () => {
  const lookupHref = `/iam-roles?tab=lookup&q=${encodeURIComponent(ROLE_ARN)}`;

  it("counts the roles it can assume and beyond, worst finding first, and the role's policies and limits", () => {
    const reach = trustMapReach(permissions, reached, lookupHref);
    expect(
      reach.map(n => [n.label, n.detail, n.severity, n.target ?? n.href]),
    ).toEqual([
      [
        'Roles it can assume',
        '2 (1 only under conditions)',
        'critical',
        lookupHref,
      ],
      [
        'Then through role chains',
        '2 or more, up to 3 hops',
        'none',
        lookupHref,
      ],
      [
        'Managed policies',
        '3 (AdministratorAccess, 2 more)',
        'none',
        'iam-role-permissions',
      ],
      ['Inline policies', '2', 'none', 'iam-role-permissions'],
      [
        'Limited by permissions boundary',
        'DeveloperBoundary',
        'none',
        'iam-role-permissions',
      ],
      [
        'Limited by resource control policies',
        '2',
        'none',
        'iam-role-guardrails',
      ],
    ]);
  });

  it('draws nothing on the right for a role that reaches no role and has no policy, and says so', () => {
    const none = trustMapReach(noAccess, { roles: [], chains: [] });
    expect(none).toEqual([]);
    expect(
      describeReach(none, {
        isPending: false,
        isError: false,
        data: { index: { roles: 12, builtAt: '2026-12-01T00:00:00Z' } },
      }),
    ).toBe('It can assume no other role and has no permission policy.');
    // Not yet known is not "none": while the broker looks, or before it has indexed any role.
    expect(describeReach(none, { isPending: true, isError: false })).toBe(
      'The roles it can assume are being looked up. It has no permission policy.',
    );
    expect(
      describeReach(none, {
        isPending: false,
        isError: false,
        data: { index: { roles: 0, builtAt: '2026-12-01T00:00:00Z' } },
      }),
    ).toBe(
      'The roles it can assume are not known yet: the access broker has not indexed any role. It has no permission policy.',
    );
  });

  it('without a lookup page the roles it reaches are drawn, not linked', () => {
    const [roles] = trustMapReach(noAccess, reached);
    expect(roles).toMatchObject({ label: 'Roles it can assume' });
    expect(roles.href).toBeUndefined();
    expect(roles.target).toBeUndefined();
  });
});

/** Where the app is: a link of the map goes to another page. */
function Location() {
  const location = useLocation();
  return (
    <output data-testid="location">{`${location.pathname}${location.search}`}</output>
  );
}

function inPlugin(element: ReactNode) {
  return (
    <IamRolesQueryProvider>
      {element}
      <Location />
    </IamRolesQueryProvider>
  );
}

const MAP_NAME = 'Who can assume payments-deploy and what it reaches, as a map';

describe('TrustMap', () => {
  const server = setupServer();
  /** The map of payments-deploy, with its policies, in the plugin's routes. */
  const renderReachingMap = () =>
    renderWithApis(
      inPlugin(
        <TrustMap
          roleName="payments-deploy"
          view={view(principals())}
          iam={{ ...noAccess, ...permissions }}
        />,
      ),
    );

  registerMswTestHooks(server);

  const scrollIntoView = jest.fn();
  beforeAll(() => {
    // jsdom does not scroll.
    Element.prototype.scrollIntoView = scrollIntoView;
  });
  afterAll(() => {
    delete (Element.prototype as Partial<Element>).scrollIntoView;
  });
  beforeEach(() => scrollIntoView.mockClear());

  it('draws each kind with its count, marks the risky ones, and points them at the role', async () => {
    server.use(lookupHandler());
    await renderWithApis(
      inPlugin(
        <TrustMap
          roleName="payments-deploy"
          view={view([...principals(), anyone])}
          iam={noAccess}
        />,
      ),
    );
    const map = await screen.findByRole('group', { name: MAP_NAME });
    const kinds = await within(map).findAllByRole('button');
    expect(kinds.map(k => k.getAttribute('aria-label'))).toEqual([
      'Anyone (public), critical risk. Show in the table',
      'GitHub Actions: 1. Show in the table',
      'AWS accounts: 1 (1 external), high risk. Show in the table',
    ]);
    // Seen as well as said: the severity is written in the box, whose border takes its colour.
    expect(kinds[0]).toHaveTextContent('Anyone (public) · critical');
    expect(kinds[0]).toHaveAttribute('data-severity', 'critical');
    expect(kinds[1]).toHaveTextContent(/^GitHub Actions · 1$/);
    expect(kinds[1]).toHaveAttribute('data-severity', 'none');
    expect(kinds[2]).toHaveTextContent('AWS accounts · 1 (1 external) · high');
    expect(kinds[0].querySelector('rect')).toHaveAttribute('stroke-width', '2');
    expect(kinds[1].querySelector('rect')).toHaveAttribute('stroke-width', '1');
    expect(
      within(map).getByRole('img', {
        name: 'payments-deploy, critical risk',
      }),
    ).toBeInTheDocument();
    // One edge from each kind to the role, and none out of it: it reaches nothing, in words only.
    expect(within(map).getAllByTestId('edge')).toHaveLength(3);
    // The text alternative says it all without the picture.
    await waitFor(() =>
      expect(map).toHaveAccessibleDescription(
        'payments-deploy can be assumed by Anyone (public), critical risk; GitHub Actions: 1; AWS accounts: 1 (1 external), high risk. It can assume no other role and has no permission policy.',
      ),
    );
    expect(within(map).queryAllByRole('link')).toEqual([]);
  });

  it("draws what the role reaches from the broker's lookup of its ARN, counted and coloured by risk", async () => {
    const asked: string[] = [];
    server.use(lookupHandler(reached, q => asked.push(q)));
    await renderReachingMap();
    const map = await screen.findByRole('group', { name: MAP_NAME });
    const links = await within(map).findAllByRole('link');
    expect(asked).toEqual([ROLE_ARN]);
    expect(links.map(l => l.getAttribute('aria-label'))).toEqual([
      'Roles it can assume: 2 (1 only under conditions), critical risk. Show in the incident lookup',
      'Then through role chains: 2 or more, up to 3 hops. Show in the incident lookup',
    ]);
    expect(links[0]).toHaveTextContent(
      'Roles it can assume · 2 (1 only under conditions) · critical',
    );
    expect(links[0]).toHaveAttribute('data-severity', 'critical');
    expect(links[0].querySelector('rect')).toHaveAttribute('stroke-width', '2');
    expect(
      within(map)
        .getAllByRole('button')
        .map(b => b.getAttribute('aria-label'))
        .slice(2),
    ).toEqual([
      "Managed policies: 3 (AdministratorAccess, 2 more). Show in the role's details",
      "Inline policies: 2. Show in the role's details",
      "Limited by permissions boundary: DeveloperBoundary. Show in the role's details",
      'Limited by resource control policies: 2. Show in the guardrails',
    ]);
    // 2 kinds → role; role → 5 (roles it assumes, 2 policies, 2 limits); roles it assumes → chains.
    expect(within(map).getAllByTestId('edge')).toHaveLength(8);
    expect(map).toHaveAccessibleDescription(
      'payments-deploy can be assumed by GitHub Actions: 1; AWS accounts: 1 (1 external), high risk. It reaches Roles it can assume: 2 (1 only under conditions), critical risk; Then through role chains: 2 or more, up to 3 hops; Managed policies: 3 (AdministratorAccess, 2 more); Inline policies: 2; Limited by permissions boundary: DeveloperBoundary; Limited by resource control policies: 2.',
    );
  });

  it('opens the incident lookup of the role from the roles it reaches, by click and by keyboard', async () => {
    server.use(lookupHandler(reached));
    const roleTab = '/catalog/default/resource/payments-deploy';
    const map = inPlugin(
      <TrustMap
        roleName="payments-deploy"
        view={view(principals())}
        iam={noAccess}
      />,
    );
    const lookup = `/iam-roles?tab=lookup&q=${encodeURIComponent(ROLE_ARN)}`;
    const first = await renderWithApis(map, { routeEntries: [roleTab] });
    const roles = await screen.findByRole('link', {
      name: /^Roles it can assume: 2/,
    });
    expect(screen.getByTestId('location')).toHaveTextContent(roleTab);
    await userEvent.click(roles);
    expect(screen.getByTestId('location')).toHaveTextContent(lookup);
    first.unmount();

    await renderWithApis(map, { routeEntries: [roleTab] });
    const chains = await screen.findByRole('link', {
      name: /^Then through role chains/,
    });
    chains.focus();
    // A link, not a button: Space leaves it alone, Enter follows it.
    await userEvent.keyboard(' ');
    expect(screen.getByTestId('location')).toHaveTextContent(roleTab);
    await userEvent.keyboard('{Enter}');
    expect(screen.getByTestId('location')).toHaveTextContent(lookup);
  });

  it('says why the roles it can assume are missing when the lookup fails', async () => {
    server.use(
      http.get(`${BASE}/lookup`, () =>
        errorResponse(403, 'NotAllowedError', 'You may not read trust data'),
      ),
    );
    await renderReachingMap();
    expect(
      await screen.findByText(
        'The roles payments-deploy can assume could not be looked up: You may not read trust data (HTTP 403)',
      ),
    ).toBeInTheDocument();
    const map = await screen.findByRole('group', { name: MAP_NAME });
    expect(map).toHaveAccessibleDescription(
      /Limited by resource control policies: 2\. The roles it can assume could not be looked up\.$/,
    );
    expect(within(map).queryAllByRole('link')).toEqual([]);
  });

  it('brings the kind into view and focuses it, by click and by keyboard', async () => {
    server.use(lookupHandler());
    const who = [...principals(), anyone];
    await renderWithApis(
      inPlugin(
        <>
          <TrustMap
            roleName="payments-deploy"
            view={view(who)}
            iam={noAccess}
          />
          <WhoCanAssume principals={who} />
        </>,
      ),
    );
    const accounts = await screen.findByRole('button', {
      name: /^AWS accounts: 1/,
    });
    await userEvent.click(accounts);
    const heading = screen.getByRole('heading', { name: 'AWS accounts (1)' });
    expect(heading).toHaveFocus();
    expect(scrollIntoView).toHaveBeenCalledTimes(1);
    expect(scrollIntoView.mock.contexts[0]).toBe(heading);

    const oidc = screen.getByRole('button', { name: /^GitHub Actions: 1/ });
    oidc.focus();
    await userEvent.keyboard('{Enter}');
    expect(
      screen.getByRole('heading', { name: 'Web identity (OIDC) (1)' }),
    ).toHaveFocus();

    screen.getByRole('button', { name: /^Anyone \(public\)/ }).focus();
    await userEvent.keyboard(' ');
    expect(screen.getByRole('heading', { name: 'Anyone (1)' })).toHaveFocus();
    expect(scrollIntoView).toHaveBeenCalledTimes(3);
  });

  it('draws nothing when nobody can assume the role: the section says so', async () => {
    const asked: string[] = [];
    server.use(lookupHandler({}, q => asked.push(q)));
    await renderWithApis(
      inPlugin(
        <TrustMap roleName="payments-deploy" view={view([])} iam={noAccess} />,
      ),
    );
    expect(screen.queryByTestId('iam-trust-map')).toBeNull();
    // Nobody gets in, so what it reaches is not asked for.
    expect(asked).toEqual([]);
  });

  it('sits under the answer in "Who can assume this role" on the role tab, its policies leading to the permissions', async () => {
    server.use(...brokerHandlers());
    await renderWithApis(<RoleTrustContent />, { entity: roleEntity() });
    const who = await screen.findByRole('region', {
      name: 'Who can assume this role',
    });
    const map = await within(who).findByRole('group', { name: MAP_NAME });
    const answer = within(who).getByText(
      /^2 principals: 2 in the trust policy$/,
    );
    expect(
      // eslint-disable-next-line no-bitwise
      answer.compareDocumentPosition(map) & Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
    expect(
      await within(map).findByRole('button', {
        name: 'AWS accounts: 1 (1 external), high risk. Show in the table',
      }),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(map).toHaveAccessibleDescription(
        /\. It reaches Managed policies: 1 \(PowerUserAccess\)\. It can assume no other role\.$/,
      ),
    );
    await userEvent.click(
      within(map).getByRole('button', {
        name: "Managed policies: 1 (PowerUserAccess). Show in the role's details",
      }),
    );
    const facts = screen.getByRole('region', { name: 'payments-deploy' });
    expect(within(facts).getByText('Permissions').parentElement).toHaveFocus();
  });

  it('leaves the role tab with its empty sentence and no map when nobody is trusted', async () => {
    server.use(
      http.get(`${BASE}/roles/trust`, () =>
        HttpResponse.json(trustView({ principals: [] })),
      ),
      ...brokerHandlers(),
    );
    await renderWithApis(<RoleTrustContent />, { entity: roleEntity() });
    expect(
      await screen.findByText(
        'No principal can assume this role: its trust policy allows no one.',
      ),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByText('0 principals')).toBeInTheDocument(),
    );
    expect(screen.queryByTestId('iam-trust-map')).toBeNull();
  });
});
