import type { Entity } from '@backstage/catalog-model';
import type {
  AccessRequest,
  BrokerInfo,
  Grant,
  IamRoleEntity,
  IamRoleSpec,
  ResolvedPrincipal,
  RoleTrustView,
} from '@backstage-iam/plugin-iam-roles-common';

export const BASE = 'http://example.com/api/iam-roles';

export const ROLE_REF = 'resource:default/payments-deploy';
export const ROLE_ARN = 'arn:aws:iam::111111111111:role/ci/payments-deploy';

export const trustPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: {
        Federated:
          'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com',
      },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          'token.actions.githubusercontent.com:sub':
            'repo:acme/payments-api:ref:refs/heads/main',
        },
      },
    },
    {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::999999999999:root' },
      Action: 'sts:AssumeRole',
    },
  ],
};

export function roleEntity(
  overrides: { lastUsed?: { date?: string; region?: string } } = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: 'payments-deploy', namespace: 'default' },
    spec: {
      type: 'aws-iam-role',
      owner: 'group:default/payments',
      iam: {
        arn: ROLE_ARN,
        accountId: '111111111111',
        roleName: 'payments-deploy',
        path: '/ci/',
        roleId: 'AROAEXAMPLE',
        createDate: '2023-04-01T10:00:00Z',
        ...('lastUsed' in overrides ? { lastUsed: overrides.lastUsed } : {}),
        trustPolicy,
        attachedManagedPolicies: [
          {
            name: 'PowerUserAccess',
            arn: 'arn:aws:iam::aws:policy/PowerUserAccess',
          },
        ],
        inlinePolicyNames: [],
        findings: [{ id: 'cross-account-no-external-id', severity: 'high' }],
        risk: 'high',
      },
    },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/payments' }],
  };
}

export function principals(): ResolvedPrincipal[] {
  return [
    {
      kind: 'oidc',
      id: 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com',
      accountId: '111111111111',
      provider: 'github',
      actions: ['sts:AssumeRoleWithWebIdentity'],
      conditions: [
        {
          operator: 'StringEquals',
          key: 'token.actions.githubusercontent.com:sub',
          values: ['repo:acme/payments-api:ref:refs/heads/main'],
        },
      ],
      statementIndex: 0,
      description: 'GitHub Actions in acme/payments-api on branch main',
      entityRef: 'component:default/payments-api',
    },
    {
      kind: 'account',
      id: '999999999999',
      accountId: '999999999999',
      actions: ['sts:AssumeRole'],
      conditions: [],
      statementIndex: 1,
      description: 'account 999999999999 (external), any principal it allows',
      external: true,
    },
  ];
}

export function trustView(
  overrides: Partial<RoleTrustView> = {},
): RoleTrustView {
  return {
    entityRef: ROLE_REF,
    analysis: {
      arn: ROLE_ARN,
      accountId: '111111111111',
      name: 'payments-deploy',
      path: '/ci/',
      principals: principals(),
      findings: [
        {
          id: 'cross-account-no-external-id',
          severity: 'high',
          message:
            'Account 999999999999 can assume this role without an ExternalId. Any principal that account allows can act as this role. Fix: add a StringEquals condition on sts:ExternalId.',
          statementIndex: 1,
          principal: '999999999999',
        },
      ],
    },
    principals: principals(),
    broker: { trusted: true },
    ...overrides,
  };
}

export const brokerInfo: BrokerInfo = {
  credentialsEnabled: true,
  brokerPrincipalArn: 'arn:aws:iam::111111111111:role/backstage-broker',
  defaultDurationMinutes: 60,
  minDurationMinutes: 15,
  maxDurationMinutes: 240,
};

export function grant(overrides: Partial<Grant> = {}): Grant {
  return {
    id: 'g-1',
    requestId: 'r-1',
    roleRef: ROLE_REF,
    roleArn: ROLE_ARN,
    user: 'user:default/dev',
    status: 'active',
    grantedAt: '2026-11-29T01:00:00Z',
    expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    ...overrides,
  };
}

export function accessRequest(
  overrides: Partial<AccessRequest> = {},
): AccessRequest {
  return {
    id: 'r-1',
    roleRef: ROLE_REF,
    roleArn: ROLE_ARN,
    requester: 'user:default/dev',
    justification: 'Rotate the payments database credentials (INC-42)',
    durationMinutes: 60,
    ticket: 'INC-42',
    status: 'pending',
    createdAt: '2026-11-29T00:30:00Z',
    updatedAt: '2026-11-29T00:30:00Z',
    expiresAt: new Date(Date.now() + 24 * 3600_000).toISOString(),
    requiredApprovals: 1,
    approvals: [],
    canDecide: false,
    ...overrides,
  };
}

export const SSO_ROLE_REF = 'resource:default/awsreservedsso-readonly';
export const SSO_ROLE_ARN =
  'arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_ReadOnlyAccess_0123456789abcdef';
const SSO_SAML =
  'arn:aws:iam::222222222222:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE';

/**
 * An `AWSReservedSSO_*` role with the effective-access facts of the catalog module: Identity Center
 * assignments (matched, unmatched and ambiguous), a Pod Identity association and two RCPs.
 */
