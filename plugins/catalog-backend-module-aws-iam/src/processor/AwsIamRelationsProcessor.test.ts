import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  ANNOTATION_IAM_ROLE_REVISION,
  refOfRoleRevision,
  TrustAnalysisCache,
} from '@backstage-iam/plugin-iam-roles-common';
import { AwsIamRelationsProcessor } from './AwsIamRelationsProcessor';

const GITHUB =
  'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com';
const EKS =
  'arn:aws:iam::111111111111:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789';
const EKS_HOST = 'oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789';

function component(name: string, annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', lifecycle: 'production', owner: 'payments' },
  };
}

const components = [
  component('payments-api', {
    'github.com/project-slug': 'acme/payments-api',
    'iam-roles.backstage-iam.io/kubernetes-service-accounts':
      'payments/payments-api, payments/payments-worker',
  }),
  component('ledger', {
    'github.com/project-slug': 'acme/ledger',
    'backstage.io/kubernetes-id': 'ledger',
    'backstage.io/kubernetes-namespace': 'payments',
  }),
  component('outsider', { 'github.com/project-slug': 'evil/payments-api' }),
  component('billing', { 'gitlab.com/project-slug': 'acme/finance/billing' }),
  component('reports', {
    'gitlab.com/project-slug': 'acme/finance/reports',
    'gitlab.com/instance': 'https://gitlab.acme.example',
  }),
  component('no-annotations', {}),
];

function role(
  name: string,
  statement: Record<string, unknown>,
  assumableBy: string[] = [],
): Entity {
  const arn = `arn:aws:iam::111111111111:role/${name}`;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: `111111111111-${name}`, namespace: 'default' },
    spec: {
      type: 'aws-iam-role',
      owner: 'group:default/payments',
      assumableBy,
      iam: {
        arn,
        accountId: '111111111111',
        roleName: name,
        path: '/',
        roleId: 'AROAEXAMPLE',
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', ...statement }],
        },
        attachedManagedPolicies: [],
        inlinePolicyNames: [],
        findings: [],
        risk: 'none',
      },
    },
  };
}

const github = (sub: string | string[]) => ({
  Principal: { Federated: GITHUB },
  Action: 'sts:AssumeRoleWithWebIdentity',
  Condition: {
    StringEquals: {
      'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
    },
    StringLike: { 'token.actions.githubusercontent.com:sub': sub },
  },
});

const gitlab = (host: string, sub: string, operator = 'StringLike') => ({
  Principal: { Federated: `arn:aws:iam::111111111111:oidc-provider/${host}` },
  Action: 'sts:AssumeRoleWithWebIdentity',
  Condition: {
    StringEquals: { [`${host}:aud`]: `https://${host}` },
    [operator]: { [`${host}:sub`]: sub },
  },
});

const location = { type: 'url', target: 'aws-iam-account:111111111111' };

function processor() {
  const catalog = catalogServiceMock({ entities: components });
  const getEntities = jest.spyOn(catalog, 'getEntities');
  return {
    processor: AwsIamRelationsProcessor.create({
      logger: mockServices.logger.mock(),
      catalog,
      auth: mockServices.auth(),
    }),
    getEntities,
  };
}

