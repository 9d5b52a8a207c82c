/*
 * Benchmark: API calls and entity build time to ingest IAM roles, against the two ways Backstage
 * adopters read roles today. Every reader is the real @aws-sdk/client-iam against the same msw
 * handlers speaking the IAM Query API. Run with `yarn bench:ingest`.
 *
 * Output: a table per size, then one last line of key=value figures for the largest size.
 */
import {
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
} from '@aws-sdk/client-iam';
import { setupServer } from 'msw/node';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  accessKeyFor,
  FakeIam,
  FakeRole,
  fakeCredentialsManager,
  makeRole,
  trust,
} from '../src/__testUtils__/fakeIam';
import { LiveAccountsSource } from '../src/sources/LiveAccountsSource';
import { mapWithConcurrency } from '../src/sources/types';
import { EntityBuilder } from '../src/entities/EntityBuilder';
import { OwnerResolver } from '../src/entities/OwnerResolver';

const ACCOUNTS = [
  '100000000001',
  '100000000002',
  '100000000003',
  '100000000004',
  '100000000005',
];
const SIZES = [1000, 10000];
const OWNERS = [
  'platform',
  'payments',
  'Payments Team',
  'data',
  'identity',
  'sre',
];

function generateRoles(accountId: string, n: number): FakeRole[] {
  const roles: FakeRole[] = [];
  for (let i = 0; i < n; i++) {
    const name = `svc-${String(i).padStart(5, '0')}`;
    let policy;
    switch (i % 4) {
      case 0:
        policy = trust({
          Principal: { Service: 'lambda.amazonaws.com' },
          Action: 'sts:AssumeRole',
        });
        break;
      case 1:
        policy = trust({
          Principal: {
            Federated: `arn:aws:iam::${accountId}:oidc-provider/token.actions.githubusercontent.com`,
          },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            },
            StringLike: {
              'token.actions.githubusercontent.com:sub': `repo:acme/app-${
                i % 97
              }:ref:refs/heads/main`,
            },
          },
        });
        break;
      case 2:
        policy = trust({
          Principal: {
            AWS: `arn:aws:iam::${
              ACCOUNTS[i % ACCOUNTS.length]
            }:role/svc-${String(i - 2).padStart(5, '0')}`,
          },
          Action: 'sts:AssumeRole',
        });
        break;
      default:
        policy = trust({
          Principal: { AWS: '999999999999' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': 'vendor-123' } },
        });
    }
    roles.push(
      makeRole(accountId, name, policy, {
        path: i % 3 === 0 ? '/service-role/' : '/',
        tags: i % 5 === 0 ? {} : { owner: OWNERS[i % OWNERS.length] },
        lastUsed: { date: '2026-11-01T00:00:00Z', region: 'eu-west-1' },
        attached: [
          {
            name: 'ReadOnlyAccess',
            arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
          },
        ],
        inlinePolicyNames: i % 2 ? ['inline'] : [],
      }),
    );
  }
  return roles;
}

function client(accountId: string) {
  return new IAMClient({
    region: 'us-east-1',
    credentials: {
      accessKeyId: accessKeyFor(accountId),
      secretAccessKey: 'bench',
    },
  });
}

