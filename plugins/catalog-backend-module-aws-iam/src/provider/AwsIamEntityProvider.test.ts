import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { setupServer } from 'msw/node';
import { readAwsIamProviderConfig } from '../config';
import { FakeCatalogConnection } from '../__testUtils__/fakeCatalog';
import {
  FakeIam,
  fakeCredentialsManager,
  fastRetryStrategy,
  makeRole,
  trust,
} from '../__testUtils__/fakeIam';
import { LiveAccountsSource } from '../sources/LiveAccountsSource';
import type { MetricsService } from '@backstage/backend-plugin-api/alpha';
import { AwsIamEntityProvider } from './AwsIamEntityProvider';

const TOOLING = '111111111111';
const STAGING = '222222222222';
const PROD = '333333333333';

const fake = new FakeIam();
const server = setupServer(...fake.handlers());
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

function seed() {
  fake.clearFaults();
  fake.resetCalls();
  fake.setRoles(TOOLING, [
    makeRole(
      TOOLING,
      'ci-deployer',
      trust({
        Principal: { Service: 'codebuild.amazonaws.com' },
        Action: 'sts:AssumeRole',
      }),
      {
        tags: { owner: 'platform' },
      },
    ),
    makeRole(
      TOOLING,
      'legacy-job',
      trust({
        Principal: { Service: 'ec2.amazonaws.com' },
        Action: 'sts:AssumeRole',
      }),
      {
        tags: { team: 'Payments Team' },
      },
    ),
  ]);
  fake.setRoles(STAGING, [
    makeRole(
      STAGING,
      'app-deploy',
      trust({
        Principal: { AWS: `arn:aws:iam::${TOOLING}:role/ci-deployer` },
        Action: 'sts:AssumeRole',
      }),
      {
        tags: {
          owner: 'platform',
          system: 'payments-platform',
          component: 'payments-api',
        },
        lastUsed: { date: '2026-11-20T09:30:00Z', region: 'eu-west-1' },
        attached: [
          {
            name: 'PowerUserAccess',
            arn: 'arn:aws:iam::aws:policy/PowerUserAccess',
          },
        ],
        inlinePolicyNames: ['deploy-extras'],
        boundary: `arn:aws:iam::${STAGING}:policy/deploy-boundary`,
      },
    ),
    makeRole(
      STAGING,
      'break-glass',
      trust({
        Principal: { AWS: `arn:aws:iam::${TOOLING}:root` },
        Action: 'sts:AssumeRole',
      }),
      {
        tags: { owner: 'sre' },
      },
    ),
    ...Array.from({ length: 1200 }, (_, i) =>
      makeRole(
        STAGING,
        `svc-${String(i).padStart(4, '0')}`,
        trust({
          Principal: { Service: 'lambda.amazonaws.com' },
          Action: 'sts:AssumeRole',
        }),
        { path: '/service-role/' },
      ),
    ),
  ]);
  fake.setRoles(PROD, [
    makeRole(
      PROD,
      'AWSReservedSSO_AdministratorAccess_0123456789abcdef',
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
      'vendor-audit',
      trust({
        Principal: { AWS: 'arn:aws:iam::999999999999:root' },
        Action: 'sts:AssumeRole',
      }),
      {
        tags: { owner: 'security' },
      },
    ),
    makeRole(
      PROD,
      'payments-api',
      trust({
        Principal: { Service: 'ecs-tasks.amazonaws.com' },
        Action: 'sts:AssumeRole',
      }),
      {
        tags: { owner: 'payments' },
      },
    ),
  ]);
}

const providerConfig = readAwsIamProviderConfig(
  'acme',
  new ConfigReader({
    accounts: [
      { accountId: TOOLING, name: 'tooling' },
      { accountId: STAGING, name: 'staging' },
      { accountId: PROD, name: 'production', owner: 'platform' },
    ],
    maxConcurrentAccounts: 2,
    ownership: {
      tagKeys: ['owner', 'team'],
      rules: [{ pathPrefix: '/service-role/', owner: 'platform' }],
      default: 'sre',
      aliases: { 'Payments Team': 'payments' },
    },
    identityCenter: {
      permissionSets: { AdministratorAccess: 'group:default/platform' },
    },
  }),
);

