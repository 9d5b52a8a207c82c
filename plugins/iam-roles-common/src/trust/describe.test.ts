import {
  analyzeRole,
  describeCondition,
  describeConditionWith,
  describePrincipal,
  evaluateAssume,
  findingTitle,
  githubRepositoriesOf,
  highestSeverity,
  normalizeTrustPolicy,
  parsePrincipalSpec,
  summarizePrincipalConditions,
} from './index';
import type { TrustedPrincipal } from './types';
import { eksClusterNamesOf } from '../entity/awsAccount';

const A = '111111111111';
const GH = `arn:aws:iam::${A}:oidc-provider/token.actions.githubusercontent.com`;
const EKS_ISSUER =
  'oidc.eks.eu-west-1.amazonaws.com/id/8C4E09EA39C09B70FE3CDA8472E81E4B';

function principalsOf(statement: Record<string, unknown>): TrustedPrincipal[] {
  return analyzeRole({
    arn: `arn:aws:iam::${A}:role/r`,
    trustPolicy: { Statement: [statement] },
  }).principals;
}

function gh(condition: Record<string, unknown>): TrustedPrincipal {
  return principalsOf({
    Effect: 'Allow',
    Principal: { Federated: GH },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: condition,
  })[0];
}

describe('describePrincipal', () => {
  it.each([
    [
      {
        StringEquals: {
          'token.actions.githubusercontent.com:sub':
            'repo:acme/payments-api:ref:refs/heads/main',
        },
      },
      'GitHub Actions in acme/payments-api on branch main',
    ],
    [
      {
        StringLike: {
          'token.actions.githubusercontent.com:sub': 'repo:acme/*',
        },
      },
      'any repository of acme',
    ],
    [
      {
        StringLike: {
          'token.actions.githubusercontent.com:sub':
            'repo:acme/api:environment:production',
        },
      },
      'GitHub Actions in acme/api in environment production',
    ],
    [
      {
        StringLike: {
          'token.actions.githubusercontent.com:sub':
            'repo:acme/api:pull_request',
        },
      },
      'GitHub Actions in acme/api on pull requests',
    ],
    [
      {
        StringLike: {
          'token.actions.githubusercontent.com:sub':
            'repo:acme/api:ref:refs/tags/v*',
        },
      },
      'GitHub Actions in acme/api on tags matching "v*"',
    ],
    [
      {
        StringLike: {
          'token.actions.githubusercontent.com:sub': 'repo:acme/api:*',
        },
      },
      'GitHub Actions in acme/api (any branch, tag, pull request or environment)',
    ],
    [
      {
        StringEquals: {
          'token.actions.githubusercontent.com:sub': [
            'repo:acme/a:ref:refs/heads/main',
            'repo:acme/b:ref:refs/heads/main',
          ],
        },
      },
      'GitHub Actions in acme/a or acme/b on branch main',
    ],
    [
      {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        },
      },
      'GitHub Actions in any repository of any owner',
    ],
  ])('describes GitHub trust %j as "%s"', (condition, words) => {
    expect(describePrincipal(gh(condition))).toBe(words);
  });

  it('describes accounts, roles, services, EKS and Identity Center in plain words', () => {
    const [vendor] = principalsOf({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::999999999999:root' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': 'x' } },
    });
    expect(describePrincipal(vendor, { internalAccounts: [A] })).toBe(
      'account 999999999999 (not configured as internal) with an ExternalId',
    );
    const [eks] = principalsOf({
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${A}:oidc-provider/${EKS_ISSUER}` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          [`${EKS_ISSUER}:sub`]: 'system:serviceaccount:payments:api-sa',
        },
      },
    });
    expect(describePrincipal(eks)).toBe(
      'EKS service account payments/api-sa on cluster 8C4E09EA39C09B70FE3CDA8472E81E4B (eu-west-1)',
    );
    const [sso] = principalsOf({
      Effect: 'Allow',
      Principal: {
        Federated: `arn:aws:iam::${A}:saml-provider/AWSSSO_641719a84ead8ecd_DO_NOT_DELETE`,
      },
      Action: 'sts:AssumeRoleWithSAML',
    });
    expect(describePrincipal(sso)).toBe(
      'Identity Center permission set via SAML provider AWSSSO_641719a84ead8ecd_DO_NOT_DELETE',
    );
    // With the assignments the role entity records: the groups and users, not the provider.
    const group = (name: string) => ({ principalType: 'GROUP' as const, name });
    expect(
      describePrincipal(sso, {
        identityCenter: [
          {
            permissionSetName: 'AdminAccess',
            principals: [
              group('Platform Engineering'),
              group('SRE'),
              { principalType: 'USER', name: 'jo@acme.io' },
            ],
          },
        ],
      }),
    ).toBe(
      'Identity Center permission set AdminAccess, assigned to groups "Platform Engineering" and "SRE" and user "jo@acme.io"',
    );
    expect(
      describePrincipal(sso, {
        identityCenter: [
          {
            permissionSetName: 'ReadOnly',
            principals: ['a', 'b', 'c', 'd', 'e'].map(group),
          },
        ],
      }),
    ).toBe(
      'Identity Center permission set ReadOnly, assigned to groups "a", "b" and 3 more',
    );
    expect(
      describePrincipal(sso, {
        identityCenter: [{ permissionSetName: 'ReadOnly', principals: [] }],
      }),
    ).toBe(
      'Identity Center permission set ReadOnly, assigned to no one in this account',
    );
    const [role, service, gone] = principalsOf({
      Effect: 'Allow',
      Principal: {
        AWS: [
          `arn:aws:iam::${A}:role/deploy/acme-deployer`,
          'AROA2UDWCT7CT3VRUQQPL',
        ],
        Service: 'lambda.amazonaws.com',
      },
      Action: 'sts:AssumeRole',
    }).sort((a, b) => a.kind.localeCompare(b.kind));
    expect(
      describePrincipal(role, { accountNames: { [A]: 'acme-tooling' } }),
    ).toBe('role acme-deployer in account 111111111111 "acme-tooling"');
    expect(describePrincipal(service)).toBe(
      'the AWS service lambda.amazonaws.com',
    );
    expect(describePrincipal(gone)).toBe(
      'a deleted principal (unique id AROA2UDWCT7CT3VRUQQPL)',
    );
  });
});

describe('EKS clusters by name (#16)', () => {
  const PROVIDER = `arn:aws:iam::${A}:oidc-provider/${EKS_ISSUER}`;
  const [irsa] = principalsOf({
    Effect: 'Allow',
    Principal: { Federated: PROVIDER },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: {
      StringEquals: {
        [`${EKS_ISSUER}:sub`]: 'system:serviceaccount:payments:payments-api',
        [`${EKS_ISSUER}:aud`]: 'sts.amazonaws.com',
      },
    },
  });
  // As the catalog's account entity carries the cluster DescribeCluster told of.
  const eksClusters = eksClusterNamesOf([
    {
      metadata: { annotations: { 'amazonaws.com/account-id': '333333333333' } },
      spec: {
        type: 'aws-account',
        eksClusters: [
          {
            name: 'payments-prod',
            region: 'eu-west-1',
            oidcIssuer: `https://${EKS_ISSUER}`,
          },
        ],
      },
    },
  ]);

  it('names a known cluster, with its region and account', () => {
    expect(eksClusters).toEqual({
      '8C4E09EA39C09B70FE3CDA8472E81E4B': {
        name: 'payments-prod',
        region: 'eu-west-1',
        accountId: '333333333333',
      },
    });
    expect(
      describePrincipal(irsa, {
        eksClusters,
        accountNames: { '333333333333': 'acme-production' },
      }),
    ).toBe(
      'EKS service account payments/payments-api on cluster payments-prod (eu-west-1, acme-production)',
    );
    expect(describePrincipal(irsa, { eksClusters })).toBe(
      'EKS service account payments/payments-api on cluster payments-prod (eu-west-1, account 333333333333)',
    );
  });

  it('keeps the issuer id for a cluster nobody described', () => {
    expect(describePrincipal(irsa)).toBe(
      'EKS service account payments/payments-api on cluster 8C4E09EA39C09B70FE3CDA8472E81E4B (eu-west-1)',
    );
    expect(
      describePrincipal(irsa, {
        eksClusters: {
          OTHER: { name: 'x', region: 'eu-west-1', accountId: A },
        },
      }),
    ).toContain('on cluster 8C4E09EA39C09B70FE3CDA8472E81E4B (eu-west-1)');
  });

  it('words the identity provider an EKS workload is left to meet as its cluster', () => {
    // What the engine leaves open for a component's service account: which cluster it runs on.
    const clause = {
      operator: 'ArnEquals',
      key: 'aws:FederatedProvider',
      values: [PROVIDER],
    };
    expect(
      describeConditionWith({
        eksClusters,
        accountNames: { '333333333333': 'acme-production' },
      })(clause),
    ).toBe(
      'the workload runs on cluster payments-prod (eu-west-1, acme-production)',
    );
    expect(describeConditionWith({})(clause)).toBe(
      'the workload runs on cluster 8C4E09EA39C09B70FE3CDA8472E81E4B (eu-west-1)',
    );
    expect(
      describeConditionWith({ eksClusters })({
        ...clause,
        operator: 'ArnNotEquals',
      }),
    ).toBe(
      'the workload does not run on cluster payments-prod (eu-west-1, account 333333333333)',
    );
    // Another provider, or a pattern, stays as the policy says it.
    const github = `arn:aws:iam::${A}:oidc-provider/token.actions.githubusercontent.com`;
    expect(
      describeConditionWith({ eksClusters })({ ...clause, values: [github] }),
    ).toBe(`the identity provider is "${github}"`);
    expect(describeCondition(clause)).toBe(
      'the workload runs on cluster 8C4E09EA39C09B70FE3CDA8472E81E4B (eu-west-1)',
    );
  });
});

