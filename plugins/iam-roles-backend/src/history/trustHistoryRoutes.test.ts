import { TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  BrokerTestBackend,
  startBrokerBackend,
} from '../__testUtils__/startBrokerBackend';
import {
  BROKER_ARN,
  fixtureEntities,
  githubStatement,
  roleEntity,
} from '../__testUtils__/fixtures';
import {
  parsePrincipalSpec,
  type TrustVersion,
} from '@backstage-iam/plugin-iam-roles-common';
import { firstAccess } from './trustHistoryRoutes';
import { noChanges } from './roleFacts';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const BOB = 'user:default/bob';
const SAM = 'user:default/sam';
const DEPLOY = 'resource:default/payments-deploy';

/** The payments-deploy role after someone widened it: any branch of any repository of any owner. */
function widened(): Entity[] {
  return fixtureEntities().map(e =>
    e.metadata.name === 'payments-deploy'
      ? roleEntity({
          name: 'payments-deploy',
          owner: 'group:default/team-payments',
          statements: [
            {
              Sid: 'Broker',
              Effect: 'Allow',
              Principal: { AWS: BROKER_ARN },
              Action: [
                'sts:AssumeRole',
                'sts:SetSourceIdentity',
                'sts:TagSession',
              ],
            },
            githubStatement('acme/payments-api'),
            { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
          ],
          assumableBy: ['component:default/payments-api'],
        })
      : e,
  );
}

/** A catalog whose entities a test replaces, as the catalog module would on its next read. */
function swappableCatalog(entities: Entity[]) {
  let current = catalogServiceMock({ entities });
  const catalog = new Proxy({} as CatalogService, {
    get: (_t, key) => {
      const value = (current as any)[key];
      return typeof value === 'function' ? value.bind(current) : value;
    },
  });
  return {
    catalog,
    replace(next: Entity[]) {
      current = catalogServiceMock({ entities: next });
    },
  };
}

async function eventually(check: () => Promise<boolean>) {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise(r => setTimeout(r, 25));
  }
  throw new Error('The trust history was not recorded in time');
}

describe.each(databases.eachSupportedId())(
  'trust history routes on %s',
  databaseId => {
    let backend: BrokerTestBackend;
    const refresh = () =>
      backend.tasks.get('iam-roles-trust-refresh')!({} as any);
    const versionsOf = async (ref: string) =>
      (await backend.call('get', `/trust-history/roles?entityRef=${ref}`, BOB))
        .body.versions;

    beforeEach(async () => {
      const knex = await databases.init(databaseId);
      const { catalog, replace } = swappableCatalog(fixtureEntities());
      backend = await startBrokerBackend({
        knex,
        catalog,
        logLevel: 'none',
        permissions: (permission, user) =>
          !(user === SAM && permission === 'iam-roles.trust.read'),
      });
      await refresh();
      await eventually(async () => (await versionsOf(DEPLOY)).length === 1);
      replace(widened());
      await refresh();
      await eventually(async () => (await versionsOf(DEPLOY)).length === 2);
    });

    afterEach(() => backend.stop());

    it("answers a role's history newest first, with the change in words", async () => {
      const [latest, first] = await versionsOf(DEPLOY);
      expect(first).toMatchObject({ version: 1, kind: 'baseline' });
      expect(latest).toMatchObject({
        version: 2,
        kind: 'changed',
        introducedSeverity: 'critical',
      });
      expect(latest.summary).toMatch(/Now trusts .*public|anyone/i);
      expect(
        backend.auditEvents.filter(e => e.eventId === 'trust-history'),
      ).toEqual([
        expect.objectContaining({
          meta: expect.objectContaining({ actionType: 'baseline' }),
        }),
        expect.objectContaining({
          outcome: 'success',
          meta: expect.objectContaining({
            actionType: 'trust-changed',
            roleRef: DEPLOY,
            version: '2',
            introducedSeverity: 'critical',
          }),
        }),
      ]);
      // The owning group is told of the critical finding.
      expect(backend.notifications.at(-1)).toMatchObject({
        recipients: { entityRef: ['group:default/team-payments'] },
        payload: { topic: 'iam-roles-trust-history' },
      });
    });

    it('lists recent changes and exports them as CSV and JSON lines', async () => {
      const page = await backend.call(
        'get',
        '/trust-history/changes?severity=high',
        BOB,
      );
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ totalItems: 1, offset: 0 });
      expect(page.body.items[0].roleRef).toBe(DEPLOY);

      const csv = await backend.call(
        'get',
        `/trust-history/roles?entityRef=${DEPLOY}&format=csv`,
        BOB,
      );
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      const lines = csv.text.trim().split('\r\n');
      expect(lines[0]).toBe(
        'seenAt,roleRef,arn,version,kind,ownerRef,introducedSeverity,changed,principalsAdded,principalsRemoved,findingsAppeared,findingsGone,summary,policyHash',
      );
      expect(lines).toHaveLength(3);
      expect(lines[1]).toContain('public-trust (critical)');

      const jsonl = await backend.call(
        'get',
        '/trust-history/changes?format=jsonl',
        BOB,
      );
      expect(jsonl.headers['content-type']).toMatch(/ndjson/);
      const rows = jsonl.text
        .trim()
        .split('\n')
        .map(l => JSON.parse(l));
      expect(rows.map(r => [r.roleRef, r.version])).toEqual([[DEPLOY, 2]]);
    });

    it('says since when a principal can assume the role', async () => {
      const anyone = await backend.call(
        'get',
        `/trust-history/first-access?entityRef=${DEPLOY}&principal=arn:aws:iam::999999999999:role/stranger`,
        BOB,
      );
      expect(anyone.body).toMatchObject({
        firstVersion: 2,
        now: 'allowed',
      });
      expect(anyone.body.since).toBe(anyone.body.firstAt);
      const ci = await backend.call(
        'get',
        `/trust-history/first-access?entityRef=${DEPLOY}&principal=${encodeURIComponent(
          'github:acme/payments-api@refs/heads/main',
        )}`,
        BOB,
      );
      expect(ci.body).toMatchObject({ firstVersion: 1, now: 'allowed' });
      expect(ci.body.since).toBe(ci.body.recordedSince);

      const unknown = await backend.call(
        'get',
        '/trust-history/first-access?entityRef=resource:default/nope&principal=111111111111',
        BOB,
      );
      expect(unknown.status).toBe(404);
      const bad = await backend.call(
        'get',
        `/trust-history/first-access?entityRef=${DEPLOY}&principal=what%20is%20this`,
        BOB,
      );
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/Cannot read "what is this"/);
    });

    it('subscribes a user to a role (a role of the catalog only) and unsubscribes', async () => {
      const created = await backend.call(
        'post',
        '/trust-history/subscriptions',
        BOB,
        { roleRef: 'resource:default/legacy-open' },
      );
      expect(created.status).toBe(200);
      expect(
        (await backend.call('get', '/trust-history/subscriptions', BOB)).body
          .items,
      ).toEqual([
        expect.objectContaining({ roleRef: 'resource:default/legacy-open' }),
      ]);
      const missing = await backend.call(
        'post',
        '/trust-history/subscriptions',
        BOB,
        { roleRef: 'resource:default/nope' },
      );
      expect(missing.status).toBe(404);
      const gone = await backend.call(
        'delete',
        '/trust-history/subscriptions?roleRef=resource:default/legacy-open',
        BOB,
      );
      expect(gone.status).toBe(200);
      expect(gone.body.items).toEqual([]);
      expect(
        (await backend.call('get', '/trust-history/subscriptions', BOB)).body
          .items,
      ).toEqual([]);
    });

    it('authenticates every route, checks the trust read permission and says what to fix', async () => {
      for (const path of [
        `/trust-history/roles?entityRef=${DEPLOY}`,
        '/trust-history/changes',
        `/trust-history/first-access?entityRef=${DEPLOY}&principal=111111111111`,
        '/trust-history/subscriptions',
      ]) {
        expect((await backend.call('get', path)).status).toBe(401);
        expect((await backend.call('get', path, SAM)).status).toBe(403);
      }
      const bad = await backend.call(
        'get',
        '/trust-history/changes?severity=urgent&since=yesterday',
        BOB,
      );
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/severity must be one of/);
      expect(bad.body.error.message).toMatch(/since must be an ISO 8601/);
      const noRef = await backend.call('get', '/trust-history/roles', BOB);
      expect(noRef.status).toBe(400);
    });
  },
);

