import { setupServer } from 'msw/node';
import {
  fakeCredentialsManager,
  fastRetryStrategy,
} from '../__testUtils__/fakeIam';
import { FakeEks } from '../__testUtils__/fakeEks';
import { FakeIdentityCenter } from '../__testUtils__/fakeIdentityCenter';
import { FakeOrganizations } from '../__testUtils__/fakeOrganizations';
import { LiveEffectiveAccessSource } from './LiveEffectiveAccessSource';
import type {
  DatasetRead,
  IdentityCenterData,
  OrganizationPoliciesData,
  PodIdentityData,
} from './types';

const ADMIN = '000000000000';
const TOOLING = '111111111111';
const STAGING = '222222222222';
const PROD = '333333333333';
const PS = 'arn:aws:sso:::permissionSet/ssoins-1111111111111111';

const ic = new FakeIdentityCenter();
const eks = new FakeEks();
const org = new FakeOrganizations();
const server = setupServer(
  ...ic.handlers(),
  ...eks.handlers(),
  ...org.handlers(),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

function seed() {
  ic.faults.clear();
  eks.faults.clear();
  org.faults.clear();
  ic.permissionSets = [
    {
      arn: `${PS}/ps-admin`,
      name: 'AdministratorAccess',
      assignments: {
        [PROD]: [
          { type: 'GROUP', id: 'g-platform' },
          { type: 'GROUP', id: 'g-contractors' },
          { type: 'USER', id: 'u-alice' },
        ],
        [STAGING]: [{ type: 'GROUP', id: 'g-platform' }],
      },
    },
    {
      arn: `${PS}/ps-readonly`,
      name: 'ReadOnly',
      description: 'Look, do not touch',
      assignments: {
        [TOOLING]: [{ type: 'GROUP', id: 'g-devs' }],
        [STAGING]: [{ type: 'GROUP', id: 'g-devs' }],
        [PROD]: [{ type: 'GROUP', id: 'g-devs' }],
      },
    },
    { arn: `${PS}/ps-unused`, name: 'Unused', assignments: {} },
  ];
  ic.groups = [
    {
      id: 'g-platform',
      displayName: 'platform',
      members: ['u-alice', 'u-bob', 'u-carol'],
    },
    { id: 'g-contractors', displayName: 'Contractors', members: [] },
    { id: 'g-devs', displayName: 'devs', members: ['u-bob'] },
    { id: 'g-nobody', displayName: 'never-assigned', members: ['u-alice'] },
  ];
  ic.users = ['alice', 'bob', 'carol'].map(n => ({
    id: `u-${n}`,
    userName: `${n}@acme.example`,
    emails: [{ Value: `${n}@acme.example`, Primary: true }],
  }));

  eks.clusters.clear();
  eks.setCluster(STAGING, 'eu-west-1', 'apps', [
    {
      associationId: 'a-1',
      namespace: 'payments',
      serviceAccount: 'api',
      roleArn: `arn:aws:iam::${STAGING}:role/payments-api`,
    },
    {
      associationId: 'a-2',
      namespace: 'payments',
      serviceAccount: 'worker',
      roleArn: `arn:aws:iam::${STAGING}:role/payments-worker`,
    },
    {
      associationId: 'a-3',
      namespace: 'search',
      serviceAccount: 'indexer',
      roleArn: `arn:aws:iam::${STAGING}:role/indexer`,
      targetRoleArn: `arn:aws:iam::${PROD}:role/index-writer`,
    },
  ]);
  eks.setCluster(STAGING, 'eu-west-1', 'batch', [
    {
      associationId: 'a-9',
      namespace: 'etl',
      serviceAccount: 'loader',
      roleArn: `arn:aws:iam::${STAGING}:role/loader`,
    },
  ]);
  eks.setCluster(STAGING, 'eu-west-1', 'empty', []);
  eks.setCluster(PROD, 'eu-west-1', 'prod', []);

  org.managementAccount = ADMIN;
  org.ous = { [org.rootId]: ['ou-prod', 'ou-work'], 'ou-work': ['ou-deep'] };
  org.accounts = {
    [org.rootId]: [ADMIN],
    'ou-prod': [PROD],
    'ou-work': [TOOLING],
    'ou-deep': [STAGING],
  };
  org.policies = [
    {
      id: 'p-full',
      name: 'RCPFullAWSAccess',
      awsManaged: true,
      content: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
        ],
      },
      targets: [
        org.rootId,
        'ou-prod',
        'ou-work',
        'ou-deep',
        ADMIN,
        TOOLING,
        STAGING,
        PROD,
      ],
    },
    {
      id: 'p-org-only',
      name: 'deny-outside-org',
      content: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Principal: '*',
            Action: 'sts:AssumeRole',
            Resource: '*',
            Condition: {
              StringNotEqualsIfExists: {
                'aws:PrincipalOrgID': org.organizationId,
              },
            },
          },
        ],
      },
      targets: ['ou-prod'],
    },
    {
      id: 'p-staging',
      name: 'staging-only',
      content: { Version: '2012-10-17', Statement: [] },
      targets: [STAGING],
    },
  ];
  org.otherPolicies = [
    { id: 'p-scp', name: 'FullAWSAccess', content: {}, targets: [org.rootId] },
  ];
}

