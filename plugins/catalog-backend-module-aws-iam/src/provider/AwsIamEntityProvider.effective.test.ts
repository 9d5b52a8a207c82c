import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  ANNOTATION_KUBERNETES_SERVICE_ACCOUNTS,
  IamRoleEntity,
} from '@backstage-iam/plugin-iam-roles-common';
import { setupServer } from 'msw/node';
import { readAwsIamProviderConfig } from '../config';
import { LiveEffectiveAccessSource } from '../effective/LiveEffectiveAccessSource';
import { FakeCatalogConnection } from '../__testUtils__/fakeCatalog';
import { FakeEks } from '../__testUtils__/fakeEks';
import {
  FakeIam,
  fakeCredentialsManager,
  fastRetryStrategy,
  makeRole,
  trust,
} from '../__testUtils__/fakeIam';
import { FakeIdentityCenter } from '../__testUtils__/fakeIdentityCenter';
import { FakeOrganizations } from '../__testUtils__/fakeOrganizations';
import { LiveAccountsSource } from '../sources/LiveAccountsSource';
import { roleEntityRef } from '../entities/entityName';
import type { MetricsService } from '@backstage/backend-plugin-api/alpha';
import { AwsIamEntityProvider } from './AwsIamEntityProvider';

const ADMIN = '000000000000';
const STAGING = '222222222222';
const PROD = '333333333333';
const PS = 'arn:aws:sso:::permissionSet/ssoins-1111111111111111';
const SSO_ROLE = 'AWSReservedSSO_AdministratorAccess_0123456789abcdef';

const iam = new FakeIam();
const ic = new FakeIdentityCenter();
const eks = new FakeEks();
const org = new FakeOrganizations();
// Organizations first: it answers the RCP calls and lets ListAccounts through to FakeIam.
const server = setupServer(
  ...org.handlers(),
  ...iam.handlers(),
  ...ic.handlers(),
  ...eks.handlers(),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

const podTrust = trust({
  Principal: { Service: 'pods.eks.amazonaws.com' },
  Action: ['sts:AssumeRole', 'sts:TagSession'],
});

function seed() {
  for (const fake of [ic, eks, org]) {
    fake.faults.clear();
  }
  iam.clearFaults();
  iam.setRoles(STAGING, [
    makeRole(STAGING, 'payments-api', podTrust, {
      tags: { owner: 'payments' },
    }),
  ]);
  iam.setRoles(PROD, [
    makeRole(
      PROD,
      SSO_ROLE,
      trust({
        Principal: {
          Federated: `arn:aws:iam::${PROD}:saml-provider/AWSSSO_abc_DO_NOT_DELETE`,
        },
        Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
        Condition: {
          StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' },
        },
      }),
      { path: '/aws-reserved/sso.amazonaws.com/' },
    ),
    makeRole(
      PROD,
      'index-writer',
      trust({
        Principal: { AWS: `arn:aws:iam::${STAGING}:role/payments-api` },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
      }),
    ),
  ]);
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
        [STAGING]: [{ type: 'GROUP', id: 'g-contractors' }],
      },
    },
  ];
  ic.groups = [
    {
      id: 'g-platform',
      displayName: 'Platform',
      members: ['u-alice', 'u-bob'],
    },
    { id: 'g-contractors', displayName: 'Contractors', members: ['u-bob'] },
  ];
  ic.users = [
    {
      id: 'u-alice',
      userName: 'alice',
      emails: [{ Value: 'Alice@Acme.example', Primary: true }],
    },
    { id: 'u-bob', userName: 'bob', emails: [{ Value: 'bob@acme.example' }] },
  ];
  eks.clusters.clear();
  eks.setCluster(STAGING, 'eu-west-1', 'apps', [
    {
      associationId: 'a-1',
      namespace: 'payments',
      serviceAccount: 'api',
      roleArn: `arn:aws:iam::${STAGING}:role/payments-api`,
      targetRoleArn: `arn:aws:iam::${PROD}:role/index-writer`,
    },
    {
      associationId: 'a-2',
      namespace: 'orphans',
      serviceAccount: 'nobody',
      roleArn: `arn:aws:iam::${STAGING}:role/payments-api`,
    },
  ]);
  eks.setCluster(PROD, 'eu-west-1', 'prod', []);
  org.managementAccount = ADMIN;
  org.ous = { [org.rootId]: ['ou-prod', 'ou-work'] };
  org.accounts = { 'ou-prod': [PROD], 'ou-work': [STAGING] };
  org.policies = [
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
          },
        ],
      },
      targets: ['ou-prod'],
    },
    {
      id: 'p-root',
      name: 'root-baseline',
      content: '{"Version":"2012-10-17","Statement":[]}',
      targets: [org.rootId],
    },
  ];
}

