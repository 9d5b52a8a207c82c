import { parseEffectiveDocument } from './parseEffectiveDocument';
import { normalizeTrustPolicy } from '@backstage-iam/plugin-iam-roles-common';
import {
  CatalogIdentities,
  EffectiveAccessIndex,
  IdentityMatchRule,
} from './EffectiveAccessIndex';
import type { IdentityCenterData } from './types';

const PROD = '333333333333';
const SET = 'arn:aws:sso:::permissionSet/ssoins-1/ps-1';
const role = {
  arn: `arn:aws:iam::${PROD}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef`,
  accountId: PROD,
  roleName: 'AWSReservedSSO_Admin_0123456789abcdef',
  path: '/aws-reserved/sso.amazonaws.com/eu-west-1/',
};

const data: IdentityCenterData = {
  kind: 'aws-identity-center',
  instanceArn: 'arn:aws:sso:::instance/ssoins-1',
  identityStoreId: 'd-1',
  permissionSets: [{ arn: SET, name: 'Admin' }],
  assignments: [
    {
      accountId: PROD,
      permissionSetArn: SET,
      principalType: 'GROUP',
      principalId: 'g-1',
    },
    {
      accountId: PROD,
      permissionSetArn: SET,
      principalType: 'USER',
      principalId: 'u-1',
    },
    // Another account: not this role's.
    {
      accountId: '111111111111',
      permissionSetArn: SET,
      principalType: 'USER',
      principalId: 'u-2',
    },
    // Deleted from the store since: kept, unmatched, named by its id.
    {
      accountId: PROD,
      permissionSetArn: SET,
      principalType: 'USER',
      principalId: 'u-gone',
    },
  ],
  groups: [
    {
      id: 'g-1',
      displayName: 'Platform Team',
      externalIds: [{ issuer: 'entra', id: 'ext-g-1' }],
      memberIds: ['u-1'],
    },
  ],
  users: [
    {
      id: 'u-1',
      userName: 'alice@acme.example',
      displayName: 'Alice A',
      emails: ['Alice@acme.example'],
      externalIds: [{ issuer: 'entra', id: 'ext-u-1' }],
    },
    { id: 'u-2', userName: 'bob', emails: [], externalIds: [] },
  ],
};

const catalog: CatalogIdentities = {
  groups: [
    {
      ref: 'group:default/platform-team',
      name: 'platform-team',
      displayName: 'Platform Team',
      annotations: { 'graph.microsoft.com/group-id': 'ext-g-1' },
    },
    {
      ref: 'group:default/platform',
      name: 'platform',
      annotations: { 'aws.amazon.com/identity-store-id': 'g-1' },
    },
  ],
  users: [
    {
      ref: 'user:default/alice',
      name: 'alice',
      email: 'alice@ACME.example',
      displayName: 'Alice A',
      annotations: { 'graph.microsoft.com/user-id': 'ext-u-1' },
    },
    {
      ref: 'user:default/alice.a',
      name: 'alice.a',
      displayName: 'Alice A',
      annotations: { 'aws.amazon.com/identity-store-id': 'u-1' },
    },
  ],
  components: [],
};

function principals(
  groupMatch: IdentityMatchRule,
  userMatch: IdentityMatchRule,
) {
  return EffectiveAccessIndex.create({
    datasets: [{ key: 'k', data, readAt: '' }],
    catalog,
    groupMatch,
    userMatch,
  })
    .forRole(role)
    .identityCenter![0].principals.map(p => [
      p.principalId,
      p.status,
      p.entityRef ?? p.candidates ?? null,
    ]);
}

