import { TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  BROKER_ARN,
  fixtureEntities,
  githubStatement,
  roleEntity,
} from '../__testUtils__/fixtures';
import { withBrokerBackend } from '../__testUtils__/startBrokerBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('trust index freshness', () => {
  it('answers from the index, reads the catalog on refresh, and finds roles added since', async () => {
    let current = catalogServiceMock({ entities: fixtureEntities() });
    const reads = { stream: 0, byRef: 0 };
    const catalog = {
      streamEntities(...args: Parameters<CatalogService['streamEntities']>) {
        reads.stream += 1;
        return current.streamEntities(...args);
      },
      async getEntityByRef(
        ...args: Parameters<CatalogService['getEntityByRef']>
      ) {
        reads.byRef += 1;
        return current.getEntityByRef(...args);
      },
    } as unknown as CatalogService;

    await withBrokerBackend(
      {
        knex: await databases.init('SQLITE_3'),
        catalog,
        logLevel: 'none',
        config: {
          iamRoles: { broker: { sts: { brokerPrincipalArn: BROKER_ARN } } },
        },
      },
      async backend => {
        const alice = 'user:default/alice';
        for (let i = 0; i < 5; i++) {
          expect(
            (
              await backend.call(
                'get',
                '/roles/trust?entityRef=resource:default/payments-deploy',
                alice,
              )
            ).status,
          ).toBe(200);
          expect(
            (
              await backend.call(
                'get',
                '/assumable?entityRef=component:default/payments-api',
                alice,
              )
            ).status,
          ).toBe(200);
          expect((await backend.call('get', '/findings', alice)).status).toBe(
            200,
          );
        }
        expect(reads).toEqual({ stream: 1, byRef: 0 });

        current = catalogServiceMock({
          entities: [
            ...fixtureEntities(),
            roleEntity({
              name: 'fresh-role',
              owner: 'group:default/team-payments',
              statements: [
                {
                  Effect: 'Allow',
                  Principal: { AWS: BROKER_ARN },
                  Action: 'sts:AssumeRole',
                },
              ],
            }),
          ],
        });
        const lookup = () =>
          backend.call(
            'get',
            `/lookup?q=${encodeURIComponent(BROKER_ARN)}`,
            alice,
          );
        expect(
          (await lookup()).body.roles.map((r: any) => r.entityRef),
        ).not.toContain('resource:default/fresh-role');

        // a role that appeared since the last refresh can be requested at once (one catalog read) …
        const created = await backend.call('post', '/requests', alice, {
          roleRef: 'resource:default/fresh-role',
          justification: 'First use of a brand new role',
          durationMinutes: 30,
        });
        expect(created.status).toBe(201);
        expect(reads.byRef).toBe(1);

        // … and the scheduled refresh puts it in the index
        await backend.tasks.get('iam-roles-trust-refresh')!({} as any);
        expect(reads.stream).toBe(2);
        expect(
          (await lookup()).body.roles.map((r: any) => r.entityRef),
        ).toContain('resource:default/fresh-role');
      },
    );
  });
});

describe('GitLab projects', () => {
  it('answers what a GitLab project can assume, through its gitlab.com/project-slug', async () => {
    const billing = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'billing',
        namespace: 'default',
        annotations: { 'gitlab.com/project-slug': 'acme/finance/billing' },
      },
      spec: { type: 'service', owner: 'group:default/team-payments' },
    };
    const gitlabRole = (name: string, sub: string, assumableBy?: string[]) =>
      roleEntity({
        name,
        owner: 'group:default/team-payments',
        assumableBy,
        statements: [
          {
            Effect: 'Allow',
            Principal: {
              Federated: 'arn:aws:iam::111111111111:oidc-provider/gitlab.com',
            },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: { 'gitlab.com:aud': 'https://gitlab.com' },
              StringLike: { 'gitlab.com:sub': sub },
            },
          },
        ],
      });
    await withBrokerBackend(
      {
        knex: await databases.init('SQLITE_3'),
        catalog: catalogServiceMock({
          entities: [
            ...fixtureEntities(),
            billing,
            gitlabRole(
              'billing-deploy',
              'project_path:acme/finance/billing:ref_type:branch:ref:main',
              // as the catalog module relates it (through -common's matchWorkload)
              ['component:default/billing'],
            ),
            gitlabRole('other-deploy', 'project_path:acme/other:*'),
          ],
        }),
        logLevel: 'none',
        config: {
          iamRoles: { broker: { sts: { brokerPrincipalArn: BROKER_ARN } } },
        },
      },
      async backend => {
        const res = await backend.call(
          'get',
          '/assumable?entityRef=component:default/billing',
          'user:default/alice',
        );
        expect(res.status).toBe(200);
        expect(res.body.roles).toEqual([
          expect.objectContaining({
            entityRef: 'resource:default/billing-deploy',
            matchedBy: 'gitlab:acme/finance/billing@main',
            // each job picks its audience: the role's aud condition stays open
            outcome: 'possible',
            conditions: [
              expect.objectContaining({
                key: 'gitlab.com:aud',
                values: ['https://gitlab.com'],
              }),
            ],
          }),
        ]);
      },
    );
  });
});