describe('describeCondition', () => {
  it.each([
    [
      { operator: 'StringEquals', key: 'sts:ExternalId', values: ['abc'] },
      'the ExternalId is "abc"',
    ],
    [
      { operator: 'StringEquals', key: 'aws:PrincipalOrgID', values: ['o-1'] },
      'the caller\'s organization is "o-1"',
    ],
    [
      {
        operator: 'StringLike',
        key: 'token.actions.githubusercontent.com:sub',
        values: ['repo:acme/*', 'repo:x/y'],
      },
      'the token subject matches "repo:acme/*" or "repo:x/y"',
    ],
    [
      {
        operator: 'StringNotEquals',
        key: 'aws:PrincipalAccount',
        values: ['1', '2'],
      },
      'the caller\'s account is not "1" nor "2"',
    ],
    [
      { operator: 'IpAddress', key: 'aws:SourceIp', values: ['10.0.0.0/8'] },
      'the caller\'s IP address is in "10.0.0.0/8"',
    ],
    [
      { operator: 'Bool', key: 'aws:MultiFactorAuthPresent', values: ['true'] },
      'the caller signed in with MFA',
    ],
    [
      {
        operator: 'NumericLessThan',
        key: 'aws:MultiFactorAuthAge',
        values: ['3600'],
      },
      'the age of the MFA sign-in (seconds) is less than "3600"',
    ],
    [
      {
        operator: 'DateLessThan',
        key: 'aws:CurrentTime',
        values: ['2027-01-01T00:00:00Z'],
      },
      'the time is before "2027-01-01T00:00:00Z"',
    ],
    [
      { operator: 'Null', key: 'aws:PrincipalTag/team', values: ['false'] },
      'the caller\'s tag "team" is set',
    ],
    [
      {
        operator: 'StringEqualsIfExists',
        key: 'SAML:aud',
        values: ['https://signin.aws.amazon.com/saml'],
      },
      'the SAML assertion audience is "https://signin.aws.amazon.com/saml", when present',
    ],
    [
      {
        operator: 'ForAnyValue:StringLike',
        key: 'cognito-identity.amazonaws.com:amr',
        values: ['authenticated'],
      },
      'at least one value: the sign-in type is "authenticated"',
    ],
  ])('%j → %s', (clause, words) => {
    expect(describeCondition(clause)).toBe(words);
  });
});