const config = readAwsIamProviderConfig(
  'acme',
  new ConfigReader({
    accounts: [STAGING, PROD],
    organizations: { enabled: true, accountId: ADMIN },
    identityCenter: {
      region: 'eu-west-1',
      accountId: ADMIN,
      permissionSets: { AdministratorAccess: 'group:default/sre' },
    },
    eks: { regions: ['eu-west-1'] },
    ownership: { default: 'sre' },
  }),
);

const catalogEntities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'platform', namespace: 'default' },
    spec: { type: 'team', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'sre', namespace: 'default' },
    spec: { type: 'team', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'alice', namespace: 'default' },
    spec: { profile: { email: 'alice@acme.example' }, memberOf: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'payments-api',
      namespace: 'default',
      annotations: { [ANNOTATION_KUBERNETES_SERVICE_ACCOUNTS]: 'payments/api' },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'payments' },
  },
];

/** Keeps counter additions and lets a test scrape the gauges. */
function recordingMetrics() {
  const counters: Array<{ name: string; attributes: Record<string, unknown> }> =
    [];
  const gauges = new Map<string, (result: { observe: Function }) => void>();
  const service = {
    createCounter: (name: string) => ({
      add: (_: number, attributes: Record<string, unknown>) =>
        counters.push({ name, attributes }),
    }),
    createHistogram: () => ({ record: () => {} }),
    createObservableGauge: (name: string) => ({
      addCallback: (callback: any) => gauges.set(name, callback),
    }),
  } as unknown as MetricsService;
  const scrape = (name: string) => {
    const points: Array<{ value: number; attributes: any }> = [];
    gauges.get(name)!({
      observe: (value: number, attributes: any) =>
        points.push({ value, attributes }),
    });
    return points;
  };
  return { service, counters, scrape };
}

function makeProvider(metrics?: MetricsService) {
  const logger = mockServices.logger.mock();
  const common = {
    credentialsManager: fakeCredentialsManager(),
    maxAttempts: 3,
    clientOverrides: { retryStrategy: fastRetryStrategy(3) },
  };
  iam.organizationAccounts.splice(0);
  const provider = AwsIamEntityProvider.create({
    config,
    source: LiveAccountsSource.create({
      ...common,
      accounts: config.accounts!,
      includeManagedPolicies: false,
      maxConcurrentAccounts: 2,
    }),
    effectiveSource: LiveEffectiveAccessSource.create({
      ...common,
      concurrency: 2,
      identityCenter: config.identityCenter,
      eks: config.eks,
      organizationPolicies: config.resourceControlPolicies
        ? { accountId: ADMIN }
        : undefined,
    }),
    logger,
    catalogAccess: {
      catalog: catalogServiceMock({ entities: catalogEntities }),
      auth: mockServices.auth(),
    },
    startupGroupWaitMs: 0,
    metrics,
  });
  return { provider, logger };
}

const roleRef = (account: string, role: string) =>
  roleEntityRef(
    account,
    role,
    `arn:aws:iam::${account}:role${
      role === SSO_ROLE ? '/aws-reserved/sso.amazonaws.com/' : '/'
    }${role}`,
  );

