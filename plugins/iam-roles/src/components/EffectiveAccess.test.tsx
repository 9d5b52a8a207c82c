import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { registerMswTestHooks } from '@backstage/test-utils';
import {
  countWhoCanAssume,
  describeAttachment,
  describeWhoCanAssume,
} from './EffectiveAccess';
import { RoleTrustContent } from './RoleTrustContent';
import { renderWithApis } from '../__testUtils__/renderWithApis';
import { brokerHandlers, errorResponse } from '../__testUtils__/handlers';
import {
  BASE,
  effectiveRoleEntity,
  roleEntity,
  ssoTrustView,
} from '../__testUtils__/fixtures';

describe('countWhoCanAssume and describeWhoCanAssume', () => {
  it('counts each identity-store principal once, by kind, and each service account once', () => {
    const iam = effectiveRoleEntity().spec.iam;
    const twice = {
      identityCenter: [
        ...iam.identityCenter!,
        { ...iam.identityCenter![0], accountId: '333333333333' },
      ],
      podIdentityAssociations: [
        ...iam.podIdentityAssociations!,
        {
          ...iam.podIdentityAssociations![0],
          associationId: 'a-again',
          as: 'target' as const,
        },
      ],
    };
    const counts = countWhoCanAssume(3, twice);
    expect(counts).toEqual({
      total: 8,
      trustPolicy: 3,
      identityCenter: { groups: 2, users: 2 },
      podIdentity: 1,
    });
    expect(describeWhoCanAssume(counts)).toBe(
      '8 principals: 3 in the trust policy, 4 through Identity Center (2 groups, 2 users), 1 through Pod Identity',
    );
  });

  it('leaves out the sources that give no one, and says one principal in the singular', () => {
    expect(describeWhoCanAssume(countWhoCanAssume(1, {}))).toBe(
      '1 principal: 1 in the trust policy',
    );
    expect(describeWhoCanAssume(countWhoCanAssume(0, {}))).toBe('0 principals');
    const ic = effectiveRoleEntity().spec.iam.identityCenter!;
    expect(
      describeWhoCanAssume(
        countWhoCanAssume(0, {
          identityCenter: [{ ...ic[0], principals: [ic[0].principals[0]] }],
        }),
      ),
    ).toBe('1 principal: 1 through Identity Center (1 group, 0 users)');
  });

  it('names where an RCP is attached', () => {
    expect(
      ['r-ac12', 'ou-ac12-workld01', '222222222222', 'x'].map(
        describeAttachment,
      ),
    ).toEqual([
      'root r-ac12',
      'OU ou-ac12-workld01',
      'account 222222222222',
      'x',
    ]);
  });
});

