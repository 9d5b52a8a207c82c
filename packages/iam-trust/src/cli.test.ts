import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from './cli';

const SAMPLES = resolve(__dirname, '../../sample-data/aws');
const sampleFiles = readdirSync(SAMPLES)
  .filter(f => f.endsWith('.json'))
  .map(f => join(SAMPLES, f))
  .sort();

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: t => {
      stdout += t;
    },
    stderr: t => {
      stderr += t;
    },
    readFile: p => readFileSync(p, 'utf8'),
  });
  return { code, stdout, stderr };
}

const ACCOUNT_FILE = {
  UserDetailList: [],
  GroupDetailList: [],
  RoleDetailList: [
    {
      Path: '/',
      RoleName: 'vendor-access',
      RoleId: 'AROAEXAMPLEEXAMPLE001',
      Arn: 'arn:aws:iam::555555555555:role/vendor-access',
      CreateDate: '2024-01-01T00:00:00+00:00',
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::999999999999:root' },
            Action: 'sts:AssumeRole',
          },
        ],
      },
      InstanceProfileList: [],
      RolePolicyList: [],
      AttachedManagedPolicies: [],
      Tags: [],
      RoleLastUsed: {},
    },
  ],
  Policies: [],
};

function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'iam-trust-'));
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

describe('iam-trust analyze', () => {
  it('prints the contract JSON for every role of the sample accounts', async () => {
    const { code, stdout, stderr } = await cli(['analyze', ...sampleFiles]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const out = JSON.parse(stdout);
    expect(out.roles.length).toBeGreaterThanOrEqual(60);
    for (const role of out.roles) {
      expect(Object.keys(role)).toEqual([
        'arn',
        'accountId',
        'name',
        'principals',
        'findings',
      ]);
      for (const p of role.principals)
        expect(Object.keys(p)).toEqual(['kind', 'id', 'actions', 'conditions']);
      for (const f of role.findings)
        expect(Object.keys(f)).toEqual(['id', 'severity', 'message']);
    }
  });

  it('flags exactly the intended risky sample roles (severity low and above)', async () => {
    const out = JSON.parse((await cli(['analyze', ...sampleFiles])).stdout);
    const flagged = out.roles
      .flatMap((r: any) =>
        r.findings
          .filter((f: any) => f.severity !== 'info')
          .map((f: any) => `${r.accountId} ${r.name} ${f.id} ${f.severity}`),
      )
      .sort();
    expect(flagged).toEqual(
      [
        '222222222222 gha-load-tests oidc-unrestricted-subject critical',
        '444444444444 gha-sandbox-experiments oidc-unrestricted-subject critical',
        '333333333333 partner-webhook-relay public-trust critical',
        '111111111111 gha-shared-ci oidc-broad-subject high',
        '111111111111 gha-techdocs-publish oidc-missing-audience medium',
        '222222222222 okta-legacy-admin saml-missing-audience medium',
        '333333333333 cloudcost-readonly cross-account-no-external-id medium',
        '333333333333 payments-reporting-reader dangling-principal medium',
        '222222222222 break-glass-admin account-root-trust low',
        '111111111111 DatadogIntegrationRole account-root-trust low',
        '222222222222 DatadogIntegrationRole account-root-trust low',
        '333333333333 DatadogIntegrationRole account-root-trust low',
        '444444444444 DatadogIntegrationRole account-root-trust low',
      ].sort(),
    );
    const byName = (account: string, name: string) =>
      out.roles.find((r: any) => r.accountId === account && r.name === name);
    // The raw API file's URL-encoded documents are read like the decoded ones.
    expect(
      byName('444444444444', 'gha-dbt-deploy').principals[0],
    ).toMatchObject({
      kind: 'oidc',
      id: 'arn:aws:iam::444444444444:oidc-provider/token.actions.githubusercontent.com',
    });
    // Roles whose service trust is pinned to a source carry no confused-deputy finding.
    expect(
      byName('111111111111', 'cloud-guardrails-remediator').findings,
    ).toEqual([]);
  });

  it('treats accounts outside the files as external unless listed in --internal-accounts', async () => {
    const file = tempFile('acct.json', JSON.stringify(ACCOUNT_FILE));
    const external = JSON.parse((await cli(['analyze', file])).stdout);
    expect(external.roles[0].findings.map((f: any) => f.id)).toEqual([
      'cross-account-no-external-id',
      'account-root-trust',
    ]);
    expect(external.roles[0].principals[0]).toEqual({
      kind: 'account',
      id: '999999999999',
      actions: ['sts:AssumeRole'],
      conditions: [],
    });
    const internal = JSON.parse(
      (
        await cli([
          'analyze',
          '--internal-accounts',
          '999999999999,111111111111',
          file,
        ])
      ).stdout,
    );
    expect(internal.roles[0].findings.map((f: any) => f.id)).toEqual([
      'account-root-trust',
    ]);
  });

  it('prints a table for people', async () => {
    const { code, stdout } = await cli([
      'analyze',
      '--format',
      'table',
      ...sampleFiles,
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ACCOUNT ROLE\s+WORST\s+TRUSTS\s+FINDINGS/);
    expect(stdout).toContain(
      'GitHub Actions in acme/platform-infra on branch main',
    );
    expect(stdout).toMatch(/critical oidc-unrestricted-subject/);
    expect(stdout).toMatch(/\d+ roles; findings: 3 critical, 1 high/);
  });

  it('fails clearly on unreadable or foreign files and bad options', async () => {
    const missing = await cli(['analyze', '/nonexistent/snapshot.json']);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/cannot read \/nonexistent\/snapshot.json/);

    const garbage = await cli(['analyze', tempFile('x.json', '{"Foo": 1}')]);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toMatch(
      /not get-account-authorization-details output/i,
    );

    const truncated = await cli([
      'analyze',
      tempFile('t.json', '{"RoleDetailList": ['),
    ]);
    expect(truncated.code).toBe(2);
    expect(truncated.stderr).toMatch(/Not JSON/);

    expect(
      (await cli(['analyze', '--format', 'xml', sampleFiles[0]])).code,
    ).toBe(2);
    expect(
      (await cli(['analyze', '--internal-accounts', '12', sampleFiles[0]]))
        .stderr,
    ).toMatch(/12-digit/);
    const noFiles = await cli(['analyze']);
    expect(noFiles.code).toBe(2);
    expect(noFiles.stderr).toMatch(/missing required argument/);
  });
});

describe('iam-trust can-assume', () => {
  it('lists the roles a GitHub workflow can assume, including the over-broad ones', async () => {
    const { code, stdout } = await cli([
      'can-assume',
      '--principal',
      'github:acme/payments-api@refs/heads/main',
      ...sampleFiles,
    ]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.principal).toBe('github:acme/payments-api@refs/heads/main');
    const arns = out.roles.map((r: any) => r.arn);
    expect(arns).toContain(
      'arn:aws:iam::111111111111:role/github-actions/gha-ecr-push',
    );
    expect(arns).toContain(
      'arn:aws:iam::111111111111:role/github-actions/gha-shared-ci',
    );
    expect(arns).toContain(
      'arn:aws:iam::222222222222:role/github-actions/gha-load-tests',
    );
    // environment-scoped deploy roles need the production environment, not the main branch
    expect(arns).not.toContain(
      'arn:aws:iam::111111111111:role/github-actions/gha-deploy-production',
    );
    for (const r of out.roles) {
      expect(Object.keys(r)).toEqual(['arn', 'via', 'conditions']);
      expect(r.via).toBe('sts:AssumeRoleWithWebIdentity');
    }
  });

  it('lists "possible, if" roles with the conditions the caller must meet', async () => {
    const out = JSON.parse(
      (await cli(['can-assume', '--principal', '464622532012', ...sampleFiles]))
        .stdout,
    );
    const datadog = out.roles.filter((r: any) =>
      r.arn.endsWith(':role/DatadogIntegrationRole'),
    );
    expect(datadog).toHaveLength(4);
    for (const r of datadog) {
      expect(r.conditions).toEqual([
        {
          operator: 'StringEquals',
          key: 'sts:ExternalId',
          values: [expect.any(String)],
        },
      ]);
    }
  });

  it('lets a tooling role into the deploy roles that name it, and no others', async () => {
    const out = JSON.parse(
      (
        await cli([
          'can-assume',
          '--principal',
          'arn:aws:iam::111111111111:role/github-actions/gha-deploy-production',
          '--format',
          'json',
          ...sampleFiles,
        ])
      ).stdout,
    );
    const allowed = out.roles
      .filter((r: any) => r.conditions.length === 0)
      .map((r: any) => r.arn);
    expect(allowed).toEqual(
      expect.arrayContaining([
        'arn:aws:iam::333333333333:role/deploy/acme-deployer',
        'arn:aws:iam::444444444444:role/deploy/acme-deployer',
      ]),
    );
    expect(allowed).not.toContain(
      'arn:aws:iam::222222222222:role/deploy/acme-deployer',
    );
  });

  it('rejects a bad principal with a readable message', async () => {
    const r = await cli([
      'can-assume',
      '--principal',
      'github:acme',
      ...sampleFiles,
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/github:OWNER\/REPO@REF/);
    expect((await cli(['can-assume', ...sampleFiles])).code).toBe(2);
  });
});

function accountFile(
  roles: Array<{ name: string; policy: unknown; path?: string }>,
  account = '555555555555',
) {
  return JSON.stringify({
    RoleDetailList: roles.map(r => ({
      Path: r.path ?? '/',
      RoleName: r.name,
      RoleId: `AROA${r.name.toUpperCase().replace(/[^A-Z0-9]/g, '')}0000`,
      Arn: `arn:aws:iam::${account}:role${r.path ?? '/'}${r.name}`,
      AssumeRolePolicyDocument: r.policy,
    })),
    UserDetailList: [],
    GroupDetailList: [],
  });
}

describe('iam-trust and issue #11', () => {
  const denyOne = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'sts:AssumeRole',
        Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*' } },
      },
      {
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'sts:AssumeRole',
        Condition: {
          ArnEquals: {
            'aws:PrincipalArn': 'arn:aws:iam::999999999999:role/bad',
          },
        },
      },
    ],
  };
  const pinnedToMain = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: {
          Federated:
            'arn:aws:iam::555555555555:oidc-provider/token.actions.githubusercontent.com',
        },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub':
              'repo:acme/api:environment:production',
          },
        },
      },
    ],
  };

  it('keeps public-trust when a Deny refuses only one role, and a stranger can assume it', async () => {
    const file = tempFile(
      'a.json',
      accountFile([{ name: 'open', policy: denyOne }]),
    );
    const analysis = JSON.parse((await cli(['analyze', file])).stdout);
    expect(analysis.roles[0].findings.map((f: any) => f.id)).toEqual([
      'public-trust',
    ]);
    const out = await cli([
      'can-assume',
      '--principal',
      'arn:aws:iam::333333333333:role/anything',
      file,
    ]);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).roles.map((r: any) => r.arn)).toEqual([
      'arn:aws:iam::555555555555:role/open',
    ]);
    const bad = await cli([
      'can-assume',
      '--principal',
      'arn:aws:iam::999999999999:role/bad',
      file,
    ]);
    expect(JSON.parse(bad.stdout).roles).toEqual([]);
  });

  it('reads the same account twice as one, and says so on stderr', async () => {
    const first = tempFile(
      'first.json',
      accountFile([
        { name: 'open', policy: denyOne },
        { name: 'deploy', policy: pinnedToMain },
      ]),
    );
    const second = tempFile(
      'second.json',
      accountFile([{ name: 'open', policy: denyOne }]),
    );
    const { code, stdout, stderr } = await cli(['analyze', first, second]);
    expect(code).toBe(0);
    expect(
      JSON.parse(stdout)
        .roles.map((r: any) => r.name)
        .sort(),
    ).toEqual(['deploy', 'open']);
    expect(stderr).toMatch(/warning: account 555555555555 was read 2 times/);
    const single = await cli(['analyze', first]);
    expect(single.stderr).toBe('');
  });

  it('answers github:OWNER/REPO without a ref by trying the refs and environments the role names', async () => {
    const file = tempFile(
      'gh.json',
      accountFile([{ name: 'deploy', policy: pinnedToMain }]),
    );
    const { stdout } = await cli([
      'can-assume',
      '--principal',
      'github:acme/api',
      '--format',
      'table',
      file,
    ]);
    expect(stdout).toMatch(
      /role\/deploy\s.*sts:AssumeRoleWithWebIdentity\s+yes/,
    );
    expect(stdout).toMatch(/can assume 1 role\(s\)/);
  });

  it('says "possible, if the certificate\'s CN is …" for Roles Anywhere, never a silent no', async () => {
    const anchor =
      'arn:aws:rolesanywhere:eu-west-1:555555555555:trust-anchor/0a1b2c3d-0000-4000-8000-000000000001';
    const file = tempFile(
      'ra.json',
      accountFile([
        {
          name: 'workload',
          policy: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'rolesanywhere.amazonaws.com' },
                Action: [
                  'sts:AssumeRole',
                  'sts:TagSession',
                  'sts:SetSourceIdentity',
                ],
                Condition: {
                  ArnEquals: { 'aws:SourceArn': anchor },
                  StringEquals: {
                    'aws:PrincipalTag/x509Subject/CN': 'build-agent',
                  },
                },
              },
            ],
          },
        },
      ]),
    );
    const { stdout } = await cli([
      'can-assume',
      '--principal',
      `rolesanywhere:${anchor}`,
      '--format',
      'table',
      file,
    ]);
    expect(stdout).toMatch(/possible, if/);
    expect(stdout).toMatch(/the certificate's subject CN is "build-agent"/);
  });

  it("shows a service-linked role's findings with who can change it", async () => {
    const file = tempFile(
      'slr.json',
      accountFile([
        {
          name: 'AWSServiceRoleForSupport',
          path: '/aws-service-role/support.amazonaws.com/',
          policy: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'support.amazonaws.com' },
                Action: 'sts:AssumeRole',
              },
            ],
          },
        },
      ]),
    );
    const out = JSON.parse((await cli(['analyze', file])).stdout);
    const [finding] = out.roles[0].findings;
    expect(finding.message).toMatch(
      /service-linked role of support\.amazonaws\.com/,
    );
    expect(finding.message).not.toMatch(/Add a condition/);
  });
});