describe('AwsIamEntityProvider with effective access', () => {
  beforeEach(seed);

  it('puts Identity Center assignments, Pod Identity associations and RCPs on the roles, with marked relations', async () => {
    const alice = {
      principalType: 'USER',
      principalId: 'u-alice',
      name: 'alice',
      emails: ['Alice@Acme.example'],
      status: 'matched',
      entityRef: 'user:default/alice',
    };
    const bob = {
      principalType: 'USER',
      principalId: 'u-bob',
      name: 'bob',
      emails: ['bob@acme.example'],
      status: 'unmatched',
    };
    const { provider } = makeProvider();
    const catalog = new FakeCatalogConnection();
    await provider.connect(catalog);
    const summary = await provider.refresh();
    expect(summary.failed).toEqual([]);
    expect(summary.datasets.failed).toEqual([]);
    expect(summary.datasets.updated.map(d => d.key).sort()).toEqual([
      `identity-center:${ADMIN}:eu-west-1`,
      `organization:${ADMIN}`,
      `pod-identity:${STAGING}:eu-west-1:apps`,
      `pod-identity:${PROD}:eu-west-1:prod`,
    ]);
    // The account entity carries its clusters as DescribeCluster told them: IRSA names them.
    expect(
      catalog.get(`resource:default/aws-account-${STAGING}`)?.spec?.eksClusters,
    ).toEqual([
      {
        name: 'apps',
        region: 'eu-west-1',
        arn: `arn:aws:eks:eu-west-1:${STAGING}:cluster/apps`,
        oidcIssuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/IDAPPS',
      },
    ]);

    const sso = catalog.get(roleRef(PROD, SSO_ROLE)) as IamRoleEntity;
    expect(sso.spec.iam.identityCenter).toEqual([
      {
        instanceArn: ic.instanceArn,
        permissionSetArn: `${PS}/ps-admin`,
        permissionSetName: 'AdministratorAccess',
        accountId: PROD,
        principals: [
          {
            principalType: 'GROUP',
            principalId: 'g-contractors',
            name: 'Contractors',
            status: 'unmatched',
            memberCount: 1,
            members: [bob],
          },
          {
            principalType: 'GROUP',
            principalId: 'g-platform',
            name: 'Platform',
            status: 'matched',
            entityRef: 'group:default/platform',
            memberCount: 2,
            // Each member with its own catalog match: the broker answers for a user through its groups.
            members: [alice, bob],
          },
          alice,
        ],
      },
    ]);
    expect(sso.spec.assumableBy).toEqual([
      'group:default/platform',
      'group:default/sre',
      'user:default/alice',
    ]);
    expect(sso.spec.iam.assumableByVia).toEqual([
      { entityRef: 'group:default/platform', via: ['identity-center'] },
      { entityRef: 'group:default/sre', via: ['identity-center-config'] },
      { entityRef: 'user:default/alice', via: ['identity-center'] },
    ]);
    expect(sso.spec.iam.resourceControlPolicies).toEqual([
      expect.objectContaining({
        id: 'p-org-only',
        name: 'deny-outside-org',
        organizationId: org.organizationId,
        attachedTo: ['ou-prod'],
        document: expect.objectContaining({
          Statement: [expect.objectContaining({ Effect: 'Deny' })],
        }),
      }),
      expect.objectContaining({
        id: 'p-root',
        attachedTo: [org.rootId],
        document: { Version: '2012-10-17', Statement: [] },
      }),
    ]);

    const api = catalog.get(roleRef(STAGING, 'payments-api')) as IamRoleEntity;
    expect(api.spec.iam.podIdentityAssociations).toEqual([
      expect.objectContaining({
        clusterName: 'apps',
        namespace: 'orphans',
        serviceAccount: 'nobody',
        as: 'role',
        componentRefs: [],
      }),
      expect.objectContaining({
        accountId: STAGING,
        region: 'eu-west-1',
        clusterName: 'apps',
        namespace: 'payments',
        serviceAccount: 'api',
        associationId: 'a-1',
        as: 'role',
        componentRefs: ['component:default/payments-api'],
      }),
    ]);
    expect(api.spec.assumableBy).toEqual(['component:default/payments-api']);
    expect(api.spec.iam.assumableByVia).toEqual([
      { entityRef: 'component:default/payments-api', via: ['pod-identity'] },
    ]);
    expect(api.metadata.tags).toContain('pod-identity');
    // Staging's RCPs come from the root only.
    expect(api.spec.iam.resourceControlPolicies!.map(p => p.id)).toEqual([
      'p-root',
    ]);

    // The target role of a cross-account association: its pods reach it through the first role.
    const writer = catalog.get(roleRef(PROD, 'index-writer')) as IamRoleEntity;
    expect(writer.spec.iam.podIdentityAssociations).toEqual([
      expect.objectContaining({
        associationId: 'a-1',
        as: 'target',
        targetRoleArn: `arn:aws:iam::${PROD}:role/index-writer`,
      }),
    ]);
    expect(writer.spec.iam.assumableByVia).toEqual([
      { entityRef: 'component:default/payments-api', via: ['pod-identity'] },
      { entityRef: roleRef(STAGING, 'payments-api'), via: ['trust-policy'] },
    ]);
  });

  it('keeps the last good data of each dataset that fails and says which and why', async () => {
    const metrics = recordingMetrics();
    const { provider, logger } = makeProvider(metrics.service);
    const catalog = new FakeCatalogConnection();
    await provider.connect(catalog);
    await provider.refresh();
    const before = catalog.get(roleRef(PROD, SSO_ROLE)) as IamRoleEntity;
    const apiBefore = catalog.get(
      roleRef(STAGING, 'payments-api'),
    ) as IamRoleEntity;

    ic.faults.fail({ op: 'ListGroups', fault: 'denied' });
    eks.faults.fail({
      op: 'DescribePodIdentityAssociation',
      fault: 'throttle',
      scope: 'apps',
    });
    org.faults.fail({ op: 'ListPolicies', fault: 'throttle' });
    // What a good read would now change: nobody holds the permission set any more.
    ic.permissionSets[0].assignments = {};
    const summary = await provider.refresh();

    expect(summary.failed).toEqual([]);
    expect(
      summary.datasets.failed
        .map(f => [f.key, f.lastSuccess !== undefined])
        .sort(),
    ).toEqual([
      [`identity-center:${ADMIN}:eu-west-1`, true],
      [`organization:${ADMIN}`, true],
      [`pod-identity:${STAGING}:eu-west-1:apps`, true],
    ]);
    expect(
      summary.datasets.failed.find(f => f.key.startsWith('identity-center'))!
        .reason,
    ).toMatch(/AccessDeniedException/);
    expect(
      summary.datasets.failed.find(f => f.key.startsWith('pod-identity'))!
        .reason,
    ).toMatch(/ThrottlingException/);
    expect(
      summary.datasets.failed.find(f => f.key.startsWith('organization'))!
        .reason,
    ).toMatch(/TooManyRequestsException/);
    expect(summary.datasets.updated.map(d => d.key)).toEqual([
      `pod-identity:${PROD}:eu-west-1:prod`,
    ]);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        new RegExp(
          `dataset identity-center:${ADMIN}:eu-west-1 NOT updated, its last good data \\(read \\d{4}-.*\\) is kept: Identity Center \\(eu-west-1\\): AccessDeniedException`,
        ),
      ),
    );
    // Each dataset read is counted; a failed one keeps reporting the age of its kept data.
    expect(
      metrics.counters
        .filter(c => c.name === 'catalog.aws_iam.dataset.reads')
        .map(c => `${c.attributes.dataset} ${c.attributes.result}`)
        .filter(c => c.startsWith('identity-center')),
    ).toEqual([
      `identity-center:${ADMIN}:eu-west-1 success`,
      `identity-center:${ADMIN}:eu-west-1 failure`,
    ]);
    expect(
      metrics
        .scrape('catalog.aws_iam.dataset.data_age')
        .map(p => p.attributes.dataset)
        .sort(),
    ).toEqual([
      `identity-center:${ADMIN}:eu-west-1`,
      `organization:${ADMIN}`,
      `pod-identity:${STAGING}:eu-west-1:apps`,
      `pod-identity:${PROD}:eu-west-1:prod`,
    ]);
    const after = catalog.get(roleRef(PROD, SSO_ROLE)) as IamRoleEntity;
    expect(after.spec).toEqual(before.spec);
    expect(
      (catalog.get(roleRef(STAGING, 'payments-api')) as IamRoleEntity).spec,
    ).toEqual(apiBefore.spec);

    // Once it reads again, the change lands.
    ic.faults.clear();
    const third = await provider.refresh();
    expect(third.datasets.updated.map(d => d.key)).toContain(
      `identity-center:${ADMIN}:eu-west-1`,
    );
    const now = catalog.get(roleRef(PROD, SSO_ROLE)) as IamRoleEntity;
    expect(now.spec.iam.identityCenter![0].principals).toEqual([]);
    expect(now.spec.assumableBy).toEqual(['group:default/sre']);
  });
});
