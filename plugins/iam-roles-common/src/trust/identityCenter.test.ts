import { analyzeRole } from './analyzeRole';
import { parseEffectiveDocument } from './effectiveDocuments';
import type { IdentityCenterData } from './effectiveDocuments';
import {
  findIdentityCenterPrincipals,
  identityCenterGrants,
  identityCenterReach,
  identityCenterRoles,
  permissionSetOfRole,
} from './identityCenter';
import { parsePrincipalSpec } from './parsePrincipalSpec';
import { applyResourceControlPolicies } from './resourceControlPolicies';
import { TrustIndex } from './TrustIndex';
import type { PrincipalContext } from './types';

const PROD = '333333333333';
const STAGING = '222222222222';
const setArn = (n: number) =>
  `arn:aws:sso:::permissionSet/ssoins-1/ps-000000000000000${n}`;
const provider = (account: string) =>
  `arn:aws:iam::${account}:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE`;

function ssoTrust(account: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: provider(account) },
        Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
        Condition: {
          StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' },
        },
      },
    ],
  };
}

const ssoArn = (account: string, set: string) =>
  `arn:aws:iam::${account}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_${set}_0123456789abcdef`;

// The same document as a snapshot holds it: the parser and the engine are used together.
const data = parseEffectiveDocument({
  kind: 'aws-identity-center',
  Instance: {
    InstanceArn: 'arn:aws:sso:::instance/ssoins-1',
    IdentityStoreId: 'd-1',
  },
  PermissionSets: [
    { Name: 'AdministratorAccess', PermissionSetArn: setArn(1) },
    { Name: 'ReadOnlyAccess', PermissionSetArn: setArn(2) },
    {
      Name: 'PaymentsOnCallWithAVeryLongPermissionSetName',
      PermissionSetArn: setArn(3),
    },
  ],
  AccountAssignments: [
    {
      AccountId: PROD,
      PermissionSetArn: setArn(1),
      PrincipalType: 'GROUP',
      PrincipalId: 'g-platform',
    },
    {
      AccountId: STAGING,
      PermissionSetArn: setArn(2),
      PrincipalType: 'GROUP',
      PrincipalId: 'g-eng',
    },
    {
      AccountId: PROD,
      PermissionSetArn: setArn(2),
      PrincipalType: 'USER',
      PrincipalId: 'u-jane',
    },
    {
      AccountId: PROD,
      PermissionSetArn: setArn(3),
      PrincipalType: 'GROUP',
      PrincipalId: 'g-eng',
    },
  ],
  Groups: [
    {
      GroupId: 'g-platform',
      DisplayName: 'Platform Engineering',
      ExternalIds: [{ Issuer: 'scim', Id: 'grp-platform' }],
    },
    { GroupId: 'g-eng', DisplayName: 'engineering' },
  ],
  GroupMemberships: [
    { GroupId: 'g-platform', MemberId: { UserId: 'u-jane' } },
    { GroupId: 'g-eng', MemberId: { UserId: 'u-jane' } },
    { GroupId: 'g-eng', MemberId: { UserId: 'u-john' } },
  ],
  Users: [
    {
      UserId: 'u-jane',
      UserName: 'jane.doe',
      DisplayName: 'Jane Doe',
      Emails: [{ Value: 'jane.doe@acme.example', Primary: true }],
    },
    {
      UserId: 'u-john',
      UserName: 'john.smith',
      DisplayName: 'Jane Doe',
      Emails: [{ Value: 'john@acme.example' }],
    },
  ],
}) as IdentityCenterData;

