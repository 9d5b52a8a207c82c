import fs from 'node:fs';
import path from 'node:path';
import {
  analyzeRole,
  applyResourceControlPolicies,
  findIdentityCenterPrincipals,
  IdentityCenterData,
  identityCenterGrants,
  identityCenterReach,
  identityCenterRoles,
  mergeAuthorizationDetails,
  OrganizationPoliciesData,
  parseAuthorizationDetails,
  parseEffectiveDocument,
  parsePrincipalSpec,
  ReachOptions,
  resourceControlPoliciesFor,
  RoleAnalysis,
  TrustIndex,
} from '@backstage-iam/plugin-iam-roles-common';
import { listSampleSnapshots, sampleSnapshotsDir } from './index';

// The README's "Expected answers" for the incident lookup of Identity Center principals and of `*`,
// computed as the broker computes them: the engine over the four snapshots, the Identity Center
// snapshot for the assignments and the organisation's RCPs applied to every hop.
const effective = (file: string) =>
  parseEffectiveDocument(
    JSON.parse(
      fs.readFileSync(path.join(sampleSnapshotsDir, 'effective', file), 'utf8'),
    ),
  );
const identityCenter = effective('identity-center.json') as IdentityCenterData;
const organization = effective(
  'organization-rcp.json',
) as OrganizationPoliciesData;

const merged = mergeAuthorizationDetails(
  listSampleSnapshots().map(f =>
    parseAuthorizationDetails(fs.readFileSync(f, 'utf8')),
  ),
);
const analyses = new Map<string, RoleAnalysis>(
  merged.roles.map(r => [
    r.arn,
    analyzeRole(
      { arn: r.arn, trustPolicy: r.assumeRolePolicyDocument },
      { internalAccounts: merged.accountIds },
    ),
  ]),
);
const roles = [...analyses].map(([key, analysis]) => ({ key, analysis }));
const index = TrustIndex.build(roles);
const options: ReachOptions = {
  refine: (match, caller, arn) => {
    const analysis = analyses.get(match.key)!;
    const policies = resourceControlPoliciesFor(
      organization,
      analysis.accountId,
    );
    return applyResourceControlPolicies({
      decision: match.decision,
      principal: caller,
      roleArn: arn ?? analysis.arn,
      policies,
    });
  },
};

/** `account/RoleName` without the reserved roles' random suffix. */
function short(arn: string): string {
  const [, , , , account, resource] = arn.split(':');
  const name = resource
    .split('/')
    .pop()!
    .replace(/_[0-9a-f]{16}$/, '');
  return `${account}/${name}`;
}

function lookup(spec: string) {
  const context = parsePrincipalSpec(spec);
  if (context.type !== 'identity-center') throw new Error(spec);
  const [principal, ...more] = findIdentityCenterPrincipals(
    identityCenter,
    context,
  );
  expect(more).toEqual([]);
  const grants = identityCenterGrants(identityCenter, principal);
  const first = identityCenterRoles(grants, roles);
  const result = identityCenterReach(index, context, first, options);
  return {
    principal,
    roles: result.roles
      .filter(r => r.depth === 1)
      .map(r => short(r.arn!))
      .sort(),
    chains: result.roles
      .filter(r => r.depth > 1)
      .map(r => [
        short(r.arn!),
        r.outcome,
        r.paths[0].hops.map(h => short(h.arn!)).join(' → '),
      ]),
  };
}

const SSO = (account: string, set: string) =>
  `${account}/AWSReservedSSO_${set}`;
const [TOOLING, STAGING, PRODUCTION, DATA] = [
  '111111111111',
  '222222222222',
  '333333333333',
  '444444444444',
];
const ALL = [TOOLING, STAGING, PRODUCTION, DATA];

// Any role session reaches these from the SSO roles (the same three for every Identity Center
// principal with a role in staging): the public partner relay and the organisation's inventory
// reader (both in production, under the RCP's aws:PrincipalOrgID condition), and staging's
// break-glass role (with MFA).
const ONWARD = [
  `${STAGING}/break-glass-admin`,
  `${PRODUCTION}/org-inventory-reader`,
  `${PRODUCTION}/partner-webhook-relay`,
];

describe('expected answers of the incident lookup (README, "Expected answers")', () => {
  it('identity-center-user:jane.doe@acme.example: her groups give nine roles, and three chains lead on', () => {
    const jane = lookup('identity-center-user:jane.doe@acme.example');
    expect(
      jane.principal.principalType === 'USER' && jane.principal.user.userName,
    ).toBe('jane.doe');
    expect(
      jane.principal.principalType === 'USER' &&
        jane.principal.groups.map(g => g.displayName),
    ).toEqual(['Platform Engineering', 'engineering']);
    expect(jane.roles).toEqual(
      [
        ...ALL.map(a => SSO(a, 'AdministratorAccess')),
        ...ALL.map(a => SSO(a, 'ReadOnlyAccess')),
        SSO(TOOLING, 'PlatformEngineer'),
      ].sort(),
    );
    expect(jane.chains.map(c => c[0]).sort()).toEqual(ONWARD);
    // Conditional all: MFA for break-glass, the organisation for the production roles (the RCP).
    expect(jane.chains.every(c => c[1] === 'possible')).toBe(true);
    expect(jane.chains.find(c => c[0].endsWith('/break-glass-admin'))).toEqual([
      `${STAGING}/break-glass-admin`,
      'possible',
      `${SSO(STAGING, 'AdministratorAccess')} → ${STAGING}/break-glass-admin`,
    ]);
  });

  it('identity-center-group:Platform Engineering: AdministratorAccess everywhere and PlatformEngineer in tooling', () => {
    const platform = lookup('identity-center-group:Platform Engineering');
    expect(
      platform.principal.principalType === 'GROUP' &&
        platform.principal.members.map(m => m.userName),
    ).toEqual(['jane.doe', 'john.smith']);
    expect(platform.roles).toEqual(
      [
        ...ALL.map(a => SSO(a, 'AdministratorAccess')),
        SSO(TOOLING, 'PlatformEngineer'),
      ].sort(),
    );
    expect(platform.chains.map(c => c[0]).sort()).toEqual(ONWARD);
  });

  it('identity-center-group:Contractors (no catalog group): ReadOnlyAccess in staging and production', () => {
    const contractors = lookup('identity-center-group:Contractors');
    expect(contractors.roles).toEqual([
      SSO(STAGING, 'ReadOnlyAccess'),
      SSO(PRODUCTION, 'ReadOnlyAccess'),
    ]);
    // Its one member, the external auditor, also has SecurityAudit in production of their own.
    expect(
      lookup('identity-center-user:auditor@partner.example').roles,
    ).toEqual([
      SSO(STAGING, 'ReadOnlyAccess'),
      SSO(PRODUCTION, 'ReadOnlyAccess'),
      SSO(PRODUCTION, 'SecurityAudit'),
    ]);
  });

  it('*: only partner-webhook-relay lets anyone in (public-trust)', () => {
    expect(
      [...analyses.values()]
        .filter(a => a.findings.some(f => f.id === 'public-trust'))
        .map(a => short(a.arn)),
    ).toEqual([`${PRODUCTION}/partner-webhook-relay`]);
  });
});