/** A metrics service that keeps what it is told, and lets a test read the gauges as a scrape would. */
function recordingMetrics() {
  type Point = { value: number; attributes: Record<string, unknown> };
  const counters = new Map<string, Point[]>();
  const histograms = new Map<string, Point[]>();
  const gauges = new Map<
    string,
    (result: { observe(value: number, attributes: any): void }) => void
  >();
  const keep = (map: Map<string, Point[]>, name: string) => ({
    add: (value: number, attributes: Record<string, unknown>) =>
      map.set(name, [...(map.get(name) ?? []), { value, attributes }]),
  });
  const service = {
    createCounter: (name: string) => keep(counters, name),
    createHistogram: (name: string) => ({ record: keep(histograms, name).add }),
    createObservableGauge: (name: string) => ({
      addCallback: (callback: any) => gauges.set(name, callback),
      removeCallback: () => {},
    }),
  } as unknown as MetricsService;
  const scrape = (name: string) => {
    const points: Point[] = [];
    gauges.get(name)!({
      observe: (value, attributes) => points.push({ value, attributes }),
    });
    return points;
  };
  return { service, counters, histograms, scrape };
}

function makeProvider(
  options: {
    catalog?: ReturnType<typeof catalogServiceMock>;
    metrics?: MetricsService;
  } = {},
) {
  const logger = mockServices.logger.mock();
  const source = LiveAccountsSource.create({
    credentialsManager: fakeCredentialsManager(),
    accounts: providerConfig.accounts!,
    includeManagedPolicies: false,
    maxConcurrentAccounts: providerConfig.maxConcurrentAccounts,
    maxAttempts: 3,
    clientOverrides: { retryStrategy: fastRetryStrategy(3) },
  });
  const provider = AwsIamEntityProvider.create({
    config: providerConfig,
    source,
    logger,
    catalogAccess: options.catalog
      ? { catalog: options.catalog, auth: mockServices.auth() }
      : undefined,
    startupGroupWaitMs: 0,
    metrics: options.metrics,
  });
  return { provider, logger };
}

const ref = (account: string, role: string) =>
  `resource:default/${account}-${role}`.toLowerCase();

