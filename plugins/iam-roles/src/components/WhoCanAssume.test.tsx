import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ResolvedPrincipal } from '@backstage-iam/plugin-iam-roles-common';
import {
  groupPrincipals,
  INITIAL_ROWS_PER_KIND,
  WhoCanAssume,
} from './WhoCanAssume';
import { renderWithApis } from '../__testUtils__/renderWithApis';

function p(kind: ResolvedPrincipal['kind'], id: string): ResolvedPrincipal {
  return {
    kind,
    id,
    actions: ['sts:AssumeRole'],
    conditions: [],
    statementIndex: 0,
    description: `principal ${id}`,
  };
}

describe('groupPrincipals', () => {
  it('groups by kind, riskiest kinds first, keeping order inside a group', () => {
    const groups = groupPrincipals([
      p('service', 'ec2.amazonaws.com'),
      p('account', '1'),
      p('public', '*'),
      p('account', '2'),
    ]);
    expect(groups.map(g => [g.label, g.principals.map(x => x.id)])).toEqual([
      ['Anyone', ['*']],
      ['AWS accounts', ['1', '2']],
      ['AWS services', ['ec2.amazonaws.com']],
    ]);
  });
});

describe('WhoCanAssume', () => {
  it('shows the first rows of a large kind and every row after "Show all"', async () => {
    const user = userEvent.setup();
    const accounts = Array.from({ length: INITIAL_ROWS_PER_KIND + 7 }, (_, i) =>
      p('account', String(300000000000 + i)),
    );
    await renderWithApis(
      <WhoCanAssume
        principals={[...accounts, p('service', 'lambda.amazonaws.com')]}
      />,
    );

    const section = screen.getByRole('region', {
      name: `AWS accounts (${accounts.length})`,
    });
    expect(within(section).getAllByRole('row')).toHaveLength(
      INITIAL_ROWS_PER_KIND + 1,
    );
    expect(
      within(section).queryByText(
        `principal ${accounts[accounts.length - 1].id}`,
      ),
    ).not.toBeInTheDocument();
    expect(screen.queryAllByRole('button', { name: /Show all/ })).toHaveLength(
      1,
    );

    await user.click(
      within(section).getByRole('button', {
        name: `Show all ${accounts.length} (7 more)`,
      }),
    );
    expect(within(section).getAllByRole('row')).toHaveLength(
      accounts.length + 1,
    );
    expect(
      within(section).getByText(
        `principal ${accounts[accounts.length - 1].id}`,
      ),
    ).toBeInTheDocument();
    expect(
      within(section).queryByRole('button', { name: /Show all/ }),
    ).not.toBeInTheDocument();
  });

  it('filters every principal, shown or not, by id, words or conditions', async () => {
    const user = userEvent.setup();
    const accounts = Array.from({ length: INITIAL_ROWS_PER_KIND + 5 }, (_, i) =>
      p('account', String(300000000000 + i)),
    );
    const github: ResolvedPrincipal = {
      ...p(
        'oidc',
        'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com',
      ),
      description: 'GitHub Actions in acme/payments-api on branch main',
      conditions: [
        {
          operator: 'StringEquals',
          key: 'token.actions.githubusercontent.com:sub',
          values: ['repo:acme/payments-api:ref:refs/heads/main'],
        },
      ],
    };
    await renderWithApis(<WhoCanAssume principals={[...accounts, github]} />);

    const filter = screen.getByRole('searchbox', { name: 'Filter principals' });
    // The last account is beyond the first rows: the filter still finds it.
    const last = accounts[accounts.length - 1].id;
    expect(screen.queryByText(`principal ${last}`)).not.toBeInTheDocument();
    await user.type(filter, last);
    expect(await screen.findByText(`principal ${last}`)).toBeInTheDocument();
    expect(screen.getAllByRole('region')).toHaveLength(1);
    expect(
      screen.getByText(`1 of ${accounts.length + 1} principals match`),
    ).toBeInTheDocument();

    // Conditions are searched in the words the table shows them in.
    await user.clear(filter);
    await user.type(filter, 'refs/heads/main');
    expect(
      await screen.findByRole('region', { name: 'Web identity (OIDC) (1)' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('region', { name: /AWS accounts/ }),
    ).not.toBeInTheDocument();

    await user.clear(filter);
    await user.type(filter, 'no-such-principal');
    expect(
      await screen.findByText('No principal matches "no-such-principal".'),
    ).toBeInTheDocument();

    // Cleared: back to the first rows of each kind.
    await user.clear(filter);
    const accountsSection = await screen.findByRole('region', {
      name: `AWS accounts (${accounts.length})`,
    });
    expect(within(accountsSection).getAllByRole('row')).toHaveLength(
      INITIAL_ROWS_PER_KIND + 1,
    );
  });

  it('reads a principal over many repositories in words, with each repository linked on demand', async () => {
    const user = userEvent.setup();
    const repos = Array.from({ length: 9 }, (_, i) => `acme/repo-${i + 1}`);
    const github: ResolvedPrincipal = {
      ...p(
        'oidc',
        'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com',
      ),
      provider: 'github',
      actions: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
      description: `GitHub Actions in ${repos.join(', ')} on branch main`,
      conditions: [
        {
          operator: 'StringEquals',
          key: 'token.actions.githubusercontent.com:sub',
          values: repos.map(r => `repo:${r}:ref:refs/heads/main`),
        },
      ],
      repositories: repos.map((slug, i) => ({
        slug,
        ...(i < 8 ? { entityRef: `component:default/repo-${i + 1}` } : {}),
      })),
    };
    await renderWithApis(<WhoCanAssume principals={[github]} />);

    const section = screen.getByRole('region', {
      name: 'Web identity (OIDC) (1)',
    });
    const [, row] = within(section).getAllByRole('row');
    // Nine repositories are nine components: no one link stands for them all.
    expect(
      within(row).getByText('GitHub Actions in 9 repositories'),
    ).toBeInTheDocument();
    expect(within(row).queryByRole('link')).not.toBeInTheDocument();
    expect(
      within(row).getByText('branch main of 9 repositories'),
    ).toBeInTheDocument();
    expect(
      within(row).getByText('assume with an OIDC token (and tag the session)'),
    ).toBeInTheDocument();
    expect(row).not.toHaveTextContent('sts:');
    expect(row).not.toHaveTextContent('repo:acme');

    const details = within(row).getByRole('button', {
      name: 'Details: GitHub Actions in 9 repositories',
    });
    expect(details).toHaveAttribute('aria-expanded', 'false');
    details.focus();
    await user.keyboard('{Enter}');
    expect(details).toHaveAttribute('aria-expanded', 'true');
    const shown = document.getElementById(
      details.getAttribute('aria-controls')!,
    )!;
    expect(
      within(shown)
        .getAllByRole('link')
        .map(a => a.getAttribute('href')),
    ).toEqual(
      repos
        .slice(0, 8)
        .map((_, i) => `/catalog/default/component/repo-${i + 1}`),
    );
    expect(within(shown).getByText('acme/repo-9')).toBeInTheDocument();
    expect(within(shown).getByText('not in the catalog')).toBeInTheDocument();
    expect(
      within(shown).getByText('sts:AssumeRoleWithWebIdentity, sts:TagSession'),
    ).toBeInTheDocument();
    expect(
      within(shown).getByText('repo:acme/repo-9:ref:refs/heads/main'),
    ).toBeInTheDocument();
    expect(
      within(shown).getByText('statement 1 of the policy'),
    ).toBeInTheDocument();

    await user.keyboard(' ');
    expect(details).toHaveAttribute('aria-expanded', 'false');
    expect(within(section).getAllByRole('row')).toHaveLength(2);
  });

  it('keeps the single link of a principal that is one component, and finds principals by the words of their actions', async () => {
    const user = userEvent.setup();
    const accounts = Array.from({ length: INITIAL_ROWS_PER_KIND + 1 }, (_, i) =>
      p('account', String(300000000000 + i)),
    );
    const saml: ResolvedPrincipal = {
      ...p('saml', 'arn:aws:iam::111111111111:saml-provider/okta'),
      actions: ['sts:AssumeRoleWithSAML'],
      entityRef: 'group:default/payments',
    };
    await renderWithApis(<WhoCanAssume principals={[...accounts, saml]} />);
    await user.type(
      screen.getByRole('searchbox', { name: 'Filter principals' }),
      'with a SAML sign-in',
    );
    const section = await screen.findByRole('region', {
      name: 'SAML federation (1)',
    });
    expect(
      within(section).getByRole('link', {
        name: 'principal arn:aws:iam::111111111111:saml-provider/okta',
      }),
    ).toHaveAttribute('href', '/catalog/default/group/payments');
    expect(screen.getAllByRole('region')).toHaveLength(1);
  });

  it('offers no filter when every principal is already shown', async () => {
    await renderWithApis(
      <WhoCanAssume principals={[p('service', 'lambda.amazonaws.com')]} />,
    );
    expect(
      screen.queryByRole('searchbox', { name: 'Filter principals' }),
    ).not.toBeInTheDocument();
  });
});
