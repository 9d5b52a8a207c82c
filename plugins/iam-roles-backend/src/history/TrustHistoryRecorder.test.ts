import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { TrustAnalysisCache } from '@backstage-iam/plugin-iam-roles-common';
import knexFactory, { Knex } from 'knex';
import { githubStatement, roleEntity } from '../__testUtils__/fixtures';
import { buildTrustSnapshot } from '../service/TrustSnapshot';
import { TrustHistoryRecorder } from './TrustHistoryRecorder';
import { TrustHistoryStore } from './TrustHistoryStore';
import { TrustHistoryNotifier } from './TrustHistoryNotifier';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const OWNER = 'group:default/team-payments';
const deployer = {
  Sid: 'Deployer',
  Effect: 'Allow',
  Principal: {
    AWS: [
      'arn:aws:iam::111111111111:role/deployer',
      'arn:aws:iam::111111111111:role/terraform',
    ],
  },
  Action: ['sts:AssumeRole', 'sts:TagSession'],
};

function rolesOf(entities: Entity[]) {
  return buildTrustSnapshot(entities, {
    internalAccounts: ['111111111111'],
    cache: TrustAnalysisCache.create(),
  }).roles;
}

const ci = (statements: unknown[], name = 'ci-deploy') =>
  roleEntity({ name, owner: OWNER, statements });

/** Counts the SQL statements a knex client sends while `fn` runs. */
async function countQueries(knex: Knex, fn: () => Promise<unknown>) {
  let n = 0;
  const listener = () => {
    n += 1;
  };
  knex.on('query', listener);
  try {
    await fn();
  } finally {
    knex.off('query', listener);
  }
  return n;
}

