#!/usr/bin/env node
/*
 * Generates Acme's sample `aws iam get-account-authorization-details` snapshots in ../aws.
 *
 * The roles are described below once, by hand; this script only does what IAM does when it
 * prints them: unique ids (AROA…, AIPA…, ANPA…), ARNs, dates, attachment counts, and the two
 * output forms (AWS CLI: decoded documents and `+00:00` dates; raw API: URL-encoded documents
 * and `Z` dates). Everything is derived from hashes of the names, so a run is reproducible:
 *
 *   node packages/sample-data/scripts/generate-snapshots.js
 *
 * Edit the role lists here, regenerate, then update ../README.md (its tables describe the
 * intended findings and owners role by role).
 */
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const OUT_DIR = path.resolve(__dirname, '..', 'aws');

// ---------------------------------------------------------------------------------------------
// Deterministic identifiers and dates

function digest(seed) {
  return crypto.createHash('sha256').update(seed).digest();
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** An IAM unique id: prefix (AROA, AIPA, ANPA, AIDA, AGPA) + 17 upper-case alphanumerics. */
function uniqueId(prefix, seed) {
  const bytes = digest(`${prefix}:${seed}`);
  let id = prefix;
  for (let i = 0; id.length < prefix.length + 17; i++) {
    id += BASE32[bytes[i] % 32];
  }
  return id;
}

function hex(seed, length) {
  return digest(seed).toString('hex').slice(0, length);
}

function dateBetween(seed, from, to) {
  const start = Date.parse(from);
  const end = Date.parse(to);
  const fraction = digest(seed).readUInt32BE(0) / 2 ** 32;
  return new Date(Math.floor((start + fraction * (end - start)) / 1000) * 1000);
}

/** The AWS CLI prints timestamps as ISO 8601 with an explicit UTC offset. */
function cliDate(date) {
  return date.toISOString().replace('.000Z', '+00:00');
}

/** The IAM Query API returns timestamps as ISO 8601 in UTC (`Z`). */
function apiDate(date) {
  return date.toISOString().replace('.000Z', 'Z');
}

// ---------------------------------------------------------------------------------------------
// Acme's accounts

const ORG_ID = 'o-7k2x9q4m1p';
const DATADOG_ACCOUNT = '464622532012';
const CLOUDCOST_ACCOUNT = '987654321098';
const SNOWFLAKE_ACCOUNT = '898466741470';

const ACCOUNTS = {
  tooling: {
    id: '111111111111',
    alias: 'acme-tooling',
    region: 'eu-west-1',
    form: 'cli',
    cluster: 'tooling',
    eksOidc: `oidc.eks.eu-west-1.amazonaws.com/id/${hex(
      'eks-tooling',
      32,
    ).toUpperCase()}`,
  },
  staging: {
    id: '222222222222',
    alias: 'acme-staging',
    region: 'eu-west-1',
    form: 'cli',
    cluster: 'staging',
    eksOidc: `oidc.eks.eu-west-1.amazonaws.com/id/${hex(
      'eks-staging',
      32,
    ).toUpperCase()}`,
  },
  production: {
    id: '333333333333',
    alias: 'acme-production',
    region: 'eu-west-1',
    form: 'cli',
    cluster: 'production',
    eksOidc: `oidc.eks.eu-west-1.amazonaws.com/id/${hex(
      'eks-production',
      32,
    ).toUpperCase()}`,
  },
  data: {
    id: '444444444444',
    alias: 'acme-data',
    region: 'eu-central-1',
    form: 'raw',
    cluster: 'data',
    eksOidc: `oidc.eks.eu-central-1.amazonaws.com/id/${hex(
      'eks-data',
      32,
    ).toUpperCase()}`,
  },
};

for (const account of Object.values(ACCOUNTS)) {
  account.ssoProvider = `AWSSSO_${hex(
    `sso-provider:${account.id}`,
    16,
  )}_DO_NOT_DELETE`;
}

const TOOLING = ACCOUNTS.tooling.id;
const GITHUB = 'token.actions.githubusercontent.com';

const roleArn = (accountId, name, rolePath = '/') =>
  `arn:aws:iam::${accountId}:role${rolePath}${name}`;
const awsPolicy = name => `arn:aws:iam::aws:policy/${name}`;
const localPolicy = (accountId, name) =>
  `arn:aws:iam::${accountId}:policy/${name}`;

// ---------------------------------------------------------------------------------------------
// Trust policy statements, as people and tools write them

const trust = (...statements) => ({
  Version: '2012-10-17',
  Statement: statements,
});

/** GitHub Actions OIDC: `sub` pinned to repositories, branches or environments. */
function githubStatement(account, subjects, options = {}) {
  const { like = false, audience = true } = options;
  const condition = {};
  const subjectOperator = like ? 'StringLike' : 'StringEquals';
  if (audience) {
    condition.StringEquals = { [`${GITHUB}:aud`]: 'sts.amazonaws.com' };
  }
  if (subjects !== undefined) {
    condition[subjectOperator] = {
      ...(condition[subjectOperator] || {}),
      [`${GITHUB}:sub`]: subjects,
    };
  }
  return {
    Effect: 'Allow',
    Principal: {
      Federated: `arn:aws:iam::${account.id}:oidc-provider/${GITHUB}`,
    },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: condition,
  };
}

/** EKS IAM roles for service accounts (IRSA). */
function irsaStatement(account, serviceAccounts) {
  // service accounts are written NAMESPACE/NAME (as in the catalog annotation); IRSA subjects use a colon
  const subjects = serviceAccounts.map(
    sa => `system:serviceaccount:${sa.replace('/', ':')}`,
  );
  return {
    Effect: 'Allow',
    Principal: {
      Federated: `arn:aws:iam::${account.id}:oidc-provider/${account.eksOidc}`,
    },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: {
      StringEquals: {
        [`${account.eksOidc}:sub`]:
          subjects.length === 1 ? subjects[0] : subjects,
        [`${account.eksOidc}:aud`]: 'sts.amazonaws.com',
      },
    },
  };
}

/** The trust policy IAM Identity Center writes on every permission-set role. */
function ssoStatement(account) {
  return {
    Effect: 'Allow',
    Principal: {
      Federated: `arn:aws:iam::${account.id}:saml-provider/${account.ssoProvider}`,
    },
    Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
    Condition: {
      StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' },
    },
  };
}

function serviceStatement(service, condition) {
  const statement = {
    Effect: 'Allow',
    Principal: { Service: service },
    Action: 'sts:AssumeRole',
  };
  if (condition) statement.Condition = condition;
  return statement;
}

function awsStatement(principals, options = {}) {
  const statement = {
    Effect: 'Allow',
    Principal: { AWS: principals },
    Action: options.actions || 'sts:AssumeRole',
  };
  if (options.condition) statement.Condition = options.condition;
  return statement;
}

// ---------------------------------------------------------------------------------------------
// Permission policies (inline and customer managed), kept short but real

const policy = (...statements) => ({
  Version: '2012-10-17',
  Statement: statements,
});
const allow = (Action, Resource, extra = {}) => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...extra,
});

function localPolicies(account) {
  const a = account.id;
  return [
    {
      name: 'acme-workload-boundary',
      description:
        'Permissions boundary for workload roles: no IAM, no Organizations, no leaving the region',
      document: policy(
        allow('*', '*', { Sid: 'AllowWorkloads' }),
        {
          Sid: 'DenyIdentityChanges',
          Effect: 'Deny',
          Action: [
            'iam:*',
            'organizations:*',
            'account:*',
            'sso:*',
            'identitystore:*',
          ],
          Resource: '*',
        },
        {
          Sid: 'DenyOtherRegions',
          Effect: 'Deny',
          NotAction: [
            'cloudfront:*',
            'route53:*',
            'sts:*',
            'support:*',
            'health:*',
          ],
          Resource: '*',
          Condition: {
            StringNotEquals: {
              'aws:RequestedRegion': [account.region, 'us-east-1'],
            },
          },
        },
      ),
    },
    {
      name: 'terraform-state-access',
      description: 'Read and write the Terraform state of this account',
      document: policy(
        allow(
          ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
          `arn:aws:s3:::acme-terraform-state-${a}/*`,
        ),
        allow('s3:ListBucket', `arn:aws:s3:::acme-terraform-state-${a}`),
        allow(
          ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
          `arn:aws:dynamodb:${account.region}:${a}:table/terraform-locks`,
        ),
      ),
    },
    {
      name: 'eks-external-dns',
      description: 'Route 53 records for external-dns',
      document: policy(
        allow(
          'route53:ChangeResourceRecordSets',
          'arn:aws:route53:::hostedzone/*',
        ),
        allow(
          [
            'route53:ListHostedZones',
            'route53:ListResourceRecordSets',
            'route53:ListTagsForResource',
          ],
          '*',
        ),
      ),
    },
  ];
}

const inline = (name, document) => ({ name, document });

