import { TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  BROKER_ARN,
  brokerStatement,
  fixtureEntities,
  roleEntity,
} from '../__testUtils__/fixtures';
import { withBrokerBackend } from '../__testUtils__/startBrokerBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const ALICE = 'user:default/alice';

type IamSpec = { iam: Record<string, unknown> };
function withIam(e: Entity, iam: Record<string, unknown>): Entity {
  const spec = e.spec as unknown as IamSpec;
  return { ...e, spec: { ...spec, iam: { ...spec.iam, ...iam } } } as Entity;
}

function entities(): Entity[] {
  const recent = new Date(Date.now() - 3 * 86_400_000).toISOString();
  const old = new Date(Date.now() - 200 * 86_400_000).toISOString();
  return [
    ...fixtureEntities().map(e =>
      e.metadata.name === 'payments-deploy'
        ? withIam(e, { lastUsed: { date: recent, region: 'eu-west-1' } })
        : e,
    ),
    withIam(
      roleEntity({
        name: 'stale-reader',
        owner: 'group:default/team-data',
        accountId: '222222222222',
        statements: [brokerStatement],
      }),
      { lastUsed: { date: old } },
    ),
    {
      ...roleEntity({
        name: 'AWSServiceRoleForECS',
        owner: 'group:default/platform',
        statements: [
          {
            Effect: 'Allow',
            Principal: { Service: 'ecs.amazonaws.com' },
            Action: 'sts:AssumeRole',
          },
        ],
      }),
    },
    {
      ...roleEntity({
        name: 'formula',
        owner: 'group:default/team-data',
        accountId: '222222222222',
        statements: [brokerStatement],
      }),
    },
  ].map(e => {
    if (e.metadata.name === 'AWSServiceRoleForECS') {
      const arn =
        'arn:aws:iam::111111111111:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS';
      return withIam(e, { arn, path: '/aws-service-role/ecs.amazonaws.com/' });
    }
    if (e.metadata.name === 'acme-prod') {
      // as the catalog module titles an account whose name it knows
      return {
        ...e,
        metadata: {
          ...e.metadata,
          title: 'AWS account acme-prod (111111111111)',
        },
      };
    }
    if (e.metadata.name === 'formula') {
      return { ...e, metadata: { ...e.metadata, title: '=HYPERLINK("x")' } };
    }
    return e;
  });
}

