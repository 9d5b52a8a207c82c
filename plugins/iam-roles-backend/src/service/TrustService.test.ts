import { TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ANNOTATION_IAM_ROLE_REVISION,
  roleRevision,
} from '@backstage-iam/plugin-iam-roles-common';
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
      getEntitiesByRefs(
        ...args: Parameters<CatalogService['getEntitiesByRefs']>
      ) {
        return current.getEntitiesByRefs(...args);
      },
      getEntityFacets(...args: Parameters<CatalogService['getEntityFacets']>) {
        return current.getEntityFacets(...args);
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

        // a role that appeared since the last refresh can be requested at once (read from the catalog
        // by ref, for the request and for its notification, not by a rebuild) …
        const created = await backend.call('post', '/requests', alice, {
          roleRef: 'resource:default/fresh-role',
          justification: 'First use of a brand new role',
          durationMinutes: 30,
        });
        expect(created.status).toBe(201);
        expect(reads).toEqual({ stream: 1, byRef: 2 });

        // … and the scheduled refresh puts it in the index
        await backend.tasks.get('iam-roles-trust-refresh')!({} as any);
        expect(reads.stream).toBe(2);
        expect(
          (await lookup()).body.roles.map((r: any) => r.entityRef),
        ).toContain('resource:default/fresh-role');
      },
    );
  });
  /** `payments-deploy` changed to trust a vendor account only: the broker can no longer assume it. */
  const deployTrustingOnlyAVendor = () =>
    roleEntity({
      name: 'payments-deploy',
      owner: 'group:default/team-payments',
      statements: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::999999999999:root' },
          Action: 'sts:AssumeRole',
        },
      ],
    });

  /** A catalog over the entities `current()` returns at each call, counting what the index asks. */
  function countingCatalog(current: () => Entity[]) {
    const reads = {
      full: 0,
      light: 0,
      /** Whether the last etag listing included the roles. */
      listedRoles: false,
      facets: 0,
      byRefs: [] as string[][],
    };
    const over = () => catalogServiceMock({ entities: current() });
    const catalog = {
      streamEntities(...args: Parameters<CatalogService['streamEntities']>) {
        if (args[0]?.fields) {
          reads.light += 1;
          reads.listedRoles = JSON.stringify(args[0].filter).includes(
            'aws-iam-role',
          );
        } else {
          reads.full += 1;
        }
        return over().streamEntities(...args);
      },
      async getEntitiesByRefs(
        ...args: Parameters<CatalogService['getEntitiesByRefs']>
      ) {
        reads.byRefs.push(args[0].entityRefs);
        return over().getEntitiesByRefs(...args);
      },
      async getEntityByRef(
        ...args: Parameters<CatalogService['getEntityByRef']>
      ) {
        return over().getEntityByRef(...args);
      },
      async getEntityFacets(
        ...args: Parameters<CatalogService['getEntityFacets']>
      ) {
        reads.facets += 1;
        return over().getEntityFacets(...args);
      },
    } as unknown as CatalogService;
    return { catalog, reads };
  }

  /** Runs `test` with a broker over `catalog`: its scheduled refresh, and the roles the broker's ARN can assume. */
  async function withIndexedBroker(
    catalog: CatalogService,
    test: (
      refresh: () => Promise<void>,
      trusting: () => Promise<string[]>,
    ) => Promise<void>,
  ) {
    await withBrokerBackend(
      {
        knex: await databases.init('SQLITE_3'),
        catalog,
        logLevel: 'none',
        config: {
          iamRoles: { broker: { sts: { brokerPrincipalArn: BROKER_ARN } } },
        },
      },
      backend =>
        test(
          async () => {
            await backend.tasks.get('iam-roles-trust-refresh')!({} as any);
          },
          async () =>
            (
              await backend.call(
                'get',
                `/lookup?q=${encodeURIComponent(BROKER_ARN)}`,
                'user:default/alice',
              )
            ).body.roles
              .map((r: any) => r.entityRef)
              .sort(),
        ),
    );
  }

  it('after the first build reads only the entities whose etag changed, and keeps the index when none did', async () => {
    const withEtag = (e: Entity, etag: string): Entity => ({
      ...e,
      metadata: { ...e.metadata, etag },
    });
    let entities = fixtureEntities().map(e => withEtag(e, 'v1'));
    const { catalog, reads } = countingCatalog(() => entities);

    await withIndexedBroker(catalog, async (refresh, trusting) => {
      const before = await trusting();
      expect(reads).toMatchObject({ light: 0, full: 1, byRefs: [] });

      await refresh();
      expect(reads).toMatchObject({ light: 1, full: 1, byRefs: [] });
      expect(await trusting()).toEqual(before);

      // one role changes: only it is read in full, and the answer follows
      entities = entities.map(e =>
        e.metadata.name === 'payments-deploy'
          ? withEtag(deployTrustingOnlyAVendor(), 'v2')
          : e,
      );
      await refresh();
      expect(reads.byRefs).toEqual([['resource:default/payments-deploy']]);
      const after = await trusting();
      expect(before).toContain('resource:default/payments-deploy');
      expect(after).not.toContain('resource:default/payments-deploy');
      expect(after).toEqual(
        before.filter((r: string) => r !== 'resource:default/payments-deploy'),
      );

      // one role is deleted: nothing to read, and it leaves the index
      const gone = after[0];
      entities = entities.filter(
        e => `resource:default/${e.metadata.name}` !== gone,
      );
      await refresh();
      expect(reads.byRefs).toHaveLength(1);
      expect(await trusting()).toEqual(after.slice(1));
    });
  });
  it('finds changed roles by their revision, from one facet, and lists only the etags of the other entities', async () => {
    const stamp = (e: Entity, hash: string, etag: string): Entity => ({
      ...e,
      metadata: {
        ...e.metadata,
        etag,
        annotations: {
          ...e.metadata.annotations,
          ...(e.spec?.type === 'aws-iam-role'
            ? {
                [ANNOTATION_IAM_ROLE_REVISION]: roleRevision(
                  stringifyEntityRef(e),
                  hash,
                ),
              }
            : {}),
        },
      },
    });
    let entities = fixtureEntities().map(e => stamp(e, 'h1', 'v1'));
    const { catalog, reads } = countingCatalog(() => entities);

    await withIndexedBroker(catalog, async (refresh, trusting) => {
      const before = await trusting();
      expect(before).toContain('resource:default/payments-deploy');

      await refresh();
      expect(reads).toMatchObject({
        full: 1,
        facets: 1,
        listedRoles: false,
        byRefs: [],
      });

      // a role whose stitched entity changed (an incoming relation, say) but whose revision did
      // not is not read; the role whose revision changed is, whatever its etag says
      entities = entities.map(e => {
        if (e.metadata.name === 'payments-deploy') {
          return stamp(deployTrustingOnlyAVendor(), 'h2', 'v1');
        }
        return e.spec?.type === 'aws-iam-role' ? stamp(e, 'h1', 'v2') : e;
      });
      await refresh();
      expect(reads.byRefs).toEqual([['resource:default/payments-deploy']]);
      expect(reads.listedRoles).toBe(false);
      expect(await trusting()).toEqual(
        before.filter((r: string) => r !== 'resource:default/payments-deploy'),
      );

      // a role without a revision (written by an older module): roles are compared by etag again
      entities = [
        ...entities,
        roleEntity({
          name: 'unstamped',
          owner: 'group:default/team-payments',
          statements: [
            {
              Effect: 'Allow',
              Principal: { AWS: BROKER_ARN },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      ];
      await refresh();
      expect(reads.listedRoles).toBe(true);
      expect(reads.byRefs.at(-1)).toContain('resource:default/unstamped');
      expect(await trusting()).toContain('resource:default/unstamped');
    });
  });
  /**
   * A backend whose catalog takes 300 ms for every stream, three times the 100 ms interval, over the
   * entities `current()` returns at each call; `run` gets the scheduled refresh and the streams so far.
   */
  async function withSlowBuilds(
    current: () => Entity[],
    run: (refresh: () => Promise<void>, streams: () => number) => Promise<void>,
  ) {
    let streams = 0;
    const catalog = {
      async *streamEntities(
        ...args: Parameters<CatalogService['streamEntities']>
      ) {
        streams += 1;
        await new Promise(r => setTimeout(r, 300));
        yield* catalogServiceMock({ entities: current() }).streamEntities(
          ...args,
        );
      },
      async getEntitiesByRefs(
        ...args: Parameters<CatalogService['getEntitiesByRefs']>
      ) {
        return catalogServiceMock({
          entities: current(),
        }).getEntitiesByRefs(...args);
      },
      async queryEntities(
        ...args: Parameters<CatalogService['queryEntities']>
      ) {
        return catalogServiceMock({ entities: current() }).queryEntities(
          ...args,
        );
      },
      async getEntityFacets(
        ...args: Parameters<CatalogService['getEntityFacets']>
      ) {
        return catalogServiceMock({ entities: current() }).getEntityFacets(
          ...args,
        );
      },
    } as unknown as CatalogService;
    await withBrokerBackend(
      {
        knex: await databases.init('SQLITE_3'),
        catalog,
        logLevel: 'none',
        config: {
          iamRoles: {
            trust: { refreshIntervalSeconds: 0.1 },
            broker: { sts: { brokerPrincipalArn: BROKER_ARN } },
          },
        },
      },
      backend =>
        run(
          async () => {
            await backend.tasks.get('iam-roles-trust-refresh')!({} as any);
          },
          () => streams,
        ),
    );
  }

  it('skips a scheduled rebuild until three times the last build has passed when builds are slow for the interval', async () => {
    const entities = fixtureEntities();
    await withSlowBuilds(
      () => entities,
      async (refresh, streams) => {
        await refresh();
        expect(streams()).toBe(1);
        // the build took 300 ms or more, three times the interval: the next runs wait 900 ms
        await refresh();
        await refresh();
        expect(streams()).toBe(1);
        await new Promise(r => setTimeout(r, 1000));
        await refresh();
        expect(streams()).toBe(2);
      },
    );
  });

  it('catches up at once, within the spacing, when the catalog has settled at another size', async () => {
    const all = fixtureEntities();
    let entities = all.slice(0, 3);
    await withSlowBuilds(
      () => entities,
      async (refresh, streams) => {
        await refresh();
        expect(streams()).toBe(1);
        // still ingesting: the count grows between probes, so the spacing holds
        entities = all.slice(0, 5);
        await refresh();
        entities = all;
        await refresh();
        expect(streams()).toBe(1);
        // settled: the second probe counts the same as the first, not what the index holds
        await refresh();
        expect(streams()).toBe(2);
        // caught up: the count is the index's, and the spacing holds again
        await refresh();
        await refresh();
        expect(streams()).toBe(2);
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

  it('names accounts in words: a vendor by iamRoles.accountNames, one of ours by its account entity', async () => {
    const vendor = roleEntity({
      name: 'vendor-integration',
      owner: 'group:default/platform',
      statements: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::464622532012:root' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': 'x1' } },
        },
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111111111111:root' },
          Action: 'sts:AssumeRole',
        },
      ],
    });
    const account = fixtureEntities().find(
      e => e.metadata.name === 'acme-prod',
    )!;
    await withBrokerBackend(
      {
        knex: await databases.init('SQLITE_3'),
        catalog: catalogServiceMock({
          entities: [
            vendor,
            {
              ...account,
              metadata: {
                ...account.metadata,
                title: 'AWS account acme-prod (111111111111)',
              },
            },
          ],
        }),
        logLevel: 'none',
        config: { iamRoles: { accountNames: { '464622532012': 'datadog' } } },
      },
      async backend => {
        const res = await backend.call(
          'get',
          '/roles/trust?entityRef=resource:default/vendor-integration',
          'user:default/alice',
        );
        expect(res.status).toBe(200);
        expect(
          res.body.principals.map((p: any) => [p.description, p.external]),
        ).toEqual([
          ['account 464622532012 "datadog" with an ExternalId', true],
          ['account 111111111111 "acme-prod"', false],
        ]);
      },
    );
  });

  it('names an IRSA principal by its EKS cluster, from the account entity that carries it (#16)', async () => {
    const issuer =
      'oidc.eks.eu-west-1.amazonaws.com/id/8D70EFBA7736795BE8B00B497EE67693';
    const irsa = roleEntity({
      name: 'payments-api-production',
      owner: 'group:default/payments',
      statements: [
        {
          Effect: 'Allow',
          Principal: {
            Federated: `arn:aws:iam::111111111111:oidc-provider/${issuer}`,
          },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              [`${issuer}:sub`]: 'system:serviceaccount:payments:payments-api',
            },
          },
        },
      ],
    });
    const account = fixtureEntities().find(
      e => e.metadata.name === 'acme-prod',
    )!;
    const withCluster = {
      ...account,
      metadata: {
        ...account.metadata,
        title: 'AWS account acme-prod (111111111111)',
      },
      spec: {
        ...account.spec,
        eksClusters: [
          {
            name: 'payments-prod',
            region: 'eu-west-1',
            oidcIssuer: `https://${issuer}`,
          },
        ],
      },
    };
    const describe = async (entities: Entity[]) => {
      let words: unknown;
      await withBrokerBackend(
        {
          knex: await databases.init('SQLITE_3'),
          catalog: catalogServiceMock({ entities }),
          logLevel: 'none',
        },
        async backend => {
          const res = await backend.call(
            'get',
            '/roles/trust?entityRef=resource:default/payments-api-production',
            'user:default/alice',
          );
          expect(res.status).toBe(200);
          words = res.body.principals.map((p: any) => [p.description, p.id]);
        },
      );
      return words;
    };
    expect(await describe([irsa, withCluster])).toEqual([
      [
        'EKS service account payments/payments-api on cluster payments-prod (eu-west-1, acme-prod)',
        `arn:aws:iam::111111111111:oidc-provider/${issuer}`,
      ],
    ]);
    // No account entity tells the cluster: the issuer id, as before.
    expect(await describe([irsa, account])).toEqual([
      [
        'EKS service account payments/payments-api on cluster 8D70EFBA7736795BE8B00B497EE67693 (eu-west-1)',
        `arn:aws:iam::111111111111:oidc-provider/${issuer}`,
      ],
    ]);
  });

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

describe('the repositories of a GitHub Actions principal', () => {
  const component = (name: string, slug: string): Entity => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'github.com/project-slug': slug },
    },
    spec: { type: 'service', owner: 'group:default/team-payments' },
  });

  it('links each repository to its own component, not the whole principal to one of them', async () => {
    const repos = ['acme/web', 'acme/mono', 'acme/gone'];
    const shared = roleEntity({
      name: 'shared-deploy',
      owner: 'group:default/team-payments',
      statements: [
        {
          Effect: 'Allow',
          Principal: {
            Federated:
              'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com',
          },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              'token.actions.githubusercontent.com:sub': repos.map(
                r => `repo:${r}:ref:refs/heads/main`,
              ),
            },
          },
        },
      ],
      // As the catalog module relates it: the first holder is not the component of every repository.
      assumableBy: ['component:default/web', 'component:default/mono-api'],
    });
    await withBrokerBackend(
      {
        knex: await databases.init('SQLITE_3'),
        catalog: catalogServiceMock({
          entities: [
            ...fixtureEntities(),
            shared,
            component('web', 'acme/web'),
            // A monorepo: two components share the slug; the one the catalog relates is meant.
            component('mono-worker', 'acme/mono'),
            component('mono-api', 'Acme/Mono'),
          ],
        }),
        logLevel: 'none',
      },
      async backend => {
        const res = await backend.call(
          'get',
          '/roles/trust?entityRef=resource:default/shared-deploy',
          'user:default/alice',
        );
        expect(res.status).toBe(200);
        const [principal] = res.body.principals;
        expect(principal.repositories).toEqual([
          { slug: 'acme/web', entityRef: 'component:default/web' },
          { slug: 'acme/mono', entityRef: 'component:default/mono-api' },
          { slug: 'acme/gone' },
        ]);
        expect(principal.entityRef).toBeUndefined();

        // One repository: the principal itself links to its component, as before.
        const single = await backend.call(
          'get',
          '/roles/trust?entityRef=resource:default/payments-deploy',
          'user:default/alice',
        );
        const github = single.body.principals.find(
          (p: { kind: string }) => p.kind === 'oidc',
        );
        expect(github.entityRef).toBe('component:default/payments-api');
        expect(github.repositories).toEqual([
          {
            slug: 'acme/payments-api',
            entityRef: 'component:default/payments-api',
          },
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

describe('incident lookup of an Identity Center user or group', () => {
  const PROD = '222222222222';
  const INSTANCE = 'arn:aws:sso:::instance/ssoins-1';
  const SAML = `arn:aws:iam::${PROD}:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE`;
  const ssoArn = (set: string) =>
    `arn:aws:iam::${PROD}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_${set}_0123456789abcdef`;
  const jane = {
    principalType: 'USER',
    principalId: 'u-jane',
    name: 'jane.doe',
    displayName: 'Jane Doe',
    emails: ['jane.doe@acme.example'],
    status: 'matched',
    entityRef: 'user:default/jane.doe',
  };
  const ext = {
    principalType: 'USER',
    principalId: 'u-ext',
    name: 'ext.auditor',
    emails: ['auditor@partner.example'],
    status: 'unmatched',
  };
  const platform = {
    principalType: 'GROUP',
    principalId: 'g-platform',
    name: 'Platform Engineering',
    status: 'matched',
    entityRef: 'group:default/platform',
    memberCount: 1,
    members: [jane],
  };
  const contractors = {
    principalType: 'GROUP',
    principalId: 'g-contractors',
    name: 'Contractors',
    status: 'unmatched',
    memberCount: 1,
    members: [ext],
  };

  /** An AWSReservedSSO_* role entity as the module emits it, with the assignments of its set. */
  function ssoRole(set: string, principals: unknown[]) {
    const entity = roleEntity({
      name: `sso-${set.toLowerCase()}`,
      owner: 'group:default/platform',
      accountId: PROD,
      statements: [
        {
          Effect: 'Allow',
          Principal: { Federated: SAML },
          Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
          Condition: {
            StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' },
          },
        },
      ],
      assumableBy: principals.flatMap((p: any) =>
        p.entityRef ? [p.entityRef] : [],
      ),
    });
    const iam = (entity.spec as any).iam;
    Object.assign(iam, {
      arn: ssoArn(set),
      roleName: `AWSReservedSSO_${set}_0123456789abcdef`,
      path: '/aws-reserved/sso.amazonaws.com/',
      identityCenter: [
        {
          instanceArn: INSTANCE,
          permissionSetArn: `arn:aws:sso:::permissionSet/ssoins-1/ps-${set}`,
          permissionSetName: set,
          accountId: PROD,
          principals,
        },
      ],
      assumableByVia: principals.flatMap((p: any) =>
        p.entityRef
          ? [{ entityRef: p.entityRef, via: ['identity-center'] }]
          : [],
      ),
    });
    entity.metadata.annotations!['amazonaws.com/arn'] = ssoArn(set);
    return entity;
  }

  const entities = () => [
    ...fixtureEntities(),
    ssoRole('AdministratorAccess', [platform]),
    ssoRole('ReadOnlyAccess', [contractors, jane]),
    // A deploy role the administrators' sessions can assume: a chain from Identity Center.
    roleEntity({
      name: 'prod-deployer',
      owner: 'group:default/platform',
      accountId: PROD,
      statements: [
        {
          Effect: 'Allow',
          Principal: { AWS: ssoArn('AdministratorAccess') },
          Action: 'sts:AssumeRole',
        },
      ],
    }),
  ];

  it('names the assignees of an Identity Center role on its trust view, not only the SAML provider', async () => {
    await withBrokerBackend(
      {
        knex: await databases.init('SQLITE_3'),
        catalog: catalogServiceMock({ entities: entities() }),
        logLevel: 'none',
      },
      async backend => {
        const samlOf = async (name: string) => {
          const res = await backend.call(
            'get',
            `/roles/trust?entityRef=resource:default/${name}`,
            'user:default/alice',
          );
          expect(res.status).toBe(200);
          return res.body.principals.find(
            (p: { kind: string }) => p.kind === 'saml',
          );
        };
        expect(await samlOf('sso-administratoraccess')).toMatchObject({
          description:
            'Identity Center permission set AdministratorAccess, assigned to group "Platform Engineering"',
          entityRef: 'group:default/platform',
        });
        const readOnly = await samlOf('sso-readonlyaccess');
        expect(readOnly.description).toBe(
          'Identity Center permission set ReadOnlyAccess, assigned to group "Contractors" and user "jane.doe"',
        );
        // Two assignees: no one link stands for both.
        expect(readOnly.entityRef).toBeUndefined();
      },
    );
  });

  it('answers a user by email with its roles (own and through its groups) and the chains onward', async () => {
    await withBrokerBackend(
      {
        knex: await databases.init('SQLITE_3'),
        entities: entities(),
        logLevel: 'none',
      },
      async backend => {
        const res = await backend.call(
          'get',
          `/lookup?q=${encodeURIComponent(
            'identity-center-user:Jane.Doe@acme.example',
          )}`,
          'user:default/alice',
        );
        expect(res.status).toBe(200);
        expect(res.body.principals).toEqual([
          {
            type: 'identity-center',
            principalType: 'USER',
            name: 'Jane.Doe@acme.example',
          },
        ]);
        expect(
          res.body.roles.map((r: any) => [
            r.entityRef,
            r.outcome,
            r.via,
            r.derivedVia,
          ]),
        ).toEqual([
          [
            'resource:default/sso-administratoraccess',
            'allowed',
            'sts:AssumeRoleWithSAML',
            ['identity-center'],
          ],
          [
            'resource:default/sso-readonlyaccess',
            'allowed',
            'sts:AssumeRoleWithSAML',
            ['identity-center'],
          ],
        ]);
        expect(res.body.roles[0].matchedBy).toBe(
          'Identity Center: AdministratorAccess assigned to Platform Engineering',
        );
        expect(
          res.body.chains.map((c: any) => [
            c.entityRef,
            c.depth,
            c.path.map((h: any) => [h.entityRef, h.via]),
          ]),
        ).toEqual([
          // The fixtures' public role lets any role session in, so the SSO sessions too.
          ['resource:default/legacy-open', 2, expect.any(Array)],
          [
            'resource:default/prod-deployer',
            2,
            [
              [
                'resource:default/sso-administratoraccess',
                'sts:AssumeRoleWithSAML',
              ],
              ['resource:default/prod-deployer', 'sts:AssumeRole'],
            ],
          ],
        ]);
        const ic = res.body.identityCenter;
        expect(ic.principal).toMatchObject({
          principalType: 'USER',
          name: 'jane.doe',
          status: 'matched',
          entityRef: 'user:default/jane.doe',
        });
        expect(ic.groups.map((g: any) => [g.name, g.entityRef])).toEqual([
          ['Platform Engineering', 'group:default/platform'],
        ]);
        expect(
          ic.grants.map((g: any) => [
            g.entityRef,
            g.permissionSetName,
            g.assignedTo.name,
          ]),
        ).toEqual([
          [
            'resource:default/sso-administratoraccess',
            'AdministratorAccess',
            'Platform Engineering',
          ],
          ['resource:default/sso-readonlyaccess', 'ReadOnlyAccess', 'jane.doe'],
        ]);
        // The same user by its catalog User, and by user name.
        for (const q of [
          'identity-center-user:user:default/jane.doe',
          'identity-center-user:jane.doe',
        ]) {
          const again = await backend.call(
            'get',
            `/lookup?q=${encodeURIComponent(q)}`,
            'user:default/alice',
          );
          expect(again.body.roles).toEqual(res.body.roles);
        }
      },
    );
  });

  it('answers a group with its roles and what each member gets; an unmatched group is shown as such', async () => {
    await withBrokerBackend(
      {
        knex: await databases.init('SQLITE_3'),
        entities: entities(),
        logLevel: 'none',
      },
      async backend => {
        const res = await backend.call(
          'get',
          `/lookup?q=${encodeURIComponent(
            'identity-center-group:group:default/platform',
          )}`,
          'user:default/alice',
        );
        expect(res.status).toBe(200);
        expect(res.body.roles.map((r: any) => r.entityRef)).toEqual([
          'resource:default/sso-administratoraccess',
        ]);
        expect(
          res.body.identityCenter.members.map((m: any) => [
            m.member.entityRef,
            m.grants.map(
              (g: any) => `${g.permissionSetName} ← ${g.assignedTo.name}`,
            ),
          ]),
        ).toEqual([
          [
            'user:default/jane.doe',
            [
              'AdministratorAccess ← Platform Engineering',
              'ReadOnlyAccess ← jane.doe',
            ],
          ],
        ]);
        const contractorsRes = await backend.call(
          'get',
          '/lookup?q=identity-center-group:contractors',
          'user:default/alice',
        );
        expect(contractorsRes.body.identityCenter.principal).toEqual({
          principalType: 'GROUP',
          principalId: 'g-contractors',
          name: 'Contractors',
          status: 'unmatched',
        });
        expect(
          contractorsRes.body.identityCenter.members.map((m: any) => [
            m.member.name,
            m.member.status,
          ]),
        ).toEqual([['ext.auditor', 'unmatched']]);
        expect(contractorsRes.body.roles.map((r: any) => r.entityRef)).toEqual([
          'resource:default/sso-readonlyaccess',
        ]);

        const missing = await backend.call(
          'get',
          '/lookup?q=identity-center-user:nobody@acme.example',
          'user:default/alice',
        );
        expect(missing.status).toBe(400);
        expect(missing.body.error.message).toMatch(
          /No Identity Center user "nobody@acme.example" .* Give the user name, an email address or the user id/,
        );
      },
    );
  });

  it('reads what people type: OWNER/REPO, an account name, * and public; anything else is a 400 listing the forms', async () => {
    await withBrokerBackend(
      {
        knex: await databases.init('SQLITE_3'),
        entities: entities(),
        logLevel: 'none',
      },
      async backend => {
        const get = (q: string) =>
          backend.call(
            'get',
            `/lookup?q=${encodeURIComponent(q)}`,
            'user:default/alice',
          );
        const repo = await get('acme/payments-api');
        const github = await get('github:acme/payments-api');
        expect(repo.status).toBe(200);
        expect(repo.body.query).toBe('github:acme/payments-api');
        expect(repo.body.roles).toEqual(github.body.roles);
        expect(repo.body.roles[0].derivedVia).toEqual(['trust-policy']);

        const byName = await get('ACME-PROD');
        const byId = await get('111111111111');
        expect(byName.status).toBe(200);
        expect(byName.body.principals).toEqual([
          { type: 'account', accountId: '111111111111' },
        ]);
        expect(byName.body.roles).toEqual(byId.body.roles);

        for (const q of ['*', 'public']) {
          const open = await get(q);
          expect(open.status).toBe(200);
          expect(open.body.roles.map((r: any) => r.entityRef)).toEqual([
            'resource:default/legacy-open',
          ]);
          expect(open.body.roles[0].matchedBy).toMatch(/^public-trust: /);
        }

        const bad = await get('no such thing');
        expect(bad.status).toBe(400);
        for (const form of [
          'identity-center-user:USER_NAME or EMAIL',
          'OWNER/REPO',
          '* or public',
          'the name of an account in the catalog',
        ]) {
          expect(bad.body.error.message).toContain(form);
        }
      },
    );
  });

  it('marks how each relation of a catalog entity was derived (derivedVia)', async () => {
    await withBrokerBackend(
      {
        knex: await databases.init('SQLITE_3'),
        entities: entities(),
        logLevel: 'none',
      },
      async backend => {
        const res = await backend.call(
          'get',
          '/assumable?entityRef=group:default/platform',
          'user:default/alice',
        );
        expect(
          res.body.roles
            .filter((r: any) => !r.through)
            .map((r: any) => [r.entityRef, r.derivedVia]),
        ).toEqual([
          ['resource:default/sso-administratoraccess', ['identity-center']],
        ]);
      },
    );
  });
});