function source(
  parts: Partial<Parameters<typeof LiveEffectiveAccessSource.create>[0]>,
) {
  return LiveEffectiveAccessSource.create({
    credentialsManager: fakeCredentialsManager(),
    maxAttempts: 3,
    concurrency: 2,
    clientOverrides: { retryStrategy: fastRetryStrategy(3) },
    ...parts,
  });
}

const okData = <T>(d: DatasetRead | undefined) => {
  if (!d?.ok) {
    throw new Error(`dataset failed: ${JSON.stringify(d)}`);
  }
  return d.data as unknown as T;
};

describe('LiveEffectiveAccessSource: Identity Center', () => {
  beforeEach(seed);

  it('reads permission sets, provisioned accounts, assignments, groups, users and memberships across pages', async () => {
    const read = await source({
      identityCenter: { region: 'eu-west-1' },
    }).read({ accountIds: [] });
    expect(read.errors).toEqual([]);
    expect(read.datasets).toHaveLength(1);
    const dataset = read.datasets[0];
    expect(dataset).toMatchObject({
      ok: true,
      key: 'identity-center:main:eu-west-1',
    });
    const data = okData<IdentityCenterData>(dataset);
    expect(data.instanceArn).toBe(ic.instanceArn);
    expect(data.permissionSets.map(p => p.name)).toEqual([
      'AdministratorAccess',
      'ReadOnly',
      'Unused',
    ]);
    expect(data.permissionSets[1].description).toBe('Look, do not touch');
    // 3 ReadOnly accounts cross a page of ListAccountsForProvisionedPermissionSet; 3 prod admin principals cross one of ListAccountAssignments.
    expect(
      data.assignments
        .filter(a => a.accountId === PROD)
        .map(
          a =>
            `${a.permissionSetArn.split('/').pop()} ${a.principalType} ${
              a.principalId
            }`,
        )
        .sort(),
    ).toEqual([
      'ps-admin GROUP g-contractors',
      'ps-admin GROUP g-platform',
      'ps-admin USER u-alice',
      'ps-readonly GROUP g-devs',
    ]);
    expect(data.assignments).toHaveLength(7);
    expect(data.groups.map(g => [g.id, g.memberIds])).toEqual([
      ['g-platform', ['u-alice', 'u-bob', 'u-carol']],
      ['g-contractors', []],
      ['g-devs', ['u-bob']],
      // Not assigned anywhere: its memberships are not read.
      ['g-nobody', undefined],
    ]);
    expect(data.users.map(u => [u.userName, u.emails])).toEqual([
      ['alice@acme.example', ['alice@acme.example']],
      ['bob@acme.example', ['bob@acme.example']],
      ['carol@acme.example', ['carol@acme.example']],
    ]);
    expect(ic.faults.callCount('ListGroupMemberships')).toBe(
      // g-platform has 3 members: 2 pages; g-contractors and g-devs 1 each; g-nobody none.
      4,
    );
    expect(dataset.ok && dataset.calls).toBe(ic.faults.callCount());
    // The floor, with pages of two: ListInstances 1 + ListPermissionSets 2 + DescribePermissionSet 3
    // + ListAccountsForProvisionedPermissionSet 1+2+1 + ListAccountAssignments 6 + ListGroups 2
    // + ListUsers 2 + ListGroupMemberships 4 (assigned groups only).
    expect(ic.faults.callCount()).toBe(1 + 2 + 3 + 4 + 6 + 2 + 2 + 4);
  });

  it('retries ThrottlingException with the SDK and still reads everything', async () => {
    ic.faults.fail({
      op: 'ListAccountAssignments',
      fault: 'throttle',
      page: 1,
      times: 2,
    });
    ic.faults.fail({ op: 'ListUsers', fault: 'throttle', times: 1 });
    const read = await source({ identityCenter: { region: 'eu-west-1' } }).read(
      {
        accountIds: [],
      },
    );
    const data = okData<IdentityCenterData>(read.datasets[0]);
    expect(data.assignments).toHaveLength(7);
    expect(data.users).toHaveLength(3);
    // 6 pages of assignments (admin: 2 for prod, 1 for staging; read-only: 1 per account) + 2 retries.
    expect(ic.faults.callCount('ListAccountAssignments')).toBe(6 + 2);
    expect(ic.faults.callCount('ListUsers')).toBe(2 + 1);
  });

  it('fails the dataset with the reason when access is denied, and when throttling outlasts the retries', async () => {
    const denied = await source({
      identityCenter: { region: 'eu-west-1', accountId: TOOLING },
    }).read({ accountIds: [] });
    expect(denied.datasets).toEqual([
      {
        ok: false,
        key: `identity-center:${TOOLING}:eu-west-1`,
        reason: expect.stringMatching(
          /^Identity Center \(eu-west-1\): AccessDeniedException: account 111111111111 is not the Identity Center administrator/,
        ),
      },
    ]);
    ic.faults.fail({
      op: 'ListGroupMemberships',
      fault: 'throttle',
      scope: 'g-devs',
    });
    const throttled = await source({
      identityCenter: { region: 'eu-west-1' },
    }).read({
      accountIds: [],
    });
    expect(throttled.datasets[0]).toMatchObject({
      ok: false,
      reason: expect.stringContaining('ThrottlingException'),
    });
  });

  it('fails when the configured instance is not among those the credentials see', async () => {
    const read = await source({
      identityCenter: {
        region: 'eu-west-1',
        instanceArn: 'arn:aws:sso:::instance/ssoins-other',
      },
    }).read({ accountIds: [] });
    expect(read.datasets[0]).toMatchObject({
      ok: false,
      reason: expect.stringContaining(
        'ssoins-other is not among the 1 instances',
      ),
    });
  });
});

