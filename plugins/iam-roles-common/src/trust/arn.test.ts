import { parseRoleArn, policyNameOfArn, roleKeyOfArn } from './arn';

describe('parseRoleArn', () => {
  it('reads role ARNs with and without a path, in every partition', () => {
    expect(parseRoleArn('arn:aws:iam::111111111111:role/deploy')).toEqual({
      partition: 'aws',
      accountId: '111111111111',
      path: '/',
      name: 'deploy',
    });
    expect(
      parseRoleArn('arn:aws-us-gov:iam::111111111111:role/team/ci/Deploy'),
    ).toEqual({
      partition: 'aws-us-gov',
      accountId: '111111111111',
      path: '/team/ci/',
      name: 'Deploy',
    });
  });

  it('reads assumed-role session ARNs as their role', () => {
    expect(
      parseRoleArn('arn:aws:sts::111111111111:assumed-role/Deploy/ci/run-1'),
    ).toEqual({
      partition: 'aws',
      accountId: '111111111111',
      name: 'Deploy',
      session: 'ci/run-1',
    });
    expect(
      roleKeyOfArn('arn:aws:sts::111111111111:assumed-role/Deploy/s'),
    ).toBe('111111111111:deploy');
  });

  it('refuses everything else', () => {
    for (const value of [
      'arn:aws:iam::111111111111:user/alice',
      'arn:aws:iam::*:role/x',
      'arn:aws:iam::111111111111:role/',
      'arn:aws:sts::111111111111:assumed-role/NoSession',
      'arn:aws:iam:eu-west-1:111111111111:role/x',
      'not an arn',
    ]) {
      expect(parseRoleArn(value)).toBeUndefined();
    }
  });
});

describe('policyNameOfArn', () => {
  it('names AWS managed, customer managed and path policies; other text stays as it is', () => {
    expect(policyNameOfArn('arn:aws:iam::aws:policy/ReadOnlyAccess')).toBe(
      'ReadOnlyAccess',
    );
    expect(
      policyNameOfArn('arn:aws:iam::aws:policy/job-function/ViewOnlyAccess'),
    ).toBe('ViewOnlyAccess');
    expect(
      policyNameOfArn(
        'arn:aws-cn:iam::111111111111:policy/boundaries/acme-workload-boundary',
      ),
    ).toBe('acme-workload-boundary');
    expect(policyNameOfArn('not an arn')).toBe('not an arn');
  });
});