describe('EffectiveAccessIndex: Identity Center matching', () => {
  it('matches by display name, and by email case-insensitively; keeps the unmatched', () => {
    expect(principals({ by: 'displayName' }, { by: 'email' })).toEqual([
      ['g-1', 'matched', 'group:default/platform-team'],
      ['u-1', 'matched', 'user:default/alice'],
      ['u-gone', 'unmatched', null],
    ]);
  });

  it('matches by external id through a configured annotation', () => {
    expect(
      principals(
        { by: 'externalId', annotation: 'graph.microsoft.com/group-id' },
        { by: 'externalId', annotation: 'graph.microsoft.com/user-id' },
      ).slice(0, 2),
    ).toEqual([
      ['g-1', 'matched', 'group:default/platform-team'],
      ['u-1', 'matched', 'user:default/alice'],
    ]);
  });

  it('matches by the identity-store id annotation', () => {
    expect(
      principals({ by: 'annotation' }, { by: 'annotation' }).slice(0, 2),
    ).toEqual([
      ['g-1', 'matched', 'group:default/platform'],
      ['u-1', 'matched', 'user:default/alice.a'],
    ]);
  });

  it('relates nobody when several entities match, and says which', () => {
    expect(principals({ by: 'displayName' }, { by: 'displayName' })[1]).toEqual(
      ['u-1', 'ambiguous', ['user:default/alice', 'user:default/alice.a']],
    );
    const access = EffectiveAccessIndex.create({
      datasets: [{ key: 'k', data, readAt: '' }],
      catalog,
      groupMatch: { by: 'displayName' },
      userMatch: { by: 'displayName' },
    }).forRole(role);
    expect(access.refs).toEqual([
      { entityRef: 'group:default/platform-team', via: 'identity-center' },
    ]);
  });

  it('gives a role of another permission set, or a role that is not reserved, nothing', () => {
    const index = EffectiveAccessIndex.create({
      datasets: [{ key: 'k', data, readAt: '' }],
      catalog,
      groupMatch: { by: 'displayName' },
      userMatch: { by: 'email' },
    });
    expect(
      index.forRole({
        ...role,
        roleName: 'AWSReservedSSO_Other_0123456789abcdef',
      }),
    ).toEqual({ refs: [], identityCenter: undefined });
    expect(
      index.forRole({ ...role, roleName: 'Admin', path: '/' }).identityCenter,
    ).toBeUndefined();
  });

  it('counts an instance read in two datasets once, from the newest read', () => {
    const older: IdentityCenterData = {
      ...data,
      assignments: [
        {
          accountId: PROD,
          permissionSetArn: SET,
          principalType: 'USER',
          principalId: 'u-2',
        },
      ],
    };
    const index = EffectiveAccessIndex.create({
      datasets: [
        {
          key: 'snapshot:/old.json',
          data: older,
          readAt: '2026-01-01T00:00:00.000Z',
        },
        {
          key: 'identity-center:main:eu-west-1',
          data,
          readAt: '2026-12-01T00:00:00.000Z',
        },
      ],
      catalog,
      groupMatch: { by: 'displayName' },
      userMatch: { by: 'email' },
    });
    const access = index.forRole(role).identityCenter!;
    expect(access).toHaveLength(1);
    expect(access[0].principals.map(p => p.principalId)).toEqual([
      'g-1',
      'u-1',
      'u-gone',
    ]);
  });
});

describe('EffectiveAccessIndex: Pod Identity against the trust policy', () => {
  const podRole = {
    arn: `arn:aws:iam::${PROD}:role/eks/log-shipper`,
    accountId: PROD,
    roleName: 'log-shipper',
    path: '/eks/',
  };
  const index = EffectiveAccessIndex.create({
    datasets: [
      {
        key: 'pod-identity:prod',
        readAt: '',
        data: {
          kind: 'aws-eks-pod-identity',
          accountId: PROD,
          region: 'eu-west-1',
          clusters: ['acme-production'],
          associations: ['fluent-bit', 'debug-shell'].map(serviceAccount => ({
            associationId: `a-${serviceAccount}`,
            clusterName: 'acme-production',
            namespace: 'observability',
            serviceAccount,
            roleArn: podRole.arn,
          })),
        },
      },
    ],
    catalog: {
      groups: [],
      users: [],
      components: ['fluent-bit', 'debug-shell'].map(sa => ({
        ref: `component:default/${sa}`,
        identities: [
          { type: 'eks', namespace: 'observability', serviceAccount: sa },
        ],
      })),
    },
    groupMatch: { by: 'displayName' },
    userMatch: { by: 'email' },
  });
  const trustScopedTo = (serviceAccount: string) =>
    normalizeTrustPolicy({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Condition: {
            StringEquals: {
              'aws:RequestTag/kubernetes-namespace': 'observability',
              'aws:RequestTag/kubernetes-service-account': serviceAccount,
            },
          },
        },
      ],
    }).policy!;

  it('relates only the service accounts the trust policy lets in, and records why for the others', () => {
    const access = index.forRole(podRole, trustScopedTo('fluent-bit'));
    expect(access.refs).toEqual([
      { entityRef: 'component:default/fluent-bit', via: 'pod-identity' },
    ]);
    expect(
      access.podIdentityAssociations!.map(a => [
        a.serviceAccount,
        a.trust?.outcome,
      ]),
    ).toEqual([
      ['debug-shell', 'not-trusted'],
      ['fluent-bit', 'allowed'],
    ]);
  });

  it('relates every associated service account when the trust names no condition', () => {
    const open = normalizeTrustPolicy({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
        },
      ],
    }).policy!;
    expect(
      index
        .forRole(podRole, open)
        .refs.map(r => r.entityRef)
        .sort(),
    ).toEqual([
      'component:default/debug-shell',
      'component:default/fluent-bit',
    ]);
  });
});

