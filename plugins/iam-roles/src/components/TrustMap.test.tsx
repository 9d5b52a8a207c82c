import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { registerMswTestHooks } from '@backstage/test-utils';
import type {
  Finding,
  IamRoleSpec,
  ResolvedPrincipal,
} from '@backstage-iam/plugin-iam-roles-common';
import { TrustMap, trustMapSources } from './TrustMap';
import { WhoCanAssume } from './WhoCanAssume';
import { RoleTrustContent } from './RoleTrustContent';
import { renderWithApis } from '../__testUtils__/renderWithApis';
import { brokerHandlers } from '../__testUtils__/handlers';
import {
  BASE,
  principals,
  roleEntity,
  effectiveRoleEntity,
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

const noAccess: Pick<
  IamRoleSpec,
  'identityCenter' | 'podIdentityAssociations'
> = {};

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

describe('TrustMap', () => {
  const server = setupServer();
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
    await renderWithApis(
      <TrustMap
        roleName="payments-deploy"
        view={view([...principals(), anyone])}
        iam={noAccess}
      />,
    );
    const map = await screen.findByRole('group', {
      name: 'Who can assume payments-deploy, as a map',
    });
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
    // One edge from each kind to the role.
    expect(within(map).getAllByTestId('edge')).toHaveLength(3);
    // The text alternative says it all without the picture.
    expect(map).toHaveAccessibleDescription(
      'payments-deploy can be assumed by Anyone (public), critical risk; GitHub Actions: 1; AWS accounts: 1 (1 external), high risk.',
    );
  });

  it('brings the kind into view and focuses it, by click and by keyboard', async () => {
    const who = [...principals(), anyone];
    await renderWithApis(
      <>
        <TrustMap roleName="payments-deploy" view={view(who)} iam={noAccess} />
        <WhoCanAssume principals={who} />
      </>,
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
    await renderWithApis(
      <TrustMap roleName="payments-deploy" view={view([])} iam={noAccess} />,
    );
    expect(screen.queryByTestId('iam-trust-map')).toBeNull();
  });

  it('sits under the answer in "Who can assume this role" on the role tab', async () => {
    server.use(...brokerHandlers());
    await renderWithApis(<RoleTrustContent />, { entity: roleEntity() });
    const who = await screen.findByRole('region', {
      name: 'Who can assume this role',
    });
    const map = await within(who).findByRole('group', {
      name: 'Who can assume payments-deploy, as a map',
    });
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
