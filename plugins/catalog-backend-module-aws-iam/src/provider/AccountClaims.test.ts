import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
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
import type { IamRoleSource } from '../sources/types';
import { AccountClaims } from './AccountClaims';
import { AwsIamEntityProvider } from './AwsIamEntityProvider';

const TOOLING = '111111111111';
const STAGING = '222222222222';

const fake = new FakeIam();
const server = setupServer(...fake.handlers());
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

function liveSource(accounts: string[]): IamRoleSource {
  return LiveAccountsSource.create({
    credentialsManager: fakeCredentialsManager(),
    accounts: accounts.map(accountId => ({ accountId })),
    includeManagedPolicies: false,
    maxConcurrentAccounts: 2,
    maxAttempts: 3,
    clientOverrides: { retryStrategy: fastRetryStrategy(3) },
  });
}

/** The same account read by a second provider: a snapshot of it (a source that reads STAGING again). */
function providers(claims: AccountClaims) {
  const snapshotConfig = readAwsIamProviderConfig(
    'acme-snapshot',
    new ConfigReader({ snapshots: { paths: ['/unused/staging.json'] } }),
  );
  const liveConfig = readAwsIamProviderConfig(
    'acme',
    new ConfigReader({
      accounts: [{ accountId: TOOLING }, { accountId: STAGING }],
    }),
  );
  const snapshotLogger = mockServices.logger.mock();
  // Created first, so a first-come rule would make it the owner: the live read must still win.
  const snapshot = AwsIamEntityProvider.create({
    config: snapshotConfig,
    source: liveSource([STAGING]),
    logger: snapshotLogger,
    startupGroupWaitMs: 0,
    claims,
  });
  const live = AwsIamEntityProvider.create({
    config: liveConfig,
    source: liveSource([TOOLING, STAGING]),
    logger: mockServices.logger.mock(),
    startupGroupWaitMs: 0,
    claims,
  });
  return { snapshot, live, snapshotLogger };
}

const rolesOf = (catalog: FakeCatalogConnection, accountId: string) =>
  catalog.ofAccount(accountId).filter(e => e.spec?.type === 'aws-iam-role');

beforeEach(() => {
  fake.clearFaults();
  fake.setRoles(TOOLING, [
    makeRole(
      TOOLING,
      'ci',
      trust({
        Principal: { Service: 'codebuild.amazonaws.com' },
        Action: 'sts:AssumeRole',
      }),
    ),
  ]);
  fake.setRoles(STAGING, [
    makeRole(
      STAGING,
      'app-deploy',
      trust({
        Principal: { AWS: `arn:aws:iam::${TOOLING}:role/ci` },
        Action: 'sts:AssumeRole',
      }),
    ),
  ]);
});

describe('AccountClaims', () => {
  it('gives an account to the live reader first, then to readers in the order they registered', () => {
    const claims = AccountClaims.create();
    claims.register('snap-a', { live: false });
    claims.register('snap-b', { live: false });
    claims.register('live', { live: true });
    expect(claims.claim('snap-b', STAGING)).toBeUndefined();
    expect(claims.claim('snap-a', STAGING)).toBeUndefined();
    expect(claims.claim('snap-b', STAGING)).toBe('snap-a');
    expect(claims.claim('live', STAGING)).toBeUndefined();
    expect(claims.claim('snap-a', STAGING)).toBe('live');
    claims.release('live', STAGING);
    expect(claims.claim('snap-b', STAGING)).toBe('snap-a');
    expect(claims.claim('snap-b', TOOLING)).toBeUndefined();
  });

  it('emits an account read by a live and a snapshot provider once, by the live one, and says so', async () => {
    const claims = AccountClaims.create();
    const { snapshot, live, snapshotLogger } = providers(claims);
    const snapshotCatalog = new FakeCatalogConnection();
    const liveCatalog = new FakeCatalogConnection();
    await snapshot.connect(snapshotCatalog);
    await live.connect(liveCatalog);

    // The snapshot provider runs first and is, for now, the only reader of STAGING.
    await snapshot.refresh();
    expect(rolesOf(snapshotCatalog, STAGING)).toHaveLength(1);

    await live.refresh();
    expect(rolesOf(liveCatalog, STAGING)).toHaveLength(1);
    expect(rolesOf(liveCatalog, TOOLING)).toHaveLength(1);

    // At its next run the snapshot provider hands the account over: one entity per role in all.
    const summary = await snapshot.refresh();
    expect(rolesOf(snapshotCatalog, STAGING)).toHaveLength(0);
    expect(summary.warnings).toEqual([
      `account ${STAGING} is also read by provider acme: each of its roles is emitted once, by acme`,
    ]);
    expect(snapshotLogger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        `account ${STAGING} is also read by provider acme`,
      ),
    );
    const all = [
      ...snapshotCatalog.entities.keys(),
      ...liveCatalog.entities.keys(),
    ].filter(ref => ref.includes(STAGING));
    // The role and its account, each once.
    expect(all.sort()).toEqual([
      'resource:default/222222222222-app-deploy',
      'resource:default/aws-account-222222222222',
    ]);

    // And a later run keeps it that way.
    await live.refresh();
    await snapshot.refresh();
    expect(rolesOf(snapshotCatalog, STAGING)).toHaveLength(0);
    expect(rolesOf(liveCatalog, STAGING)).toHaveLength(1);
  });
});
