import { parseRoleArn } from './arn';
import type { EvaluateOptions } from './caller';
import type {
  IdentityCenterData,
  IdentityStoreGroup,
  IdentityStoreUser,
} from './effectiveDocuments';
import { evaluateAssume } from './evaluateAssume';
import { findReach, ReachOptions, ReachResult, ReachSource } from './reach';
import type { AssumeDecision, PrincipalContext, RoleAnalysis } from './types';

const SSO_ROLE_NAME = /^AWSReservedSSO_(.+)_[0-9a-f]{16}$/i;
const SSO_ROLE_PATH = '/aws-reserved/sso.amazonaws.com/';
const SSO_SAML_PROVIDER = /:saml-provider\/AWSSSO_[^/]*$/i;

/** An Identity Center principal as {@link parsePrincipalSpec} gives it. */
export type IdentityCenterContext = Extract<
  PrincipalContext,
  { type: 'identity-center' }
>;

/** The permission set an `AWSReservedSSO_*` role was provisioned for, from its reserved name and path. */
export function permissionSetOfRole(
  roleName: string,
  path: string,
): string | undefined {
  if (!path.startsWith(SSO_ROLE_PATH)) {
    return undefined;
  }
  return SSO_ROLE_NAME.exec(roleName)?.[1];
}

/** Whether a role's permission-set name (from its reserved name) is the set's: IAM cuts it at 32 characters. */
export function isPermissionSetNamed(
  setName: string,
  fromRole: string,
): boolean {
  return setName === fromRole || setName.slice(0, 32) === fromRole;
}

/** A user or group of the identity store, with its groups (users) or members (groups). */
export type IdentityCenterPrincipal =
  | {
      principalType: 'USER';
      user: IdentityStoreUser;
      groups: IdentityStoreGroup[];
    }
  | {
      principalType: 'GROUP';
      group: IdentityStoreGroup;
      members: IdentityStoreUser[];
    };

const lower = (s: string) => s.toLocaleLowerCase('en-US');

function groupsOf(data: IdentityCenterData, userId: string) {
  return data.groups.filter(g => g.memberIds?.includes(userId));
}

/**
 * The users or groups of the identity store a name stands for. Users: the id, the user name or an
 * email (case-insensitive); only when none of those matches, the display name. Groups: the id, the
 * display name (case-insensitive) or an external id. More than one result means the name is ambiguous.
 */
export function findIdentityCenterPrincipals(
  data: IdentityCenterData,
  principal: Pick<IdentityCenterContext, 'principalType' | 'name'>,
): IdentityCenterPrincipal[] {
  const name = principal.name.trim();
  const needle = lower(name);
  if (principal.principalType === 'USER') {
    let users = data.users.filter(
      u =>
        u.id === name ||
        lower(u.userName) === needle ||
        u.emails.some(e => lower(e) === needle),
    );
    if (users.length === 0) {
      users = data.users.filter(
        u => u.displayName !== undefined && lower(u.displayName) === needle,
      );
    }
    return users.map(user => ({
      principalType: 'USER',
      user,
      groups: groupsOf(data, user.id),
    }));
  }
  return data.groups
    .filter(
      g =>
        g.id === name ||
        lower(g.displayName) === needle ||
        g.externalIds.some(e => e.id === name),
    )
    .map(group => ({
      principalType: 'GROUP',
      group,
      members: data.users.filter(u => group.memberIds?.includes(u.id)),
    }));
}

/** One permission set a principal gets in one account, and whose assignment gives it. */
export interface IdentityCenterGrant {
  instanceArn: string;
  accountId: string;
  permissionSetArn: string;
  permissionSetName: string;
  /** The assignment's principal: the user or group itself, or a group the user is a member of. */
  assignedTo: {
    principalType: 'USER' | 'GROUP';
    principalId: string;
    name: string;
  };
}

/**
 * The account assignments that reach a principal: a group's own; a user's own and those of every
 * group it is a member of (Identity Center has no nested groups).
 */