describe('who can assume, in catalog terms', () => {
  const lookAlike = () => {
    const entity = roleEntity({
      name: 'look-alike',
      owner: 'group:default/team-mallory',
      statements: [
        {
          Effect: 'Allow',
          Principal: { AWS: BROKER_ARN },
          Action: 'sts:AssumeRole',
        },
      ],
    });
    // Registered from a location: the catalog sets these to where it was read from.
    entity.metadata.annotations!['backstage.io/managed-by-location'] =
      'url:https://github.com/mallory/catalog/blob/main/role.yaml';
    return entity;
  };

  it('treats only the role entities the catalog module emitted as roles', async () => {
    await withBrokerBackend(
      {
        knex: await databases.init('SQLITE_3'),
        catalog: catalogServiceMock({
          entities: [...fixtureEntities(), lookAlike()],
        }),
        logLevel: 'none',
        config: {
          iamRoles: { broker: { sts: { brokerPrincipalArn: BROKER_ARN } } },
        },
      },
      async backend => {
        const alice = 'user:default/alice';
        const trust = await backend.call(
          'get',
          '/roles/trust?entityRef=resource:default/look-alike',
          alice,
        );
        expect(trust.status).toBe(404);
        const request = await backend.call('post', '/requests', alice, {
          roleRef: 'resource:default/look-alike',
          justification: 'Trying to steer who approves this',
          durationMinutes: 30,
        });
        expect(request.status).toBe(400);
        expect(request.body.error.message).toMatch(
          /is not an aws-iam-role entity/,
        );
        const lookup = await backend.call(
          'get',
          `/lookup?q=${encodeURIComponent(BROKER_ARN)}`,
          alice,
        );
        expect(lookup.body.roles.map((r: any) => r.entityRef)).not.toContain(
          'resource:default/look-alike',
        );
      },
    );
  });

  it('answers from the relations: a related role is never dropped, an unrelated one never added', async () => {
    const declared = roleEntity({
      name: 'declared',
      owner: 'group:default/team-payments',
      // Nothing the component presents gets in, but the catalog relates them: shown, as possible.
      statements: [
        {
          Effect: 'Allow',
          Principal: { Service: 'ec2.amazonaws.com' },
          Action: 'sts:AssumeRole',
        },
      ],
      assumableBy: ['component:default/payments-api'],
    });
    await withBrokerBackend(
      {
        knex: await databases.init('SQLITE_3'),
        catalog: catalogServiceMock({
          entities: [...fixtureEntities(), declared],
        }),
        logLevel: 'none',
      },
      async backend => {
        const res = await backend.call(
          'get',
          '/assumable?entityRef=component:default/payments-api',
          'user:default/alice',
        );
        expect(
          res.body.roles.map((r: any) => [r.entityRef, r.outcome, r.matchedBy]),
        ).toEqual([
          [
            'resource:default/payments-deploy',
            'allowed',
            'github:acme/payments-api@refs/heads/main',
          ],
          [
            'resource:default/declared',
            'possible',
            'a catalog relation (assumableBy)',
          ],
        ]);
        // The lookup for the repository asks the same contexts: the same role and the same answer.
        const lookup = await backend.call(
          'get',
          '/lookup?q=github:acme/payments-api',
          'user:default/alice',
        );
        expect(
          lookup.body.roles.map((r: any) => [
            r.entityRef,
            r.outcome,
            r.matchedBy,
          ]),
        ).toEqual([
          [
            'resource:default/payments-deploy',
            'allowed',
            'github:acme/payments-api@refs/heads/main',
          ],
        ]);
      },
    );
  });
});