describe('evaluation details', () => {
  it('settles aws:PrincipalOrgID when the organisation of an account is known', () => {
    const policy = normalizeTrustPolicy({
      Statement: {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-1' } },
      },
    }).policy!;
    const who = parsePrincipalSpec('arn:aws:iam::222222222222:role/x');
    const organizationOf = (acct: string) =>
      acct === '222222222222' ? 'o-1' : 'o-2';
    expect(evaluateAssume(policy, who, { organizationOf }).outcome).toBe(
      'allowed',
    );
    expect(
      evaluateAssume(
        policy,
        parsePrincipalSpec('arn:aws:iam::333333333333:role/x'),
        { organizationOf },
      ).outcome,
    ).toBe('not-trusted');
  });

  it('settles time conditions when a time is given', () => {
    const policy = normalizeTrustPolicy({
      Statement: {
        Effect: 'Allow',
        Principal: { Service: 'lambda.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          DateLessThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' },
        },
      },
    }).policy!;
    const lambda = parsePrincipalSpec('service:lambda');
    expect(evaluateAssume(policy, lambda).outcome).toBe('possible');
    expect(
      evaluateAssume(policy, lambda, { now: new Date('2026-11-29T00:00:00Z') })
        .outcome,
    ).toBe('allowed');
    expect(
      evaluateAssume(policy, lambda, { now: new Date('2027-06-01T00:00:00Z') })
        .outcome,
    ).toBe('not-trusted');
  });

  it('lists a Deny it cannot settle as a negated condition of a "possible" answer', () => {
    const policy = normalizeTrustPolicy({
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::222222222222:root' },
          Action: 'sts:AssumeRole',
        },
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 'sts:AssumeRole',
          Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
        },
      ],
    }).policy!;
    const d = evaluateAssume(
      policy,
      parsePrincipalSpec('arn:aws:iam::222222222222:user/u'),
    );
    expect(d).toEqual({
      outcome: 'possible',
      via: 'sts:AssumeRole',
      conditions: [
        { operator: 'IpAddress', key: 'aws:SourceIp', values: ['10.0.0.0/8'] },
      ],
      statementIndex: 0,
    });
  });

  it('flags trusted roles missing from the inventory as dangling', () => {
    const analysis = analyzeRole(
      {
        arn: `arn:aws:iam::${A}:role/r`,
        trustPolicy: {
          Statement: {
            Effect: 'Allow',
            Principal: {
              AWS: [
                `arn:aws:iam::${A}:role/gone`,
                `arn:aws:iam::${A}:role/here`,
              ],
            },
            Action: 'sts:AssumeRole',
          },
        },
      },
      { knownPrincipalArns: arn => arn.endsWith('/here') },
    );
    expect(analysis.findings.map(f => [f.id, f.principal])).toEqual([
      ['dangling-principal', `arn:aws:iam::${A}:role/gone`],
    ]);
    expect(highestSeverity(analysis.findings)).toBe('medium');
  });

  it('explains each finding: what, why, and how to fix it', () => {
    const analysis = analyzeRole({
      arn: `arn:aws:iam::${A}:role/r`,
      trustPolicy: {
        Statement: {
          Sid: 'Open',
          Effect: 'Allow',
          Principal: '*',
          Action: 'sts:AssumeRole',
        },
      },
    });
    expect(analysis.findings).toEqual([
      expect.objectContaining({
        id: 'public-trust',
        severity: 'critical',
        statementIndex: 0,
        sid: 'Open',
        principal: '*',
        message: expect.stringMatching(
          /any AWS principal in any account.*aws:PrincipalOrgID/,
        ),
      }),
    ]);
  });
});

