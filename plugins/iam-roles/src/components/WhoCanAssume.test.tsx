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

  it('offers no filter when every principal is already shown', async () => {
    await renderWithApis(
      <WhoCanAssume principals={[p('service', 'lambda.amazonaws.com')]} />,
    );
    expect(
      screen.queryByRole('searchbox', { name: 'Filter principals' }),
    ).not.toBeInTheDocument();
  });
});