describe('EffectiveAccessIndex: Pod Identity with disableSessionTags', () => {
  it('sends no session tags, so a trust scoped by them does not let the pods in', () => {
    const podRole = {
      arn: `arn:aws:iam::${PROD}:role/eks/log-shipper`,
      accountId: PROD,
      roleName: 'log-shipper',
      path: '/eks/',
    };
    // Read from the snapshot form, as a file or DescribePodIdentityAssociation gives it.
    const snapshot = parseEffectiveDocument({
      kind: 'aws-eks-pod-identity',
      accountId: PROD,
      region: 'eu-west-1',
      associations: [true, false].map(disableSessionTags => ({
        association: {
          associationId: `a-${disableSessionTags}`,
          clusterName: 'acme-production',
          namespace: 'observability',
          serviceAccount: disableSessionTags ? 'untagged' : 'tagged',
          roleArn: podRole.arn,
          disableSessionTags,
        },
      })),
    })!;
    const index = EffectiveAccessIndex.create({
      datasets: [{ key: 'pod-identity:prod', readAt: '', data: snapshot }],
      catalog: {
        groups: [],
        users: [],
        components: ['tagged', 'untagged'].map(sa => ({
          ref: `component:default/${sa}`,
          identities: [
            { type: 'eks', namespace: 'observability', serviceAccount: sa },
          ],
        })),
      },
      groupMatch: { by: 'displayName' },
      userMatch: { by: 'email' },
    });
    const scoped = normalizeTrustPolicy({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Condition: {
            StringEquals: {
              'aws:RequestTag/kubernetes-namespace': 'observability',
            },
          },
        },
      ],
    }).policy!;
    const access = index.forRole(podRole, scoped);
    expect(access.refs).toEqual([
      { entityRef: 'component:default/tagged', via: 'pod-identity' },
    ]);
    expect(
      access.podIdentityAssociations!.map(a => [
        a.serviceAccount,
        a.disableSessionTags ?? false,
        a.trust?.outcome,
      ]),
    ).toEqual([
      ['tagged', false, 'allowed'],
      ['untagged', true, 'not-trusted'],
    ]);
  });
});

describe('EffectiveAccessIndex: EKS clusters of an account', () => {
  const issuer = (id: string) =>
    `https://oidc.eks.eu-west-1.amazonaws.com/id/${id}`;
  const eksDataset = (
    readAt: string,
    clusters: unknown[],
    accountId = PROD,
  ) => ({
    key: `pod-identity:${accountId}:${readAt}`,
    readAt,
    data: parseEffectiveDocument({
      kind: 'aws-eks-pod-identity',
      accountId,
      region: 'eu-west-1',
      clusters,
      associations: [],
    })!,
  });

  it('lists each cluster once, from the newest dataset that described it', () => {
    const index = EffectiveAccessIndex.create({
      datasets: [
        eksDataset('2026-12-01T00:00:00Z', [
          {
            cluster: {
              name: 'apps',
              identity: { oidc: { issuer: issuer('OLD') } },
            },
          },
          { name: 'batch', identity: { oidc: { issuer: issuer('BATCH') } } },
        ]),
        // Newer: apps described again, batch denied (its name only).
        eksDataset('2026-12-02T00:00:00Z', [
          {
            cluster: {
              name: 'apps',
              identity: { oidc: { issuer: issuer('NEW') } },
            },
          },
          'batch',
        ]),
        eksDataset('2026-12-02T00:00:00Z', ['other'], '111111111111'),
      ],
      groupMatch: { by: 'displayName' },
      userMatch: { by: 'email' },
    });
    expect(index.eksClustersOf(PROD)).toEqual([
      { name: 'apps', region: 'eu-west-1', oidcIssuer: issuer('NEW') },
      { name: 'batch', region: 'eu-west-1', oidcIssuer: issuer('BATCH') },
    ]);
    expect(index.eksClustersOf('111111111111')).toEqual([
      { name: 'other', region: 'eu-west-1' },
    ]);
    expect(index.eksClustersOf('999999999999')).toEqual([]);
  });
});