const deployer = `arn:aws:iam::${PROD}:role/deploy/acme-deployer`;
const roles = [
  { arn: ssoArn(PROD, 'AdministratorAccess'), trustPolicy: ssoTrust(PROD) },
  { arn: ssoArn(PROD, 'ReadOnlyAccess'), trustPolicy: ssoTrust(PROD) },
  { arn: ssoArn(STAGING, 'ReadOnlyAccess'), trustPolicy: ssoTrust(STAGING) },
  // IAM cuts the permission set's name at 32 characters in the role name.
  {
    arn: ssoArn(PROD, 'PaymentsOnCallWithAVeryLongPermi'),
    trustPolicy: ssoTrust(PROD),
  },
  // Not under the reserved path: a look-alike name gives nothing.
  {
    arn: `arn:aws:iam::${PROD}:role/AWSReservedSSO_ReadOnlyAccess_0123456789abcdef`,
    trustPolicy: ssoTrust(PROD),
  },
  {
    arn: deployer,
    trustPolicy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: ssoArn(PROD, 'AdministratorAccess') },
          Action: 'sts:AssumeRole',
        },
      ],
    },
  },
].map(r => ({ key: r.arn, analysis: analyzeRole(r) }));

function resolve(spec: string) {
  const context = parsePrincipalSpec(spec);
  if (context.type !== 'identity-center') throw new Error(spec);
  return findIdentityCenterPrincipals(data, context);
}