/** Baseline 1: what a per-role reader does (ListRoles, then three calls per role). */
async function perRoleRead(accountId: string): Promise<number> {
  const iam = client(accountId);
  const names: string[] = [];
  let marker: string | undefined;
  do {
    const page = await iam.send(
      new ListRolesCommand({ MaxItems: 1000, Marker: marker }),
    );
    names.push(...(page.Roles ?? []).map(r => r.RoleName!));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  await mapWithConcurrency(names, 32, async RoleName => {
    await iam.send(new GetRoleCommand({ RoleName }));
    await iam.send(new ListRolePoliciesCommand({ RoleName }));
    await iam.send(new ListAttachedRolePoliciesCommand({ RoleName }));
  });
  iam.destroy();
  return names.length;
}

/** Baseline 2: ListRoles at 25 a page, as Backstage's AWS provider does (no tags, no last used). */
async function listRoles25(accountId: string): Promise<number> {
  const iam = client(accountId);
  let count = 0;
  let marker: string | undefined;
  do {
    const page = await iam.send(
      new ListRolesCommand({ MaxItems: 25, Marker: marker }),
    );
    count += page.Roles?.length ?? 0;
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  iam.destroy();
  return count;
}

async function main() {
  const fake = new FakeIam();
  const server = setupServer(...fake.handlers());
  server.listen({ onUnhandledRequest: 'error' });
  const quiet = () => {};
  const logger: LoggerService = {
    info: quiet,
    debug: quiet,
    warn: quiet,
    error: (message: string) => console.error(message),
    child: () => logger,
  };
  const figures: Record<string, string | number | boolean>[] = [];

  for (const size of SIZES) {
    for (const accountId of ACCOUNTS) {
      fake.setRoles(accountId, generateRoles(accountId, size));
    }

    fake.resetCalls();
    const source = LiveAccountsSource.create({
      credentialsManager: fakeCredentialsManager(),
      accounts: ACCOUNTS.map(accountId => ({ accountId })),
      includeManagedPolicies: false,
      maxConcurrentAccounts: 5,
      maxAttempts: 3,
    });
    let started = performance.now();
    const read = await source.read();
    const readMs = performance.now() - started;
    if (read.failures.length) {
      throw new Error(`bench read failed: ${JSON.stringify(read.failures)}`);
    }
    const callsPerAccount = Math.max(
      ...ACCOUNTS.map(a => fake.callCount(a, 'GetAccountAuthorizationDetails')),
    );

    const owners = OwnerResolver.create(
      {
        tagKeys: ['owner', 'team'],
        rules: [],
        default: 'platform',
        aliases: { 'Payments Team': 'payments' },
      },
      logger,
    );
    started = performance.now();
    const builder = EntityBuilder.create({
      providerId: 'bench',
      owners,
      accounts: read.accounts,
      internalAccounts: [],
      emitAccounts: true,
      accountNames: {},
      accountOwners: {},
      systemTagKeys: ['system'],
      componentTagKeys: ['component'],
      permissionSets: {},
    });
    const entities = read.accounts.flatMap(a => builder.buildAccount(a));
    const buildMs = performance.now() - started;
    const related = entities.filter(
      e => ((e.spec?.assumableBy as string[]) ?? []).length > 0,
    ).length;

    // Baselines: calls are the same for every account; one account is enough to count them.
    const baselineAccount = ACCOUNTS[0];
    fake.resetCalls();
    started = performance.now();
    await perRoleRead(baselineAccount);
    const perRoleMs = performance.now() - started;
    const perRoleCalls = fake.callCount(baselineAccount);
    fake.resetCalls();
    await listRoles25(baselineAccount);
    const list25Calls = fake.callCount(baselineAccount);

    const target = Math.ceil(size / 1000) + 2;
    const row = {
      roles_per_account: size,
      accounts: ACCOUNTS.length,
      calls_per_account: callsPerAccount,
      target_calls: target,
      target_met: callsPerAccount <= target,
      per_role_calls: perRoleCalls,
      listroles25_calls: list25Calls,
      ratio: Math.round(perRoleCalls / callsPerAccount),
      read_ms: Math.round(readMs),
      per_role_read_ms: Math.round(perRoleMs),
      build_ms: Math.round(buildMs),
      entities: entities.length,
      entities_with_trust_relations: related,
    };
    figures.push(row);
    console.log(`\n${size} roles x ${ACCOUNTS.length} accounts`);
    console.log(
      `  GetAccountAuthorizationDetails : ${callsPerAccount} calls/account (target <= ${target}), read ${row.read_ms} ms for all accounts`,
    );
    console.log(
      `  per-role reading (baseline)    : ${perRoleCalls} calls/account, ${row.per_role_read_ms} ms for one account`,
    );
    console.log(
      `  ListRoles at 25 (baseline)     : ${list25Calls} calls/account, and no tags or last-used data`,
    );
    console.log(
      `  build ${entities.length} entities     : ${row.build_ms} ms (${related} with trust relations)`,
    );
  }
  server.close();

  const last = figures[figures.length - 1];
  console.log(
    Object.entries(last)
      .filter(
        ([k]) =>
          !['accounts', 'entities', 'entities_with_trust_relations'].includes(
            k,
          ),
      )
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
  );
  if (!figures.every(f => f.target_met)) {
    process.exitCode = 1;
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