describe('trust history turned off', () => {
  it('records nothing and says so on every route, after the usual checks', async () => {
    const knex = await databases.init('SQLITE_3');
    const backend = await startBrokerBackend({
      knex,
      logLevel: 'none',
      config: { iamRoles: { history: { enabled: false } } },
    });
    try {
      await backend.tasks.get('iam-roles-trust-refresh')!({} as any);
      expect((await backend.call('get', '/trust-history/changes')).status).toBe(
        401,
      );
      const off = await backend.call('get', '/trust-history/changes', BOB);
      expect(off.status).toBe(501);
      expect(off.body.error.message).toMatch(/iamRoles\.history\.enabled/);
      expect(backend.tasks.has('iam-roles-trust-history-retention')).toBe(
        false,
      );
      // Recording is not awaited by the refresh: give a recorder, were there one, time to write.
      await new Promise(r => setTimeout(r, 300));
      expect(await knex.schema.hasTable('iam_trust_versions')).toBe(true);
      expect(
        Number((await knex('iam_trust_versions').count({ n: '*' }))[0].n),
      ).toBe(0);
    } finally {
      await backend.stop();
    }
  });
});

describe('firstAccess', () => {
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111111111111:root' },
        Action: 'sts:AssumeRole',
      },
    ],
  });
  const version = (n: number, kind: TrustVersion['kind']): TrustVersion => ({
    roleRef: DEPLOY,
    version: n,
    kind,
    seenAt: `2026-11-0${n}T00:00:00.000Z`,
    arn: 'arn:aws:iam::111111111111:role/payments-deploy',
    accountId: '111111111111',
    ownerRef: 'group:default/team-payments',
    policyHash: 'h',
    introducedSeverity: 'none',
    summary: '',
    facts: {
      policyHash: 'h',
      policy,
      principals: [],
      findings: [],
      ownerRef: 'group:default/team-payments',
      policies: [],
      identityCenter: [],
    },
    changes: noChanges(),
  });

  it('lets nobody in through a removed version, though it keeps the last policy', () => {
    const context = parsePrincipalSpec('111111111111');
    const live = firstAccess(DEPLOY, '111111111111', context, [
      version(1, 'baseline'),
    ]);
    expect(live).toMatchObject({ now: 'allowed', since: live.firstAt });
    const gone = firstAccess(DEPLOY, '111111111111', context, [
      version(1, 'baseline'),
      version(2, 'removed'),
    ]);
    expect(gone).toMatchObject({
      now: 'not-trusted',
      since: undefined,
      firstAt: '2026-11-01T00:00:00.000Z',
    });
  });
});