const ecrPush = account =>
  inline(
    'ecr-push',
    policy(
      allow('ecr:GetAuthorizationToken', '*'),
      allow(
        [
          'ecr:BatchCheckLayerAvailability',
          'ecr:CompleteLayerUpload',
          'ecr:InitiateLayerUpload',
          'ecr:PutImage',
          'ecr:UploadLayerPart',
          'ecr:BatchGetImage',
        ],
        `arn:aws:ecr:${account.region}:${account.id}:repository/acme/*`,
      ),
    ),
  );

const assumeInline = (name, arns) =>
  inline(name, policy(allow(['sts:AssumeRole', 'sts:TagSession'], arns)));

const secretsRead = (account, prefix) =>
  inline(
    'secrets-read',
    policy(
      allow(
        ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        `arn:aws:secretsmanager:${account.region}:${account.id}:secret:${prefix}/*`,
      ),
    ),
  );

const sqsAccess = (account, queues) =>
  inline(
    'sqs-access',
    policy(
      allow(
        [
          'sqs:SendMessage',
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
        ],
        queues.map(q => `arn:aws:sqs:${account.region}:${account.id}:${q}`),
      ),
    ),
  );

const s3Access = (name, buckets, actions) =>
  inline(
    name,
    policy(
      allow(
        actions,
        buckets.flatMap(b => [`arn:aws:s3:::${b}`, `arn:aws:s3:::${b}/*`]),
      ),
    ),
  );

// ---------------------------------------------------------------------------------------------
// Role builders shared by the accounts

const tags = (...pairs) => pairs.map(([Key, Value]) => ({ Key, Value }));
const terraformTags = (...pairs) => tags(...pairs, ['managed-by', 'terraform']);

function ssoRole(account, permissionSet, managed, inlineDoc, lastUsed) {
  return {
    path: '/aws-reserved/sso.amazonaws.com/',
    name: `AWSReservedSSO_${permissionSet}_${hex(
      `sso-role:${account.id}:${permissionSet}`,
      16,
    )}`,
    trust: trust(ssoStatement(account)),
    managed,
    inline: inlineDoc ? [inline('AwsSSOInlinePolicy', inlineDoc)] : [],
    tags: [],
    lastUsed,
  };
}

const SERVICE_LINKED = {
  support: [
    'AWSServiceRoleForSupport',
    'support.amazonaws.com',
    'aws-service-role/AWSSupportServiceRolePolicy',
  ],
  trustedadvisor: [
    'AWSServiceRoleForTrustedAdvisor',
    'trustedadvisor.amazonaws.com',
    'aws-service-role/AWSTrustedAdvisorServiceRolePolicy',
  ],
  sso: [
    'AWSServiceRoleForSSO',
    'sso.amazonaws.com',
    'aws-service-role/AWSSSOServiceRolePolicy',
  ],
  eks: [
    'AWSServiceRoleForAmazonEKS',
    'eks.amazonaws.com',
    'aws-service-role/AmazonEKSServiceRolePolicy',
  ],
  elb: [
    'AWSServiceRoleForElasticLoadBalancing',
    'elasticloadbalancing.amazonaws.com',
    'aws-service-role/AWSElasticLoadBalancingServiceRolePolicy',
  ],
  autoscaling: [
    'AWSServiceRoleForAutoScaling',
    'autoscaling.amazonaws.com',
    'aws-service-role/AutoScalingServiceRolePolicy',
  ],
  rds: [
    'AWSServiceRoleForRDS',
    'rds.amazonaws.com',
    'aws-service-role/AmazonRDSServiceRolePolicy',
  ],
  emr: [
    'AWSServiceRoleForEMRCleanup',
    'elasticmapreduce.amazonaws.com',
    'aws-service-role/AmazonEMRCleanupPolicy',
  ],
};

function serviceLinkedRole(key, lastUsed) {
  const [name, service, policyName] = SERVICE_LINKED[key];
  return {
    path: `/aws-service-role/${service}/`,
    name,
    trust: trust(serviceStatement(service)),
    managed: [awsPolicy(policyName)],
    tags: [],
    lastUsed,
  };
}

function datadogRole(account, lastUsed) {
  return {
    name: 'DatadogIntegrationRole',
    trust: trust(
      awsStatement(`arn:aws:iam::${DATADOG_ACCOUNT}:root`, {
        condition: {
          StringEquals: {
            'sts:ExternalId': hex(`datadog-external-id:${account.id}`, 32),
          },
        },
      }),
    ),
    managed: [awsPolicy('SecurityAudit')],
    inline: [
      inline(
        'DatadogAWSIntegrationPolicy',
        policy(
          allow(
            [
              'cloudwatch:Get*',
              'cloudwatch:List*',
              'ec2:Describe*',
              'eks:Describe*',
              'eks:List*',
              'logs:FilterLogEvents',
              'logs:DescribeLogGroups',
              'tag:GetResources',
            ],
            '*',
          ),
        ),
      ),
    ],
    tags: terraformTags(['owner', 'sre'], ['system', 'observability']),
    lastUsed,
  };
}

function guardrailsAuditRole(lastUsed) {
  return {
    path: '/security/',
    name: 'cloud-guardrails-audit',
    trust: trust(
      awsStatement(
        roleArn(TOOLING, 'cloud-guardrails-remediator', '/security/'),
        { actions: ['sts:AssumeRole', 'sts:TagSession'] },
      ),
    ),
    managed: [awsPolicy('SecurityAudit')],
    inline: [
      inline(
        'remediate-public-access',
        policy(
          allow(
            [
              's3:PutBucketPublicAccessBlock',
              'ec2:RevokeSecurityGroupIngress',
              'ec2:ModifySnapshotAttribute',
            ],
            '*',
          ),
        ),
      ),
    ],
    tags: terraformTags(
      ['owner', 'security'],
      ['system', 'security-tooling'],
      ['component', 'cloud-guardrails'],
    ),
    lastUsed,
  };
}

function terraformRoles(account, lastUsedApply, lastUsedPlan) {
  const boundaryless = [
    {
      path: '/terraform/',
      name: 'terraform-execution',
      trust: trust(
        awsStatement(
          roleArn(TOOLING, 'gha-terraform-apply', '/github-actions/'),
          { actions: ['sts:AssumeRole', 'sts:TagSession'] },
        ),
      ),
      managed: [
        awsPolicy('AdministratorAccess'),
        localPolicy(account.id, 'terraform-state-access'),
      ],
      tags: terraformTags(
        ['owner', 'platform'],
        ['system', 'developer-platform'],
        ['component', 'platform-infra'],
      ),
      lastUsed: lastUsedApply,
    },
    {
      path: '/terraform/',
      name: 'terraform-readonly',
      trust: trust(
        awsStatement(
          roleArn(TOOLING, 'gha-terraform-plan', '/github-actions/'),
          { actions: ['sts:AssumeRole', 'sts:TagSession'] },
        ),
      ),
      managed: [
        awsPolicy('ReadOnlyAccess'),
        localPolicy(account.id, 'terraform-state-access'),
      ],
      tags: terraformTags(
        ['owner', 'platform'],
        ['system', 'developer-platform'],
        ['component', 'platform-infra'],
      ),
      lastUsed: lastUsedPlan,
    },
  ];
  return boundaryless;
}

function deployerRole(account, fromRole, lastUsed) {
  return {
    path: '/deploy/',
    name: 'acme-deployer',
    trust: trust(
      awsStatement(roleArn(TOOLING, fromRole, '/github-actions/'), {
        actions: ['sts:AssumeRole', 'sts:TagSession'],
      }),
    ),
    managed: [awsPolicy('AmazonEKSClusterPolicy')],
    inline: [
      inline(
        'deploy',
        policy(
          allow(
            ['eks:DescribeCluster', 'eks:ListClusters'],
            `arn:aws:eks:${account.region}:${account.id}:cluster/*`,
          ),
          allow(
            ['s3:PutObject', 's3:DeleteObject', 's3:ListBucket'],
            [
              `arn:aws:s3:::acme-static-${account.alias}`,
              `arn:aws:s3:::acme-static-${account.alias}/*`,
            ],
          ),
          allow('cloudfront:CreateInvalidation', '*'),
        ),
      ),
    ],
    boundary: localPolicy(account.id, 'acme-workload-boundary'),
    tags: terraformTags(
      ['owner', 'platform'],
      ['system', 'developer-platform'],
      ['environment', account.cluster],
    ),
    lastUsed,
  };
}

function eksClusterRoles(account, lastUsed) {
  return [
    {
      path: '/eks/',
      name: `eks-cluster-${account.cluster}`,
      trust: trust(serviceStatement('eks.amazonaws.com')),
      managed: [awsPolicy('AmazonEKSClusterPolicy')],
      tags: terraformTags(
        ['owner', 'platform'],
        ['system', 'developer-platform'],
      ),
      lastUsed,
    },
    {
      path: '/eks/',
      name: `eks-node-${account.cluster}`,
      trust: trust(serviceStatement('ec2.amazonaws.com')),
      managed: [
        awsPolicy('AmazonEKSWorkerNodePolicy'),
        awsPolicy('AmazonEC2ContainerRegistryReadOnly'),
        awsPolicy('AmazonEKS_CNI_Policy'),
        awsPolicy('AmazonSSMManagedInstanceCore'),
      ],
      instanceProfile: `eks-node-${account.cluster}`,
      tags: terraformTags(
        ['owner', 'platform'],
        ['system', 'developer-platform'],
      ),
      lastUsed,
    },
  ];
}