describe.each(databases.eachSupportedId())(
  'TrustHistoryRecorder on %s',
  databaseId => {
    let knex: Knex;
    let store: TrustHistoryStore;
    let recorder: TrustHistoryRecorder;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      store = await TrustHistoryStore.fromKnex(knex);
      recorder = TrustHistoryRecorder.create({
        store,
        logger: mockServices.logger.mock(),
      });
    });

    it('records a version only on a real change: reordering statements or principals is none', async () => {
      const first = await recorder.record(
        rolesOf([ci([githubStatement('acme/api'), deployer])]),
      );
      expect(first.inserted.map(v => [v.version, v.kind])).toEqual([
        [1, 'baseline'],
      ]);
      const reordered = {
        ...deployer,
        Principal: { AWS: [...deployer.Principal.AWS].reverse() },
        Action: [...deployer.Action].reverse(),
      };
      const again = await recorder.record(
        rolesOf([ci([reordered, githubStatement('acme/api')])]),
      );
      expect(again).toMatchObject({ checked: 1, changed: 0, inserted: [] });
      expect(
        await store.roleHistory('resource:default/ci-deploy', 10),
      ).toHaveLength(1);
    });

    it('reports a change that adds a public principal with its finding, and lists it first', async () => {
      await recorder.record(
        rolesOf([
          ci([deployer]),
          ci([githubStatement('acme/web')], 'web-deploy'),
        ]),
        { at: '2026-11-01T00:00:00.000Z' },
      );
      // web-deploy changes later, but harmlessly; ci-deploy earlier, and becomes public.
      await recorder.record(
        rolesOf([
          ci([
            deployer,
            { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
          ]),
          ci([githubStatement('acme/web')], 'web-deploy'),
        ]),
        { at: '2026-11-02T00:00:00.000Z' },
      );
      await recorder.record(
        rolesOf([
          ci([
            deployer,
            { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
          ]),
          ci([githubStatement('acme/web'), deployer], 'web-deploy'),
        ]),
        { at: '2026-11-03T00:00:00.000Z' },
      );
      const [latest] = await store.roleHistory(
        'resource:default/ci-deploy',
        10,
      );
      expect(latest).toMatchObject({
        version: 2,
        kind: 'changed',
        seenAt: '2026-11-02T00:00:00.000Z',
        introducedSeverity: 'critical',
      });
      expect(latest.changes.changed).toEqual(['trust-policy', 'findings']);
      expect(latest.changes.principalsAdded).toEqual([
        expect.objectContaining({ kind: 'public', id: '*' }),
      ]);
      expect(latest.changes.principalsRemoved).toEqual([]);
      expect(latest.changes.findingsAppeared).toEqual([
        expect.objectContaining({ id: 'public-trust', severity: 'critical' }),
      ]);
      expect(latest.summary).toMatch(
        /^Now trusts .*New findings: .*\(critical\)/,
      );

      const changes = await store.listChanges({ limit: 10, offset: 0 });
      // Baselines are no news; the risky change comes first although it is older.
      expect(changes.items.map(v => [v.roleRef, v.version])).toEqual([
        ['resource:default/ci-deploy', 2],
        ['resource:default/web-deploy', 2],
      ]);
      const risky = await store.listChanges({
        limit: 10,
        offset: 0,
        maxRank: 1,
        since: '2026-11-01T12:00:00.000Z',
      });
      expect(risky.totalItems).toBe(1);
    });

    it('records owner, attached policies and permissions boundary changes', async () => {
      const role = ci([deployer]);
      await recorder.record(rolesOf([role]));
      const changed = JSON.parse(JSON.stringify(role));
      changed.spec.owner = 'group:default/platform';
      changed.spec.iam.attachedManagedPolicies = [
        {
          name: 'AdministratorAccess',
          arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
        },
      ];
      changed.spec.iam.permissionsBoundary =
        'arn:aws:iam::111111111111:policy/boundary';
      const { inserted } = await recorder.record(rolesOf([changed]));
      expect(inserted[0].changes).toMatchObject({
        changed: ['owner', 'policies', 'permissions-boundary'],
        owner: { from: OWNER, to: 'group:default/platform' },
        policiesAttached: ['arn:aws:iam::aws:policy/AdministratorAccess'],
        permissionsBoundary: {
          to: 'arn:aws:iam::111111111111:policy/boundary',
        },
        principalsAdded: [],
      });
    });

    it('records the first sight of 10,000 roles in one pass of batched inserts, and reads nothing more when nothing changed', async () => {
      const entities = Array.from({ length: 10_000 }, (_, i) =>
        ci([githubStatement(`acme/repo-${i}`)], `role-${i}`),
      );
      const roles = rolesOf(entities);
      let result;
      const queries = await countQueries(knex, async () => {
        result = await recorder.record(roles);
      });
      expect(result!.inserted).toHaveLength(10_000);
      // heads + per batch of 500: begin, versions insert, heads upsert, commit.
      expect(queries).toBeLessThanOrEqual(1 + 20 * 4);
      const unchanged = await countQueries(knex, async () => {
        result = await recorder.record(roles);
      });
      expect(result!.inserted).toHaveLength(0);
      expect(unchanged).toBe(1);
      // A role IAM created since its account was first seen is news; one the catalog only now
      // delivers (created long before) is part of the baseline.
      const late = ci([deployer], 'stitched-late') as any;
      late.spec.iam.createDate = '2020-01-01T00:00:00Z';
      const more = rolesOf([...entities, ci([deployer], 'brand-new'), late]);
      const { inserted } = await recorder.record(more);
      expect(inserted.map(v => [v.roleRef, v.kind])).toEqual([
        ['resource:default/brand-new', 'created'],
        ['resource:default/stitched-late', 'baseline'],
      ]);
    });

    it('records each change once when two replicas record on one database', async () => {
      const other = knexFactory(
        (knex as unknown as { client: { config: Knex.Config } }).client.config,
      );
      // SQLite in memory is one database per connection: the replicas share the client there.
      const secondKnex = databaseId.startsWith('SQLITE') ? knex : other;
      try {
        const secondStore = await TrustHistoryStore.fromKnex(secondKnex);
        const second = TrustHistoryRecorder.create({
          store: secondStore,
          logger: mockServices.logger.mock(),
        });
        const before = rolesOf([ci([deployer])]);
        const after = rolesOf([ci([deployer, githubStatement('acme/api')])]);
        const firsts = await Promise.all([
          recorder.record(before),
          second.record(before),
        ]);
        expect(firsts.flatMap(r => r.inserted)).toHaveLength(1);
        const results = await Promise.all([
          recorder.record(after),
          second.record(after),
        ]);
        expect(results.flatMap(r => r.inserted)).toHaveLength(1);
        const versions = await store.roleHistory(
          'resource:default/ci-deploy',
          10,
        );
        expect(versions.map(v => v.version)).toEqual([2, 1]);
        expect(
          (await store.heads()).get('resource:default/ci-deploy')?.version,
        ).toBe(2);

        // The race made certain: the second replica read the heads before the first wrote.
        const stale = await secondStore.heads();
        const third = rolesOf([ci([githubStatement('acme/api')])]);
        expect((await recorder.record(third)).inserted).toHaveLength(1);
        jest.spyOn(secondStore, 'heads').mockResolvedValueOnce(stale);
        expect((await second.record(third)).inserted).toEqual([]);
        expect(
          (await store.roleHistory('resource:default/ci-deploy', 10)).map(
            v => v.version,
          ),
        ).toEqual([3, 2, 1]);
        expect(
          (await store.heads()).get('resource:default/ci-deploy')?.version,
        ).toBe(3);
      } finally {
        await other.destroy();
      }
    });

    it('records a role gone from the catalog once, keeps its last facts, and a role back again as new', async () => {
      const both = rolesOf([
        ci([deployer]),
        ci([githubStatement('acme/web')], 'web-deploy'),
      ]);
      await recorder.record(both, { at: '2026-11-01T00:00:00.000Z' });
      const onlyCi = rolesOf([ci([deployer])]);
      // A recorder that never saw web-deploy (a restart, the catalog still stitching) removes nothing.
      const fresh = TrustHistoryRecorder.create({
        store,
        logger: mockServices.logger.mock(),
      });
      expect((await fresh.record(onlyCi)).inserted).toEqual([]);

      const gone = await recorder.record(onlyCi, {
        at: '2026-11-02T00:00:00.000Z',
      });
      expect(gone.inserted).toMatchObject([
        {
          roleRef: 'resource:default/web-deploy',
          version: 2,
          kind: 'removed',
          summary:
            'Gone from the catalog: deleted in IAM, or its account is no longer read.',
          introducedSeverity: 'none',
        },
      ]);
      expect(gone.inserted[0].facts.principals).toHaveLength(1);
      expect(
        (await recorder.record(onlyCi, { at: '2026-11-03T00:00:00.000Z' }))
          .inserted,
      ).toEqual([]);

      const back = await recorder.record(both, {
        at: '2026-11-04T00:00:00.000Z',
      });
      expect(back.inserted.map(v => [v.roleRef, v.version, v.kind])).toEqual([
        ['resource:default/web-deploy', 3, 'created'],
      ]);
      expect(
        (await store.roleHistory('resource:default/web-deploy', 10)).map(
          v => v.kind,
        ),
      ).toEqual(['created', 'removed', 'baseline']);
    });

    it('survives a restart: a new client and recorder on the same database see the history', async () => {
      let config = (knex as unknown as { client: { config: Knex.Config } })
        .client.config;
      let dir: string | undefined;
      if (databaseId.startsWith('SQLITE')) {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-history-'));
        config = {
          client: 'better-sqlite3',
          connection: { filename: path.join(dir, 'history.sqlite') },
          useNullAsDefault: true,
        };
      }
      const roles = rolesOf([ci([deployer])]);
      const before = knexFactory(config);
      try {
        const s1 = await TrustHistoryStore.fromKnex(before);
        await TrustHistoryRecorder.create({
          store: s1,
          logger: mockServices.logger.mock(),
        }).record(roles);
      } finally {
        await before.destroy();
      }
      const after = knexFactory(config);
      try {
        const s2 = await TrustHistoryStore.fromKnex(after);
        const restarted = TrustHistoryRecorder.create({
          store: s2,
          logger: mockServices.logger.mock(),
        });
        expect((await restarted.record(roles)).inserted).toEqual([]);
        const changed = await restarted.record(
          rolesOf([ci([deployer, githubStatement('acme/api')])]),
        );
        expect(changed.inserted.map(v => v.version)).toEqual([2]);
        expect(
          (await s2.roleHistory('resource:default/ci-deploy', 10)).length,
        ).toBe(2);
      } finally {
        await after.destroy();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("prunes versions past the retention, but never a role's current one", async () => {
      await recorder.record(rolesOf([ci([deployer])]), {
        at: '2025-01-01T00:00:00.000Z',
      });
      await recorder.record(
        rolesOf([ci([deployer, githubStatement('acme/api')])]),
        { at: '2025-02-01T00:00:00.000Z' },
      );
      // A pass is the whole catalog: a role left out of it would be recorded as removed.
      await recorder.record(
        rolesOf([
          ci([deployer, githubStatement('acme/api')]),
          ci([deployer], 'quiet'),
        ]),
        { at: '2025-01-15T00:00:00.000Z' },
      );
      await recorder.record(
        rolesOf([ci([githubStatement('acme/api')]), ci([deployer], 'quiet')]),
        { at: '2026-11-01T00:00:00.000Z' },
      );
      expect(await store.prune('2026-01-01T00:00:00.000Z')).toBe(2);
      expect(
        (await store.roleHistory('resource:default/ci-deploy', 10)).map(
          v => v.version,
        ),
      ).toEqual([3]);
      // Unchanged since 2025: its one version is what it is now, and stays.
      expect(
        (await store.roleHistory('resource:default/quiet', 10)).map(
          v => v.version,
        ),
      ).toEqual([1]);
    });

    it('tells the owning group of a critical change, and subscribers of any change', async () => {
      const sent: any[] = [];
      const notifying = TrustHistoryRecorder.create({
        store,
        logger: mockServices.logger.mock(),
        notifier: TrustHistoryNotifier.create({
          store,
          logger: mockServices.logger.mock(),
          notifications: {
            async send(n) {
              sent.push(n);
            },
          },
        }),
      });
      await notifying.record(rolesOf([ci([deployer])]));
      expect(sent).toEqual([]);
      await store.subscribe(
        'resource:default/ci-deploy',
        'user:default/noah',
        '2026-11-01T00:00:00.000Z',
      );
      await notifying.record(
        rolesOf([ci([deployer, githubStatement('acme/api')])]),
      );
      expect(sent.map(n => n.recipients.entityRef)).toEqual([
        ['user:default/noah'],
      ]);
      await notifying.record(
        rolesOf([
          ci([
            deployer,
            githubStatement('acme/api'),
            {
              Effect: 'Allow',
              Principal: { AWS: '*' },
              Action: 'sts:AssumeRole',
            },
          ]),
        ]),
      );
      expect(sent.at(-1)).toMatchObject({
        recipients: { entityRef: [OWNER, 'user:default/noah'] },
        payload: {
          severity: 'high',
          title:
            'Trust of role ci-deploy in account 111111111111 changed: new critical finding',
          link: '/catalog/default/resource/ci-deploy/trust',
        },
      });
      // Gone from the catalog: the role's page is gone too, the lookup lists the change.
      await notifying.record(
        rolesOf([ci([githubStatement('acme/web')], 'web-deploy')]),
      );
      expect(sent.at(-1)).toMatchObject({
        recipients: { entityRef: ['user:default/noah'] },
        payload: {
          severity: 'normal',
          title:
            'The role ci-deploy in account 111111111111 is gone from the catalog',
          link: '/iam-roles?tab=lookup',
        },
      });
    });
  },
);
