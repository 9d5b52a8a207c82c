/**
 * Generates get-account-authorization-details snapshots shaped like a large organisation's:
 * Identity Center roles, service roles, GitHub Actions roles (per repository/branch/environment),
 * IRSA roles, cross-account deploy roles, vendor roles, and a few risky ones.
 */

import { createRandom } from '../src/random';

export { createRandom };

const SERVICES = [
  'lambda.amazonaws.com',
  'ecs-tasks.amazonaws.com',
  'ec2.amazonaws.com',
  'states.amazonaws.com',
  'glue.amazonaws.com',
  'firehose.amazonaws.com',
  'events.amazonaws.com',
  'backup.amazonaws.com',
];

const ENVS = ['staging', 'production', 'qa'];

/** Shape of the snapshot parameters. */
export interface SnapshotShape {
  roles: number;
  accounts: number;
  repositories: number;
  seed?: number;
}

/** The generated snapshot and the principals worth looking up in it. */
export interface GeneratedSnapshot {
  snapshot: {
    UserDetailList: unknown[];
    GroupDetailList: unknown[];
    RoleDetailList: unknown[];
    Policies: unknown[];
  };
  accounts: string[];
  repositories: string[];
  roleArns: string[];
  serviceAccounts: Array<{ provider: string; namespace: string; name: string }>;
}

function hex(random: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(random() * 16).toString(16);
  return s;
}

function upper(random: () => number, n: number): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let s = '';
  for (let i = 0; i < n; i++) s += chars[Math.floor(random() * chars.length)];
  return s;
}

