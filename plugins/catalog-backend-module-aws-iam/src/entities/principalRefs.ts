import {
  AssumeDecision,
  IamAccessDerivation,
  evaluateAssume,
  parseRoleArn,
  permissionSetOfRole,
  roleKey,
  PrincipalContext,
  RoleAnalysis,
  TrustedPrincipal,
} from '@backstage-iam/plugin-iam-roles-common';

/** What the mapping needs to know about the entities this provider emits. */
export interface PrincipalRefContext {
  /** Entity ref of a role by its `roleKey` (account and lower-cased name), for roles read completely. */
  roleRefs: Map<string, string>;
  /** Entity ref of an account entity, when accounts are emitted and the account is read. */
  accountRef(accountId: string): string | undefined;
  /** Identity Center permission set name → group refs. */
  permissionSets: Map<string, string[]>;
  /** Told how each ref was derived (the trust policy, or the static permission-set configuration). */
  via?: (ref: string, derivation: IamAccessDerivation) => void;
}

/** The Identity Center permission set a role was provisioned for, from its reserved name. */
export const permissionSetOf = permissionSetOfRole;

function lets(decision: AssumeDecision): boolean {
  return decision.outcome === 'allowed' || decision.outcome === 'possible';
}

function contextFor(principal: TrustedPrincipal): PrincipalContext | undefined {
  switch (principal.kind) {
    case 'role':
    case 'assumed-role':
      return { type: 'arn', arn: principal.id };
    case 'account':
      return { type: 'account', accountId: principal.id };
    case 'saml':
      return { type: 'saml', provider: principal.id };
    default:
      return undefined;
  }
}

/**
 * Entity refs of the catalog entities this provider knows that can assume the role: roles and
 * accounts it reads, and groups holding the role's Identity Center permission set. Every decision
 * is the trust engine's (`evaluateAssume` against the context the principal would present, Deny
 * first); "possible, if" answers count, since the relation shows who is trusted. Components
 * (GitHub Actions, EKS service accounts) are mapped by the relations processor, which can see the
 * catalog.
 */
export function principalRefs(
  analysis: RoleAnalysis,
  role: { roleName: string; path: string },
  context: PrincipalRefContext,
): string[] {
  const refs = new Set<string>();
  if (!analysis.policy) {
    return [];
  }
  for (const principal of analysis.principals) {
    const ctx = contextFor(principal);
    if (!ctx || !lets(evaluateAssume(analysis.policy, ctx))) {
      continue;
    }
    if (principal.kind === 'role' || principal.kind === 'assumed-role') {
      const arn = parseRoleArn(principal.id);
      const ref = arn && context.roleRefs.get(roleKey(arn.accountId, arn.name));
      if (ref) {
        refs.add(ref);
        context.via?.(ref, 'trust-policy');
      }
    } else if (principal.kind === 'account') {
      const ref = context.accountRef(principal.id);
      if (ref) {
        refs.add(ref);
        context.via?.(ref, 'trust-policy');
      }
    } else if (principal.kind === 'saml') {
      const permissionSet = permissionSetOf(role.roleName, role.path);
      for (const group of (permissionSet &&
        context.permissionSets.get(permissionSet)) ||
        []) {
        refs.add(group);
        context.via?.(group, 'identity-center-config');
      }
    }
  }
  return [...refs].sort();
}
