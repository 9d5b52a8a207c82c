import { mergeAuthorizationDetails, parseAuthorizationDetails } from './index';

const doc = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'ec2.amazonaws.com' },
      Action: 'sts:AssumeRole',
    },
  ],
};

function read(account: string, roles: string[], description = '') {
  return parseAuthorizationDetails({
    RoleDetailList: roles.map(name => ({
      Arn: `arn:aws:iam::${account}:role/${name}`,
      RoleName: name,
      RoleId: `AROA${name.toUpperCase()}`,
      Path: '/',
      Description: description || undefined,
      AssumeRolePolicyDocument: doc,
    })),
    UserDetailList: [
      { Arn: `arn:aws:iam::${account}:user/alice`, UserName: 'alice' },
    ],
  });
}

describe('mergeAuthorizationDetails', () => {
  it('keeps each role of an account read twice once, from the last read, and names the account', () => {
    const merged = mergeAuthorizationDetails([
      read('111111111111', ['a', 'b'], 'old'),
      read('222222222222', ['c']),
      read('111111111111', ['b', 'd'], 'new'),
    ]);
    expect(merged.roles.map(r => r.arn).sort()).toEqual([
      'arn:aws:iam::111111111111:role/a',
      'arn:aws:iam::111111111111:role/b',
      'arn:aws:iam::111111111111:role/d',
      'arn:aws:iam::222222222222:role/c',
    ]);
    expect(merged.roles.find(r => r.roleName === 'b')?.description).toBe('new');
    expect(merged.warnings).toEqual([
      'account 111111111111 was read 2 times; each of its roles is listed once, as the last read has it',
    ]);
    expect(merged.accountIds).toEqual(['111111111111', '222222222222']);
    expect(
      merged.principalArns.filter(a => a.endsWith(':user/alice')),
    ).toHaveLength(2);
  });

  it('treats a role spelled with another path or case as the same role', () => {
    const a = read('111111111111', ['Deploy']);
    const b = read('111111111111', ['deploy']);
    b.roles[0].arn = 'arn:aws:iam::111111111111:role/team/deploy';
    const merged = mergeAuthorizationDetails([a, b]);
    expect(merged.roles).toHaveLength(1);
    expect(merged.warnings).toHaveLength(1);
  });

  it('warns about nothing when every account is read once', () => {
    const merged = mergeAuthorizationDetails([
      read('111111111111', ['a']),
      read('222222222222', ['a']),
    ]);
    expect(merged.roles).toHaveLength(2);
    expect(merged.warnings).toEqual([]);
  });
});