describe('LiveEffectiveAccessSource: EKS Pod Identity', () => {
  beforeEach(seed);

  it('lists clusters and describes every association (the list has no role), one dataset per cluster', async () => {
    const read = await source({ eks: { regions: ['eu-west-1'] } }).read({
      accountIds: [STAGING, PROD],
    });
    expect(read.errors).toEqual([]);
    expect(read.datasets.map(d => [d.key, d.ok])).toEqual([
      [`pod-identity:${STAGING}:eu-west-1:apps`, true],
      [`pod-identity:${STAGING}:eu-west-1:batch`, true],
      [`pod-identity:${STAGING}:eu-west-1:empty`, true],
      [`pod-identity:${PROD}:eu-west-1:prod`, true],
    ]);
    const apps = okData<PodIdentityData>(read.datasets[0]);
    expect(apps).toMatchObject({
      accountId: STAGING,
      region: 'eu-west-1',
      clusters: ['apps'],
      // DescribeCluster: the OIDC issuer IRSA roles trust, so they can name the cluster.
      clusterDetails: [
        {
          name: 'apps',
          arn: `arn:aws:eks:eu-west-1:${STAGING}:cluster/apps`,
          oidcIssuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/IDAPPS',
        },
      ],
    });
    expect(apps.associations).toEqual([
      expect.objectContaining({
        associationId: 'a-1',
        clusterName: 'apps',
        namespace: 'payments',
        serviceAccount: 'api',
        roleArn: `arn:aws:iam::${STAGING}:role/payments-api`,
      }),
      expect.objectContaining({
        associationId: 'a-2',
        roleArn: `arn:aws:iam::${STAGING}:role/payments-worker`,
      }),
      expect.objectContaining({
        associationId: 'a-3',
        targetRoleArn: `arn:aws:iam::${PROD}:role/index-writer`,
      }),
    ]);
    // 3 clusters in staging cross a ListClusters page; 3 associations cross a list page.
    expect(eks.faults.callCount('ListClusters')).toBe(2 + 1);
    expect(eks.faults.callCount('ListPodIdentityAssociations')).toBe(
      2 + 1 + 1 + 1,
    );
    expect(eks.faults.callCount('DescribePodIdentityAssociation')).toBe(4);
    expect(eks.faults.callCount('DescribeCluster')).toBe(4);
    // Every call counted once: list pages, describes, associations.
    expect(
      read.datasets.reduce((n, d) => n + (d.ok ? d.calls ?? 0 : 0), 0),
    ).toBe(eks.faults.callCount());
  });

  it('reads the other clusters and every association when DescribeCluster is denied, keeping the last answer', async () => {
    eks.faults.fail({ op: 'DescribeCluster', fault: 'throttle', times: 2 });
    eks.faults.fail({ op: 'DescribeCluster', fault: 'denied', scope: 'batch' });
    const live = source({ eks: { regions: ['eu-west-1'] } });
    const first = await live.read({ accountIds: [STAGING] });
    expect(first.datasets.map(d => [d.key.split(':').pop(), d.ok])).toEqual([
      ['apps', true],
      ['batch', true],
      ['empty', true],
    ]);
    const batch = okData<PodIdentityData>(first.datasets[1]);
    expect(batch.clusters).toEqual(['batch']);
    expect(batch.clusterDetails).toBeUndefined();
    expect(batch.associations).toHaveLength(1);
    expect(
      okData<PodIdentityData>(first.datasets[0]).clusterDetails,
    ).toHaveLength(1);
    expect(first.errors).toEqual([
      expect.stringMatching(
        /^EKS DescribeCluster of batch \(account 222222222222, eu-west-1\) failed, its IRSA roles name it by OIDC issuer id only: AccessDeniedException/,
      ),
    ]);

    eks.faults.clear();
    await live.read({ accountIds: [STAGING] });
    eks.faults.fail({ op: 'DescribeCluster', fault: 'denied' });
    const third = await live.read({ accountIds: [STAGING] });
    expect(third.datasets.every(d => d.ok)).toBe(true);
    expect(okData<PodIdentityData>(third.datasets[1]).clusterDetails).toEqual([
      {
        name: 'batch',
        arn: `arn:aws:eks:eu-west-1:${STAGING}:cluster/batch`,
        oidcIssuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/IDBATCH',
      },
    ]);
    expect(third.errors).toHaveLength(3);
    expect(third.errors[1]).toMatch(
      /^EKS DescribeCluster of batch \(account 222222222222, eu-west-1\) failed, keeping its name and OIDC issuer read last time: AccessDeniedException/,
    );
  });

  it('reads only the configured clusters without ListClusters, and only the configured accounts', async () => {
    const read = await source({
      eks: { regions: ['eu-west-1'], clusters: ['batch'], accounts: [STAGING] },
    }).read({ accountIds: [TOOLING, STAGING, PROD] });
    expect(read.datasets.map(d => d.key)).toEqual([
      `pod-identity:${STAGING}:eu-west-1:batch`,
    ]);
    expect(eks.faults.callCount('ListClusters')).toBe(0);
  });

  it('retries throttling (HTTP 429), fails one denied cluster alone and keeps the clusters of a failed ListClusters', async () => {
    eks.faults.fail({
      op: 'DescribePodIdentityAssociation',
      fault: 'throttle',
      times: 2,
    });
    eks.faults.fail({
      op: 'ListPodIdentityAssociations',
      fault: 'denied',
      scope: 'batch',
    });
    const live = source({ eks: { regions: ['eu-west-1'] } });
    const first = await live.read({ accountIds: [STAGING] });
    expect(first.datasets.map(d => [d.key.split(':').pop(), d.ok])).toEqual([
      ['apps', true],
      ['batch', false],
      ['empty', true],
    ]);
    expect(first.datasets[1]).toMatchObject({
      reason: expect.stringMatching(
        /^EKS cluster batch \(account 222222222222, eu-west-1\): AccessDeniedException/,
      ),
    });
    expect(
      okData<PodIdentityData>(first.datasets[0]).associations,
    ).toHaveLength(3);

    eks.faults.clear();
    eks.faults.fail({ op: 'ListClusters', fault: 'denied' });
    const second = await live.read({ accountIds: [STAGING] });
    expect(second.errors).toEqual([
      expect.stringMatching(
        /^EKS ListClusters in account 222222222222, eu-west-1 failed, keeping the Pod Identity associations of the 3 clusters found last time: AccessDeniedException/,
      ),
    ]);
    expect(second.datasets.map(d => [d.key.split(':').pop(), d.ok])).toEqual([
      ['apps', false],
      ['batch', false],
      ['empty', false],
    ]);
  });
});