describe('effective access on the role tab', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it("says when the trust policy refuses an association's pods", async () => {
    server.use(...brokerHandlers({ trust: ssoTrustView() }));
    const [first] = effectiveRoleEntity().spec.iam.podIdentityAssociations!;
    await renderWithApis(<RoleTrustContent />, {
      entity: effectiveRoleEntity({
        podIdentityAssociations: [
          { ...first, trust: { outcome: 'not-trusted', conditions: [] } },
        ],
      }),
    });
    const pods = await screen.findByRole('region', {
      name: 'Through EKS Pod Identity',
    });
    expect(pods).toHaveTextContent(
      'the trust policy does not let these pods in',
    );
  });

  it('answers first with the counts, then shows Identity Center and Pod Identity holders as catalog links', async () => {
    server.use(...brokerHandlers({ trust: ssoTrustView() }));
    await renderWithApis(<RoleTrustContent />, {
      entity: effectiveRoleEntity(),
    });

    const who = await screen.findByRole('region', {
      name: 'Who can assume this role',
    });
    expect(
      await within(who).findByText(
        '6 principals: 1 in the trust policy, 4 through Identity Center (2 groups, 2 users), 1 through Pod Identity',
      ),
    ).toBeInTheDocument();

    const ic = within(who).getByRole('region', {
      name: 'Through Identity Center',
    });
    const table = within(ic).getByRole('table', {
      name: 'Permission set ReadOnlyAccess in account 222222222222 (4 assignments)',
    });
    const row = (text: string) =>
      within(table)
        .getAllByRole('row')
        .find(r => r.textContent?.includes(text))!;
    expect(
      within(row('Identity Center: engineering')).getByRole('link', {
        name: 'engineering',
      }),
    ).toHaveAttribute('href', '/catalog/default/group/engineering');
    expect(row('Identity Center: engineering')).toHaveTextContent('12 members');
    expect(
      within(row('Identity Center: jane.doe')).getByRole('link', {
        name: 'jane.doe',
      }),
    ).toHaveAttribute('href', '/catalog/default/user/jane.doe');

    const contractors = row('Contractors');
    expect(contractors).toHaveTextContent('no catalog match');
    expect(contractors).toHaveTextContent('3 members');
    expect(within(contractors).queryByRole('link')).not.toBeInTheDocument();

    const sam = row('sam');
    expect(sam).toHaveTextContent('ambiguous');
    expect(
      within(sam)
        .getAllByRole('link')
        .map(a => a.getAttribute('href')),
    ).toEqual([
      '/catalog/default/user/sam.lee',
      '/catalog/default/user/sam.kim',
    ]);

    const pods = within(who).getByRole('region', {
      name: 'Through EKS Pod Identity',
    });
    const podRow = within(pods).getAllByRole('row')[1];
    expect(podRow).toHaveTextContent('acme-staging');
    expect(podRow).toHaveTextContent('account 222222222222, eu-west-1');
    expect(podRow).toHaveTextContent('reporting/reporter');
    expect(
      within(podRow).getByRole('link', { name: 'reporting' }),
    ).toHaveAttribute('href', '/catalog/default/component/reporting');

    // The trust policy's own principal still shows, under its kind.
    expect(
      within(who).getByRole('region', { name: 'SAML federation (1)' }),
    ).toBeInTheDocument();
  });

  it('lists the RCPs that apply, with each document on demand', async () => {
    const user = userEvent.setup();
    server.use(...brokerHandlers({ trust: ssoTrustView() }));
    await renderWithApis(<RoleTrustContent />, {
      entity: effectiveRoleEntity(),
    });

    const rcps = screen.getByRole('region', {
      name: 'Organization guardrails (RCPs)',
    });
    expect(
      within(rcps).getByText(
        /2 resource control policies apply to account 222222222222 \(1 AWS-managed, 1 of the organisation\)/,
      ),
    ).toBeInTheDocument();
    expect(
      within(rcps).getByRole('heading', { name: 'RCPFullAWSAccess' }),
    ).toBeInTheDocument();
    expect(
      within(rcps).getByText('Attached to root r-ac12'),
    ).toBeInTheDocument();
    expect(
      within(rcps).getByText(
        'Attached to OU ou-ac12-workld01 of organisation o-acme',
      ),
    ).toBeInTheDocument();
    expect(within(rcps).getByText('AWS-managed')).toBeInTheDocument();
    expect(within(rcps).getByText('organisation policy')).toBeInTheDocument();

    expect(
      screen.queryByLabelText('acme-deny-assume-outside-org document'),
    ).not.toBeInTheDocument();
    const show = within(rcps).getByRole('button', {
      name: 'Show document of acme-deny-assume-outside-org',
    });
    expect(show).toHaveAttribute('aria-expanded', 'false');
    await user.click(show);
    const document = screen.getByLabelText(
      'acme-deny-assume-outside-org document',
    );
    expect(JSON.parse(document.textContent!)).toEqual(
      effectiveRoleEntity().spec.iam.resourceControlPolicies![1].document,
    );
    expect(
      within(rcps).getByRole('button', {
        name: 'Hide document of acme-deny-assume-outside-org',
      }),
    ).toHaveAttribute('aria-expanded', 'true');
    expect(
      screen.queryByLabelText('RCPFullAWSAccess document'),
    ).not.toBeInTheDocument();
  });

  it('shows no effective-access section for a role without such facts', async () => {
    server.use(...brokerHandlers());
    await renderWithApis(<RoleTrustContent />, { entity: roleEntity() });

    const who = await screen.findByRole('region', {
      name: 'Who can assume this role',
    });
    expect(
      await within(who).findByText('2 principals: 2 in the trust policy'),
    ).toBeInTheDocument();
    expect(
      within(who).queryByRole('region', { name: 'Through Identity Center' }),
    ).not.toBeInTheDocument();
    expect(
      within(who).queryByRole('region', { name: 'Through EKS Pod Identity' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('region', { name: 'Organization guardrails (RCPs)' }),
    ).not.toBeInTheDocument();
  });

  it('shows the Identity Center holders even when the trust analysis fails', async () => {
    server.use(
      http.get(`${BASE}/roles/trust`, () =>
        errorResponse(503, 'ServiceUnavailableError', 'trust index not ready'),
      ),
      ...brokerHandlers(),
    );
    await renderWithApis(<RoleTrustContent />, {
      entity: effectiveRoleEntity({ podIdentityAssociations: [] }),
    });
    const who = screen.getByRole('region', {
      name: 'Who can assume this role',
    });
    expect(
      await within(who).findByText(/trust index not ready/),
    ).toBeInTheDocument();
    expect(
      within(who).getByRole('region', { name: 'Through Identity Center' }),
    ).toBeInTheDocument();
    expect(
      within(who).queryByRole('region', { name: 'Through EKS Pod Identity' }),
    ).not.toBeInTheDocument();
  });
});

describe('Pod Identity associations the trust policy refuses', () => {
  it('says the pods get nothing, and leaves them out of the count', () => {
    const iam = effectiveRoleEntity().spec.iam;
    const [first] = iam.podIdentityAssociations!;
    const refused = {
      ...iam,
      podIdentityAssociations: [
        {
          ...first,
          trust: { outcome: 'not-trusted' as const, conditions: [] },
        },
      ],
    };
    expect(countWhoCanAssume(0, refused).podIdentity).toBe(0);
    expect(
      countWhoCanAssume(0, {
        ...iam,
        podIdentityAssociations: [
          { ...first, trust: { outcome: 'allowed' as const, conditions: [] } },
        ],
      }).podIdentity,
    ).toBe(1);
  });
});
