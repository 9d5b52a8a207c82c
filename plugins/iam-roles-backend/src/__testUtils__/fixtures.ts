import type { Entity } from '@backstage/catalog-model';
import {
  analyzeRole,
  highestSeverity,
} from '@backstage-iam/plugin-iam-roles-common';

/** The broker's own principal in the fixtures. */
export const BROKER_ARN =
  'arn:aws:iam::111111111111:role/backstage-access-broker';

export const brokerStatement = {
  Sid: 'Broker',
  Effect: 'Allow',
  Principal: { AWS: BROKER_ARN },
  Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
};

/** A GitHub Actions trust of one repository's default branch. */
export const githubStatement = (repo: string) => ({
  Sid: 'GitHubDeploy',
  Effect: 'Allow',
  Principal: {
    Federated:
      'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com',
  },
  Action: 'sts:AssumeRoleWithWebIdentity',
  Condition: {
    StringEquals: {
      'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
      'token.actions.githubusercontent.com:sub': `repo:${repo}:ref:refs/heads/main`,
    },
  },
});

/** A role entity as the catalog module emits it. */
export function roleEntity(options: {
  name: string;
  owner: string;
  accountId?: string;
  statements: unknown[];
  annotations?: Record<string, string>;
  /** Entities the catalog module related to the role (`spec.assumableBy` and its relations). */
  assumableBy?: string[];
}): Entity {
  const accountId = options.accountId ?? '111111111111';
  const arn = `arn:aws:iam::${accountId}:role/${options.name}`;
  const trustPolicy = { Version: '2012-10-17', Statement: options.statements };
  // The catalog module records the engine's findings in spec.iam; the broker shows those.
  const { findings } = analyzeRole({ arn, trustPolicy });
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: options.name,
      namespace: 'default',
      title: options.name,
      annotations: {
        // As the catalog module's provider emits it: the broker trusts no other role entity.
        'backstage.io/managed-by-location': `aws-iam-account:${accountId}`,
        'backstage.io/managed-by-origin-location': `aws-iam-account:${accountId}`,
        'iam-roles.backstage-iam.io/provider': 'fixtures',
        'amazonaws.com/arn': arn,
        'amazonaws.com/account-id': accountId,
        ...options.annotations,
      },
    },
    relations: (options.assumableBy ?? []).map(targetRef => ({
      type: 'assumableBy',
      targetRef,
    })),
    spec: {
      type: 'aws-iam-role',
      owner: options.owner,
      assumableBy: options.assumableBy ?? [],
      iam: {
        arn,
        accountId,
        roleName: options.name,
        path: '/',
        roleId: `AROA${options.name
          .toUpperCase()
          .replace(/[^A-Z0-9]/g, '')}`.slice(0, 21),
        trustPolicy,
        attachedManagedPolicies: [],
        inlinePolicyNames: [],
        findings,
        risk: highestSeverity(findings),
      },
    } as unknown as Entity['spec'],
  };
}

/** Catalog fixtures: roles of team-payments, a public role, a component, an account, a non-role resource. */
export function fixtureEntities(): Entity[] {
  return [
    roleEntity({
      name: 'payments-deploy',
      owner: 'group:default/team-payments',
      statements: [brokerStatement, githubStatement('acme/payments-api')],
      assumableBy: ['component:default/payments-api'],
    }),
    roleEntity({
      name: 'payments-admin',
      owner: 'team-payments',
      statements: [brokerStatement],
      annotations: { 'iam-roles.backstage-iam.io/approval-quorum': '2' },
    }),
    roleEntity({
      name: 'legacy-open',
      owner: 'group:default/team-legacy',
      statements: [
        { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
      ],
    }),
    roleEntity({
      name: 'no-broker',
      owner: 'group:default/team-payments',
      statements: [githubStatement('acme/other')],
    }),
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'payments-api',
        namespace: 'default',
        annotations: { 'github.com/project-slug': 'acme/payments-api' },
      },
      spec: {
        type: 'service',
        lifecycle: 'production',
        owner: 'group:default/team-payments',
      },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: 'acme-prod',
        namespace: 'default',
        annotations: { 'amazonaws.com/account-id': '111111111111' },
      },
      spec: { type: 'aws-account', owner: 'group:default/platform' },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: { name: 'invoices-bucket', namespace: 'default' },
      spec: { type: 's3-bucket', owner: 'group:default/team-payments' },
    },
  ];
}

/** Who is who in the tests: user ref → ownership refs (as the userInfo service returns them). */
export const USERS: Record<string, string[]> = {
  'user:default/alice': ['user:default/alice', 'group:default/developers'],
  'user:default/mallory': ['user:default/mallory', 'group:default/developers'],
  'user:default/bob': ['user:default/bob', 'group:default/team-payments'],
  'user:default/carol': ['user:default/carol', 'group:default/team-payments'],
  'user:default/sam': ['user:default/sam', 'group:default/security'],
  // dan is an owner who requests access himself: he still may not approve his own request
  'user:default/dan': ['user:default/dan', 'group:default/team-payments'],
};
for (let i = 0; i < 20; i++) {
  USERS[`user:default/owner-${i}`] = [
    `user:default/owner-${i}`,
    'group:default/team-payments',
  ];
}