/** An IRSA role for a component's service account(s). */
function irsaRole(account, options) {
  return {
    path: '/eks/',
    name: options.name,
    trust: trust(irsaStatement(account, options.serviceAccounts)),
    managed: options.managed || [],
    inline: options.inline || [],
    boundary:
      options.boundary === false
        ? undefined
        : localPolicy(account.id, 'acme-workload-boundary'),
    tags: options.tags,
    lastUsed: options.lastUsed,
  };
}

// Component facts shared by the IRSA roles of several accounts (see catalog/components)
const WORKLOADS = {
  'payments-api': {
    serviceAccounts: ['payments/payments-api'],
    tags: [
      ['owner', 'group:default/payments'],
      ['system', 'payments'],
      ['component', 'payments-api'],
    ],
    inline: account => [
      secretsRead(account, 'payments-api'),
      sqsAccess(account, ['payments-events']),
    ],
  },
  'payments-worker': {
    serviceAccounts: ['payments/payments-worker'],
    tags: [
      ['team', 'Payments Team'],
      ['system', 'payments'],
      ['component', 'payments-worker'],
    ],
    inline: account => [
      sqsAccess(account, ['payments-events', 'payments-events-dlq']),
    ],
  },
  'ledger-service': {
    serviceAccounts: ['payments/ledger-service', 'payments/ledger-migrations'],
    tags: [
      ['owner', 'payments'],
      ['system', 'payments'],
      ['component', 'ledger-service'],
    ],
    inline: account => [
      secretsRead(account, 'ledger'),
      inline(
        'rds-connect',
        policy(
          allow(
            'rds-db:connect',
            `arn:aws:rds-db:${account.region}:${account.id}:dbuser:*/ledger_app`,
          ),
        ),
      ),
    ],
  },
  'identity-service': {
    serviceAccounts: ['identity/identity-service'],
    tags: [
      ['team', 'identity'],
      ['system', 'identity'],
      ['component', 'identity-service'],
    ],
    inline: account => [
      secretsRead(account, 'identity'),
      inline(
        'kms-sign',
        policy(
          allow(
            ['kms:Sign', 'kms:GetPublicKey'],
            `arn:aws:kms:${account.region}:${account.id}:alias/identity-token-signing`,
          ),
        ),
      ),
    ],
  },
  'auth-gateway': {
    serviceAccounts: ['identity/auth-gateway'],
    tags: [
      ['owner', 'group:identity'],
      ['system', 'identity'],
      ['component', 'auth-gateway'],
    ],
    inline: account => [secretsRead(account, 'auth-gateway')],
  },
  'mobile-bff': {
    serviceAccounts: ['mobile/mobile-bff'],
    tags: [
      ['Team', 'Mobile Squad'],
      ['system', 'mobile'],
      ['component', 'mobile-bff'],
    ],
    inline: account => [secretsRead(account, 'mobile-bff')],
  },
  'push-notifications': {
    serviceAccounts: ['mobile/push-notifications'],
    tags: [
      ['owner', 'mobile'],
      ['system', 'mobile'],
      ['component', 'push-notifications'],
    ],
    inline: account => [
      inline(
        'sns-publish',
        policy(
          allow(
            ['sns:Publish', 'sns:CreatePlatformEndpoint'],
            `arn:aws:sns:${account.region}:${account.id}:app/*`,
          ),
        ),
      ),
    ],
  },
  'external-dns': {
    serviceAccounts: ['kube-system/external-dns'],
    tags: [
      ['owner', 'platform'],
      ['system', 'developer-platform'],
      ['component', 'external-dns'],
    ],
    managed: account => [localPolicy(account.id, 'eks-external-dns')],
  },
  karpenter: {
    serviceAccounts: ['karpenter/karpenter'],
    tags: [
      ['owner', 'platform'],
      ['system', 'developer-platform'],
      ['component', 'karpenter'],
    ],
    inline: account => [
      inline(
        'karpenter-controller',
        policy(
          allow(
            [
              'ec2:CreateFleet',
              'ec2:CreateLaunchTemplate',
              'ec2:RunInstances',
              'ec2:TerminateInstances',
              'ec2:Describe*',
              'pricing:GetProducts',
              'ssm:GetParameter',
            ],
            '*',
          ),
          allow(
            'iam:PassRole',
            roleArn(account.id, `KarpenterNodeRole-${account.cluster}`),
          ),
        ),
      ),
    ],
    boundary: false,
  },
  'log-shipper': {
    serviceAccounts: ['observability/fluent-bit'],
    tags: [
      ['owner', 'SRE'],
      ['system', 'observability'],
      ['component', 'log-shipper'],
    ],
    inline: account => [
      inline(
        'cloudwatch-logs',
        policy(
          allow(
            [
              'logs:CreateLogGroup',
              'logs:CreateLogStream',
              'logs:PutLogEvents',
              'logs:PutRetentionPolicy',
            ],
            `arn:aws:logs:${account.region}:${account.id}:log-group:/eks/*`,
          ),
        ),
      ),
    ],
  },
};

function workloadRole(account, component, lastUsed, roleName) {
  const workload = WORKLOADS[component];
  return irsaRole(account, {
    name: roleName || `${component}-${account.cluster}`,
    serviceAccounts: workload.serviceAccounts,
    managed: workload.managed ? workload.managed(account) : [],
    inline: workload.inline ? workload.inline(account) : [],
    boundary: workload.boundary,
    tags: terraformTags(...workload.tags, ['environment', account.cluster]),
    lastUsed,
  });
}

function albControllerRole(account, lastUsed) {
  return irsaRole(account, {
    name: `aws-load-balancer-controller-${account.cluster}`,
    serviceAccounts: ['kube-system/aws-load-balancer-controller'],
    inline: [
      inline(
        'AWSLoadBalancerControllerIAMPolicy',
        policy(
          allow(
            [
              'elasticloadbalancing:*',
              'ec2:Describe*',
              'ec2:AuthorizeSecurityGroupIngress',
              'ec2:RevokeSecurityGroupIngress',
              'acm:DescribeCertificate',
              'acm:ListCertificates',
              'wafv2:GetWebACLForResource',
            ],
            '*',
          ),
        ),
      ),
    ],
    boundary: false,
    tags: terraformTags(
      ['owner', 'platform'],
      ['system', 'developer-platform'],
    ),
    lastUsed,
  });
}

function karpenterNodeRole(account, lastUsed) {
  return {
    name: `KarpenterNodeRole-${account.cluster}`,
    trust: trust(serviceStatement('ec2.amazonaws.com')),
    managed: [
      awsPolicy('AmazonEKSWorkerNodePolicy'),
      awsPolicy('AmazonEC2ContainerRegistryReadOnly'),
      awsPolicy('AmazonEKS_CNI_Policy'),
      awsPolicy('AmazonSSMManagedInstanceCore'),
    ],
    instanceProfile: `KarpenterNodeInstanceProfile-${account.cluster}`,
    tags: terraformTags(
      ['owner', 'platform'],
      ['system', 'developer-platform'],
      ['component', 'karpenter'],
    ),
    lastUsed,
  };
}

const sourceAccount = account => ({
  StringEquals: { 'aws:SourceAccount': account.id },
});

// ---------------------------------------------------------------------------------------------
// The accounts' roles

const DEPLOY_REPOS = [
  'payments-api',
  'payments-worker',
  'ledger-service',
  'identity-service',
  'auth-gateway',
  'mobile-bff',
  'push-notifications',
  'checkout-web',
];

