import { evaluateAssume } from './evaluateAssume';
import { normalizeTrustPolicy } from './normalizeTrustPolicy';
import {
  applyResourceControlPolicies,
  ResourceControlPolicyInput,
} from './resourceControlPolicies';
import type { PrincipalContext } from './types';

const ORG = 'o-a1b2c3d4e5';
const INTERNAL = '111111111111';
const EXTERNAL = '999999999999';
const ROLE = `arn:aws:iam::${INTERNAL}:role/cross-account-deploy`;

// The shapes of AWS's data perimeter RCP examples (aws-samples/data-perimeter-policy-examples,
// resource_control_policies): deny callers outside the organisation unless they are AWS services, and
// deny services acting for another organisation's resources (confused deputy).
const DATA_PERIMETER_RCP = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'EnforceOrgIdentities',
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:*', 'sqs:*', 'kms:*', 'secretsmanager:*', 'sts:AssumeRole'],
      Resource: '*',
      Condition: {
        StringNotEqualsIfExists: {
          'aws:PrincipalOrgID': ORG,
          'aws:ResourceTag/dp:exclude:identity': 'true',
        },
        BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
      },
    },
    {
      Sid: 'EnforceConfusedDeputyProtection',
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:*', 'sqs:*', 'kms:*', 'secretsmanager:*', 'sts:*'],
      Resource: '*',
      Condition: {
        StringNotEqualsIfExists: {
          'aws:SourceOrgID': ORG,
          'aws:ResourceTag/dp:exclude:confused-deputy': 'true',
        },
        Null: { 'aws:SourceAccount': 'false' },
        Bool: { 'aws:PrincipalIsAWSService': 'true' },
      },
    },
  ],
};

const perimeter: ResourceControlPolicyInput = {
  id: 'p-8xw0ea2k',
  name: 'data-perimeter',
  document: JSON.stringify(DATA_PERIMETER_RCP),
};
const fullAccess: ResourceControlPolicyInput = {
  id: 'p-RCPFullAWSAccess',
  name: 'RCPFullAWSAccess',
  document: {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
    ],
  },
};

const trustPolicy = normalizeTrustPolicy({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: [`arn:aws:iam::${EXTERNAL}:root`, INTERNAL] },
      Action: 'sts:AssumeRole',
    },
    {
      Effect: 'Allow',
      Principal: { Service: 'codebuild.amazonaws.com' },
      Action: 'sts:AssumeRole',
    },
  ],
}).policy!;

const organizationOf = (account: string) =>
  ({ [INTERNAL]: ORG, [EXTERNAL]: 'o-zzzzzzzzzz' }[account]);

function decide(
  principal: PrincipalContext,
  options: {
    policies?: ResourceControlPolicyInput[];
    knownOrgs?: boolean;
    roleTags?: Record<string, string>;
  } = {},
) {
  const evaluate = options.knownOrgs === false ? {} : { organizationOf };
  return applyResourceControlPolicies({
    decision: evaluateAssume(trustPolicy, principal, evaluate),
    principal,
    roleArn: ROLE,
    roleTags: options.roleTags ?? {},
    policies: options.policies ?? [fullAccess, perimeter],
    options: evaluate,
  });
}

const externalRole: PrincipalContext = {
  type: 'arn',
  arn: `arn:aws:iam::${EXTERNAL}:role/vendor`,
};