describe('GET /roles (the IAM roles home inventory)', () => {
  it('lists every role risky first with account names, exposure, who it trusts, last use and facets', async () => {
    await withBrokerBackend(
      {
        knex: await databases.init('SQLITE_3'),
        catalog: catalogServiceMock({ entities: entities() }),
        logLevel: 'none',
        config: {
          iamRoles: { broker: { sts: { brokerPrincipalArn: BROKER_ARN } } },
        },
      },
      async backend => {
        const res = await backend.call('get', '/roles', ALICE);
        expect(res.status).toBe(200);
        const { items, totalItems, facets } = res.body;
        expect(totalItems).toBe(7);
        // the public role first: critical and publicly assumable
        expect(items[0]).toMatchObject({
          entityRef: 'resource:default/legacy-open',
          severity: 'critical',
          exposure: 'public',
          topFinding: 'public-trust',
          accountId: '111111111111',
          accountName: 'acme-prod',
          accountRef: 'resource:default/acme-prod',
          owner: 'group:default/team-legacy',
          trustedBy: [{ kind: 'public', count: 1 }],
          requestable: true,
        });
        const byName = Object.fromEntries(
          items.map((r: any) => [r.entityRef.split('/')[1], r]),
        );
        expect(byName['payments-deploy']).toMatchObject({
          lastUsed: expect.any(String),
          trustedBy: expect.arrayContaining([
            { kind: 'role', count: 1 },
            { kind: 'oidc', count: 1 },
          ]),
        });
        expect(byName['payments-deploy'].exposure).toBeUndefined();
        expect(byName.awsserviceroleforecs.requestable).toBe(false);
        expect(byName['stale-reader'].accountName).toBeUndefined();
        // severities as a scale, counting every role; presets count the whole index
        expect(facets.roles).toBe(7);
        expect(facets.severities.map((s: any) => s.value)).toEqual([
          'critical',
          'high',
          'medium',
          'low',
          'info',
          'none',
        ]);
        expect(facets.presets).toEqual({ exposed: 1, unused: 6, critical: 1 });
        expect(facets.accounts).toEqual([
          { value: '111111111111', label: 'acme-prod', count: 5 },
          { value: '222222222222', count: 2 },
        ]);
        expect(facets.owners[0]).toEqual({
          value: 'group:default/team-payments',
          count: 3,
        });
        expect(res.body.index.roles).toBe(7);
      },
    );
  });

  it('filters by preset, owner, account, severity and words, and pages', async () => {
    await withBrokerBackend(
      {
        knex: await databases.init('SQLITE_3'),
        catalog: catalogServiceMock({ entities: entities() }),
        logLevel: 'none',
      },
      async backend => {
        const refs = async (query: string) => {
          const res = await backend.call('get', `/roles?${query}`, ALICE);
          expect(res.status).toBe(200);
          return res.body.items.map((r: any) => r.entityRef.split('/')[1]);
        };
        expect(await refs('preset=exposed')).toEqual(['legacy-open']);
        expect(await refs('preset=critical')).toEqual(['legacy-open']);
        // payments-deploy was used three days ago; stale-reader 200 days ago counts as unused
        const unused = await refs('preset=unused');
        expect(unused).not.toContain('payments-deploy');
        expect(unused).toContain('stale-reader');
        expect(unused).toHaveLength(6);
        expect((await refs('owner=team-payments')).sort()).toEqual([
          'no-broker',
          'payments-admin',
          'payments-deploy',
        ]);
        expect((await refs('account=222222222222')).sort()).toEqual([
          'formula',
          'stale-reader',
        ]);
        expect(await refs('q=PAYMENTS-ad')).toEqual(['payments-admin']);
        expect(await refs('q=aws-service-role')).toEqual([
          'awsserviceroleforecs',
        ]);
        expect(await refs('severity=critical&owner=team-payments')).toEqual([]);
        const page = await backend.call(
          'get',
          '/roles?limit=2&offset=1',
          ALICE,
        );
        expect(page.body).toMatchObject({ totalItems: 7, offset: 1, limit: 2 });
        expect(page.body.items).toHaveLength(2);
      },
    );
  });

  it('refuses a bad filter with a 400 that says what to fix', async () => {
    await withBrokerBackend(
      {
        knex: await databases.init('SQLITE_3'),
        catalog: catalogServiceMock({ entities: entities() }),
        logLevel: 'none',
      },
      async backend => {
        for (const [query, message] of [
          ['preset=public', /preset must be exposed/],
          ['account=acme', /12-digit AWS account id/],
          ['severity=urgent', /severity must be one of critical/],
          ['format=xml', /format must be json or csv/],
          [`q=${'x'.repeat(201)}`, /at most 200 characters/],
        ] as const) {
          const res = await backend.call('get', `/roles?${query}`, ALICE);
          expect(res.status).toBe(400);
          expect(res.body.error.message).toMatch(message);
        }
        expect((await backend.call('get', '/roles')).status).toBe(401);
      },
    );
  });

  it('exports every matching role as CSV, formulas neutralised', async () => {
    await withBrokerBackend(
      {
        knex: await databases.init('SQLITE_3'),
        catalog: catalogServiceMock({ entities: entities() }),
        logLevel: 'none',
      },
      async backend => {
        const res = await backend.call(
          'get',
          '/roles?format=csv&account=222222222222&limit=1',
          ALICE,
        );
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toMatch(/^text\/csv/);
        const lines = res.text.trim().split('\r\n');
        expect(lines[0]).toBe(
          'entityRef,title,arn,accountId,accountName,owner,severity,findings,topFinding,exposure,trustedBy,lastUsed,requestable',
        );
        // every matching row, whatever the page size
        expect(lines).toHaveLength(3);
        expect(res.text).toContain(`"'=HYPERLINK(""x"")"`);
        expect(res.text).toContain('role: 1');
      },
    );
  });
});