describe('AwsIamRelationsProcessor', () => {
  it('analyses each version of a policy once, however often the loop revisits the role', async () => {
    const analyses = TrustAnalysisCache.create();
    const p = AwsIamRelationsProcessor.create({
      logger: mockServices.logger.mock(),
      catalog: catalogServiceMock({ entities: components }),
      auth: mockServices.auth(),
      analyses,
    });
    const deploy = role('deploy', github('repo:acme/payments-api:*'));
    for (let i = 0; i < 5; i++) {
      const out = await p.preProcessEntity(deploy);
      expect(out.spec!.assumableBy).toEqual(['component:default/payments-api']);
    }
    expect(analyses.size).toBe(1);
    await p.preProcessEntity(role('deploy', github('repo:acme/ledger:*')));
    expect(analyses.size).toBe(2);
  });

  it('adds the component whose repository a GitHub Actions role admits, on the environment it pins', async () => {
    const { processor: p } = processor();
    const out = await p.preProcessEntity(
      role('deploy', github('repo:acme/payments-api:environment:production')),
    );
    expect(out.spec!.assumableBy).toEqual(['component:default/payments-api']);
  });

  it('finds roles pinned to pull requests or to tags', async () => {
    const { processor: p } = processor();
    const pr = await p.preProcessEntity(
      role('plan', github('repo:acme/ledger:pull_request')),
    );
    expect(pr.spec!.assumableBy).toEqual(['component:default/ledger']);
    const tags = await p.preProcessEntity(
      role('release', github('repo:acme/ledger:ref:refs/tags/v*')),
    );
    expect(tags.spec!.assumableBy).toEqual(['component:default/ledger']);
  });

  it('adds every repository of the owner for an org-wide subject, and no other owner', async () => {
    const { processor: p } = processor();
    const out = await p.preProcessEntity(
      role('shared-ci', github('repo:acme/*'), ['group:default/platform']),
    );
    expect(out.spec!.assumableBy).toEqual([
      'component:default/ledger',
      'component:default/payments-api',
      'group:default/platform',
    ]);
  });

  it('adds the GitLab project a GitLab CI/CD role admits, on gitlab.com and on a self-managed instance', async () => {
    const { processor: p } = processor();
    const main = await p.preProcessEntity(
      role(
        'gl-deploy',
        gitlab(
          'gitlab.com',
          'project_path:acme/finance/billing:ref_type:branch:ref:main',
          'StringEquals',
        ),
      ),
    );
    expect(main.spec!.assumableBy).toEqual(['component:default/billing']);
    // a release branch pattern, and the whole group
    const release = await p.preProcessEntity(
      role(
        'gl-release',
        gitlab(
          'gitlab.com',
          'project_path:acme/finance/billing:ref_type:tag:ref:v*',
        ),
      ),
    );
    expect(release.spec!.assumableBy).toEqual(['component:default/billing']);
    const group = await p.preProcessEntity(
      role('gl-group', gitlab('gitlab.com', 'project_path:acme/finance/*')),
    );
    expect(group.spec!.assumableBy).toEqual(['component:default/billing']);
    // the self-managed instance's project, not the gitlab.com one of the same path
    const selfManaged = await p.preProcessEntity(
      role(
        'gl-reports',
        gitlab('gitlab.acme.example', 'project_path:acme/finance/*'),
      ),
    );
    expect(selfManaged.spec!.assumableBy).toEqual([
      'component:default/reports',
    ]);
    const other = await p.preProcessEntity(
      role('gl-other', gitlab('gitlab.com', 'project_path:evil/*')),
    );
    expect(other.spec!.assumableBy).toEqual([]);
  });

  it('leaves a role alone when a Deny statement refuses the repository', async () => {
    const { processor: p } = processor();
    const entity = role('denied', github('repo:acme/*:ref:refs/heads/main'));
    (entity.spec!.iam as any).trustPolicy.Statement.push({
      Effect: 'Deny',
      Principal: { Federated: GITHUB },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringLike: {
          'token.actions.githubusercontent.com:sub': 'repo:acme/ledger:*',
        },
      },
    });
    const out = await p.preProcessEntity(entity);
    expect(out.spec!.assumableBy).toEqual(['component:default/payments-api']);
  });

  it('maps EKS service accounts from the annotation and from kubernetes-id/namespace', async () => {
    const { processor: p } = processor();
    const irsa = (sa: string) => ({
      Principal: { Federated: EKS },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          [`${EKS_HOST}:sub`]: `system:serviceaccount:${sa}`,
          [`${EKS_HOST}:aud`]: 'sts.amazonaws.com',
        },
      },
    });
    expect(
      (
        await p.preProcessEntity(
          role('worker', irsa('payments:payments-worker')),
        )
      ).spec!.assumableBy,
    ).toEqual(['component:default/payments-api']);
    expect(
      (await p.preProcessEntity(role('ledger', irsa('payments:ledger')))).spec!
        .assumableBy,
    ).toEqual(['component:default/ledger']);
    expect(
      (await p.preProcessEntity(role('nobody', irsa('other:thing')))).spec!
        .assumableBy,
    ).toEqual([]);
  });

  it('marks the components it adds as derived from the trust policy, next to what the provider derived', async () => {
    const { processor: p } = processor();
    const deploy = role('deploy', github('repo:acme/payments-api:*'), [
      'group:default/platform',
      'component:default/payments-api',
    ]);
    (deploy.spec as any).iam.assumableByVia = [
      { entityRef: 'component:default/payments-api', via: ['pod-identity'] },
      { entityRef: 'group:default/platform', via: ['identity-center'] },
    ];
    const out = await p.preProcessEntity(deploy);
    expect(out.spec!.assumableBy).toEqual([
      'component:default/payments-api',
      'group:default/platform',
    ]);
    expect((out.spec as any).iam.assumableByVia).toEqual([
      {
        entityRef: 'component:default/payments-api',
        via: ['pod-identity', 'trust-policy'],
      },
      { entityRef: 'group:default/platform', via: ['identity-center'] },
    ]);
    // An entity written before derivations were recorded: its refs came from the trust policy.
    const old = await p.preProcessEntity(
      role('deploy', github('repo:acme/payments-api:*'), [
        'resource:default/111111111111-ci',
      ]),
    );
    expect((old.spec as any).iam.assumableByVia).toEqual([
      { entityRef: 'component:default/payments-api', via: ['trust-policy'] },
      { entityRef: 'resource:default/111111111111-ci', via: ['trust-policy'] },
    ]);
  });

  it('reads the components once per cache period, not once per role', async () => {
    const { processor: p, getEntities } = processor();
    for (let i = 0; i < 5; i++) {
      await p.preProcessEntity(role(`r${i}`, github('repo:acme/ledger:*')));
    }
    expect(getEntities).toHaveBeenCalledTimes(1);
  });

  it('keeps the components matched to a role while the reloaded components stay the same', async () => {
    const analyses = TrustAnalysisCache.create();
    const matched = jest.spyOn(analyses, 'get');
    const catalog = catalogServiceMock({ entities: components });
    const p = AwsIamRelationsProcessor.create({
      logger: mockServices.logger.mock(),
      catalog,
      auth: mockServices.auth(),
      analyses,
      componentCacheMs: 0, // reload the components before every role
    });
    const deploy = role('deploy', github('repo:acme/payments-api:*'));
    for (let i = 0; i < 3; i++) {
      expect((await p.preProcessEntity(deploy)).spec!.assumableBy).toEqual([
        'component:default/payments-api',
      ]);
    }
    expect(matched).toHaveBeenCalledTimes(1);

    // A new component that the role admits: matched again, and found.
    jest.spyOn(catalog, 'getEntities').mockResolvedValue({
      items: [
        ...components,
        component('payments-cli', {
          'github.com/project-slug': 'acme/payments-api',
        }),
      ],
    });
    expect((await p.preProcessEntity(deploy)).spec!.assumableBy).toEqual([
      'component:default/payments-api',
      'component:default/payments-cli',
    ]);
    expect(matched).toHaveBeenCalledTimes(2);
  });

  it('emits assumableBy and canAssume relations for every ref, and an error for a bad one', async () => {
    const { processor: p } = processor();
    const emit = jest.fn();
    const entity = role(
      'x',
      {
        Principal: { Service: 'lambda.amazonaws.com' },
        Action: 'sts:AssumeRole',
      },
      [
        'component:default/payments-api',
        'resource:default/aws-account-222222222222',
        'not a ref:::',
      ],
    );
    await p.postProcessEntity(entity, location, emit);
    const relations = emit.mock.calls
      .map(([r]) => r)
      .filter(r => r.type === 'relation')
      .map(r => r.relation);
    const roleRef = {
      kind: 'Resource',
      namespace: 'default',
      name: '111111111111-x',
    };
    expect(relations).toEqual([
      {
        source: roleRef,
        type: 'assumableBy',
        target: {
          kind: 'component',
          namespace: 'default',
          name: 'payments-api',
        },
      },
      {
        source: {
          kind: 'component',
          namespace: 'default',
          name: 'payments-api',
        },
        type: 'canAssume',
        target: roleRef,
      },
      {
        source: roleRef,
        type: 'assumableBy',
        target: {
          kind: 'resource',
          namespace: 'default',
          name: 'aws-account-222222222222',
        },
      },
      {
        source: {
          kind: 'resource',
          namespace: 'default',
          name: 'aws-account-222222222222',
        },
        type: 'canAssume',
        target: roleRef,
      },
    ]);
    expect(
      emit.mock.calls.map(([r]) => r).filter(r => r.type === 'error'),
    ).toHaveLength(1);
  });

  it('stamps each role with its revision: the same on every cycle, another when what the broker reads changes', async () => {
    const { processor: p } = processor();
    const statement = {
      Principal: { Service: 'lambda.amazonaws.com' },
      Action: 'sts:AssumeRole',
    };
    const revisionOf = async (entity: Entity) =>
      (await p.postProcessEntity(entity, location, jest.fn())).metadata
        .annotations?.[ANNOTATION_IAM_ROLE_REVISION];

    const first = await revisionOf(role('x', statement));
    expect(first).toMatch(/^resource:default\/111111111111-x@[0-9a-f]{20}$/);
    expect(refOfRoleRevision(first!)).toBe('resource:default/111111111111-x');
    // the next cycle, with the revision it stamped before: the same
    const stamped = await p.postProcessEntity(
      role('x', statement),
      location,
      jest.fn(),
    );
    expect(await revisionOf(stamped)).toBe(first);
    expect(await revisionOf(role('x', statement))).toBe(first);
    // another holder (so another assumableBy relation), another trust policy: another revision
    expect(
      await revisionOf(
        role('x', statement, ['component:default/payments-api']),
      ),
    ).not.toBe(first);
    expect(
      await revisionOf(
        role('x', {
          ...statement,
          Principal: { Service: 'ec2.amazonaws.com' },
        }),
      ),
    ).not.toBe(first);
    // not a role: left alone
    expect(
      (await p.postProcessEntity(components[0], location, jest.fn())).metadata
        .annotations?.[ANNOTATION_IAM_ROLE_REVISION],
    ).toBeUndefined();
  });

  it('ignores entities that are not IAM roles', async () => {
    const { processor: p } = processor();
    const emit = jest.fn();
    const c = components[0];
    expect(await p.preProcessEntity(c)).toBe(c);
    await p.postProcessEntity(c, location, emit);
    expect(emit).not.toHaveBeenCalled();
  });
});
