import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  coreServices,
  createServiceFactory,
  LoggerService,
  SchedulerServiceTaskInvocationDefinition,
} from '@backstage/backend-plugin-api';
import {
  MetricsService,
  metricsServiceRef,
} from '@backstage/backend-plugin-api/alpha';
import {
  catalogProcessingExtensionPoint,
  EntityProvider,
} from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { setupServer } from 'msw/node';
import { delay, http, HttpResponse } from 'msw';
import { catalogModuleAwsIam } from './module';
import { FakeCatalogConnection } from './__testUtils__/fakeCatalog';
import {
  accessKeyFor,
  FakeIam,
  makeRole,
  trust,
} from './__testUtils__/fakeIam';
import type {
  AwsIamEntityProvider,
  RefreshSummary,
} from './provider/AwsIamEntityProvider';

jest.setTimeout(60_000);

const MAIN = '000000000000';
const THROTTLED = '100000000001'; // a throttling storm that does not pass
const BURSTY = '100000000002'; // a throttling burst the SDK retries through
const BROKEN = '100000000003'; // IAM answers 500
const HANGING = '100000000004'; // IAM accepts the call and never answers
const TRUNCATED = '100000000005'; // IAM's XML ends half-way
const NO_CREDENTIALS = '100000000006'; // STS refuses the role the module reads through
const HEALTHY = '100000000007'; // keeps updating whatever the others do
const DISCOVERED = '100000000008'; // only known from AWS Organizations
const BIG = '100000000009'; // read by the bounded provider

const fake = new FakeIam();
/** Faults of the round, by account, that the fake itself does not serve. */
const faults = {
  hanging: false,
  truncated: false,
  sts: false,
  organizations: false,
};

const accountOfAuth = (request: Request) =>
  /Credential=AKIDTEST(\d{12})\//.exec(
    request.headers.get('authorization') ?? '',
  )?.[1];

const server = setupServer(
  http.post(
    /^https:\/\/sts(\.[a-z0-9-]+)?\.amazonaws\.com\/?$/,
    async ({ request }) => {
      const params = new URLSearchParams(await request.text());
      const account = /::(\d{12}):role\//.exec(
        params.get('RoleArn') ?? '',
      )?.[1];
      if (faults.sts || !account) {
        return new HttpResponse(
          `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User arn:aws:iam::${MAIN}:user/backstage is not authorized to perform: sts:AssumeRole on resource: ${params.get(
            'RoleArn',
          )}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
          { status: 403, headers: { 'content-type': 'text/xml' } },
        );
      }
      // Short-lived, so that every read asks STS again.
      const expiration = new Date(Date.now() + 60_000).toISOString();
      return new HttpResponse(
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts::${account}:assumed-role/reader/backstage</Arn><AssumedRoleId>AROAREADER:backstage</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>${accessKeyFor(
          account,
        )}</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>${expiration}</Expiration></Credentials></AssumeRoleResult><ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata></AssumeRoleResponse>`,
        { status: 200, headers: { 'content-type': 'text/xml' } },
      );
    },
  ),
  // Faults in front of the fake; anything else falls through to it.
  http.post('https://iam.amazonaws.com/', async ({ request }) => {
    const account = accountOfAuth(request);
    if (faults.hanging && account === HANGING) {
      await delay(20_000);
      return HttpResponse.error();
    }
    if (faults.truncated && account === TRUNCATED) {
      return new HttpResponse(
        '<GetAccountAuthorizationDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetAccountAuthorizationDetailsResult><RoleDetailList><member><Path>/</Path><RoleName>app</Ro',
        { status: 200, headers: { 'content-type': 'text/xml' } },
      );
    }
    return undefined;
  }),
  http.post('https://organizations.us-east-1.amazonaws.com/', () =>
    faults.organizations ? HttpResponse.error() : undefined,
  ),
  ...fake.handlers(),
);

const LIVE = [
  THROTTLED,
  BURSTY,
  BROKEN,
  HANGING,
  TRUNCATED,
  NO_CREDENTIALS,
  HEALTHY,
];

const config = {
  aws: {
    mainAccount: {
      accessKeyId: accessKeyFor(MAIN),
      secretAccessKey: 'main-secret',
    },
    accounts: [
      ...[...LIVE, DISCOVERED, BIG]
        .filter(a => a !== NO_CREDENTIALS)
        .map(accountId => ({
          accountId,
          accessKeyId: accessKeyFor(accountId),
          secretAccessKey: 'account-secret',
        })),
      { accountId: NO_CREDENTIALS, roleName: 'reader' },
    ],
  },
  catalog: {
    providers: {
      awsIam: {
        live: {
          accounts: LIVE,
          organizations: { enabled: true, resourceControlPolicies: false },
          maxAttempts: 3,
          maxConcurrentAccounts: 4,
          accountReadTimeoutSeconds: 8,
          ownership: { default: 'platform' },
        },
        bounded: {
          accounts: [BIG],
          maxRolesPerAccount: 3,
          maxPolicyDocumentBytes: 2_000,
          ownership: { default: 'platform' },
        },
      },
    },
  },
};

