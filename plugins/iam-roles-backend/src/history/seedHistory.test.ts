import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { TrustAnalysisCache } from '@backstage-iam/plugin-iam-roles-common';
import { githubStatement, roleEntity } from '../__testUtils__/fixtures';
import { buildTrustSnapshot } from '../service/TrustSnapshot';
import { seedHistory } from './seedHistory';
import { TrustHistoryRecorder } from './TrustHistoryRecorder';
import { TrustHistoryStore } from './TrustHistoryStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const OWNER = 'group:default/team-payments';
const ACCOUNT = '111111111111';
const arn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const relayNow = [
  { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
];
const relayThen = {
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::555555555555:role/partner' },
  Action: 'sts:AssumeRole',
  Condition: { StringEquals: { 'sts:ExternalId': 'x-1' } },
};

/** An archived snapshot in the raw API form (URL-encoded documents), as IAM hands it out. */
function archive(dir: string) {
  const file = path.join(dir, `${ACCOUNT}.2026-11-14.json`);
  const role = (name: string, statements: unknown[]) => ({
    Path: '/',
    RoleName: name,
    RoleId: `AROA${name.toUpperCase().replace(/[^A-Z]/g, '')}`,
    Arn: arn(name),
    CreateDate: '2024-01-01T00:00:00Z',
    AssumeRolePolicyDocument: encodeURIComponent(
      JSON.stringify({ Version: '2012-10-17', Statement: statements }),
    ),
    RolePolicyList: [],
    AttachedManagedPolicies: [],
    Tags: [],
    RoleLastUsed: {},
  });
  fs.writeFileSync(
    file,
    JSON.stringify({
      UserDetailList: [],
      GroupDetailList: [],
      RoleDetailList: [
        role('relay', [relayThen]),
        role('ci', [githubStatement('acme/api')]),
        role('deleted-since', [relayThen]),
      ],
      Policies: [],
    }),
  );
  return file;
}

describe.each(databases.eachSupportedId())('seedHistory on %s', databaseId => {
  it('records an archived snapshot before the catalog, once, and the catalog then shows what changed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-seed-'));
    try {
      const knex = await databases.init(databaseId);
      const store = await TrustHistoryStore.fromKnex(knex);
      const recorder = TrustHistoryRecorder.create({
        store,
        logger: mockServices.logger.mock(),
      });
      const snapshot = buildTrustSnapshot(
        [
          roleEntity({ name: 'relay', owner: OWNER, statements: relayNow }),
          roleEntity({
            name: 'ci',
            owner: OWNER,
            statements: [githubStatement('acme/api')],
          }),
        ],
        { internalAccounts: [ACCOUNT], cache: TrustAnalysisCache.create() },
      );
      const seeds = [{ path: archive(dir), at: '2026-11-14T09:00:00.000Z' }];
      const seed = (final?: boolean) =>
        seedHistory({
          seeds,
          snapshot,
          store,
          recorder,
          logger: mockServices.logger.mock(),
          final,
        });

      // deleted-since is not in the catalog: not done until the catalog stops growing.
      expect(await seed()).toEqual({ versions: 2, done: false });
      expect(await seed(true)).toEqual({ versions: 0, done: true });
      expect(await seed()).toEqual({ versions: 0, done: true });
      await recorder.record(snapshot.roles);

      const relay = await store.roleHistory('resource:default/relay', 10);
      expect(relay.map(v => [v.version, v.kind, v.seenAt])).toEqual([
        [2, 'changed', expect.not.stringMatching(/^2026-11-14/)],
        [1, 'baseline', '2026-11-14T09:00:00.000Z'],
      ]);
      expect(relay[0].changes.findingsAppeared).toEqual([
        expect.objectContaining({ id: 'public-trust' }),
      ]);
      expect(relay[1].facts.findings).toEqual([]);
      // Unchanged since the archive: one version, with the catalog's own findings.
      expect(
        (await store.roleHistory('resource:default/ci', 10)).map(
          v => v.version,
        ),
      ).toEqual([1]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
