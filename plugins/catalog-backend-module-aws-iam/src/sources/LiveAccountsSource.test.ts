import { setupServer } from 'msw/node';
import { delay, http } from 'msw';
import {
  FakeIam,
  fakeCredentialsManager,
  fastRetryStrategy,
  makeRole,
  trust,
} from '../__testUtils__/fakeIam';
import { LiveAccountsSource } from './LiveAccountsSource';

const ACCOUNTS = [
  '100000000001',
  '100000000002',
  '100000000003',
  '100000000004',
  '100000000005',
];
const fake = new FakeIam();
let inFlight = 0;
let maxInFlight = 0;
const server = setupServer(
  // Counts concurrent requests, then falls through to the fake.
  http.post('https://iam.amazonaws.com/', async () => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await delay(20);
    inFlight -= 1;
  }),
  ...fake.handlers(),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  fake.clearFaults();
  fake.resetCalls();
  maxInFlight = 0;
  for (const accountId of ACCOUNTS) {
    fake.setRoles(accountId, [
      makeRole(
        accountId,
        'app',
        trust({
          Principal: { Service: 'lambda.amazonaws.com' },
          Action: 'sts:AssumeRole',
        }),
      ),
    ]);
  }
});

function source(
  overrides: Partial<Parameters<typeof LiveAccountsSource.create>[0]> = {},
) {
  return LiveAccountsSource.create({
    credentialsManager: fakeCredentialsManager(),
    accounts: ACCOUNTS.map(accountId => ({ accountId })),
    includeManagedPolicies: false,
    maxConcurrentAccounts: 2,
    maxAttempts: 3,
    clientOverrides: { retryStrategy: fastRetryStrategy(3) },
    ...overrides,
  });
}

describe('LiveAccountsSource', () => {
  it('reads no more accounts at once than configured', async () => {
    const read = await source().read();
    expect(read.accounts.map(a => a.accountId)).toEqual(ACCOUNTS);
    expect(read.accounts[0]).toMatchObject({
      location: 'aws-iam-account:100000000001',
      calls: 1,
    });
    expect(maxInFlight).toBe(2);
  });

  it('reports a failing account with its reason and reads the others', async () => {
    fake.fail(ACCOUNTS[2], {
      action: 'GetAccountAuthorizationDetails',
      fault: 'AccessDenied',
    });
    const read = await source().read();
    expect(read.accounts.map(a => a.accountId)).toEqual(
      ACCOUNTS.filter(a => a !== ACCOUNTS[2]),
    );
    expect(read.failures).toEqual([
      {
        accountId: ACCOUNTS[2],
        errorName: 'AccessDenied',
        reason: expect.stringMatching(
          /^AccessDenied: User is not authorized.*HTTP 403/,
        ),
      },
    ]);
  });

  it('refuses roles of another account than the credentials were for', async () => {
    fake.setRoles(ACCOUNTS[0], [
      makeRole(
        ACCOUNTS[1],
        'stray',
        trust({
          Principal: { Service: 'ec2.amazonaws.com' },
          Action: 'sts:AssumeRole',
        }),
      ),
    ]);
    const read = await source().read();
    expect(read.failures).toEqual([
      {
        accountId: ACCOUNTS[0],
        errorName: 'Error',
        reason: expect.stringContaining('read roles of account 100000000002'),
      },
    ]);
  });

  it('recovers from throttling with the SDK adaptive retry it uses in production', async () => {
    fake.fail(ACCOUNTS[0], {
      action: 'GetAccountAuthorizationDetails',
      fault: 'Throttling',
      times: 1,
    });
    const read = await source({
      accounts: [{ accountId: ACCOUNTS[0] }],
      clientOverrides: undefined,
    }).read();
    expect(read.failures).toEqual([]);
    expect(read.accounts[0].calls).toBe(1);
    expect(fake.callCount(ACCOUNTS[0], 'GetAccountAuthorizationDetails')).toBe(
      2,
    );
  });
});