/** Generates a snapshot in AWS CLI form. */
export function generateSnapshot(shape: SnapshotShape): GeneratedSnapshot {
  const random = createRandom(shape.seed ?? 42);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)];
  const accounts = Array.from({ length: shape.accounts }, (_, i) =>
    String(100000000000 + i * 7919),
  );
  const owners = ['acme', 'acme-labs', 'acme-data'];
  const repositories = Array.from(
    { length: shape.repositories },
    (_, i) => `${pick(owners)}/service-${i}`,
  );
  const clusters = new Map(
    accounts.map(a => [
      a,
      `oidc.eks.eu-west-1.amazonaws.com/id/${hex(random, 32).toUpperCase()}`,
    ]),
  );
  const roles: unknown[] = [];
  const roleArns: string[] = [];
  const serviceAccounts: GeneratedSnapshot['serviceAccounts'] = [];
  const toolingRoles = accounts
    .slice(0, 3)
    .map(a => `arn:aws:iam::${a}:role/github-actions/gha-deploy`);

  for (let i = 0; i < shape.roles; i++) {
    const account = accounts[i % accounts.length];
    const kind = random();
    let path = '/';
    let name: string;
    let document: unknown;
    const gh = `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`;
    if (kind < 0.12) {
      path = '/aws-reserved/sso.amazonaws.com/';
      name = `AWSReservedSSO_PermissionSet${i}_${hex(random, 16)}`;
      document = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: {
              Federated: `arn:aws:iam::${account}:saml-provider/AWSSSO_${hex(
                random,
                16,
              )}_DO_NOT_DELETE`,
            },
            Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
            Condition: {
              StringEquals: {
                'SAML:aud': 'https://signin.aws.amazon.com/saml',
              },
            },
          },
        ],
      };
    } else if (kind < 0.4) {
      const service = pick(SERVICES);
      path = '/service-role/';
      name = `${service.split('.')[0]}-role-${i}`;
      const statement: Record<string, unknown> = {
        Effect: 'Allow',
        Principal: { Service: service },
        Action: 'sts:AssumeRole',
      };
      if (random() < 0.3)
        statement.Condition = {
          StringEquals: { 'aws:SourceAccount': account },
        };
      document = { Version: '2012-10-17', Statement: [statement] };
    } else if (kind < 0.65) {
      path = '/github-actions/';
      name = `gha-${i}`;
      const repo = pick(repositories);
      const r = random();
      let sub: string | string[];
      if (r < 0.5) sub = `repo:${repo}:ref:refs/heads/main`;
      else if (r < 0.8) sub = `repo:${repo}:environment:${pick(ENVS)}`;
      else if (r < 0.978)
        sub = [
          `repo:${repo}:ref:refs/heads/main`,
          `repo:${pick(repositories)}:ref:refs/heads/main`,
        ];
      else if (r < 0.998) sub = `repo:${repo.split('/')[0]}/*`;
      else sub = 'repo:*';
      const subKey = 'token.actions.githubusercontent.com:sub';
      const condition: Record<string, Record<string, unknown>> = {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        },
      };
      if (Array.isArray(sub) || !sub.includes('*'))
        condition.StringEquals[subKey] = sub;
      else condition.StringLike = { [subKey]: sub };
      document = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: gh },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: condition,
          },
        ],
      };
    } else if (kind < 0.85) {
      const issuer = clusters.get(account)!;
      const namespace = `team-${Math.floor(random() * 40)}`;
      const sa = `workload-${i}`;
      serviceAccounts.push({
        provider: `arn:aws:iam::${account}:oidc-provider/${issuer}`,
        namespace,
        name: sa,
      });
      path = '/eks/';
      name = `irsa-${i}`;
      document = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: {
              Federated: `arn:aws:iam::${account}:oidc-provider/${issuer}`,
            },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: {
                [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${sa}`,
                [`${issuer}:aud`]: 'sts.amazonaws.com',
              },
            },
          },
        ],
      };
    } else if (kind < 0.95) {
      path = '/deploy/';
      name = `deployer-${i}`;
      document = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: [pick(toolingRoles), pick(toolingRoles)] },
            Action: ['sts:AssumeRole', 'sts:TagSession'],
          },
        ],
      };
    } else if (kind < 0.99) {
      name = `vendor-${i}`;
      document = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: {
              AWS: `arn:aws:iam::${String(
                900000000000 + Math.floor(random() * 50),
              )}:root`,
            },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': hex(random, 32) } },
          },
        ],
      };
    } else {
      // Legacy roles: most trust an IAM user; a few were left dangling; public trust is rare.
      name = `legacy-${i}`;
      const r = random();
      let principal: unknown = {
        AWS: `arn:aws:iam::${account}:user/legacy-user-${i % 97}`,
      };
      if (r < 0.02) principal = '*';
      else if (r < 0.3) principal = { AWS: `AROA${upper(random, 17)}` };
      document = {
        Version: '2012-10-17',
        Statement: {
          Effect: 'Allow',
          Principal: principal,
          Action: 'sts:AssumeRole',
        },
      };
    }
    const arn = `arn:aws:iam::${account}:role${path}${name}`;
    roleArns.push(arn);
    roles.push({
      Path: path,
      RoleName: name,
      RoleId: `AROA${upper(random, 17)}`,
      Arn: arn,
      CreateDate: '2023-04-12T09:14:33+00:00',
      AssumeRolePolicyDocument: document,
      InstanceProfileList: [],
      RolePolicyList:
        random() < 0.3
          ? [
              {
                PolicyName: 'inline',
                PolicyDocument: {
                  Version: '2012-10-17',
                  Statement: [
                    {
                      Effect: 'Allow',
                      Action: ['s3:GetObject', 's3:PutObject'],
                      Resource: `arn:aws:s3:::bucket-${i}/*`,
                    },
                  ],
                },
              },
            ]
          : [],
      AttachedManagedPolicies: [
        {
          PolicyName: 'ReadOnlyAccess',
          PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
        },
      ],
      Tags: [
        { Key: 'owner', Value: `team-${i % 25}` },
        { Key: 'component', Value: `service-${i % 500}` },
      ],
      RoleLastUsed:
        random() < 0.8
          ? { LastUsedDate: '2026-11-27T16:02:11+00:00', Region: 'eu-west-1' }
          : {},
    });
  }
  return {
    snapshot: {
      UserDetailList: [],
      GroupDetailList: [],
      RoleDetailList: roles,
      Policies: [],
    },
    accounts,
    repositories,
    roleArns,
    serviceAccounts,
  };
}
