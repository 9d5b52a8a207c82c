/*
 * The data of `yarn bench:catalog`: per account one `aws iam get-account-authorization-details
 * --filter Role` file (AWS CLI form, documents decoded) with realistic trust policies, the same
 * number of plain Resource entities for the yardstick, and the Groups and Components both runs share.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The 12-digit id of bench account `index` (0-based). */
export function accountId(index: number): string {
  return String(200000000000 + index + 1);
}

/** How many GitHub repositories and Kubernetes service accounts the base catalog holds. */
const REPOS = 97;
const SERVICE_ACCOUNTS = 53;
const OWNERS = ['platform', 'payments', 'Payments Team', 'data', 'sre'];

function trust(...statements: object[]) {
  return { Version: '2012-10-17', Statement: statements };
}

/** The trust policy of role `i` of account `a`: one of the kinds a large estate holds. */
function trustPolicy(a: number, i: number, accounts: number) {
  const id = accountId(a);
  switch (i % 8) {
    case 0:
    case 5:
      return trust({
        Effect: 'Allow',
        Principal: {
          Service: i % 2 ? 'ecs-tasks.amazonaws.com' : 'lambda.amazonaws.com',
        },
        Action: 'sts:AssumeRole',
      });
    case 1:
      return trust({
        Effect: 'Allow',
        Principal: {
          Federated: `arn:aws:iam::${id}:oidc-provider/token.actions.githubusercontent.com`,
        },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          },
          StringLike: {
            'token.actions.githubusercontent.com:sub': `repo:acme/app-${
              i % REPOS
            }:ref:refs/heads/main`,
          },
        },
      });
    case 2:
      // Cross-account: a role of another bench account (a role chain inside the estate).
      return trust({
        Effect: 'Allow',
        Principal: {
          AWS: `arn:aws:iam::${accountId((a + 1) % accounts)}:role/svc-${String(
            i - 1,
          ).padStart(5, '0')}`,
        },
        Action: 'sts:AssumeRole',
      });
    case 3:
      // A vendor account, with and without an external id.
      return trust({
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::999999999999:root' },
        Action: 'sts:AssumeRole',
        ...(i % 16 === 3
          ? {}
          : {
              Condition: { StringEquals: { 'sts:ExternalId': 'vendor-123' } },
            }),
      });
    case 4: {
      const sa = i % SERVICE_ACCOUNTS;
      const issuer = `oidc.eks.eu-west-1.amazonaws.com/id/${id}CLUSTER`;
      return trust({
        Effect: 'Allow',
        Principal: {
          Federated: `arn:aws:iam::${id}:oidc-provider/${issuer}`,
        },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: `system:serviceaccount:ns-${sa % 7}:sa-${sa}`,
            [`${issuer}:aud`]: 'sts.amazonaws.com',
          },
        },
      });
    }
    case 6:
      // The account itself (any principal of it with IAM permission).
      return trust({
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${id}:root` },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
      });
    default:
      return trust(
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${accountId(0)}:role/ci-deployer` },
          Action: 'sts:AssumeRole',
          Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
        },
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 'sts:AssumeRole',
          Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-acme' } },
        },
      );
  }
}

function roleDetail(a: number, i: number, accounts: number) {
  const id = accountId(a);
  const name = `svc-${String(i).padStart(5, '0')}`;
  const rolePath = i % 3 === 0 ? '/service-role/' : '/';
  const owner = OWNERS[i % OWNERS.length];
  return {
    Path: rolePath,
    RoleName: name,
    RoleId: `AROA${id}${String(i).padStart(8, '0')}`,
    Arn: `arn:aws:iam::${id}:role${rolePath}${name}`,
    CreateDate: '2024-03-01T10:00:00+00:00',
    AssumeRolePolicyDocument: trustPolicy(a, i, accounts),
    InstanceProfileList: [],
    RolePolicyList:
      i % 2
        ? [
            {
              PolicyName: 'inline',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Effect: 'Allow',
                    Action: ['s3:GetObject'],
                    Resource: `arn:aws:s3:::bucket-${i % 50}/*`,
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
    ...(i % 10 === 0
      ? {
          PermissionsBoundary: {
            PermissionsBoundaryType: 'Policy',
            PermissionsBoundaryArn: `arn:aws:iam::${id}:policy/boundary`,
          },
        }
      : {}),
    Tags:
      i % 5 === 4
        ? []
        : [
            { Key: 'owner', Value: owner },
            { Key: 'component', Value: `app-${i % REPOS}` },
          ],
    RoleLastUsed:
      i % 4 === 0
        ? {}
        : { LastUsedDate: '2026-11-01T00:00:00+00:00', Region: 'eu-west-1' },
  };
}

/** Groups and Components (GitHub repositories, EKS service accounts) the trust policies name. */
function baseCatalog(): string {
  const docs: object[] = [];
  for (const group of ['platform', 'payments', 'data', 'sre', 'security']) {
    docs.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: group },
      spec: { type: 'team', children: [] },
    });
  }
  for (let r = 0; r < REPOS; r++) {
    docs.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: `app-${r}`,
        annotations: {
          'github.com/project-slug': `acme/app-${r}`,
          ...(r < SERVICE_ACCOUNTS
            ? {
                'iam-roles.backstage-iam.io/kubernetes-service-accounts': `ns-${
                  r % 7
                }/sa-${r}`,
              }
            : {}),
        },
      },
      spec: {
        type: 'service',
        lifecycle: 'production',
        owner: OWNERS[r % OWNERS.length].split(' ')[0].toLowerCase(),
      },
    });
  }
  return docs.map(d => `---\n${JSON.stringify(d)}\n`).join('');
}

/** The folders one bench run reads. */
export interface BenchData {
  /** Authorization-details files, one per account: what our provider reads. */
  snapshots: string;
  /** `*.yaml` files of plain Resource entities, one per account: the yardstick's file location. */
  yardstick: string;
  /** Groups and Components, registered in both runs. */
  base: string;
}

/** Writes the data of `accounts` × `roles` into `dir`. */
export function writeBenchData(
  dir: string,
  accounts: number,
  roles: number,
): BenchData {
  const data: BenchData = {
    snapshots: path.join(dir, 'snapshots'),
    yardstick: path.join(dir, 'yardstick'),
    base: path.join(dir, 'base.yaml'),
  };
  fs.mkdirSync(data.snapshots, { recursive: true });
  fs.mkdirSync(data.yardstick, { recursive: true });
  fs.writeFileSync(data.base, baseCatalog());
  for (let a = 0; a < accounts; a++) {
    const id = accountId(a);
    const details = {
      UserDetailList: [],
      GroupDetailList: [],
      RoleDetailList: Array.from({ length: roles }, (_, i) =>
        roleDetail(a, i, accounts),
      ),
      Policies: [],
    };
    fs.writeFileSync(
      path.join(data.snapshots, `${id}.json`),
      JSON.stringify(details, null, 2),
    );
    const plain: string[] = [];
    for (let i = 0; i < roles; i++) {
      plain.push(
        `---\n${JSON.stringify({
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Resource',
          metadata: {
            name: `${id}-svc-${String(i).padStart(5, '0')}`,
            description: `Resource ${i} of account ${id}`,
          },
          spec: { type: 'cloud-resource', owner: 'group:default/platform' },
        })}\n`,
      );
    }
    fs.writeFileSync(path.join(data.yardstick, `${id}.yaml`), plain.join(''));
  }
  return data;
}
