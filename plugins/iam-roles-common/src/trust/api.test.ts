import {
  analyzeRole,
  describeCondition,
  describePrincipal,
  evaluateAssume,
  highestSeverity,
  normalizeTrustPolicy,
  parseAuthorizationDetails,
  parsePrincipalSpec,
  TrustIndex,
} from './index';

const GH =
  'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com';

const githubPolicy = (
  sub: string | string[],
  extra: Record<string, unknown> = {},
) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: GH },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        },
        StringLike: { 'token.actions.githubusercontent.com:sub': sub },
        ...extra,
      },
    },
  ],
});

describe('trust engine public API', () => {
  it('normalises object, JSON string and URL-encoded documents alike', () => {
    const doc = githubPolicy('repo:acme/api:ref:refs/heads/main');
    const a = normalizeTrustPolicy(doc);
    const b = normalizeTrustPolicy(JSON.stringify(doc));
    const c = normalizeTrustPolicy(encodeURIComponent(JSON.stringify(doc)));
    expect(a.errors).toEqual([]);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(a.policy!.statements[0].principal).toEqual({ Federated: [GH] });
    expect(a.policy!.statements[0].conditions).toContainEqual({
      operator: 'StringLike',
      key: 'token.actions.githubusercontent.com:sub',
      values: ['repo:acme/api:ref:refs/heads/main'],
    });
  });

  it('reports an unreadable document as invalid-policy without throwing', () => {
    const r = analyzeRole({
      arn: 'arn:aws:iam::111111111111:role/x',
      trustPolicy: '{not json',
    });
    expect(r.findings.map(f => [f.id, f.severity])).toEqual([
      ['invalid-policy', 'high'],
    ]);
    expect(r.name).toBe('x');
    expect(r.accountId).toBe('111111111111');
  });

  it('analyses a GitHub role pinned to one branch as clean and one open to any owner as critical', () => {
    const safe = analyzeRole({
      arn: 'arn:aws:iam::111111111111:role/gha/deploy',
      trustPolicy: githubPolicy('repo:acme/api:ref:refs/heads/main'),
    });
    expect(safe.findings).toEqual([]);
    expect(safe.path).toBe('/gha/');
    expect(safe.principals[0]).toMatchObject({
      kind: 'oidc',
      id: GH,
      provider: 'github',
    });
    expect(describePrincipal(safe.principals[0])).toBe(
      'GitHub Actions in acme/api on branch main',
    );

    const open = analyzeRole({
      arn: 'arn:aws:iam::111111111111:role/gha/open',
      trustPolicy: githubPolicy('repo:*'),
    });
    expect(open.findings.map(f => f.id)).toEqual(['oidc-unrestricted-subject']);
    expect(highestSeverity(open.findings)).toBe('critical');
    expect(highestSeverity([])).toBe('none');
  });

  it('evaluates GitHub contexts, and leaves ExternalId as a possible condition', () => {
    const policy = normalizeTrustPolicy(
      githubPolicy('repo:acme/api:ref:refs/heads/main'),
    ).policy!;
    expect(
      evaluateAssume(
        policy,
        parsePrincipalSpec('github:acme/api@refs/heads/main'),
      ),
    ).toMatchObject({
      outcome: 'allowed',
      via: 'sts:AssumeRoleWithWebIdentity',
    });
    expect(
      evaluateAssume(
        policy,
        parsePrincipalSpec('github:acme/api@refs/heads/dev'),
      ).outcome,
    ).toBe('not-trusted');
    const vendor = normalizeTrustPolicy({
      Statement: {
        Effect: 'Allow',
        Principal: { AWS: '999999999999' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'acme-123' } },
      },
    }).policy!;
    const d = evaluateAssume(
      vendor,
      parsePrincipalSpec('arn:aws:iam::999999999999:role/Vendor'),
    );
    expect(d.outcome).toBe('possible');
    expect(d.conditions).toEqual([
      { operator: 'StringEquals', key: 'sts:ExternalId', values: ['acme-123'] },
    ]);
    expect(describeCondition(d.conditions[0])).toBe(
      'the ExternalId is "acme-123"',
    );
  });

  it('parses principal specs and rejects bad ones with a readable message', () => {
    expect(parsePrincipalSpec('123456789012')).toEqual({
      type: 'account',
      accountId: '123456789012',
    });
    expect(parsePrincipalSpec('service:lambda.amazonaws.com')).toEqual({
      type: 'service',
      service: 'lambda.amazonaws.com',
    });
    expect(parsePrincipalSpec('github:acme/api@refs/heads/main')).toEqual({
      type: 'github',
      owner: 'acme',
      repo: 'api',
      ref: 'refs/heads/main',
    });
    expect(() => parsePrincipalSpec('github:acme')).toThrow(
      /github:OWNER\/REPO@REF/,
    );
    expect(() => parsePrincipalSpec('12345')).toThrow(/not a principal/);
  });

  it('indexes roles and answers the same as a scan', () => {
    const roles = [
      ['a', githubPolicy('repo:acme/api:ref:refs/heads/main')],
      ['b', githubPolicy('repo:acme/*')],
      ['c', githubPolicy('repo:other/api:ref:refs/heads/main')],
      [
        'd',
        {
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'lambda.amazonaws.com' },
              Action: 'sts:AssumeRole',
            },
          ],
        },
      ],
    ].map(([key, doc]) => ({
      key: key as string,
      analysis: analyzeRole({
        arn: `arn:aws:iam::111111111111:role/${key}`,
        trustPolicy: doc,
      }),
    }));
    const index = TrustIndex.build(roles);
    const who = parsePrincipalSpec('github:acme/api@main');
    expect(index.lookup(who).map(m => m.key)).toEqual(['a', 'b']);
    expect(index.lookup(who)).toEqual(index.scan(who));
    expect(
      index.lookup(parsePrincipalSpec('service:lambda')).map(m => m.key),
    ).toEqual(['d']);
  });

  it('reads get-account-authorization-details in CLI and raw API form', () => {
    const doc = githubPolicy('repo:acme/api:ref:refs/heads/main');
    const role = {
      Path: '/',
      RoleName: 'r',
      RoleId: 'AROAEXAMPLEEXAMPLE01',
      Arn: 'arn:aws:iam::222222222222:role/r',
      CreateDate: '2024-01-01T00:00:00+00:00',
      Tags: [{ Key: 'owner', Value: 'team-a' }],
      RoleLastUsed: {},
      AttachedManagedPolicies: [],
      RolePolicyList: [],
    };
    const cli = parseAuthorizationDetails({
      RoleDetailList: [{ ...role, AssumeRolePolicyDocument: doc }],
    });
    const raw = parseAuthorizationDetails(
      JSON.stringify({
        RoleDetailList: [
          {
            ...role,
            AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(doc)),
          },
        ],
        IsTruncated: false,
      }),
    );
    expect(cli.accountIds).toEqual(['222222222222']);
    expect(cli.roles[0]).toMatchObject({
      roleName: 'r',
      accountId: '222222222222',
      tags: { owner: 'team-a' },
    });
    const a1 = analyzeRole({
      arn: cli.roles[0].arn,
      trustPolicy: cli.roles[0].assumeRolePolicyDocument,
    });
    const a2 = analyzeRole({
      arn: raw.roles[0].arn,
      trustPolicy: raw.roles[0].assumeRolePolicyDocument,
    });
    expect(a2).toEqual(a1);
    expect(() => parseAuthorizationDetails('{"foo": 1}')).toThrow(
      /RoleDetailList/,
    );
    expect(() => parseAuthorizationDetails('nope')).toThrow(/Not JSON/);
  });
});

describe('policies read back from JSON', () => {
  it('evaluates and indexes a stored policy without its empty condition lists', () => {
    const analysis = analyzeRole({
      arn: 'arn:aws:iam::111111111111:role/r',
      trustPolicy: {
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: GH },
            Action: 'sts:AssumeRoleWithWebIdentity',
          },
        ],
      },
    });
    const stored = JSON.parse(
      JSON.stringify(analysis, (k, v) =>
        Array.isArray(v) && v.length === 0 && k === 'conditions'
          ? undefined
          : v,
      ),
    );
    expect(stored.policy.statements[0].conditions).toBeUndefined();
    const who = parsePrincipalSpec('github:acme/api@main');
    expect(evaluateAssume(stored.policy, who).outcome).toBe('allowed');
    expect(
      TrustIndex.build([{ key: 'r', analysis: stored }])
        .lookup(who)
        .map(m => m.key),
    ).toEqual(['r']);
  });
});