describe('words for issue #11', () => {
  const ALL_IDS = [
    'public-trust',
    'not-principal',
    'oidc-unrestricted-subject',
    'oidc-broad-subject',
    'oidc-missing-audience',
    'saml-missing-audience',
    'cross-account-no-external-id',
    'account-root-trust',
    'dangling-principal',
    'service-confused-deputy',
    'invalid-policy',
    'cognito-guest-access',
    'roles-anywhere-any-anchor',
  ];

  it('gives every finding id a title of its own', () => {
    const titles = ALL_IDS.map(findingTitle);
    for (const [i, t] of titles.entries()) expect(t).not.toBe(ALL_IDS[i]);
    expect(new Set(titles).size).toBe(ALL_IDS.length);
    expect(findingTitle('no-such-finding')).toBe('no-such-finding');
  });

  const oidc = (
    id: string,
    provider: string,
    conditions: TrustedPrincipal['conditions'],
  ): TrustedPrincipal => ({
    kind: 'oidc',
    id,
    provider,
    actions: ['sts:AssumeRoleWithWebIdentity'],
    conditions,
    statementIndex: 0,
  });

  it('reads the subjects of HCP Terraform, Buildkite and CircleCI', () => {
    expect(
      describePrincipal(
        oidc(
          `arn:aws:iam::${A}:oidc-provider/app.terraform.io`,
          'terraform-cloud',
          [
            {
              operator: 'StringLike',
              key: 'app.terraform.io:sub',
              values: [
                'organization:acme:project:infra:workspace:*:run_phase:*',
              ],
            },
          ],
        ),
      ),
    ).toBe(
      'HCP Terraform runs of any workspace of project infra in organization acme',
    );
    expect(
      describePrincipal(
        oidc(
          `arn:aws:iam::${A}:oidc-provider/agent.buildkite.com`,
          'buildkite',
          [
            {
              operator: 'StringLike',
              key: 'agent.buildkite.com:sub',
              values: [
                'organization:acme:pipeline:deploy:ref:refs/heads/main:*',
              ],
            },
          ],
        ),
      ),
    ).toBe('Buildkite jobs of pipeline acme/deploy');
    expect(
      describePrincipal(
        oidc(
          `arn:aws:iam::${A}:oidc-provider/oidc.circleci.com/org/o1`,
          'circleci',
          [],
        ),
      ),
    ).toBe('CircleCI jobs in any project of organization o1');
  });

  it('says "guest" for Cognito guests, and shows the immutable GitHub subject by name', () => {
    expect(
      describePrincipal(
        oidc('cognito-identity.amazonaws.com', 'cognito', [
          {
            operator: 'StringEquals',
            key: 'cognito-identity.amazonaws.com:aud',
            values: ['eu-west-1:pool'],
          },
          {
            operator: 'ForAnyValue:StringLike',
            key: 'cognito-identity.amazonaws.com:amr',
            values: ['unauthenticated'],
          },
        ]),
      ),
    ).toMatch(/including guests \(anyone, without signing in\)/);
    expect(
      describePrincipal(
        oidc(
          `arn:aws:iam::${A}:oidc-provider/token.actions.githubusercontent.com`,
          'github',
          [
            {
              operator: 'StringEquals',
              key: 'token.actions.githubusercontent.com:sub',
              values: ['repo:acme@123/api@456:ref:refs/heads/main'],
            },
          ],
        ),
      ),
    ).toBe('GitHub Actions in acme/api on branch main');
  });

  it('says what a certificate attribute is', () => {
    expect(
      describeCondition({
        operator: 'StringEquals',
        key: 'aws:PrincipalTag/x509Subject/CN',
        values: ['build-agent'],
      }),
    ).toBe(`the certificate's subject CN is "build-agent"`);
  });
});

