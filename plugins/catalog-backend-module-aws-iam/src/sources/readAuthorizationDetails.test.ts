import { IAMClient } from '@aws-sdk/client-iam';
import { setupServer } from 'msw/node';
import {
  accessKeyFor,
  FakeIam,
  fastRetryStrategy,
  makeRole,
  trust,
} from '../__testUtils__/fakeIam';
import { readAuthorizationDetails } from './readAuthorizationDetails';

const ACCOUNT = '123456789012';
const fake = new FakeIam();
const server = setupServer(...fake.handlers());

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  fake.resetCalls();
  fake.clearFaults();
  fake.requests.length = 0;
});

function client(maxAttempts = 4) {
  return new IAMClient({
    region: 'us-east-1',
    credentials: { accessKeyId: accessKeyFor(ACCOUNT), secretAccessKey: 'x' },
    maxAttempts,
    retryStrategy: fastRetryStrategy(maxAttempts),
  });
}

function roles(n: number) {
  return Array.from({ length: n }, (_, i) =>
    makeRole(
      ACCOUNT,
      `role-${i}`,
      trust({
        Principal: { Service: 'lambda.amazonaws.com' },
        Action: 'sts:AssumeRole',
      }),
      {
        tags: { owner: 'payments & co' },
      },
    ),
  );
}

describe('readAuthorizationDetails', () => {
  it('reads every page, 1,000 roles a page, following Marker until IsTruncated is false', async () => {
    fake.setRoles(ACCOUNT, roles(2350));
    const result = await readAuthorizationDetails(client());
    expect(result.calls).toBe(3);
    expect(fake.callCount(ACCOUNT, 'GetAccountAuthorizationDetails')).toBe(3);
    expect(result.document.RoleDetailList).toHaveLength(2350);
    expect(fake.requests.map(r => r.get('MaxItems'))).toEqual([
      '1000',
      '1000',
      '1000',
    ]);
    expect(fake.requests.map(r => r.get('Marker'))).toEqual([
      null,
      'm-1000',
      'm-2000',
    ]);
    expect(fake.requests[0].getAll('Filter.member.1')).toEqual(['Role']);
    expect(fake.requests[0].has('Filter.member.2')).toBe(false);
  });

  it('keeps documents URL-encoded and dates as ISO strings, as the raw API form has them', async () => {
    fake.setRoles(ACCOUNT, [
      makeRole(
        ACCOUNT,
        'lambda-role',
        trust({
          Principal: { Service: 'lambda.amazonaws.com' },
          Action: 'sts:AssumeRole',
        }),
        {
          lastUsed: { date: '2026-11-01T08:00:00Z', region: 'eu-west-1' },
          attached: [
            { name: 'ReadOnly', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
          ],
          inlinePolicyNames: ['inline-a'],
          boundary: 'arn:aws:iam::123456789012:policy/boundary',
          tags: { owner: 'Payments Team' },
        },
      ),
    ]);
    const { document } = await readAuthorizationDetails(client());
    const role = document.RoleDetailList[0] as Record<string, any>;
    expect(role.AssumeRolePolicyDocument).toMatch(/^%7B%22Version%22/);
    expect(
      JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument)).Statement[0]
        .Principal,
    ).toEqual({
      Service: 'lambda.amazonaws.com',
    });
    expect(role.CreateDate).toBe('2024-03-01T10:00:00.000Z');
    expect(role.RoleLastUsed).toEqual({
      LastUsedDate: '2026-11-01T08:00:00.000Z',
      Region: 'eu-west-1',
    });
    expect(role.Tags).toEqual([{ Key: 'owner', Value: 'Payments Team' }]);
    expect(role.AttachedManagedPolicies).toEqual([
      {
        PolicyName: 'ReadOnly',
        PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
      },
    ]);
    expect(role.RolePolicyList[0].PolicyName).toBe('inline-a');
    expect(role.PermissionsBoundary.PermissionsBoundaryArn).toBe(
      'arn:aws:iam::123456789012:policy/boundary',
    );
  });

  it('asks for managed policies only when configured', async () => {
    fake.setRoles(ACCOUNT, roles(3));
    await readAuthorizationDetails(client(), { includeManagedPolicies: true });
    const filters = [1, 2, 3].map(i =>
      fake.requests[0].get(`Filter.member.${i}`),
    );
    expect(filters).toEqual(['Role', 'LocalManagedPolicy', 'AWSManagedPolicy']);
  });

  it('lets the SDK retry Throttling and 5xx errors on any page', async () => {
    fake.setRoles(ACCOUNT, roles(1500));
    fake.fail(ACCOUNT, {
      action: 'GetAccountAuthorizationDetails',
      page: 1,
      fault: 'Throttling',
      times: 2,
    });
    fake.fail(ACCOUNT, {
      action: 'GetAccountAuthorizationDetails',
      page: 0,
      fault: 'ServiceFailure',
      times: 1,
    });
    const result = await readAuthorizationDetails(client(4));
    expect(result.document.RoleDetailList).toHaveLength(1500);
    expect(result.calls).toBe(2);
    expect(fake.callCount(ACCOUNT, 'GetAccountAuthorizationDetails')).toBe(5);
  });

  it('rejects the whole read when a page stays throttled past the retries', async () => {
    fake.setRoles(ACCOUNT, roles(1500));
    fake.fail(ACCOUNT, {
      action: 'GetAccountAuthorizationDetails',
      page: 1,
      fault: 'Throttling',
    });
    await expect(readAuthorizationDetails(client(3))).rejects.toMatchObject({
      name: 'Throttling',
      $metadata: { httpStatusCode: 400 },
    });
    expect(fake.callCount(ACCOUNT, 'GetAccountAuthorizationDetails')).toBe(4);
  });

  it('does not retry access denied', async () => {
    fake.setRoles(ACCOUNT, roles(2));
    fake.fail(ACCOUNT, {
      action: 'GetAccountAuthorizationDetails',
      fault: 'AccessDenied',
    });
    await expect(readAuthorizationDetails(client(5))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    expect(fake.callCount(ACCOUNT, 'GetAccountAuthorizationDetails')).toBe(1);
  });
});