describe('Identity Center principals', () => {
  it('parses identity-center-user: and identity-center-group: specs', () => {
    expect(
      parsePrincipalSpec('identity-center-user:jane.doe@acme.example'),
    ).toEqual({
      type: 'identity-center',
      principalType: 'USER',
      name: 'jane.doe@acme.example',
    });
    expect(
      parsePrincipalSpec('Identity-Center-Group: Platform Engineering'),
    ).toEqual({
      type: 'identity-center',
      principalType: 'GROUP',
      name: 'Platform Engineering',
    });
    expect(() => parsePrincipalSpec('identity-center-user:')).toThrow(
      /identity-center-user:USER_NAME, EMAIL or USER_ID/,
    );
  });

  it('finds a user by user name, email or id, a group by display name, id or external id', () => {
    for (const spec of [
      'identity-center-user:JANE.DOE',
      'identity-center-user:jane.doe@acme.example',
      'identity-center-user:u-jane',
    ]) {
      expect(
        resolve(spec).map(p => p.principalType === 'USER' && p.user.id),
      ).toEqual(['u-jane']);
    }
    for (const spec of [
      'identity-center-group:platform engineering',
      'identity-center-group:g-platform',
      'identity-center-group:grp-platform',
    ]) {
      expect(
        resolve(spec).map(p => p.principalType === 'GROUP' && p.group.id),
      ).toEqual(['g-platform']);
    }
    // A display name two users share is ambiguous; the caller says so.
    expect(resolve('identity-center-user:Jane Doe')).toHaveLength(2);
    expect(resolve('identity-center-user:nobody')).toEqual([]);
  });

  it("gives a user its own assignments and its groups', a group only its own", () => {
    const [jane] = resolve('identity-center-user:jane.doe');
    const grants = identityCenterGrants(data, jane);
    expect(
      grants
        .map(
          g => `${g.accountId} ${g.permissionSetName} ← ${g.assignedTo.name}`,
        )
        .sort(),
    ).toEqual([
      `${STAGING} ReadOnlyAccess ← engineering`,
      `${PROD} AdministratorAccess ← Platform Engineering`,
      `${PROD} PaymentsOnCallWithAVeryLongPermissionSetName ← engineering`,
      `${PROD} ReadOnlyAccess ← jane.doe`,
    ]);
    const [eng] = resolve('identity-center-group:engineering');
    expect(
      eng.principalType === 'GROUP' && eng.members.map(m => m.userName),
    ).toEqual(['jane.doe', 'john.smith']);
    expect(identityCenterGrants(data, eng).map(g => g.assignedTo.name)).toEqual(
      ['engineering', 'engineering'],
    );
  });

  it('maps grants to the reserved roles of the account, checked against their trust as the SAML sign-in', () => {
    const [jane] = resolve('identity-center-user:jane.doe');
    const got = identityCenterRoles(identityCenterGrants(data, jane), roles);
    expect(got.map(r => r.arn).sort()).toEqual(
      [
        ssoArn(PROD, 'AdministratorAccess'),
        ssoArn(PROD, 'PaymentsOnCallWithAVeryLongPermi'),
        ssoArn(PROD, 'ReadOnlyAccess'),
        ssoArn(STAGING, 'ReadOnlyAccess'),
      ].sort(),
    );
    for (const r of got) {
      expect(r.decision).toMatchObject({
        outcome: 'allowed',
        via: 'sts:AssumeRoleWithSAML',
      });
      expect(r.signIn).toEqual({
        type: 'saml',
        provider: provider(r.arn.split(':')[4]),
      });
    }
    expect(
      permissionSetOfRole(
        'AWSReservedSSO_ReadOnlyAccess_0123456789abcdef',
        '/',
      ),
    ).toBeUndefined();
  });

  it('says not-trusted when the role no longer trusts the Identity Center provider', () => {
    const edited = [
      {
        key: 'admin',
        analysis: analyzeRole({
          arn: ssoArn(PROD, 'AdministratorAccess'),
          trustPolicy: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'ec2.amazonaws.com' },
                Action: 'sts:AssumeRole',
              },
            ],
          },
        }),
      },
    ];
    const [platform] = resolve('identity-center-group:Platform Engineering');
    const [role] = identityCenterRoles(
      identityCenterGrants(data, platform),
      edited,
    );
    expect(role.decision.outcome).toBe('not-trusted');
    const context = parsePrincipalSpec(
      'identity-center-group:Platform Engineering',
    );
    const index = TrustIndex.build(edited);
    expect(identityCenterReach(index, context as never, [role]).roles).toEqual(
      [],
    );
  });

  it('follows the role chains onward from the roles, and refines the first hop as the SAML sign-in', () => {
    const index = TrustIndex.build(roles);
    const context = parsePrincipalSpec(
      'identity-center-group:Platform Engineering',
    ) as Extract<PrincipalContext, { type: 'identity-center' }>;
    // The index alone gives an identity-store principal nothing: it never asks STS itself.
    expect(index.lookup(context)).toEqual([]);
    const [platform] = findIdentityCenterPrincipals(data, context);
    const first = identityCenterRoles(
      identityCenterGrants(data, platform),
      roles,
    );
    const callers: string[] = [];
    const result = identityCenterReach(index, context, first, {
      refine: (match, caller) => {
        callers.push(caller.type);
        return match.decision;
      },
    });
    expect(result.roles.map(r => [r.arn, r.depth])).toEqual([
      [ssoArn(PROD, 'AdministratorAccess'), 1],
      [deployer, 2],
    ]);
    expect(result.roles[1].paths[0].hops.map(h => h.via)).toEqual([
      'sts:AssumeRoleWithSAML',
      'sts:AssumeRole',
    ]);
    expect(callers).toEqual(['saml', 'arn']);
  });

  it('an RCP that closes SAML sign-ins from outside the organisation does not close Identity Center', () => {
    const [platform] = resolve('identity-center-group:Platform Engineering');
    const [admin] = identityCenterRoles(
      identityCenterGrants(data, platform),
      roles.slice(0, 1),
    );
    const decision = applyResourceControlPolicies({
      decision: admin.decision,
      principal: admin.signIn!,
      roleArn: admin.arn,
      policies: [
        {
          id: 'p-1',
          name: 'deny-outside-org',
          document: {
            Statement: [
              {
                Effect: 'Deny',
                Principal: '*',
                Action: ['sts:AssumeRole', 'sts:AssumeRoleWithSAML'],
                Resource: '*',
                Condition: {
                  StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-1' },
                  Null: { 'aws:PrincipalAccount': 'false' },
                },
              },
            ],
          },
        },
      ],
    });
    expect(decision.outcome).toBe('allowed');
  });
});