describe('role chains in the incident lookup', () => {
  const arnOf = (name: string, account = '111111111111') =>
    `arn:aws:iam::${account}:role/${name}`;
  const trusting = (arn: string) => ({
    Effect: 'Allow',
    Principal: { AWS: arn },
    Action: 'sts:AssumeRole',
  });

  it('lists the roles reached through other roles, with each hop, and leaves out a hop an RCP closes', async () => {
    const guarded = roleEntity({
      name: 'guarded-admin',
      owner: 'group:default/team-payments',
      statements: [trusting(arnOf('chain-deploy'))],
    });
    // An RCP of the organisation: only principals of account 222222222222 may assume its roles.
    (guarded.spec as any).iam.resourceControlPolicies = [
      {
        id: 'p-perimeter',
        name: 'identity-perimeter',
        document: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'OnlyOurAccount',
              Effect: 'Deny',
              Principal: '*',
              Action: 'sts:AssumeRole',
              Resource: '*',
              Condition: {
                StringNotEquals: { 'aws:PrincipalAccount': '222222222222' },
              },
            },
          ],
        },
      },
    ];
    const entities = [
      ...fixtureEntities(),
      roleEntity({
        name: 'chain-ci',
        owner: 'group:default/team-payments',
        statements: [githubStatement('acme/chain-repo')],
        assumableBy: ['component:default/chain-repo'],
      }),
      roleEntity({
        name: 'chain-deploy',
        owner: 'group:default/team-payments',
        statements: [trusting(arnOf('chain-ci'))],
      }),
      roleEntity({
        name: 'chain-admin',
        owner: 'group:default/team-payments',
        statements: [trusting(arnOf('chain-deploy'))],
      }),
      guarded,
    ];
    await withBrokerBackend(
      {
        knex: await databases.init('SQLITE_3'),
        entities,
        logLevel: 'none',
      },
      async backend => {
        const res = await backend.call(
          'get',
          '/lookup?q=github:acme/chain-repo',
          'user:default/alice',
        );
        expect(res.status).toBe(200);
        expect(res.body.roles.map((r: any) => r.entityRef)).toEqual([
          'resource:default/chain-ci',
        ]);
        expect(
          res.body.chains.map((c: any) => [c.entityRef, c.depth, c.outcome]),
        ).toEqual([
          // The fixtures' public role: any role session gets in, so CI's role does too.
          ['resource:default/legacy-open', 2, 'allowed'],
          ['resource:default/chain-deploy', 2, 'allowed'],
          ['resource:default/chain-admin', 3, 'allowed'],
        ]);
        // guarded-admin trusts chain-deploy too, but the organisation's RCP closes it to account 111111111111.
        expect(res.body.chains.map((c: any) => c.entityRef)).not.toContain(
          'resource:default/guarded-admin',
        );
        expect(
          res.body.chains[2].path.map((h: any) => [h.entityRef, h.via]),
        ).toEqual([
          ['resource:default/chain-ci', 'sts:AssumeRoleWithWebIdentity'],
          ['resource:default/chain-deploy', 'sts:AssumeRole'],
          ['resource:default/chain-admin', 'sts:AssumeRole'],
        ]);
        expect(res.body.chainsTruncated).toBeUndefined();

        // The other way: on the admin role's tab, who reaches it through other roles.
        const admin = await backend.call(
          'get',
          '/roles/trust?entityRef=resource:default/chain-admin',
          'user:default/alice',
        );
        expect(
          admin.body.reachableFrom.map((c: any) => [
            c.entityRef,
            c.depth,
            c.path.map((h: any) => h.entityRef),
            c.holders,
          ]),
        ).toEqual([
          [
            'resource:default/chain-deploy',
            1,
            ['resource:default/chain-admin'],
            [],
          ],
          [
            'resource:default/chain-ci',
            2,
            ['resource:default/chain-deploy', 'resource:default/chain-admin'],
            ['component:default/chain-repo'],
          ],
        ]);
        // The RCP closes guarded-admin to chain-deploy: nobody reaches it through a chain.
        const closed = await backend.call(
          'get',
          '/roles/trust?entityRef=resource:default/guarded-admin',
          'user:default/alice',
        );
        expect(closed.body.reachableFrom).toBeUndefined();
      },
    );
  });
});

describe('incident lookup of a catalog entity', () => {
  it('answers for a user, group or component what the relations say, as /assumable does', async () => {
    await withBrokerBackend(
      {
        knex: await databases.init('SQLITE_3'),
        entities: fixtureEntities(),
        logLevel: 'none',
      },
      async backend => {
        for (const ref of [
          'component:default/payments-api',
          'group:default/team-payments',
        ]) {
          const lookup = await backend.call(
            'get',
            `/lookup?q=${encodeURIComponent(ref)}`,
            'user:default/alice',
          );
          const assumable = await backend.call(
            'get',
            `/assumable?entityRef=${encodeURIComponent(ref)}`,
            'user:default/alice',
          );
          expect(lookup.status).toBe(200);
          expect(lookup.body.query).toBe(ref);
          expect(lookup.body.roles).toEqual(assumable.body.roles);
        }
        const component = await backend.call(
          'get',
          '/lookup?q=component:default/payments-api',
          'user:default/alice',
        );
        expect(component.body.roles.map((r: any) => r.entityRef)).toContain(
          'resource:default/payments-deploy',
        );
      },
    );
  });
});