export function identityCenterGrants(
  data: IdentityCenterData,
  principal: IdentityCenterPrincipal,
): IdentityCenterGrant[] {
  const holders = new Map<string, IdentityCenterGrant['assignedTo']>();
  if (principal.principalType === 'USER') {
    holders.set(`USER:${principal.user.id}`, {
      principalType: 'USER',
      principalId: principal.user.id,
      name: principal.user.userName,
    });
    for (const g of principal.groups) {
      holders.set(`GROUP:${g.id}`, {
        principalType: 'GROUP',
        principalId: g.id,
        name: g.displayName,
      });
    }
  } else {
    holders.set(`GROUP:${principal.group.id}`, {
      principalType: 'GROUP',
      principalId: principal.group.id,
      name: principal.group.displayName,
    });
  }
  const sets = new Map(data.permissionSets.map(s => [s.arn, s.name]));
  const grants: IdentityCenterGrant[] = [];
  for (const a of data.assignments) {
    const holder = holders.get(`${a.principalType}:${a.principalId}`);
    if (!holder) continue;
    grants.push({
      instanceArn: data.instanceArn,
      accountId: a.accountId,
      permissionSetArn: a.permissionSetArn,
      // A set not listed is still assigned; its role cannot be told by name then.
      permissionSetName: sets.get(a.permissionSetArn) ?? a.permissionSetArn,
      assignedTo: holder,
    });
  }
  return grants;
}

/** An `AWSReservedSSO_*` role an Identity Center principal gets, and through which assignments. */
export interface IdentityCenterRole {
  key: string;
  arn: string;
  grants: IdentityCenterGrant[];
  /**
   * The role's trust policy asked as the access portal's SAML sign-in through the account's
   * `AWSSSO_…` provider: `allowed`, `possible`, or `not-trusted` when the trust no longer admits it.
   */
  decision: AssumeDecision;
  /** The SAML sign-in that decision was made for. */
  signIn?: PrincipalContext;
}

const RANK: Record<string, number> = { allowed: 3, possible: 2, denied: 1 };

/**
 * The roles the grants give, among `roles` (index key and analysis): an `AWSReservedSSO_<set>_…` role
 * under `/aws-reserved/sso.amazonaws.com/` in the granted account. Each is checked against its trust
 * policy as the SAML sign-in of the access portal, so a role whose trust was edited says so.
 */
export function identityCenterRoles(
  grants: IdentityCenterGrant[],
  roles: Iterable<{ key: string; analysis: RoleAnalysis }>,
  options: EvaluateOptions = {},
): IdentityCenterRole[] {
  if (grants.length === 0) return [];
  const byAccount = new Map<string, IdentityCenterGrant[]>();
  for (const g of grants) {
    byAccount.set(g.accountId, [...(byAccount.get(g.accountId) ?? []), g]);
  }
  const out: IdentityCenterRole[] = [];
  for (const { key, analysis } of roles) {
    const candidates = byAccount.get(analysis.accountId);
    const set = candidates && permissionSetOfRole(analysis.name, analysis.path);
    if (!set) continue;
    const mine = candidates.filter(g =>
      isPermissionSetNamed(g.permissionSetName, set),
    );
    if (mine.length === 0) continue;
    let best: { decision: AssumeDecision; signIn?: PrincipalContext } = {
      decision: { outcome: 'not-trusted', conditions: [] },
    };
    for (const p of analysis.principals) {
      if (
        p.kind !== 'saml' ||
        !SSO_SAML_PROVIDER.test(p.id) ||
        !analysis.policy
      )
        continue;
      const signIn: PrincipalContext = { type: 'saml', provider: p.id };
      const decision = evaluateAssume(analysis.policy, signIn, options);
      if ((RANK[decision.outcome] ?? 0) > (RANK[best.decision.outcome] ?? 0)) {
        best = { decision, signIn };
      }
    }
    out.push({ key, arn: analysis.arn, grants: mine, ...best });
  }
  return out;
}

/**
 * What an Identity Center principal reaches: its roles (the first hop, from `roles`, as
 * {@link identityCenterRoles} gives them), then the role chains onward from their sessions through
 * {@link findReach}. `options.refine` sees a first hop with the SAML sign-in as the caller (what an
 * RCP evaluates), every further hop as findReach gives it.
 */
export function identityCenterReach(
  source: ReachSource,
  principal: IdentityCenterContext,
  roles: IdentityCenterRole[],
  options: ReachOptions = {},
): ReachResult {
  const first = roles.filter(
    r => r.decision.outcome === 'allowed' || r.decision.outcome === 'possible',
  );
  const byKey = new Map(first.map(r => [r.key, r]));
  const refine = options.refine;
  return findReach(
    {
      lookup: (caller, evaluate) =>
        caller === principal
          ? first.map(r => ({ key: r.key, decision: r.decision }))
          : source.lookup(caller, evaluate),
    },
    principal,
    {
      ...options,
      arnOf:
        options.arnOf ??
        (key => byKey.get(key)?.arn ?? (parseRoleArn(key) ? key : undefined)),
      refine:
        refine &&
        ((match, caller, arn) =>
          refine(
            match,
            caller === principal
              ? byKey.get(match.key)?.signIn ?? caller
              : caller,
            arn,
          )),
    },
  );
}