describe('iam-trust can-assume for EKS Pod Identity', () => {
  it('asks as the pods of an association: an unscoped Pod Identity trust lets them in', async () => {
    const { code, stdout } = await cli([
      'can-assume',
      '--principal',
      'pod-identity:arn:aws:eks:eu-west-1:333333333333:cluster/acme-production/observability/fluent-bit',
      ...sampleFiles,
    ]);
    expect(code).toBe(0);
    const arns = JSON.parse(stdout).roles.map((r: any) => r.arn);
    expect(arns).toContain(
      'arn:aws:iam::333333333333:role/eks/log-shipper-pod-identity-production',
    );
    // An IRSA role trusts the cluster's OIDC provider, not Pod Identity.
    expect(arns).not.toContain(
      'arn:aws:iam::333333333333:role/eks/log-shipper-production',
    );
  });
});

describe('iam-trust reach', () => {
  const PROD_DEPLOYER = 'arn:aws:iam::333333333333:role/deploy/acme-deployer';
  const GHA_PROD =
    'arn:aws:iam::111111111111:role/github-actions/gha-deploy-production';

  it('follows role chains from a repository to the roles its CI roles can assume, with each hop', async () => {
    const { code, stdout } = await cli([
      'reach',
      '--principal',
      'github:acme/payments-api',
      ...sampleFiles,
    ]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.maxDepth).toBe(5);
    const direct = out.roles.find((r: any) => r.arn === GHA_PROD);
    expect(direct).toMatchObject({ depth: 1 });
    const chained = out.roles.find((r: any) => r.arn === PROD_DEPLOYER);
    expect(chained).toMatchObject({ depth: 2, outcome: 'allowed' });
    expect(chained.paths[0].hops.map((h: any) => h.arn)).toEqual([
      GHA_PROD,
      PROD_DEPLOYER,
    ]);
    // Shortest first, and no role twice.
    const depths = out.roles.map((r: any) => r.depth);
    expect(depths).toEqual([...depths].sort((a, b) => a - b));
    const arns = out.roles.map((r: any) => r.arn);
    expect(new Set(arns).size).toBe(arns.length);
  });

  it('stops at --max-depth, and says how far it went in the table', async () => {
    const one = JSON.parse(
      (
        await cli([
          'reach',
          '--principal',
          'github:acme/payments-api',
          '--max-depth',
          '1',
          ...sampleFiles,
        ])
      ).stdout,
    );
    expect(one.roles.length).toBeGreaterThan(0);
    expect(one.roles.every((r: any) => r.depth === 1)).toBe(true);
    expect(one.roles.map((r: any) => r.arn)).not.toContain(PROD_DEPLOYER);

    const table = await cli([
      'reach',
      '--principal',
      'github:acme/payments-api',
      '--format',
      'table',
      ...sampleFiles,
    ]);
    expect(table.stdout).toMatch(
      /github:acme\/payments-api reaches \d+ role\(s\) within 5 hop\(s\): \d+ directly, \d+ by role chaining/,
    );
  });

  it('refuses a depth it cannot use', async () => {
    const { code, stderr } = await cli([
      'reach',
      '--principal',
      'service:lambda',
      '--max-depth',
      '0',
      sampleFiles[0],
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--max-depth must be a whole number from 1 to 10/);
  });
});

describe('iam-trust reach with RCPs and Identity Center', () => {
  const EFFECTIVE = join(SAMPLES, 'effective');
  const IDENTITY_CENTER = join(EFFECTIVE, 'identity-center.json');
  const ORGANIZATION = join(EFFECTIVE, 'organization-rcp.json');
  const sso = (account: string, set: string) =>
    new RegExp(
      `^arn:aws:iam::${account}:role/aws-reserved/sso\\.amazonaws\\.com/AWSReservedSSO_${set}_[0-9a-f]{16}$`,
    );

  // The vendor's account may assume vendor-access; the organisation's RCP lets only its own account in.
  const rcpSnapshot = {
    kind: 'aws-organizations-rcp',
    Organization: { Id: 'o-test1234' },
    Policies: [
      {
        Policy: {
          PolicySummary: {
            Id: 'p-perimeter',
            Name: 'only-our-account',
            Type: 'RESOURCE_CONTROL_POLICY',
          },
          Content: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'DenyOutsiders',
                Effect: 'Deny',
                Principal: '*',
                Action: 'sts:AssumeRole',
                Resource: '*',
                Condition: {
                  StringNotEquals: { 'aws:PrincipalAccount': '555555555555' },
                },
              },
            ],
          }),
        },
        Targets: [{ TargetId: 'ou-test-workloads' }],
      },
    ],
    Accounts: [
      { Id: '555555555555', Parents: ['r-test', 'ou-test-workloads'] },
    ],
  };

  it('closes a hop an RCP denies, and names the RCP', async () => {
    const account = tempFile('account.json', JSON.stringify(ACCOUNT_FILE));
    const rcp = tempFile('rcp.json', JSON.stringify(rcpSnapshot));
    const args = ['reach', '--principal', 'arn:aws:iam::999999999999:root'];
    const open = JSON.parse((await cli([...args, account])).stdout);
    expect(open.roles.map((r: any) => r.arn)).toEqual([
      'arn:aws:iam::555555555555:role/vendor-access',
    ]);
    expect(open).not.toHaveProperty('closedByRcp');

    const closed = JSON.parse(
      (await cli([...args, '--organizations', rcp, account])).stdout,
    );
    expect(closed.roles).toEqual([]);
    expect(closed.closedByRcp).toEqual([
      expect.objectContaining({
        from: 'arn:aws:iam::999999999999:root',
        arn: 'arn:aws:iam::555555555555:role/vendor-access',
        policyId: 'p-perimeter',
        policyName: 'only-our-account',
        sid: 'DenyOutsiders',
      }),
    ]);
    const table = await cli([
      ...args,
      '--organizations',
      rcp,
      '--format',
      'table',
      account,
    ]);
    expect(table.stdout).toContain(
      'Closed by RCP only-our-account (p-perimeter, statement DenyOutsiders): arn:aws:iam::999999999999:root → arn:aws:iam::555555555555:role/vendor-access',
    );
  });

  it('reaches from an Identity Center user by email: its roles through its groups and its own assignment, then the chains', async () => {
    const { code, stdout } = await cli([
      'reach',
      '--principal',
      'identity-center-user:jane.doe@acme.example',
      '--identity-center',
      IDENTITY_CENTER,
      '--organizations',
      ORGANIZATION,
      ...sampleFiles,
    ]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    const direct = out.roles.filter((r: any) => r.depth === 1);
    // Platform Engineering: AdministratorAccess in all four accounts and PlatformEngineer in tooling;
    // engineering: ReadOnlyAccess in all four; her own assignment is AdministratorAccess in production.
    expect(direct).toHaveLength(9);
    for (const r of direct) {
      expect(r.paths[0].hops[0].via).toBe('sts:AssumeRoleWithSAML');
    }
    for (const account of [
      '111111111111',
      '222222222222',
      '333333333333',
      '444444444444',
    ]) {
      expect(
        direct.some((r: any) =>
          sso(account, 'AdministratorAccess').test(r.arn),
        ),
      ).toBe(true);
      expect(
        direct.some((r: any) => sso(account, 'ReadOnlyAccess').test(r.arn)),
      ).toBe(true);
    }
    expect(
      direct.some((r: any) =>
        sso('111111111111', 'PlatformEngineer').test(r.arn),
      ),
    ).toBe(true);
    expect(out.identityCenter).toContainEqual({
      accountId: '333333333333',
      permissionSet: 'AdministratorAccess',
      assignedTo: 'user jane.doe',
    });
    // The break-glass role trusts staging's administrators, with MFA: a chain, possible only.
    const breakGlass = out.roles.find((r: any) =>
      r.arn.endsWith(':role/break-glass-admin'),
    );
    expect(breakGlass).toMatchObject({ depth: 2, outcome: 'possible' });
    expect(breakGlass.paths[0].hops[0].arn).toMatch(
      sso('222222222222', 'AdministratorAccess'),
    );
    expect(out.closedByRcp).toEqual([]);
  });

  it('reaches from an Identity Center group: only the assignments of the group itself', async () => {
    const reachAs = (principal: string) =>
      cli([
        'reach',
        '--principal',
        principal,
        '--identity-center',
        IDENTITY_CENTER,
        ...sampleFiles,
      ]);
    const security = JSON.parse(
      (await reachAs('identity-center-group:Security')).stdout,
    );
    expect(
      security.roles.filter((r: any) => r.depth === 1).map((r: any) => r.arn),
    ).toEqual([expect.stringMatching(sso('333333333333', 'SecurityAudit'))]);
    const data = JSON.parse(
      (await reachAs('identity-center-group:data')).stdout,
    );
    expect(
      data.identityCenter.every((g: any) => g.assignedTo === 'group data'),
    ).toBe(true);
  });

  it('refuses an Identity Center principal without its snapshot, an unknown one, or the wrong snapshot', async () => {
    const noFile = await cli([
      'reach',
      '--principal',
      'identity-center-user:jane.doe',
      ...sampleFiles,
    ]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toMatch(
      /needs the Identity Center snapshot \(--identity-center FILE\)/,
    );
    const unknown = await cli([
      'reach',
      '--principal',
      'identity-center-user:nobody',
      '--identity-center',
      IDENTITY_CENTER,
      ...sampleFiles,
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no such user in .*identity-center\.json/);
    const wrong = await cli([
      'reach',
      '--principal',
      'service:lambda',
      '--organizations',
      IDENTITY_CENTER,
      ...sampleFiles,
    ]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(
      /--organizations: .* is an aws-identity-center snapshot, not an aws-organizations-rcp snapshot/,
    );
    const canAssume = await cli([
      'can-assume',
      '--principal',
      'identity-center-group:Security',
      ...sampleFiles,
    ]);
    expect(canAssume.code).toBe(2);
    expect(canAssume.stderr).toMatch(
      /use iam-trust reach --identity-center FILE/,
    );
  });
});

describe('bin/iam-trust', () => {
  it('runs from source and keeps stdout to the JSON document alone', () => {
    const bin = resolve(__dirname, '../bin/iam-trust');
    const stdout = execFileSync(
      process.execPath,
      [bin, 'can-assume', '--principal', 'service:lambda', sampleFiles[0]],
      {
        encoding: 'utf8',
      },
    );
    const out = JSON.parse(stdout);
    expect(out.roles.length).toBeGreaterThan(0);
    const failed = spawnSync(
      process.execPath,
      [bin, 'analyze', '/nonexistent.json'],
      { encoding: 'utf8' },
    );
    expect(failed.status).toBe(2);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toMatch(/cannot read/);
  }, 60_000);
});