describe('applyResourceControlPolicies', () => {
  it('denies an external principal that the trust policy lets in, naming the policy and statement', () => {
    expect(evaluateAssume(trustPolicy, externalRole).outcome).toBe('allowed');
    const result = decide(externalRole);
    expect(result.outcome).toBe('denied');
    expect(result.deniedBy).toMatchObject({
      policyId: 'p-8xw0ea2k',
      policyName: 'data-perimeter',
      statementIndex: 0,
      sid: 'EnforceOrgIdentities',
    });
    expect(result.deniedBy!.message).toContain('data-perimeter (p-8xw0ea2k)');
    expect(result.deniedBy!.message).toContain('EnforceOrgIdentities');
    expect(result.errors).toEqual([]);
  });

  it('leaves an in-organisation principal as the trust policy decided', () => {
    const inside: PrincipalContext = {
      type: 'arn',
      arn: `arn:aws:iam::${INTERNAL}:role/ci`,
    };
    const result = decide(inside);
    expect(result.outcome).toBe('allowed');
    expect(result.deniedBy).toBeUndefined();
    expect(result.unsettled).toEqual([]);
  });

  it('is possible, and says why, when the organisation of an external account is unknown', () => {
    const result = decide(externalRole, { knownOrgs: false });
    expect(result.outcome).toBe('possible');
    expect(result.unsettled).toHaveLength(1);
    const [u] = result.unsettled;
    expect(u).toMatchObject({
      sid: 'EnforceOrgIdentities',
      effect: 'possible',
    });
    expect(u.conditions.map(c => c.key)).toEqual(['aws:PrincipalOrgID']);
    expect(u.message).toContain(`organisation of account ${EXTERNAL}`);
    expect(u.message).toContain('aws:PrincipalOrgID');
    expect(result.conditions).toEqual(u.conditions);
  });

  it('exempts AWS services from the identity statement through aws:PrincipalIsAWSService', () => {
    const service: PrincipalContext = {
      type: 'service',
      service: 'codebuild.amazonaws.com',
    };
    const identityOnly: ResourceControlPolicyInput = {
      ...perimeter,
      document: {
        ...DATA_PERIMETER_RCP,
        Statement: [DATA_PERIMETER_RCP.Statement[0]],
      },
    };
    expect(decide(service, { policies: [identityOnly] })).toMatchObject({
      outcome: 'allowed',
      unsettled: [],
    });
    // The same caller is denied by a statement without the exemption.
    const noExemption: ResourceControlPolicyInput = {
      id: 'p-strict',
      name: 'strict',
      document: {
        Statement: {
          Effect: 'Deny',
          Principal: '*',
          Action: 'sts:AssumeRole',
          Resource: '*',
          Condition: {
            StringNotEqualsIfExists: { 'aws:PrincipalOrgID': ORG },
          },
        },
      },
    };
    expect(decide(service, { policies: [noExemption] }).outcome).toBe('denied');
  });

  it('asks which organisation a service acts for under the confused-deputy statement', () => {
    const service: PrincipalContext = {
      type: 'service',
      service: 'codebuild.amazonaws.com',
    };
    const result = decide(service);
    expect(result.outcome).toBe('possible');
    expect(result.unsettled.map(u => u.sid)).toEqual([
      'EnforceConfusedDeputyProtection',
    ]);
    expect(result.unsettled[0].conditions.map(c => c.key)).toEqual(
      expect.arrayContaining(['aws:SourceOrgID', 'aws:SourceAccount']),
    );
  });

  it('honours the resource tag that excludes a role from the perimeter', () => {
    expect(
      decide(externalRole, { roleTags: { 'dp:exclude:identity': 'true' } })
        .outcome,
    ).toBe('allowed');
  });

  it('applies a statement only to the roles its Resource names', () => {
    const scoped = (resource: string): ResourceControlPolicyInput => ({
      id: 'p-scoped',
      name: 'scoped',
      document: {
        Statement: [
          {
            Effect: 'Deny',
            Principal: '*',
            Action: 'sts:AssumeRole*',
            Resource: resource,
            Condition: {
              StringNotEqualsIfExists: { 'aws:PrincipalOrgID': ORG },
            },
          },
        ],
      },
    });
    expect(
      decide(externalRole, {
        policies: [scoped('arn:aws:iam::*:role/cross-account-*')],
      }).outcome,
    ).toBe('denied');
    expect(
      decide(externalRole, {
        policies: [scoped('arn:aws:iam::*:role/admin/*')],
      }).outcome,
    ).toBe('allowed');
  });

  it('covers web identity only when the Deny names it', () => {
    const oidcRole = normalizeTrustPolicy({
      Statement: {
        Effect: 'Allow',
        Principal: {
          Federated: `arn:aws:iam::${INTERNAL}:oidc-provider/token.actions.githubusercontent.com`,
        },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub':
              'repo:acme/api:ref:refs/heads/main',
          },
        },
      },
    }).policy!;
    const github: PrincipalContext = {
      type: 'github',
      owner: 'acme',
      repo: 'api',
      ref: 'refs/heads/main',
    };
    const decision = evaluateAssume(oidcRole, github);
    const denyWeb = (action: string): ResourceControlPolicyInput => ({
      id: 'p-web',
      name: 'no-web-identity',
      document: {
        Statement: [
          { Effect: 'Deny', Principal: '*', Action: action, Resource: '*' },
        ],
      },
    });
    const apply = (action: string) =>
      applyResourceControlPolicies({
        decision,
        principal: github,
        roleArn: ROLE,
        policies: [denyWeb(action)],
      }).outcome;
    expect(decision.outcome).toBe('allowed');
    expect(apply('sts:AssumeRole')).toBe('allowed');
    expect(apply('sts:AssumeRoleWithWebIdentity')).toBe('denied');
  });

  it('keeps a refusal and reports an unreadable RCP instead of applying it', () => {
    const stranger: PrincipalContext = {
      type: 'account',
      accountId: '222222222222',
    };
    const refused = decide(stranger);
    expect(refused.outcome).toBe('not-trusted');
    const broken = decide(externalRole, {
      policies: [{ id: 'p-bad', name: 'bad', document: '{not json' }],
    });
    expect(broken.outcome).toBe('allowed');
    expect(broken.errors).toHaveLength(1);
    expect(broken.errors[0]).toContain('bad (p-bad)');
  });

  it('leaves the decision alone when no Deny covers the assume action', () => {
    const s3Only: ResourceControlPolicyInput = {
      id: 'p-s3',
      name: 's3-perimeter',
      document: {
        Statement: [
          {
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: '*',
            Condition: {
              StringNotEqualsIfExists: { 'aws:PrincipalOrgID': ORG },
            },
          },
        ],
      },
    };
    expect(decide(externalRole, { policies: [s3Only] })).toMatchObject({
      outcome: 'allowed',
      unsettled: [],
      errors: [],
    });
  });

  it('cannot settle a resource-tag exemption when the role tags are not given', () => {
    const result = applyResourceControlPolicies({
      decision: evaluateAssume(trustPolicy, externalRole, { organizationOf }),
      principal: externalRole,
      roleArn: ROLE,
      policies: [perimeter],
      options: { organizationOf },
    });
    expect(result.outcome).toBe('possible');
    expect(result.unsettled[0].conditions.map(c => c.key)).toEqual([
      'aws:ResourceTag/dp:exclude:identity',
    ]);
  });
});