describe('LiveEffectiveAccessSource: Organizations RCPs', () => {
  beforeEach(seed);

  it('reads the RCPs (not SCPs), their targets across pages, and each account’s path from the root', async () => {
    const read = await source({ organizationPolicies: {} }).read({
      accountIds: [],
    });
    expect(read.errors).toEqual([]);
    const data = okData<OrganizationPoliciesData>(read.datasets[0]);
    expect(read.datasets[0].key).toBe('organization:main');
    expect(data.organizationId).toBe(org.organizationId);
    expect(data.policies.map(p => [p.id, p.name, p.targets.length])).toEqual([
      ['p-full', 'RCPFullAWSAccess', 8],
      ['p-org-only', 'deny-outside-org', 1],
      ['p-staging', 'staging-only', 1],
    ]);
    expect(data.policies[0].awsManaged).toBe(true);
    expect(data.policies[1].document).toMatchObject({
      Statement: [{ Effect: 'Deny', Action: 'sts:AssumeRole' }],
    });
    expect(data.accountParents).toEqual({
      [ADMIN]: [org.rootId],
      [PROD]: [org.rootId, 'ou-prod'],
      [TOOLING]: [org.rootId, 'ou-work'],
      [STAGING]: [org.rootId, 'ou-work', 'ou-deep'],
    });
    expect(org.faults.callCount('ListPolicies')).toBe(2);
    expect(org.faults.callCount('DescribePolicy')).toBe(3);
  });

  it('retries TooManyRequestsException, and fails the dataset on access denied', async () => {
    org.faults.fail({
      op: 'ListTargetsForPolicy',
      fault: 'throttle',
      times: 2,
    });
    const ok = await source({ organizationPolicies: {} }).read({
      accountIds: [],
    });
    expect(
      okData<OrganizationPoliciesData>(ok.datasets[0]).policies,
    ).toHaveLength(3);

    const denied = await source({
      organizationPolicies: { accountId: TOOLING },
    }).read({
      accountIds: [],
    });
    expect(denied.datasets).toEqual([
      {
        ok: false,
        key: `organization:${TOOLING}`,
        reason: expect.stringMatching(
          /^Organizations RCPs: AccessDeniedException/,
        ),
      },
    ]);
  });
});
