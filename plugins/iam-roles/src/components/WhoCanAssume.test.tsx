import type { ResolvedPrincipal } from '@backstage-iam/plugin-iam-roles-common';
import { groupPrincipals } from './WhoCanAssume';

function p(kind: ResolvedPrincipal['kind'], id: string): ResolvedPrincipal {
  return { kind, id, actions: ['sts:AssumeRole'], conditions: [], statementIndex: 0, description: id };
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