function recordingLogger() {
  const lines: string[] = [];
  const logger: LoggerService = {
    error: m => lines.push(`error ${m}`),
    warn: m => lines.push(`warn ${m}`),
    info: m => lines.push(`info ${m}`),
    debug: () => {},
    child: () => logger,
  };
  return { logger, lines };
}

function recordingMetrics() {
  const counters = new Map<string, Array<Record<string, unknown>>>();
  const service = {
    createCounter: (name: string) => ({
      add: (_value: number, attributes: Record<string, unknown>) =>
        counters.set(name, [...(counters.get(name) ?? []), attributes]),
    }),
    createHistogram: () => ({ record: () => {} }),
    createUpDownCounter: () => ({ add: () => {} }),
    createGauge: () => ({ record: () => {} }),
    createObservableGauge: () => ({
      addCallback: () => {},
      removeCallback: () => {},
    }),
  } as unknown as MetricsService;
  return { service, counters };
}

const policy = trust({
  Principal: { Service: 'lambda.amazonaws.com' },
  Action: 'sts:AssumeRole',
});

function seed() {
  for (const accountId of [...LIVE, DISCOVERED]) {
    fake.setRoles(accountId, [
      makeRole(accountId, 'app', policy),
      makeRole(accountId, 'deploy', policy),
    ]);
  }
  fake.setRoles(BIG, [
    makeRole(BIG, 'app', policy),
    makeRole(BIG, 'huge-trust', {
      Version: '2012-10-17',
      Statement: Array.from({ length: 40 }, (_, i) => ({
        Sid: `S${i}`,
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${BIG}:role/caller-${i}` },
        Action: 'sts:AssumeRole',
      })),
    }),
  ]);
  fake.organizationAccounts.push(
    ...[...LIVE, DISCOVERED].map(Id => ({
      Id,
      Name: `acct-${Id}`,
      State: 'ACTIVE',
    })),
  );
}

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

describe('the module under AWS faults', () => {
  it('loses no entity, keeps the others updating, and says which account failed and why', async () => {
    seed();
    const { logger, lines } = recordingLogger();
    const metrics = recordingMetrics();
    const providers: EntityProvider[] = [];
    await startTestBackend({
      extensionPoints: [
        [
          catalogProcessingExtensionPoint,
          {
            addProcessor: () => {},
            addEntityProvider: (
              ...p: Array<EntityProvider | EntityProvider[]>
            ) => providers.push(...p.flat()),
            addPlaceholderResolver: () => {},
            setOnProcessingErrorHandler: () => {},
          },
        ],
      ],
      features: [
        catalogModuleAwsIam,
        mockServices.rootConfig.factory({ data: config }),
        mockServices.scheduler.mock({
          createScheduledTaskRunner: () => ({
            run: async (_task: SchedulerServiceTaskInvocationDefinition) => {},
          }),
        }).factory,
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Group',
              metadata: { name: 'platform', namespace: 'default' },
              spec: { type: 'team', children: [] },
            },
          ],
        }),
        createServiceFactory({
          service: coreServices.logger,
          deps: {},
          factory: () => logger,
        }),
        createServiceFactory({
          service: metricsServiceRef,
          deps: {},
          factory: () => metrics.service,
        }),
      ],
    });
    const [live, bounded] = providers as AwsIamEntityProvider[];
    const catalog = new FakeCatalogConnection();
    await live.connect(catalog);
    await bounded.connect(catalog);

    // A healthy first read: every account, the one known from Organizations too.
    const first = await live.refresh();
    expect(first.failed).toEqual([]);
    expect(first.updated.map(u => u.accountId).sort()).toEqual(
      [...LIVE, DISCOVERED].sort(),
    );
    const firstBounded = await bounded.refresh();
    expect(firstBounded.failed).toEqual([]);
    const before = new Set(catalog.entities.keys());
    expect(before.size).toBe((LIVE.length + 1) * 3 + 3);

    // The oversize trust policy is a finding on its role, which is still emitted.
    const huge = catalog.entities.get(
      `resource:default/${BIG}-huge-trust`,
    ) as any;
    expect(huge).toBeDefined();
    expect(huge.spec.iam.findings).toEqual([
      expect.objectContaining({
        id: 'invalid-policy',
        message: expect.stringMatching(
          /more than the provider's maxPolicyDocumentBytes of 2000/,
        ),
      }),
    ]);
    expect(huge.spec.iam.trustPolicy).toBeUndefined();
    expect(huge.spec.iam.trustPolicyRaw).toBeUndefined();

    // Every fault at once.
    fake.fail(THROTTLED, {
      action: 'GetAccountAuthorizationDetails',
      fault: 'Throttling',
    });
    fake.fail(BURSTY, {
      action: 'GetAccountAuthorizationDetails',
      fault: 'Throttling',
      times: 1,
    });
    fake.fail(BROKEN, {
      action: 'GetAccountAuthorizationDetails',
      fault: 'ServiceFailure',
    });
    Object.assign(faults, {
      hanging: true,
      truncated: true,
      sts: true,
      organizations: true,
    });
    fake.setRoles(HEALTHY, [
      ...fake.accounts.get(HEALTHY)!,
      makeRole(HEALTHY, 'new-role', policy),
    ]);
    fake.setRoles(BIG, [
      ...fake.accounts.get(BIG)!,
      makeRole(BIG, 'one', policy),
      makeRole(BIG, 'two', policy),
    ]);
    lines.length = 0;
    const started = Date.now();
    const second: RefreshSummary = await live.refresh();
    const secondBounded = await bounded.refresh();
    // The hanging account cost its timeout, not the run.
    expect(Date.now() - started).toBeLessThan(16_000);

    const failed = Object.fromEntries(second.failed.map(f => [f.accountId, f]));
    expect(Object.keys(failed).sort()).toEqual(
      [THROTTLED, BROKEN, HANGING, TRUNCATED, NO_CREDENTIALS].sort(),
    );
    expect(failed[THROTTLED].reason).toMatch(/Throttling.*Rate exceeded/);
    expect(failed[BROKEN].reason).toMatch(/ServiceFailure.*HTTP 500/);
    expect(failed[HANGING].reason).toMatch(
      /did not complete within 8 seconds \(the provider's accountReadTimeoutSeconds\)/,
    );
    expect(failed[TRUNCATED].reason).toMatch(/Deserialization|XML|parse/i);
    expect(failed[NO_CREDENTIALS].reason).toMatch(
      /AccessDenied|not authorized/,
    );
    // The others kept updating, the one known from Organizations too.
    expect(second.updated.map(u => u.accountId).sort()).toEqual(
      [BURSTY, HEALTHY, DISCOVERED].sort(),
    );
    expect(second.errors.join('\n')).toMatch(
      /AWS Organizations ListAccounts failed, using the 8 accounts found last time/,
    );
    expect(second.removedAccounts).toEqual([]);
    expect(secondBounded.failed).toEqual([
      expect.objectContaining({
        accountId: BIG,
        errorName: 'TooManyRolesError',
        reason: expect.stringMatching(
          /more than 3 roles \(the provider's maxRolesPerAccount\): it was not read and its entities are kept/,
        ),
      }),
    ]);

    // No entity lost; the healthy account's new role arrived.
    const after = new Set(catalog.entities.keys());
    const lost = [...before].filter(ref => !after.has(ref));
    expect(lost).toEqual([]);
    expect(after.has(`resource:default/${HEALTHY}-new-role`)).toBe(true);
    expect(after.has(`resource:default/${BIG}-one`)).toBe(false);

    // The log names each failed account and why.
    for (const accountId of [
      THROTTLED,
      BROKEN,
      HANGING,
      TRUNCATED,
      NO_CREDENTIALS,
      BIG,
    ]) {
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^warn .*account ${accountId} NOT updated, its entities are kept.*: \\S`,
          ),
        ),
      );
    }
    expect(lines).toContainEqual(
      expect.stringMatching(/^warn .*AWS Organizations ListAccounts failed/),
    );

    // The metrics show it: a failed read per account, with the kind of error.
    const reads = metrics.counters.get('catalog.aws_iam.account.reads')!;
    const failures = reads.filter(r => r.result === 'failure');
    const errorOf = (account: string) =>
      failures.find(r => r.account === account)?.error;
    expect(errorOf(THROTTLED)).toBe('Throttling');
    expect(errorOf(BROKEN)).toBe('ServiceFailureException');
    expect(errorOf(HANGING)).toBe('AccountTimeoutError');
    expect(errorOf(BIG)).toBe('TooManyRolesError');
    expect(errorOf(NO_CREDENTIALS)).toBe('AccessDenied');
    expect(errorOf(TRUNCATED)).toBe('Error');
    expect(metrics.counters.get('catalog.aws_iam.refreshes')).toContainEqual({
      provider: 'live',
      result: 'partial',
    });

    // Faults gone: every account updates again.
    fake.clearFaults();
    Object.assign(faults, {
      hanging: false,
      truncated: false,
      sts: false,
      organizations: false,
    });
    const third = await live.refresh();
    expect(third.failed).toEqual([]);
    expect(third.updated).toHaveLength(LIVE.length + 1);
  });
});