describe('AwsIamEntityProvider', () => {
  beforeEach(seed);

  it('waits on its first run for the catalog groups, so owner tags are checked from the start', async () => {
    const groups = catalogServiceMock.mock({
      getEntities: jest
        .fn()
        .mockResolvedValueOnce({ items: [] })
        .mockResolvedValue({
          items: ['platform', 'sre', 'security'].map(name => ({
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Group',
            metadata: { name, namespace: 'default' },
          })),
        }),
    });
    const provider = AwsIamEntityProvider.create({
      config: providerConfig,
      source: {
        describe: () => 'one role',
        read: async () => ({
          accounts: [
            {
              accountId: TOOLING,
              location: 'test',
              readAt: '2026-11-29T00:00:00.000Z',
              roles: [
                {
                  arn: `arn:aws:iam::${TOOLING}:role/cost`,
                  accountId: TOOLING,
                  roleName: 'cost',
                  roleId: 'AROACOST',
                  path: '/',
                  assumeRolePolicyDocument: trust({
                    Principal: { Service: 'ec2.amazonaws.com' },
                    Action: 'sts:AssumeRole',
                  }),
                  tags: { owner: 'finops' },
                  attachedManagedPolicies: [],
                  inlinePolicyNames: [],
                },
              ],
            },
          ],
          failures: [],
          complete: true,
          accountNames: {},
          errors: [],
        }),
      },
      logger: mockServices.logger.mock(),
      catalogAccess: { catalog: groups, auth: mockServices.auth() },
    });
    const catalog = new FakeCatalogConnection();
    await provider.connect(catalog);
    await provider.refresh();
    // The unknown "finops" falls back to the default instead of becoming a group of its own.
    expect(catalog.get(ref(TOOLING, 'cost'))!.spec!.owner).toBe(
      'group:default/sre',
    );
  });

  it('turns every role of every account into an owned, related entity in one read per page', async () => {
    const { provider } = makeProvider();
    const catalog = new FakeCatalogConnection();
    await provider.connect(catalog);
    const summary = await provider.refresh();

    expect(summary.failed).toEqual([]);
    expect(summary.updated.map(u => [u.accountId, u.roles, u.calls])).toEqual([
      [TOOLING, 2, 1],
      [STAGING, 1202, 2],
      [PROD, 3, 1],
    ]);
    expect(catalog.entities.size).toBe(3 + 2 + 1202 + 3);

    const deploy = catalog.get(ref(STAGING, 'app-deploy'))!;
    expect(deploy.metadata).toMatchObject({
      name: `${STAGING}-app-deploy`,
      title: 'app-deploy',
      annotations: {
        'amazonaws.com/arn': `arn:aws:iam::${STAGING}:role/app-deploy`,
        'amazonaws.com/account-id': STAGING,
        'backstage.io/view-url':
          'https://console.aws.amazon.com/iam/home#/roles/details/app-deploy',
        'backstage.io/managed-by-location': `aws-iam-account:${STAGING}`,
        'iam-roles.backstage-iam.io/owner-source': 'tag:owner',
      },
    });
    expect(deploy.metadata.annotations!['amazonaws.com/iam-role-id']).toMatch(
      /^AROA/,
    );
    expect(deploy.spec).toMatchObject({
      type: 'aws-iam-role',
      owner: 'group:default/platform',
      system: 'system:default/payments-platform',
      dependencyOf: ['component:default/payments-api'],
      dependsOn: [`resource:default/aws-account-${STAGING}`],
      assumableBy: [ref(TOOLING, 'ci-deployer')],
      iam: {
        arn: `arn:aws:iam::${STAGING}:role/app-deploy`,
        accountId: STAGING,
        roleName: 'app-deploy',
        path: '/',
        lastUsed: { date: '2026-11-20T09:30:00.000Z', region: 'eu-west-1' },
        createDate: '2024-03-01T10:00:00.000Z',
        attachedManagedPolicies: [
          {
            name: 'PowerUserAccess',
            arn: 'arn:aws:iam::aws:policy/PowerUserAccess',
          },
        ],
        inlinePolicyNames: ['deploy-extras'],
        permissionsBoundary: `arn:aws:iam::${STAGING}:policy/deploy-boundary`,
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${TOOLING}:role/ci-deployer` },
              Action: 'sts:AssumeRole',
            },
          ],
        },
      },
    });

    // Trust from a whole account points at the account entity; Identity Center roles at groups.
    expect(catalog.get(ref(STAGING, 'break-glass'))!.spec!.assumableBy).toEqual(
      [`resource:default/aws-account-${TOOLING}`],
    );
    const sso = catalog
      .ofAccount(PROD)
      .find(e => e.metadata.title?.startsWith('AWSReservedSSO_'))!;
    // 64 characters with the account: shortened, with a hash.
    expect(sso.metadata.name).toMatch(
      /^333333333333-AWSReservedSSO_AdministratorAccess_[0-9a-f]*-[0-9a-f]{8}$/,
    );
    expect(sso.metadata.name).toHaveLength(63);
    expect(sso.spec!.assumableBy).toEqual(['group:default/platform']);
    expect(
      sso.metadata.annotations!['iam-roles.backstage-iam.io/permission-set'],
    ).toBe('AdministratorAccess');

    // Owners: alias, path rule, configured account owner.
    expect(catalog.get(ref(TOOLING, 'legacy-job'))!.spec!.owner).toBe(
      'group:default/payments',
    );
    expect(catalog.get(ref(STAGING, 'svc-0001'))!.spec!.owner).toBe(
      'group:default/platform',
    );
    expect(catalog.get(`resource:default/aws-account-${PROD}`)!.spec).toEqual({
      type: 'aws-account',
      owner: 'group:default/platform',
    });
    expect(
      catalog.get(`resource:default/aws-account-${PROD}`)!.metadata.title,
    ).toBe('AWS account production (333333333333)');

    // A vendor account outside the organisation without an ExternalId is a finding.
    const vendor = catalog.get(ref(PROD, 'vendor-audit'))!;
    expect((vendor.spec!.iam as any).findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: 'cross-account-no-external-id',
          severity: 'medium',
          // The whole finding is recorded, so the broker and the UI show this one, not their own.
          message: expect.stringContaining('sts:ExternalId'),
          statementIndex: expect.any(Number),
        }),
      ]),
    );
    expect(vendor.metadata.labels!['iam-roles.backstage-iam.io/risk']).toBe(
      (vendor.spec!.iam as any).risk,
    );
  });

  it('keeps every entity of an account that fails mid-pagination while the others update', async () => {
    const { provider, logger } = makeProvider();
    const catalog = new FakeCatalogConnection();
    await provider.connect(catalog);
    await provider.refresh();
    const stagingBefore = catalog.ofAccount(STAGING);
    expect(stagingBefore).toHaveLength(1203);

    // Tooling loses a role, production gains one, staging is throttled on its second page for good.
    fake.setRoles(
      TOOLING,
      fake.accounts.get(TOOLING)!.filter(r => r.roleName !== 'legacy-job'),
    );
    fake.setRoles(PROD, [
      ...fake.accounts.get(PROD)!,
      makeRole(
        PROD,
        'new-role',
        trust({
          Principal: { Service: 'lambda.amazonaws.com' },
          Action: 'sts:AssumeRole',
        }),
      ),
    ]);
    fake.setRoles(STAGING, fake.accounts.get(STAGING)!.slice(0, 5));
    fake.fail(STAGING, {
      action: 'GetAccountAuthorizationDetails',
      page: 1,
      fault: 'Throttling',
    });
    fake.setRoles(STAGING, [
      ...fake.accounts.get(STAGING)!,
      ...stagingRolesAgain(),
    ]);

    const summary = await provider.refresh();
    expect(summary.failed).toEqual([
      expect.objectContaining({
        accountId: STAGING,
        reason: expect.stringContaining('Throttling'),
      }),
    ]);
    expect(summary.failed[0].lastSuccess).toMatch(/^\d{4}-/);
    expect(summary.updated.map(u => u.accountId)).toEqual([TOOLING, PROD]);

    const mutation = catalog.lastMutation();
    expect(mutation.type).toBe('delta');
    if (mutation.type !== 'delta') throw new Error('unreachable');
    expect(mutation.removed).toEqual([
      {
        entityRef: ref(TOOLING, 'legacy-job'),
        locationKey: 'aws-iam-provider:acme',
      },
    ]);
    expect(
      mutation.added.some(
        a =>
          a.entity.metadata.annotations!['amazonaws.com/account-id'] ===
          STAGING,
      ),
    ).toBe(false);

    expect(catalog.ofAccount(STAGING)).toEqual(stagingBefore);
    expect(catalog.get(ref(TOOLING, 'legacy-job'))).toBeUndefined();
    expect(catalog.get(ref(PROD, 'new-role'))).toBeDefined();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /account 222222222222 NOT updated, its entities are kept \(last successful read \d{4}-.*Throttling/,
      ),
    );

    // Once staging reads completely again, it is replaced (the roles dropped meanwhile go).
    fake.clearFaults();
    fake.setRoles(STAGING, fake.accounts.get(STAGING)!.slice(0, 5));
    const recovered = await provider.refresh();
    expect(recovered.failed).toEqual([]);
    expect(catalog.ofAccount(STAGING)).toHaveLength(6);
  });

  it("reads GovCloud accounts through the partition's own endpoint and links its own console", async () => {
    const GOV = '444444444444';
    fake.setRoles(GOV, [
      makeRole(
        GOV,
        'gov-deploy',
        trust({
          Principal: { AWS: `arn:aws-us-gov:iam::${GOV}:root` },
          Action: 'sts:AssumeRole',
        }),
        { arn: `arn:aws-us-gov:iam::${GOV}:role/gov-deploy` },
      ),
    ]);
    const config = readAwsIamProviderConfig(
      'gov',
      new ConfigReader({ partition: 'aws-us-gov', accounts: [GOV] }),
    );
    const provider = AwsIamEntityProvider.create({
      config,
      source: LiveAccountsSource.create({
        credentialsManager: fakeCredentialsManager(),
        accounts: config.accounts!,
        includeManagedPolicies: false,
        maxConcurrentAccounts: 1,
        maxAttempts: 3,
        partition: config.partition,
        clientOverrides: { retryStrategy: fastRetryStrategy(3) },
      }),
      logger: mockServices.logger.mock(),
      startupGroupWaitMs: 0,
    });
    const catalog = new FakeCatalogConnection();
    await provider.connect(catalog);
    fake.iamHosts.clear();
    const summary = await provider.refresh();

    expect(summary.failed).toEqual([]);
    expect([...fake.iamHosts]).toEqual(['iam.us-gov.amazonaws.com']);
    const role = catalog.get(`resource:default/${GOV}-gov-deploy`)!;
    expect(role.metadata.annotations).toMatchObject({
      'amazonaws.com/arn': `arn:aws-us-gov:iam::${GOV}:role/gov-deploy`,
      'backstage.io/view-url':
        'https://console.amazonaws-us-gov.com/iam/home#/roles/details/gov-deploy',
    });
    expect(
      catalog.get(`resource:default/aws-account-${GOV}`)!.metadata.annotations![
        'amazonaws.com/arn'
      ],
    ).toBe(`arn:aws-us-gov:iam::${GOV}:root`);
  });

  it('emits exactly the same entities when nothing changed in AWS, so the catalog writes none', async () => {
    const { provider } = makeProvider();
    const catalog = new FakeCatalogConnection();
    await provider.connect(catalog);
    await provider.refresh();
    const first = new Map(
      [...catalog.entities].map(([key, e]) => [key, JSON.stringify(e)]),
    );
    await new Promise(resolve => setTimeout(resolve, 5));
    await provider.refresh();
    const second = catalog.lastMutation();
    expect(second.type).toBe('delta');
    const added = second.type === 'delta' ? second.added : [];
    // Every entity again (the catalog compares hashes and writes only what differs), none different.
    expect(added).toHaveLength(first.size);
    expect(
      [...catalog.entities]
        .filter(([key, e]) => first.get(key) !== JSON.stringify(e))
        .map(([key]) => key),
    ).toEqual([]);
  });

  it("reports reads, failed accounts, role counts and the age of each account's data as metrics", async () => {
    const metrics = recordingMetrics();
    const { provider } = makeProvider({ metrics: metrics.service });
    await expect(provider.refresh()).rejects.toThrow(/not connected/);
    expect(metrics.counters.get('catalog.aws_iam.refreshes')).toEqual([
      { value: 1, attributes: { provider: 'acme', result: 'failure' } },
    ]);

    const catalog = new FakeCatalogConnection();
    await provider.connect(catalog);
    await provider.refresh();
    fake.fail(STAGING, {
      action: 'GetAccountAuthorizationDetails',
      page: 0,
      fault: 'AccessDenied',
    });
    await provider.refresh();

    const reads = metrics.counters.get('catalog.aws_iam.account.reads')!;
    const count = (account: string, result: string) =>
      reads.filter(
        r => r.attributes.account === account && r.attributes.result === result,
      ).length;
    expect([count(TOOLING, 'success'), count(TOOLING, 'failure')]).toEqual([
      2, 0,
    ]);
    expect([count(STAGING, 'success'), count(STAGING, 'failure')]).toEqual([
      1, 1,
    ]);
    expect(
      metrics.counters
        .get('catalog.aws_iam.refreshes')!
        .map(r => r.attributes.result),
    ).toEqual(['failure', 'success', 'partial']);
    expect(
      metrics.histograms
        .get('catalog.aws_iam.refresh.duration')!
        .every(h => h.value >= 0),
    ).toBe(true);

    // Scraped: the roles the catalog holds per account, and how old that view is. Staging kept its
    // first read, so its data is older than that of the accounts read again.
    const roles = metrics.scrape('catalog.aws_iam.account.roles');
    const rolesOf = (account: string) =>
      catalog.ofAccount(account).filter(e => e.spec?.type === 'aws-iam-role')
        .length;
    expect(
      Object.fromEntries(roles.map(r => [r.attributes.account, r.value])),
    ).toEqual({
      [TOOLING]: rolesOf(TOOLING),
      [STAGING]: rolesOf(STAGING),
      [PROD]: rolesOf(PROD),
    });
    const age = Object.fromEntries(
      metrics
        .scrape('catalog.aws_iam.account.data_age')
        .map(r => [r.attributes.account, r.value]),
    );
    expect(age[STAGING]).toBeGreaterThan(age[TOOLING]);
    expect(age[TOOLING]).toBeGreaterThanOrEqual(0);
  });

  it('after a restart, finds its earlier entities in the catalog and still never touches a failing account', async () => {
    const first = makeProvider();
    const catalog = new FakeCatalogConnection();
    await first.provider.connect(catalog);
    await first.provider.refresh();

    // A new process: nothing in memory; the catalog holds what the previous one emitted.
    const { provider } = makeProvider({
      catalog: catalogServiceMock({ entities: [...catalog.entities.values()] }),
    });
    await provider.connect(catalog);
    fake.setRoles(
      TOOLING,
      fake.accounts.get(TOOLING)!.filter(r => r.roleName !== 'ci-deployer'),
    );
    fake.fail(STAGING, {
      action: 'GetAccountAuthorizationDetails',
      page: 1,
      fault: 'ServiceFailure',
    });
    const stagingBefore = catalog.ofAccount(STAGING);

    const summary = await provider.refresh();
    expect(summary.failed.map(f => f.accountId)).toEqual([STAGING]);
    expect(summary.failed[0].lastSuccess).toBeUndefined();
    expect(catalog.get(ref(TOOLING, 'ci-deployer'))).toBeUndefined();
    expect(catalog.ofAccount(STAGING)).toEqual(stagingBefore);
    expect(catalog.ofAccount(PROD)).toHaveLength(4);
  });

  it('removes an account that is no longer configured, but only when the account list is certain', async () => {
    const { provider } = makeProvider();
    const catalog = new FakeCatalogConnection();
    await provider.connect(catalog);
    await provider.refresh();
    // Simulate the configuration shrinking to two accounts.
    (providerConfig.accounts as any[]).pop();
    try {
      const { provider: smaller } = makeProvider({
        catalog: catalogServiceMock({
          entities: [...catalog.entities.values()],
        }),
      });
      await smaller.connect(catalog);
      const summary = await smaller.refresh();
      expect(summary.removedAccounts).toEqual([PROD]);
      expect(catalog.ofAccount(PROD)).toEqual([]);
      expect(catalog.ofAccount(TOOLING)).toHaveLength(3);
    } finally {
      (providerConfig.accounts as any[]).push({
        accountId: PROD,
        name: 'production',
        owner: 'platform',
      });
    }
  });

  it('discovers accounts through AWS Organizations and skips excluded ones', async () => {
    fake.organizationAccounts.splice(
      0,
      fake.organizationAccounts.length,
      { Id: TOOLING, Name: 'tooling', State: 'ACTIVE' },
      { Id: STAGING, Name: 'staging', State: 'ACTIVE' },
      { Id: PROD, Name: 'production', State: 'ACTIVE' },
      { Id: '444444444444', Name: 'closed', State: 'SUSPENDED' },
    );
    const source = LiveAccountsSource.create({
      credentialsManager: fakeCredentialsManager(),
      accounts: [],
      organizations: { enabled: true, exclude: [STAGING] },
      includeManagedPolicies: false,
      maxConcurrentAccounts: 3,
      maxAttempts: 2,
      clientOverrides: { retryStrategy: fastRetryStrategy(2) },
    });
    const read = await source.read();
    expect(read.errors).toEqual([]);
    expect(read.accounts.map(a => a.accountId).sort()).toEqual([TOOLING, PROD]);
    expect(read.accountNames).toEqual({
      [TOOLING]: 'tooling',
      [PROD]: 'production',
    });
    expect(fake.callCount('000000000000', 'ListAccounts')).toBe(2);

    // Discovery failing keeps the accounts found last time and marks the run incomplete.
    fake.fail('000000000000', {
      action: 'ListAccounts',
      fault: 'AccessDenied',
    });
    const again = await source.read();
    expect(again.complete).toBe(false);
    expect(again.errors[0]).toMatch(
      /ListAccounts failed, using the 3 accounts found last time/,
    );
    expect(again.accounts.map(a => a.accountId).sort()).toEqual([
      TOOLING,
      PROD,
    ]);
  });
});

function stagingRolesAgain() {
  return Array.from({ length: 1200 }, (_, i) =>
    makeRole(
      STAGING,
      `other-${i}`,
      trust({
        Principal: { Service: 'lambda.amazonaws.com' },
        Action: 'sts:AssumeRole',
      }),
    ),
  );
}