describe('summarizePrincipalConditions and githubRepositoriesOf', () => {
  const SUB = 'token.actions.githubusercontent.com:sub';
  const nine = Array.from({ length: 9 }, (_, i) => `acme/repo-${i + 1}`);

  it('reads many subjects of one branch as "branch main of 9 repositories" and lists each repository', () => {
    const p = gh({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        [SUB]: nine.map(r => `repo:${r}:ref:refs/heads/main`),
      },
    });
    expect(summarizePrincipalConditions(p)).toBe(
      'the token audience is "sts.amazonaws.com"; branch main of 9 repositories',
    );
    expect(githubRepositoriesOf(p)).toEqual(nine);
  });

  it.each([
    [
      {
        StringEquals: {
          [SUB]: [
            'repo:acme/a:environment:production',
            'repo:acme/b:environment:production',
            'repo:acme/c:environment:production',
          ],
        },
      },
      'environment production of 3 repositories',
    ],
    [{ StringLike: { [SUB]: 'repo:acme/x:*' } }, 'any ref of acme/x'],
    [
      {
        StringLike: {
          [SUB]: [
            'repo:acme/a:ref:refs/heads/main',
            'repo:acme/b:ref:refs/heads/main',
            'repo:acme/a:environment:production',
            'repo:acme/x:*',
          ],
        },
      },
      'branch main of 2 repositories; environment production of acme/a; any ref of acme/x',
    ],
    [
      {
        StringLike: {
          [SUB]: [
            'repo:acme/a:ref:refs/tags/v*',
            'repo:acme/a:pull_request',
            'repo:acme/a:ref:refs/heads/release/*',
            'repo:acme/*:environment:dev',
          ],
        },
      },
      'tags matching "v*" of acme/a; pull requests of acme/a; and 2 more',
    ],
    [
      {
        StringEquals: {
          [SUB]: [
            'repo:acme@1/api@2:ref:refs/heads/main',
            'repo:acme/api:ref:refs/heads/main',
          ],
        },
      },
      'branch main of acme/api',
    ],
    [
      {
        StringEquals: {
          'token.actions.githubusercontent.com:repository': [
            'acme/a',
            'acme/b',
          ],
        },
      },
      'one of 2 repositories',
    ],
    [
      { StringNotEquals: { [SUB]: 'repo:acme/a:ref:refs/heads/main' } },
      'the token subject is not "repo:acme/a:ref:refs/heads/main"',
    ],
  ])('summarizes %j as "%s"', (condition, words) => {
    expect(summarizePrincipalConditions(gh(condition))).toBe(words);
  });

  it('names only the repositories a principal pins, once each, from sub and repository', () => {
    expect(
      githubRepositoriesOf(
        gh({
          StringLike: {
            [SUB]: [
              'repo:acme/api:ref:refs/heads/main',
              'repo:Acme/API:environment:production',
              'repo:acme/web-*:ref:refs/heads/main',
              'repo:*:ref:refs/heads/main',
            ],
            'token.actions.githubusercontent.com:repository': [
              'acme/tools',
              'acme/lib-*',
            ],
          },
        }),
      ),
    ).toEqual(['acme/api', 'acme/tools']);
  });

  it('summarizes other principals as describeCondition does, and names no repository for them', () => {
    const [account] = principalsOf({
      Effect: 'Allow',
      Principal: { AWS: '222222222222' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': 'x-1' } },
    });
    expect(summarizePrincipalConditions(account)).toBe(
      account.conditions.map(describeCondition).join('; '),
    );
    expect(githubRepositoriesOf(account)).toEqual([]);
  });
});