export function effectiveRoleEntity(
  iam: Partial<IamRoleSpec> = {},
): IamRoleEntity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: 'awsreservedsso-readonly', namespace: 'default' },
    spec: {
      type: 'aws-iam-role',
      owner: 'group:default/platform',
      assumableBy: ['group:default/engineering', 'user:default/jane.doe'],
      iam: {
        arn: SSO_ROLE_ARN,
        accountId: '222222222222',
        roleName: 'AWSReservedSSO_ReadOnlyAccess_0123456789abcdef',
        path: '/aws-reserved/sso.amazonaws.com/eu-west-1/',
        roleId: 'AROASSOEXAMPLE',
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Federated: SSO_SAML },
              Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
            },
          ],
        },
        attachedManagedPolicies: [],
        inlinePolicyNames: [],
        findings: [],
        risk: 'none',
        identityCenter: [
          {
            instanceArn: 'arn:aws:sso:::instance/ssoins-0123456789abcdef',
            permissionSetArn:
              'arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-readonly',
            permissionSetName: 'ReadOnlyAccess',
            accountId: '222222222222',
            principals: [
              {
                principalType: 'GROUP',
                principalId: 'g-engineering',
                name: 'engineering',
                status: 'matched',
                entityRef: 'group:default/engineering',
                memberCount: 12,
              },
              {
                principalType: 'GROUP',
                principalId: 'g-contractors',
                name: 'Contractors',
                status: 'unmatched',
                memberCount: 3,
              },
              {
                principalType: 'USER',
                principalId: 'u-jane',
                name: 'jane.doe',
                status: 'matched',
                entityRef: 'user:default/jane.doe',
              },
              {
                principalType: 'USER',
                principalId: 'u-sam',
                name: 'sam',
                status: 'ambiguous',
                candidates: ['user:default/sam.lee', 'user:default/sam.kim'],
              },
            ],
          },
        ],
        podIdentityAssociations: [
          {
            accountId: '222222222222',
            region: 'eu-west-1',
            clusterName: 'acme-staging',
            namespace: 'reporting',
            serviceAccount: 'reporter',
            associationId: 'a-reporter',
            as: 'role',
            roleArn: SSO_ROLE_ARN,
            componentRefs: ['component:default/reporting'],
          },
        ],
        resourceControlPolicies: [
          {
            id: 'p-FullAWSAccess',
            name: 'RCPFullAWSAccess',
            awsManaged: true,
            attachedTo: ['r-ac12'],
            document: {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
              ],
            },
          },
          {
            id: 'p-denyoutside',
            name: 'acme-deny-assume-outside-org',
            organizationId: 'o-acme',
            awsManaged: false,
            attachedTo: ['ou-ac12-workld01'],
            document: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Deny',
                  Principal: '*',
                  Action: 'sts:AssumeRole*',
                  Resource: '*',
                  Condition: {
                    StringNotEqualsIfExists: {
                      'aws:PrincipalOrgID': 'o-acme',
                    },
                  },
                },
              ],
            },
          },
        ],
        assumableByVia: [
          { entityRef: 'group:default/engineering', via: ['identity-center'] },
          { entityRef: 'user:default/jane.doe', via: ['identity-center'] },
          { entityRef: 'component:default/reporting', via: ['pod-identity'] },
        ],
        ...iam,
      },
    },
  };
}

/** The broker's answer for the SSO role: its one trust-policy principal, the SAML provider. */
export function ssoTrustView(): RoleTrustView {
  const principal: ResolvedPrincipal = {
    kind: 'saml',
    id: SSO_SAML,
    accountId: '222222222222',
    actions: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
    conditions: [],
    statementIndex: 0,
    description:
      'SAML federation through AWSSSO_0123456789abcdef_DO_NOT_DELETE',
  };
  return trustView({
    entityRef: SSO_ROLE_REF,
    analysis: {
      arn: SSO_ROLE_ARN,
      accountId: '222222222222',
      name: 'AWSReservedSSO_ReadOnlyAccess_0123456789abcdef',
      path: '/aws-reserved/sso.amazonaws.com/eu-west-1/',
      principals: [principal],
      findings: [],
    },
    principals: [principal],
  });
}

/** The OIDC issuer of the demo's acme-production EKS cluster, and its IAM OIDC provider. */
export const EKS_ISSUER =
  'oidc.eks.eu-west-1.amazonaws.com/id/8D70EFBA7736795BE8B00B497EE67693';
export const EKS_PROVIDER = `arn:aws:iam::333333333333:oidc-provider/${EKS_ISSUER}`;

/** The account entity of acme-production, with its EKS cluster as the catalog module emits it. */
export const productionAccount: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'aws-account-333333333333',
    namespace: 'default',
    title: 'AWS account acme-production (333333333333)',
    annotations: { 'amazonaws.com/account-id': '333333333333' },
  },
  spec: {
    type: 'aws-account',
    owner: 'group:default/platform',
    eksClusters: [
      {
        name: 'acme-production',
        region: 'eu-west-1',
        oidcIssuer: `https://${EKS_ISSUER}`,
      },
    ],
  },
};
