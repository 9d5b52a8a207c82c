import { analyzeRole } from './analyzeRole';
import { roleExposure } from './exposure';

const arn = 'arn:aws:iam::111111111111:role/r';
const exposureOf = (statement: Record<string, unknown>) =>
  roleExposure(
    analyzeRole({
      arn,
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', ...statement }],
      },
    }).findings,
  );
const github = 'token.actions.githubusercontent.com';
const githubPrincipal = {
  Federated: `arn:aws:iam::111111111111:oidc-provider/${github}`,
};

describe('roleExposure', () => {
  it('is public for anyone, NotPrincipal and an OIDC provider with any subject', () => {
    expect(exposureOf({ Principal: '*', Action: 'sts:AssumeRole' })).toBe(
      'public',
    );
    expect(
      exposureOf({
        NotPrincipal: { AWS: 'arn:aws:iam::111111111111:root' },
        Action: 'sts:AssumeRole',
      }),
    ).toBe('public');
    expect(
      exposureOf({
        Principal: githubPrincipal,
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { [`${github}:aud`]: 'sts.amazonaws.com' },
        },
      }),
    ).toBe('public');
  });

  it('is unpinned for any branch of a repository, and nothing for a pinned one or an org-restricted *', () => {
    expect(
      exposureOf({
        Principal: githubPrincipal,
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { [`${github}:aud`]: 'sts.amazonaws.com' },
          StringLike: { [`${github}:sub`]: 'repo:acme/api:*' },
        },
      }),
    ).toBe('unpinned');
    expect(
      exposureOf({
        Principal: githubPrincipal,
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${github}:aud`]: 'sts.amazonaws.com',
            [`${github}:sub`]: 'repo:acme/api:ref:refs/heads/main',
          },
        },
      }),
    ).toBeUndefined();
    expect(
      exposureOf({
        Principal: '*',
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } },
      }),
    ).toBeUndefined();
  });

  it('takes public over unpinned whatever the order', () => {
    expect(
      roleExposure([{ id: 'oidc-broad-subject' }, { id: 'public-trust' }]),
    ).toBe('public');
    expect(roleExposure([{ id: 'account-root-trust' }])).toBeUndefined();
  });
});