function toolingRoles() {
  const account = ACCOUNTS.tooling;
  return [
    ssoRole(
      account,
      'AdministratorAccess',
      [awsPolicy('AdministratorAccess')],
      undefined,
      ['2026-11-27T16:02:11Z', 'eu-west-1'],
    ),
    ssoRole(
      account,
      'ReadOnlyAccess',
      [awsPolicy('ReadOnlyAccess')],
      undefined,
      ['2026-11-26T08:45:03Z', 'eu-west-1'],
    ),
    ssoRole(
      account,
      'PlatformEngineer',
      [awsPolicy('PowerUserAccess')],
      policy(
        allow(
          ['iam:PassRole', 'iam:GetRole', 'iam:ListRoles'],
          `arn:aws:iam::${account.id}:role/*`,
        ),
      ),
      ['2026-11-28T07:31:40Z', 'eu-west-1'],
    ),
    serviceLinkedRole('support', ['2026-11-20T03:12:00Z', 'us-east-1']),
    serviceLinkedRole('trustedadvisor', ['2026-11-28T02:00:00Z', 'us-east-1']),
    serviceLinkedRole('sso', ['2026-11-27T11:00:00Z', 'us-east-1']),
    serviceLinkedRole('eks', ['2026-11-28T06:10:00Z', 'eu-west-1']),
    {
      path: '/github-actions/',
      name: 'gha-terraform-plan',
      trust: trust(
        githubStatement(account, 'repo:acme/platform-infra:pull_request'),
      ),
      managed: [
        awsPolicy('ReadOnlyAccess'),
        localPolicy(account.id, 'terraform-state-access'),
      ],
      inline: [
        assumeInline(
          'assume-terraform-readonly',
          ['222222222222', '333333333333', '444444444444'].map(id =>
            roleArn(id, 'terraform-readonly', '/terraform/'),
          ),
        ),
      ],
      tags: terraformTags(
        ['owner', 'platform'],
        ['system', 'developer-platform'],
        ['component', 'platform-infra'],
      ),
      lastUsed: ['2026-11-28T09:12:44Z', 'eu-west-1'],
    },
    {
      path: '/github-actions/',
      name: 'gha-terraform-apply',
      trust: trust(
        githubStatement(
          account,
          'repo:acme/platform-infra:ref:refs/heads/main',
        ),
      ),
      managed: [
        awsPolicy('AdministratorAccess'),
        localPolicy(account.id, 'terraform-state-access'),
      ],
      inline: [
        assumeInline(
          'assume-terraform-execution',
          ['222222222222', '333333333333', '444444444444'].map(id =>
            roleArn(id, 'terraform-execution', '/terraform/'),
          ),
        ),
      ],
      tags: terraformTags(
        ['owner', 'platform'],
        ['system', 'developer-platform'],
        ['component', 'platform-infra'],
      ),
      lastUsed: ['2026-11-27T15:40:12Z', 'eu-west-1'],
    },
    {
      path: '/github-actions/',
      name: 'gha-ecr-push',
      trust: trust(
        githubStatement(
          account,
          [
            ...DEPLOY_REPOS.filter(r => r !== 'checkout-web'),
            'fraud-scorer',
            'data-pipeline',
          ].map(repo => `repo:acme/${repo}:ref:refs/heads/main`),
        ),
      ),
      inline: [ecrPush(account)],
      boundary: localPolicy(account.id, 'acme-workload-boundary'),
      tags: terraformTags(
        ['owner', 'platform'],
        ['system', 'developer-platform'],
      ),
      lastUsed: ['2026-11-28T10:02:51Z', 'eu-west-1'],
    },
    {
      path: '/github-actions/',
      name: 'gha-deploy-staging',
      trust: trust(
        githubStatement(
          account,
          DEPLOY_REPOS.map(repo => `repo:acme/${repo}:environment:staging`),
        ),
      ),
      inline: [
        assumeInline('assume-staging-deployer', [
          roleArn('222222222222', 'acme-deployer', '/deploy/'),
        ]),
      ],
      boundary: localPolicy(account.id, 'acme-workload-boundary'),
      tags: terraformTags(
        ['owner', 'platform'],
        ['system', 'developer-platform'],
        ['environment', 'staging'],
      ),
      lastUsed: ['2026-11-28T10:05:19Z', 'eu-west-1'],
    },
    {
      path: '/github-actions/',
      name: 'gha-deploy-production',
      trust: trust(
        githubStatement(
          account,
          [...DEPLOY_REPOS, 'data-pipeline'].map(
            repo => `repo:acme/${repo}:environment:production`,
          ),
        ),
      ),
      inline: [
        assumeInline('assume-production-deployer', [
          roleArn('333333333333', 'acme-deployer', '/deploy/'),
          roleArn('444444444444', 'acme-deployer', '/deploy/'),
        ]),
      ],
      boundary: localPolicy(account.id, 'acme-workload-boundary'),
      tags: terraformTags(
        ['owner', 'platform'],
        ['system', 'developer-platform'],
        ['environment', 'production'],
      ),
      lastUsed: ['2026-11-27T17:22:08Z', 'eu-west-1'],
    },
    {
      path: '/github-actions/',
      name: 'gha-mobile-artifacts',
      trust: trust(
        githubStatement(
          account,
          'repo:acme/mobile-app:ref:refs/heads/release/*',
          {
            like: true,
          },
        ),
      ),
      inline: [
        s3Access(
          'mobile-artifacts',
          ['acme-mobile-artifacts'],
          ['s3:PutObject', 's3:GetObject', 's3:ListBucket'],
        ),
      ],
      tags: terraformTags(
        ['Team', 'Mobile Squad'],
        ['system', 'mobile'],
        ['component', 'mobile-app'],
      ),
      lastUsed: ['2026-11-21T14:48:30Z', 'eu-west-1'],
    },
    {
      // Risky: subject pinned, audience forgotten (oidc-missing-audience)
      path: '/github-actions/',
      name: 'gha-techdocs-publish',
      trust: trust({
        Effect: 'Allow',
        Principal: {
          Federated: `arn:aws:iam::${account.id}:oidc-provider/${GITHUB}`,
        },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${GITHUB}:sub`]: 'repo:acme/developer-portal:ref:refs/heads/main',
          },
        },
      }),
      inline: [
        s3Access(
          'techdocs-publish',
          ['acme-techdocs'],
          ['s3:PutObject', 's3:GetObject', 's3:ListBucket', 's3:DeleteObject'],
        ),
      ],
      tags: tags(
        ['owner', 'platform'],
        ['system', 'developer-platform'],
        ['component', 'developer-portal'],
      ),
      lastUsed: ['2026-11-26T12:10:44Z', 'eu-west-1'],
    },
    {
      // Risky: every repository of the acme organisation (oidc-broad-subject)
      path: '/github-actions/',
      name: 'gha-shared-ci',
      trust: trust(githubStatement(account, 'repo:acme/*', { like: true })),
      managed: [awsPolicy('AmazonEC2ContainerRegistryPowerUser')],
      inline: [
        s3Access(
          'build-cache',
          ['acme-ci-build-cache'],
          ['s3:PutObject', 's3:GetObject', 's3:ListBucket'],
        ),
      ],
      tags: tags(['Owner', 'PLATFORM-ENG']),
      lastUsed: ['2026-11-28T10:11:02Z', 'eu-west-1'],
    },
    {
      path: '/github-actions/',
      name: 'gha-lambda-deploy',
      trust: trust(
        githubStatement(account, [
          'repo:acme/incident-bot:environment:production',
          'repo:acme/cloud-guardrails:environment:production',
        ]),
      ),
      inline: [
        inline(
          'lambda-deploy',
          policy(
            allow(
              [
                'lambda:UpdateFunctionCode',
                'lambda:UpdateFunctionConfiguration',
                'lambda:PublishVersion',
                'lambda:UpdateAlias',
                'lambda:GetFunction',
              ],
              [
                `arn:aws:lambda:${account.region}:${account.id}:function:incident-bot*`,
                `arn:aws:lambda:${account.region}:${account.id}:function:cloud-guardrails-*`,
              ],
            ),
          ),
        ),
      ],
      boundary: localPolicy(account.id, 'acme-workload-boundary'),
      tags: terraformTags(['owner', 'sre'], ['system', 'observability']),
      lastUsed: ['2026-11-25T15:31:09Z', 'eu-west-1'],
    },
    irsaRole(account, {
      name: 'arc-runner',
      serviceAccounts: ['actions-runner-system/arc-runner'],
      inline: [ecrPush(account)],
      tags: terraformTags(
        ['owner', 'platform'],
        ['system', 'developer-platform'],
        ['component', 'github-runners'],
      ),
      lastUsed: ['2026-11-28T10:14:37Z', 'eu-west-1'],
    }),
    ...eksClusterRoles(account, ['2026-11-28T06:00:00Z', 'eu-west-1']),
    {
      name: 'ecsTaskExecutionRole',
      trust: trust(serviceStatement('ecs-tasks.amazonaws.com')),
      managed: [awsPolicy('service-role/AmazonECSTaskExecutionRolePolicy')],
      tags: [],
      lastUsed: ['2025-03-14T09:20:00Z', 'eu-west-1'],
    },
    {
      name: 'bastion-ssm',
      trust: trust(serviceStatement('ec2.amazonaws.com')),
      managed: [awsPolicy('AmazonSSMManagedInstanceCore')],
      instanceProfile: 'bastion-ssm',
      tags: terraformTags(['owner', 'sre']),
      lastUsed: ['2026-11-24T22:17:05Z', 'eu-west-1'],
    },
    {
      path: '/service-role/',
      name: 'incident-bot-lambda',
      trust: trust(serviceStatement('lambda.amazonaws.com')),
      managed: [awsPolicy('service-role/AWSLambdaBasicExecutionRole')],
      inline: [secretsRead(account, 'incident-bot')],
      tags: tags(
        ['owner', 'sre'],
        ['system', 'observability'],
        ['component', 'incident-bot'],
      ),
      lastUsed: ['2026-11-28T09:58:12Z', 'eu-west-1'],
    },
    {
      path: '/security/',
      name: 'cloud-guardrails-remediator',
      trust: trust(
        serviceStatement('lambda.amazonaws.com', sourceAccount(account)),
      ),
      managed: [awsPolicy('service-role/AWSLambdaBasicExecutionRole')],
      inline: [
        assumeInline(
          'assume-guardrails-audit',
          ['222222222222', '333333333333', '444444444444'].map(id =>
            roleArn(id, 'cloud-guardrails-audit', '/security/'),
          ),
        ),
      ],
      tags: terraformTags(
        ['owner', 'Security'],
        ['system', 'security-tooling'],
        ['component', 'cloud-guardrails'],
      ),
      lastUsed: ['2026-11-28T08:00:07Z', 'eu-west-1'],
    },
    datadogRole(account, ['2026-11-28T10:15:00Z', 'us-east-1']),
  ];
}

function stagingRoles() {
  const account = ACCOUNTS.staging;
  return [
    ssoRole(
      account,
      'AdministratorAccess',
      [awsPolicy('AdministratorAccess')],
      undefined,
      ['2026-11-25T13:44:19Z', 'eu-west-1'],
    ),
    ssoRole(
      account,
      'ReadOnlyAccess',
      [awsPolicy('ReadOnlyAccess')],
      undefined,
      ['2026-11-28T08:02:55Z', 'eu-west-1'],
    ),
    ssoRole(
      account,
      'PaymentsDeveloper',
      [awsPolicy('ReadOnlyAccess')],
      policy(
        allow(
          ['sqs:*', 'secretsmanager:GetSecretValue', 'logs:*'],
          [
            `arn:aws:sqs:${account.region}:${account.id}:payments-*`,
            `arn:aws:secretsmanager:${account.region}:${account.id}:secret:payments-api/*`,
            `arn:aws:logs:${account.region}:${account.id}:log-group:/eks/payments/*`,
          ],
        ),
      ),
      ['2026-11-27T10:30:12Z', 'eu-west-1'],
    ),
    serviceLinkedRole('support', ['2026-11-19T03:12:00Z', 'us-east-1']),
    serviceLinkedRole('trustedadvisor', ['2026-11-28T02:00:00Z', 'us-east-1']),
    serviceLinkedRole('sso', ['2026-11-27T11:00:00Z', 'us-east-1']),
    serviceLinkedRole('eks', ['2026-11-28T06:10:00Z', 'eu-west-1']),
    serviceLinkedRole('elb', ['2026-11-28T06:20:00Z', 'eu-west-1']),
    serviceLinkedRole('autoscaling', ['2026-11-28T05:41:00Z', 'eu-west-1']),
    deployerRole(account, 'gha-deploy-staging', [
      '2026-11-28T10:05:21Z',
      'eu-west-1',
    ]),
    ...terraformRoles(
      account,
      ['2026-11-27T15:41:02Z', 'eu-west-1'],
      ['2026-11-28T09:13:30Z', 'eu-west-1'],
    ),
    guardrailsAuditRole(['2026-11-28T08:00:12Z', 'eu-west-1']),
    workloadRole(account, 'payments-api', [
      '2026-11-28T10:20:41Z',
      'eu-west-1',
    ]),
    workloadRole(account, 'payments-worker', [
      '2026-11-28T10:20:44Z',
      'eu-west-1',
    ]),
    workloadRole(account, 'ledger-service', [
      '2026-11-28T10:19:02Z',
      'eu-west-1',
    ]),
    workloadRole(account, 'identity-service', [
      '2026-11-28T10:21:17Z',
      'eu-west-1',
    ]),
    workloadRole(account, 'auth-gateway', [
      '2026-11-28T10:21:19Z',
      'eu-west-1',
    ]),
    workloadRole(account, 'mobile-bff', ['2026-11-28T10:18:52Z', 'eu-west-1']),
    workloadRole(account, 'push-notifications', [
      '2026-11-28T10:17:33Z',
      'eu-west-1',
    ]),
    workloadRole(account, 'external-dns', [
      '2026-11-28T10:22:00Z',
      'eu-west-1',
    ]),
    workloadRole(account, 'karpenter', ['2026-11-28T10:22:04Z', 'eu-west-1']),
    workloadRole(account, 'log-shipper', ['2026-11-28T10:22:09Z', 'eu-west-1']),
    albControllerRole(account, ['2026-11-28T10:21:58Z', 'eu-west-1']),
    karpenterNodeRole(account, ['2026-11-28T09:40:00Z', 'eu-west-1']),
    ...eksClusterRoles(account, ['2026-11-28T06:00:00Z', 'eu-west-1']),
    {
      path: '/github-actions/',
      name: 'gha-checkout-e2e',
      trust: trust(
        githubStatement(account, 'repo:acme/checkout-web:environment:staging'),
      ),
      inline: [
        s3Access(
          'e2e-artifacts',
          ['acme-checkout-e2e-artifacts'],
          ['s3:PutObject', 's3:GetObject', 's3:ListBucket'],
        ),
      ],
      tags: tags(
        ['team', 'Payments Team'],
        ['system', 'payments'],
        ['component', 'checkout-web'],
      ),
      lastUsed: ['2026-11-27T19:02:40Z', 'eu-west-1'],
    },
    {
      // Risky: audience only, no subject: any GitHub repository in the world (oidc-unrestricted-subject)
      path: '/github-actions/',
      name: 'gha-load-tests',
      trust: trust(githubStatement(account, undefined)),
      inline: [
        inline(
          'load-test-results',
          policy(
            allow(
              ['s3:PutObject', 'cloudwatch:PutMetricData'],
              ['arn:aws:s3:::acme-load-test-results/*', '*'],
            ),
          ),
        ),
      ],
      tags: tags(
        ['owner', 'payments'],
        ['system', 'payments'],
        ['component', 'payments-api'],
      ),
      lastUsed: ['2026-10-02T16:55:13Z', 'eu-west-1'],
    },
    {
      // Risky: legacy Okta federation, no SAML:aud condition (saml-missing-audience)
      name: 'okta-legacy-admin',
      trust: trust({
        Effect: 'Allow',
        Principal: {
          Federated: `arn:aws:iam::${account.id}:saml-provider/Okta`,
        },
        Action: 'sts:AssumeRoleWithSAML',
      }),
      managed: [awsPolicy('AdministratorAccess')],
      tags: [],
      lastUsed: ['2024-06-11T08:14:52Z', 'eu-west-1'],
    },
    {
      // Risky (low): the whole account, gated by MFA only (account-root-trust)
      name: 'break-glass-admin',
      trust: trust(
        awsStatement(`arn:aws:iam::${account.id}:root`, {
          condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
        }),
      ),
      managed: [awsPolicy('AdministratorAccess')],
      tags: tags(['owner', 'sre'], ['purpose', 'break-glass']),
      lastUsed: {},
    },
    {
      name: 'rds-monitoring-role',
      trust: trust(serviceStatement('monitoring.rds.amazonaws.com')),
      managed: [awsPolicy('service-role/AmazonRDSEnhancedMonitoringRole')],
      tags: [],
      lastUsed: ['2026-11-28T10:00:00Z', 'eu-west-1'],
    },
    {
      path: '/service-role/',
      name: 'ledger-migrations-task',
      trust: trust(
        serviceStatement('ecs-tasks.amazonaws.com', {
          ArnLike: {
            'aws:SourceArn': `arn:aws:ecs:${account.region}:${account.id}:*`,
          },
          StringEquals: { 'aws:SourceAccount': account.id },
        }),
      ),
      inline: [secretsRead(account, 'ledger')],
      boundary: localPolicy(account.id, 'acme-workload-boundary'),
      tags: terraformTags(
        ['owner', 'payments'],
        ['system', 'payments'],
        ['component', 'ledger-service'],
      ),
      lastUsed: ['2026-11-26T21:04:10Z', 'eu-west-1'],
    },
    {
      path: '/service-role/',
      name: 'checkout-preview-cleanup',
      trust: trust(serviceStatement('lambda.amazonaws.com')),
      managed: [awsPolicy('service-role/AWSLambdaBasicExecutionRole')],
      inline: [
        s3Access(
          'preview-buckets',
          ['acme-checkout-previews'],
          ['s3:ListBucket', 's3:DeleteObject'],
        ),
      ],
      tags: tags(['team', 'Payments Team'], ['component', 'checkout-web']),
      lastUsed: ['2026-11-28T00:00:12Z', 'eu-west-1'],
    },
    datadogRole(account, ['2026-11-28T10:15:00Z', 'us-east-1']),
  ];
}

function productionRoles() {
  const account = ACCOUNTS.production;
  return [
    ssoRole(
      account,
      'AdministratorAccess',
      [awsPolicy('AdministratorAccess')],
      undefined,
      ['2026-11-12T22:41:07Z', 'eu-west-1'],
    ),
    ssoRole(
      account,
      'ReadOnlyAccess',
      [awsPolicy('ReadOnlyAccess')],
      undefined,
      ['2026-11-28T09:47:31Z', 'eu-west-1'],
    ),
    ssoRole(
      account,
      'PaymentsOnCall',
      [awsPolicy('ReadOnlyAccess')],
      policy(
        allow(
          ['sqs:PurgeQueue', 'sqs:StartMessageMoveTask', 'ecs:UpdateService'],
          [
            `arn:aws:sqs:${account.region}:${account.id}:payments-*`,
            `arn:aws:ecs:${account.region}:${account.id}:service/payments/*`,
          ],
        ),
      ),
      ['2026-11-23T03:18:44Z', 'eu-west-1'],
    ),
    ssoRole(
      account,
      'SecurityAudit',
      [awsPolicy('SecurityAudit'), awsPolicy('job-function/ViewOnlyAccess')],
      undefined,
      ['2026-11-27T14:05:12Z', 'eu-west-1'],
    ),
    serviceLinkedRole('support', ['2026-11-21T03:12:00Z', 'us-east-1']),
    serviceLinkedRole('trustedadvisor', ['2026-11-28T02:00:00Z', 'us-east-1']),
    serviceLinkedRole('sso', ['2026-11-27T11:00:00Z', 'us-east-1']),
    serviceLinkedRole('eks', ['2026-11-28T06:10:00Z', 'eu-west-1']),
    serviceLinkedRole('elb', ['2026-11-28T06:20:00Z', 'eu-west-1']),
    serviceLinkedRole('autoscaling', ['2026-11-28T05:41:00Z', 'eu-west-1']),
    serviceLinkedRole('rds', ['2026-11-28T04:02:00Z', 'eu-west-1']),
    deployerRole(account, 'gha-deploy-production', [
      '2026-11-27T17:22:10Z',
      'eu-west-1',
    ]),
    {
      // The end of a three-hop role chain: a production environment workflow assumes
      // gha-deploy-production, which assumes this account's acme-deployer, which may assume this
      // administrator role (for cluster bootstrap). iam-trust reach and the incident lookup show it.
      path: '/admin/',
      name: 'platform-cluster-admin',
      trust: trust(
        awsStatement(roleArn(account.id, 'acme-deployer', '/deploy/'), {
          actions: ['sts:AssumeRole', 'sts:TagSession'],
        }),
      ),
      managed: [awsPolicy('AdministratorAccess')],
      tags: terraformTags(
        ['owner', 'platform'],
        ['system', 'developer-platform'],
        ['environment', 'production'],
      ),
      lastUsed: ['2026-11-20T11:02:40Z', 'eu-west-1'],
    },
    ...terraformRoles(
      account,
      ['2026-11-27T15:43:55Z', 'eu-west-1'],
      ['2026-11-28T09:14:02Z', 'eu-west-1'],
    ),
    guardrailsAuditRole(['2026-11-28T08:00:15Z', 'eu-west-1']),
    workloadRole(account, 'payments-api', [
      '2026-11-28T10:24:11Z',
      'eu-west-1',
    ]),
    workloadRole(account, 'payments-worker', [
      '2026-11-28T10:24:19Z',
      'eu-west-1',
    ]),
    workloadRole(account, 'ledger-service', [
      '2026-11-28T10:23:40Z',
      'eu-west-1',
    ]),
    workloadRole(account, 'identity-service', [
      '2026-11-28T10:24:55Z',
      'eu-west-1',
    ]),
    workloadRole(account, 'auth-gateway', [
      '2026-11-28T10:24:58Z',
      'eu-west-1',
    ]),
    workloadRole(account, 'mobile-bff', ['2026-11-28T10:23:01Z', 'eu-west-1']),
    workloadRole(account, 'push-notifications', [
      '2026-11-28T10:22:47Z',
      'eu-west-1',
    ]),
    workloadRole(account, 'external-dns', [
      '2026-11-28T10:25:00Z',
      'eu-west-1',
    ]),
    workloadRole(account, 'log-shipper', ['2026-11-28T10:25:03Z', 'eu-west-1']),
    albControllerRole(account, ['2026-11-28T10:24:40Z', 'eu-west-1']),
    {
      // Karpenter moved to EKS Pod Identity in production: no OIDC provider in the trust policy
      path: '/eks/',
      name: 'karpenter-controller-production',
      trust: trust({
        Sid: 'AllowEksAuthToAssumeRoleForPodIdentity',
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
      }),
      inline: WORKLOADS.karpenter.inline(account),
      tags: terraformTags(
        ['owner', 'platform'],
        ['system', 'developer-platform'],
        ['component', 'karpenter'],
        ['environment', 'production'],
      ),
      lastUsed: ['2026-11-28T10:25:07Z', 'eu-west-1'],
    },
    {
      // The log shipper is moving to EKS Pod Identity too: the new role beside its IRSA one
      path: '/eks/',
      name: 'log-shipper-pod-identity-production',
      trust: trust({
        Sid: 'AllowEksAuthToAssumeRoleForPodIdentity',
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
      }),
      inline: WORKLOADS['log-shipper'].inline(account),
      tags: terraformTags(...WORKLOADS['log-shipper'].tags, [
        'environment',
        'production',
      ]),
      lastUsed: ['2026-11-28T10:25:09Z', 'eu-west-1'],
    },
    karpenterNodeRole(account, ['2026-11-28T09:40:00Z', 'eu-west-1']),
    ...eksClusterRoles(account, ['2026-11-28T06:00:00Z', 'eu-west-1']),
    {
      path: '/github-actions/',
      name: 'gha-payments-api-migrations',
      trust: trust(
        githubStatement(
          account,
          'repo:acme/payments-api:environment:production',
        ),
      ),
      inline: [
        secretsRead(account, 'payments-api/migrations'),
        inline(
          'rds-connect',
          policy(
            allow(
              'rds-db:connect',
              `arn:aws:rds-db:${account.region}:${account.id}:dbuser:*/payments_migrator`,
            ),
          ),
        ),
      ],
      boundary: localPolicy(account.id, 'acme-workload-boundary'),
      tags: terraformTags(
        ['owner', 'group:default/payments'],
        ['system', 'payments'],
        ['component', 'payments-api'],
        ['environment', 'production'],
      ),
      lastUsed: ['2026-11-27T17:25:40Z', 'eu-west-1'],
    },
    {
      // Risky: an outside vendor's role, no sts:ExternalId (cross-account-no-external-id)
      name: 'cloudcost-readonly',
      trust: trust(
        awsStatement(
          `arn:aws:iam::${CLOUDCOST_ACCOUNT}:role/CloudCostCollector`,
        ),
      ),
      managed: [awsPolicy('job-function/Billing'), awsPolicy('ReadOnlyAccess')],
      tags: tags(['owner', 'finops'], ['vendor', 'CloudCost Inc.']),
      lastUsed: ['2026-11-28T04:00:31Z', 'us-east-1'],
    },
    {
      // Risky: the second principal was a role that has since been deleted (dangling-principal)
      name: 'payments-reporting-reader',
      trust: trust(
        awsStatement([
          roleArn(account.id, 'payments-reporting-exporter', '/service-role/'),
          uniqueId('AROA', 'deleted:payments-reporting-legacy'),
        ]),
      ),
      inline: [
        s3Access(
          'reports-read',
          ['acme-payments-reports'],
          ['s3:GetObject', 's3:ListBucket'],
        ),
      ],
      tags: tags(['owner', 'group:default/payments'], ['system', 'payments']),
      lastUsed: ['2026-11-28T01:00:44Z', 'eu-west-1'],
    },
    {
      path: '/service-role/',
      name: 'payments-reporting-exporter',
      trust: trust(
        serviceStatement('lambda.amazonaws.com', sourceAccount(account)),
      ),
      managed: [awsPolicy('service-role/AWSLambdaBasicExecutionRole')],
      inline: [
        assumeInline('assume-reporting-reader', [
          roleArn(account.id, 'payments-reporting-reader'),
        ]),
      ],
      tags: tags(['owner', 'group:default/payments'], ['system', 'payments']),
      lastUsed: ['2026-11-28T01:00:40Z', 'eu-west-1'],
    },
    {
      // Risky: Principal "*" written as a string; the condition does not restrict who calls (public-trust)
      name: 'partner-webhook-relay',
      trust: {
        Version: '2012-10-17',
        Statement: {
          Effect: 'Allow',
          Principal: '*',
          Action: 'sts:AssumeRole',
          Condition: { Bool: { 'aws:SecureTransport': 'true' } },
        },
      },
      inline: [sqsAccess(account, ['partner-webhooks'])],
      tags: tags(['team', 'payments'], ['system', 'payments']),
      lastUsed: ['2026-11-28T10:09:33Z', 'eu-west-1'],
    },
    {
      // Safe: any principal, but only from Acme's organisation
      name: 'org-inventory-reader',
      trust: trust(
        awsStatement('*', {
          condition: { StringEquals: { 'aws:PrincipalOrgID': ORG_ID } },
        }),
      ),
      managed: [awsPolicy('job-function/ViewOnlyAccess')],
      tags: terraformTags(
        ['owner', 'security'],
        ['system', 'security-tooling'],
      ),
      lastUsed: ['2026-11-28T07:00:12Z', 'eu-west-1'],
    },
    {
      path: '/service-role/',
      name: 'ledger-migrations-task',
      trust: trust(
        serviceStatement('ecs-tasks.amazonaws.com', {
          ArnLike: {
            'aws:SourceArn': `arn:aws:ecs:${account.region}:${account.id}:*`,
          },
          StringEquals: { 'aws:SourceAccount': account.id },
        }),
      ),
      inline: [secretsRead(account, 'ledger')],
      boundary: localPolicy(account.id, 'acme-workload-boundary'),
      tags: terraformTags(
        ['owner', 'payments'],
        ['system', 'payments'],
        ['component', 'ledger-service'],
      ),
      lastUsed: ['2026-11-20T21:04:10Z', 'eu-west-1'],
    },
    {
      name: 'rds-monitoring-role',
      trust: trust(serviceStatement('monitoring.rds.amazonaws.com')),
      managed: [awsPolicy('service-role/AmazonRDSEnhancedMonitoringRole')],
      tags: [],
      lastUsed: ['2026-11-28T10:00:00Z', 'eu-west-1'],
    },
    {
      path: '/service-role/',
      name: 'AWSBackupDefaultServiceRole',
      trust: trust(serviceStatement('backup.amazonaws.com')),
      managed: [
        awsPolicy('service-role/AWSBackupServiceRolePolicyForBackup'),
        awsPolicy('service-role/AWSBackupServiceRolePolicyForRestores'),
      ],
      tags: [],
      lastUsed: ['2026-11-28T03:00:19Z', 'eu-west-1'],
    },
    datadogRole(account, ['2026-11-28T10:15:00Z', 'us-east-1']),
  ];
}

function dataRoles() {
  const account = ACCOUNTS.data;
  return [
    ssoRole(
      account,
      'AdministratorAccess',
      [awsPolicy('AdministratorAccess')],
      undefined,
      ['2026-10-30T11:20:45Z', 'eu-central-1'],
    ),
    ssoRole(
      account,
      'ReadOnlyAccess',
      [awsPolicy('ReadOnlyAccess')],
      undefined,
      ['2026-11-27T09:33:10Z', 'eu-central-1'],
    ),
    ssoRole(
      account,
      'DataEngineer',
      [awsPolicy('job-function/DataScientist')],
      policy(
        allow(
          [
            'glue:*',
            'athena:*',
            's3:GetObject',
            's3:PutObject',
            's3:ListBucket',
          ],
          '*',
        ),
      ),
      ['2026-11-28T08:51:27Z', 'eu-central-1'],
    ),
    serviceLinkedRole('support', ['2026-11-18T03:12:00Z', 'us-east-1']),
    serviceLinkedRole('sso', ['2026-11-27T11:00:00Z', 'us-east-1']),
    serviceLinkedRole('eks', ['2026-11-28T06:10:00Z', 'eu-central-1']),
    serviceLinkedRole('emr', {}),
    deployerRole(account, 'gha-deploy-production', [
      '2026-11-26T11:02:48Z',
      'eu-central-1',
    ]),
    ...terraformRoles(
      account,
      ['2026-11-27T15:45:31Z', 'eu-central-1'],
      ['2026-11-28T09:14:40Z', 'eu-central-1'],
    ),
    guardrailsAuditRole(['2026-11-28T08:00:19Z', 'eu-central-1']),
    ...eksClusterRoles(account, ['2026-11-28T06:00:00Z', 'eu-central-1']),
    irsaRole(account, {
      name: 'data-pipeline',
      serviceAccounts: ['data/data-pipeline', 'data/spark-driver'],
      inline: [
        s3Access(
          'lake-read-write',
          ['acme-data-lake-raw', 'acme-data-lake-curated'],
          ['s3:GetObject', 's3:PutObject', 's3:ListBucket', 's3:DeleteObject'],
        ),
        inline(
          'glue-catalog',
          policy(
            allow(
              [
                'glue:GetTable',
                'glue:GetPartitions',
                'glue:BatchCreatePartition',
              ],
              '*',
            ),
          ),
        ),
      ],
      tags: terraformTags(
        ['owner', 'data-team'],
        ['system', 'data-platform'],
        ['component', 'data-pipeline'],
      ),
      lastUsed: ['2026-11-28T10:30:12Z', 'eu-central-1'],
    }),
    irsaRole(account, {
      name: 'warehouse-loader',
      serviceAccounts: ['data/warehouse-loader'],
      inline: [
        s3Access(
          'curated-read',
          ['acme-data-lake-curated'],
          ['s3:GetObject', 's3:ListBucket'],
        ),
      ],
      tags: terraformTags(
        ['owner', 'data'],
        ['system', 'data-platform'],
        ['component', 'analytics-warehouse'],
      ),
      lastUsed: ['2026-11-28T06:00:44Z', 'eu-central-1'],
    }),
    irsaRole(account, {
      name: 'fraud-scorer',
      serviceAccounts: ['data/fraud-scorer'],
      inline: [
        inline(
          'sagemaker-invoke',
          policy(
            allow(
              'sagemaker:InvokeEndpoint',
              `arn:aws:sagemaker:${account.region}:${account.id}:endpoint/fraud-*`,
            ),
          ),
        ),
      ],
      tags: terraformTags(
        ['owner', 'data'],
        ['system', 'payments'],
        ['component', 'fraud-scorer'],
      ),
      lastUsed: ['2026-11-28T10:31:02Z', 'eu-central-1'],
    }),
    {
      path: '/github-actions/',
      name: 'gha-dbt-deploy',
      trust: trust(
        githubStatement(
          account,
          'repo:acme/analytics-warehouse:ref:refs/heads/main',
        ),
      ),
      inline: [
        inline(
          'athena-dbt',
          policy(allow(['athena:*', 'glue:*', 's3:*'], '*')),
        ),
      ],
      boundary: localPolicy(account.id, 'acme-workload-boundary'),
      tags: terraformTags(
        ['owner', 'data'],
        ['system', 'data-platform'],
        ['component', 'analytics-warehouse'],
      ),
      lastUsed: ['2026-11-27T18:12:30Z', 'eu-central-1'],
    },
    {
      // Risky: any repository of any GitHub owner (oidc-unrestricted-subject)
      path: '/github-actions/',
      name: 'gha-sandbox-experiments',
      trust: trust(githubStatement(account, 'repo:*', { like: true })),
      managed: [awsPolicy('AmazonS3FullAccess')],
      tags: tags(['owner', 'data-team'], ['purpose', 'experiments']),
      lastUsed: ['2025-08-19T14:02:16Z', 'eu-central-1'],
    },
    {
      name: 'snowflake-storage-integration',
      trust: trust(
        awsStatement(
          `arn:aws:iam::${SNOWFLAKE_ACCOUNT}:user/k7m2-s-euc1ss2041`,
          {
            condition: {
              StringEquals: {
                'sts:ExternalId': 'ACME_SFCRole=2_Xb9fQe3LkP1nRtW7yZ0aUc4dVhI=',
              },
            },
          },
        ),
      ),
      inline: [
        s3Access(
          'snowflake-stage',
          ['acme-data-lake-curated'],
          ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket'],
        ),
      ],
      tags: terraformTags(
        ['owner', 'data'],
        ['system', 'data-platform'],
        ['component', 'analytics-warehouse'],
        ['vendor', 'Snowflake'],
      ),
      lastUsed: ['2026-11-28T10:01:55Z', 'eu-central-1'],
    },
    {
      path: '/service-role/',
      name: 'AWSGlueServiceRole-raw-events',
      trust: trust(serviceStatement('glue.amazonaws.com')),
      managed: [awsPolicy('service-role/AWSGlueServiceRole')],
      inline: [
        s3Access(
          'raw-events',
          ['acme-data-lake-raw'],
          ['s3:GetObject', 's3:ListBucket'],
        ),
      ],
      tags: tags(['owner', 'data']),
      lastUsed: ['2026-11-28T05:00:03Z', 'eu-central-1'],
    },
    {
      name: 'EMR_DefaultRole',
      trust: trust(serviceStatement('elasticmapreduce.amazonaws.com')),
      managed: [awsPolicy('service-role/AmazonEMRServicePolicy_v2')],
      tags: [],
      lastUsed: ['2026-11-27T23:00:10Z', 'eu-central-1'],
    },
    {
      name: 'EMR_EC2_DefaultRole',
      trust: trust(serviceStatement('ec2.amazonaws.com')),
      managed: [awsPolicy('service-role/AmazonElasticMapReduceforEC2Role')],
      instanceProfile: 'EMR_EC2_DefaultRole',
      tags: [],
      lastUsed: ['2026-11-27T23:02:41Z', 'eu-central-1'],
    },
    {
      // What the console writes for Kinesis Data Firehose: ExternalId = own account id
      path: '/service-role/',
      name: 'KinesisFirehoseServiceRole-clickstream-eu-central-1',
      trust: trust(
        serviceStatement('firehose.amazonaws.com', {
          StringEquals: { 'sts:ExternalId': account.id },
        }),
      ),
      inline: [
        s3Access(
          'firehose-delivery',
          ['acme-data-lake-raw'],
          ['s3:PutObject', 's3:GetBucketLocation', 's3:ListBucket'],
        ),
      ],
      tags: tags(
        ['owner', 'data'],
        ['system', 'data-platform'],
        ['component', 'data-pipeline'],
      ),
      lastUsed: ['2026-11-28T10:32:00Z', 'eu-central-1'],
    },
    {
      path: '/service-role/',
      name: 'data-quality-checks',
      trust: trust(
        serviceStatement('lambda.amazonaws.com', {
          ArnLike: {
            'aws:SourceArn': `arn:aws:lambda:${account.region}:${account.id}:function:data-quality-*`,
          },
        }),
      ),
      managed: [awsPolicy('service-role/AWSLambdaBasicExecutionRole')],
      tags: tags(
        ['owner', 'data'],
        ['system', 'data-platform'],
        ['component', 'data-pipeline'],
      ),
      lastUsed: {},
    },
    datadogRole(account, ['2026-11-28T10:15:00Z', 'us-east-1']),
  ];
}

// ---------------------------------------------------------------------------------------------
// Users and groups (Acme signs in through Identity Center; a few old IAM users remain)

function toolingUsersAndGroups(account) {
  return {
    groups: [
      {
        name: 'ci-legacy',
        inline: [
          inline(
            'ecr-pull',
            policy(
              allow(
                [
                  'ecr:GetAuthorizationToken',
                  'ecr:BatchGetImage',
                  'ecr:GetDownloadUrlForLayer',
                ],
                '*',
              ),
            ),
          ),
        ],
        managed: [],
      },
    ],
    users: [
      {
        name: 'jenkins-legacy',
        groups: ['ci-legacy'],
        managed: [localPolicy(account.id, 'terraform-state-access')],
        tags: tags(['owner', 'platform'], ['decommission', '2027-Q1']),
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Rendering in the two forms

function render(accountKey, roles, usersAndGroups) {
  const account = ACCOUNTS[accountKey];
  const raw = account.form === 'raw';
  const date = raw ? apiDate : cliDate;
  // Terraform writes compact JSON; the console keeps the indentation people typed. IAM stores
  // documents as written and returns them URL-encoded; the CLI decodes them into objects.
  const document = (doc, compact = true) =>
    raw
      ? encodeURIComponent(
          compact ? JSON.stringify(doc) : JSON.stringify(doc, null, 4),
        )
      : doc;
  const created = (seed, before = '2025-10-01') =>
    dateBetween(`${account.id}:${seed}`, '2021-06-01', before);

  const names = new Set();
  const usage = new Map();
  const use = (arn, field) => {
    const counts = usage.get(arn) || { attachments: 0, boundaries: 0 };
    counts[field] += 1;
    usage.set(arn, counts);
  };

  const roleDetails = roles.map(role => {
    const rolePath = role.path || '/';
    if (names.has(role.name)) {
      throw new Error(`duplicate role ${role.name} in ${accountKey}`);
    }
    names.add(role.name);
    const arn = roleArn(account.id, role.name, rolePath);
    const roleId = uniqueId('AROA', arn);
    const lastUsed = Array.isArray(role.lastUsed)
      ? new Date(role.lastUsed[0])
      : undefined;
    const createDate = created(
      `role:${role.name}`,
      lastUsed && lastUsed < new Date('2025-11-01')
        ? new Date(lastUsed.getTime() - 90 * 86400000).toISOString()
        : undefined,
    );
    const byTerraform = (role.tags || []).some(
      tag => tag.Key === 'managed-by' && tag.Value === 'terraform',
    );
    const core = {
      Path: rolePath,
      RoleName: role.name,
      RoleId: roleId,
      Arn: arn,
      CreateDate: date(createDate),
      AssumeRolePolicyDocument: document(role.trust, byTerraform),
    };
    const instanceProfiles = role.instanceProfile
      ? [
          {
            Path: '/',
            InstanceProfileName: role.instanceProfile,
            InstanceProfileId: uniqueId(
              'AIPA',
              `${arn}:${role.instanceProfile}`,
            ),
            Arn: `arn:aws:iam::${account.id}:instance-profile/${role.instanceProfile}`,
            CreateDate: date(createDate),
            Roles: [{ ...core }],
          },
        ]
      : [];
    for (const managed of role.managed || []) use(managed, 'attachments');
    if (role.boundary) use(role.boundary, 'boundaries');
    const detail = {
      ...core,
      InstanceProfileList: instanceProfiles,
      RolePolicyList: (role.inline || []).map(p => ({
        PolicyName: p.name,
        PolicyDocument: document(p.document, byTerraform),
      })),
      AttachedManagedPolicies: (role.managed || []).map(policyArn => ({
        PolicyName: policyArn.split('/').pop(),
        PolicyArn: policyArn,
      })),
    };
    if (role.boundary) {
      detail.PermissionsBoundary = {
        PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
        PermissionsBoundaryArn: role.boundary,
      };
    }
    detail.Tags = role.tags || [];
    detail.RoleLastUsed = lastUsed
      ? { LastUsedDate: date(lastUsed), Region: role.lastUsed[1] }
      : {};
    return detail;
  });

  const { users = [], groups = [] } = usersAndGroups || {};
  const groupDetails = groups.map(group => {
    for (const managed of group.managed) use(managed, 'attachments');
    return {
      Path: '/',
      GroupName: group.name,
      GroupId: uniqueId('AGPA', `${account.id}:${group.name}`),
      Arn: `arn:aws:iam::${account.id}:group/${group.name}`,
      CreateDate: date(created(`group:${group.name}`)),
      GroupPolicyList: group.inline.map(p => ({
        PolicyName: p.name,
        PolicyDocument: document(p.document),
      })),
      AttachedManagedPolicies: group.managed.map(policyArn => ({
        PolicyName: policyArn.split('/').pop(),
        PolicyArn: policyArn,
      })),
    };
  });
  const userDetails = users.map(user => {
    for (const managed of user.managed) use(managed, 'attachments');
    return {
      Path: '/',
      UserName: user.name,
      UserId: uniqueId('AIDA', `${account.id}:${user.name}`),
      Arn: `arn:aws:iam::${account.id}:user/${user.name}`,
      CreateDate: date(created(`user:${user.name}`)),
      GroupList: user.groups,
      AttachedManagedPolicies: user.managed.map(policyArn => ({
        PolicyName: policyArn.split('/').pop(),
        PolicyArn: policyArn,
      })),
      Tags: user.tags,
    };
  });

  const policies = localPolicies(account).map(p => {
    const arn = localPolicy(account.id, p.name);
    const counts = usage.get(arn) || { attachments: 0, boundaries: 0 };
    const createDate = created(`policy:${p.name}`);
    const updateDate = dateBetween(
      `${account.id}:policy-update:${p.name}`,
      '2025-10-02',
      '2026-11-01',
    );
    return {
      PolicyName: p.name,
      PolicyId: uniqueId('ANPA', arn),
      Arn: arn,
      Path: '/',
      DefaultVersionId: 'v2',
      AttachmentCount: counts.attachments,
      PermissionsBoundaryUsageCount: counts.boundaries,
      IsAttachable: true,
      CreateDate: date(createDate),
      UpdateDate: date(updateDate),
      PolicyVersionList: [
        {
          Document: document(p.document),
          VersionId: 'v2',
          IsDefaultVersion: true,
          CreateDate: date(updateDate),
        },
        {
          Document: document(p.document),
          VersionId: 'v1',
          IsDefaultVersion: false,
          CreateDate: date(createDate),
        },
      ],
    };
  });

  const output = {
    UserDetailList: userDetails,
    GroupDetailList: groupDetails,
    RoleDetailList: roleDetails,
    Policies: policies,
  };
  if (raw) {
    // What the Query API / JS SDK return; the CLI drops these after following the pages
    output.IsTruncated = false;
  }
  return output;
}

function main() {
  const outputs = [
    ['tooling', toolingRoles(), toolingUsersAndGroups(ACCOUNTS.tooling)],
    ['staging', stagingRoles()],
    ['production', productionRoles()],
    ['data', dataRoles()],
  ];
  fs.mkdirSync(OUT_DIR, { recursive: true });
  let total = 0;
  for (const [key, roles, usersAndGroups] of outputs) {
    const account = ACCOUNTS[key];
    const suffix = account.form === 'raw' ? '.raw-api' : '';
    const file = path.join(OUT_DIR, `${account.id}-${key}${suffix}.json`);
    const json = render(key, roles, usersAndGroups);
    // The CLI indents with four spaces
    fs.writeFileSync(file, `${JSON.stringify(json, null, 4)}\n`);
    total += roles.length;
    process.stdout.write(`${path.basename(file)}: ${roles.length} roles\n`);
  }
  process.stdout.write(`total: ${total} roles\n`);
}

main();
