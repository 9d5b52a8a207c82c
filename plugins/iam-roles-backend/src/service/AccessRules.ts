import {
  ANNOTATION_IAM_APPROVER_GROUPS,
  ANNOTATION_IAM_BREAK_GLASS,
  ANNOTATION_IAM_ELIGIBLE_GROUPS,
  globMatch,
  parseRoleArn,
} from '@backstage-iam/plugin-iam-roles-common';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { Visibility } from '../database/BrokerStore';
import type { RoleRule } from './BrokerConfig';

/** The signed-in caller. */
export interface Caller {
  userRef: string;
  ownershipRefs: string[];
}

/** What a rule needs of a request. */
export interface RequestFacts {
  roleRef: string;
  requester: string;
  /** The role's owner when the request was made. */
  ownerRef: string;
  /** The groups a rule named to decide it, when one did (otherwise the owner decides). */
  approverGroups?: string[];
}

/** Why a role cannot be requested at all, whoever asks: roles AWS or Identity Center manage (by the ARN's path). */
export function unrequestableReasons(arn: string): string[] {
  const path = parseRoleArn(arn)?.path ?? '/';
  const slr = /^\/aws-service-role\/([^/]+)\//.exec(path);
  if (slr) {
    return [
      `This is a service-linked role of ${slr[1]}: only that AWS service assumes it, so nobody can be granted access to it.`,
    ];
  }
  if (path.startsWith('/aws-reserved/sso.amazonaws.com/')) {
    return [
      'IAM Identity Center manages this role: ask for an assignment of its permission set in IAM Identity Center instead.',
    ];
  }
  if (path.startsWith('/aws-reserved/')) {
    return [
      'AWS reserves this role for one of its services: it cannot be requested.',
    ];
  }
  return [];
}

/** What the rules need of a role. */
export interface RoleFacts {
  ref: string;
  arn: string;
  ownerRef: string;
  /** The approval-quorum annotation, when valid. */
  quorum?: number;
  annotations?: Record<string, string>;
}

/** Who decides, who may ask, and whether break-glass is allowed, for one role. */
export interface RolePolicy {
  /** Groups a rule names as deciders; empty means the role's owner decides. */
  approverGroups: string[];
  quorum: number;
  /** Only their members may request; undefined means everyone. */
  eligibleGroups?: string[];
  breakGlass: { allowed: boolean; maxDurationMinutes?: number };
}

function refList(value: string | undefined): string[] | undefined {
  if (value === undefined) {
    return undefined;
  }
  const refs = value
    .split(/[\s,]+/)
    .filter(Boolean)
    .flatMap(r => {
      try {
        return [
          stringifyEntityRef(
            parseEntityRef(r, {
              defaultKind: 'group',
              defaultNamespace: 'default',
            }),
          ).toLocaleLowerCase('en-US'),
        ];
      } catch {
        return [];
      }
    });
  return refs.length > 0 ? refs : undefined;
}

/** What a rule needs of a grant. */
export interface GrantFacts {
  roleRef: string;
  user: string;
  ownerRef: string;
}

/**
 * Who may see, decide, cancel, revoke and obtain credentials: the one statement of the broker's
 * rules, applied on top of the permission policy. A request or grant the caller may not see is
 * answered as if it did not exist (404), so that ids cannot be probed; what the caller may see but
 * not do is a 403 that says who can.
 */
export class AccessRules {
  private constructor(
    private readonly approverGroups: string[],
    private readonly roleRules: RoleRule[],
    private readonly defaultQuorum: number,
    private readonly breakGlassMaxMinutes: number,
  ) {}

  static create(options: {
    approverGroups: string[];
    roleRules?: RoleRule[];
    defaultQuorum?: number;
    breakGlassMaxMinutes?: number;
  }): AccessRules {
    return new AccessRules(
      options.approverGroups.map(g => g.toLocaleLowerCase('en-US')),
      options.roleRules ?? [],
      options.defaultQuorum ?? 1,
      options.breakGlassMaxMinutes ?? 60,
    );
  }

  /**
   * The policy of a role: the role's annotations, then the first config rule whose pattern matches
   * its entity ref or ARN, then the defaults (owner decides, default quorum, anyone may ask, no
   * break-glass).
   */
  policyFor(role: RoleFacts): RolePolicy {
    const a = role.annotations ?? {};
    const rule = this.roleRules.find(r =>
      r.roles.some(p => globMatch(p, role.ref, true) || globMatch(p, role.arn)),
    );
    const annotated = a[ANNOTATION_IAM_BREAK_GLASS];
    const breakGlass =
      annotated !== undefined
        ? annotated.trim().toLowerCase() === 'true'
        : rule?.breakGlass ?? false;
    return {
      approverGroups:
        refList(a[ANNOTATION_IAM_APPROVER_GROUPS]) ??
        rule?.approverGroups ??
        [],
      quorum: role.quorum ?? rule?.quorum ?? this.defaultQuorum,
      eligibleGroups:
        refList(a[ANNOTATION_IAM_ELIGIBLE_GROUPS]) ?? rule?.eligibleGroups,
      breakGlass: breakGlass
        ? { allowed: true, maxDurationMinutes: this.breakGlassMaxMinutes }
        : { allowed: false },
    };
  }

  /** The groups that decide a request: those a rule named, else the owner; configured approver groups always. */
  decidingGroups(approverGroups: string[] | undefined, owner: string) {
    const named = approverGroups?.length
      ? approverGroups
      : [owner].filter(Boolean);
    return [...new Set([...named, ...this.approverGroups])];
  }

  /** Why a role cannot be requested at all, whoever asks: roles AWS or Identity Center manage. */
  unrequestable(role: RoleFacts): string[] {
    return unrequestableReasons(role.arn);
  }

  /** Why the caller may not request a role under its policy: not in an eligible group. */
  eligibilityRefusal(caller: Caller, policy: RolePolicy): string | undefined {
    if (!policy.eligibleGroups || this.owns(caller, ...policy.eligibleGroups)) {
      return undefined;
    }
    return `Only members of ${policy.eligibleGroups.join(
      ', ',
    )} may request this role.`;
  }

  /** Why the caller may not take a role through break-glass. */
  breakGlassRefusal(caller: Caller, policy: RolePolicy): string | undefined {
    if (!policy.breakGlass.allowed) {
      return 'Break-glass is not allowed on this role; request access instead (an owner can allow it with the iam-roles.backstage-iam.io/break-glass annotation).';
    }
    return this.eligibilityRefusal(caller, policy);
  }

  /** Why the caller may not review a break-glass grant: the deciders of the role, never the holder. */
  reviewRefusal(
    caller: Caller,
    grant: GrantFacts,
    deciders: string[],
  ): string | undefined {
    if (grant.user === caller.userRef) {
      return 'You cannot review your own break-glass access; an owner of the role must.';
    }
    if (!this.owns(caller, ...deciders)) {
      return `Only members of ${deciders.join(
        ', ',
      )} can review break-glass access to ${grant.roleRef}.`;
    }
    return undefined;
  }

  /** Why the caller may not extend or release a grant: only its holder. */
  holderRefusal(caller: Caller, grant: GrantFacts, verb: string) {
    return grant.user === caller.userRef
      ? undefined
      : `Only the holder of a grant can ${verb} it.`;
  }

  /** Members of a configured approver group see and decide everything. */
  inApproverGroup(caller: Caller): boolean {
    return this.approverGroups.some(g => caller.ownershipRefs.includes(g));
  }

  private owns(caller: Caller, ...owners: Array<string | undefined>) {
    return owners.some(o => !!o && caller.ownershipRefs.includes(o));
  }

  /** What lists show the caller: their own, their roles' (owner at creation), or all for approver groups. */
  visibility(caller: Caller): Visibility {
    return {
      userRef: caller.userRef,
      ownerRefs: caller.ownershipRefs,
      all: this.inApproverGroup(caller),
    };
  }

  /** A request is visible to its requester, the role's owners (now or at creation) and approver groups. */
  maySeeRequest(
    caller: Caller,
    request: RequestFacts,
    currentOwner?: string,
  ): boolean {
    return (
      request.requester === caller.userRef ||
      this.owns(caller, currentOwner, request.ownerRef) ||
      this.owns(caller, ...(request.approverGroups ?? [])) ||
      this.inApproverGroup(caller)
    );
  }

  /** A grant is visible to its grantee, the role's owners (now or at creation) and approver groups. */
  maySeeGrant(caller: Caller, grant: GrantFacts, currentOwner?: string) {
    return (
      grant.user === caller.userRef ||
      this.owns(caller, currentOwner, grant.ownerRef) ||
      this.inApproverGroup(caller)
    );
  }

  /** Why the caller may not approve or deny: never the requester; only the role's current owner or an approver group. */
  decisionRefusal(
    caller: Caller,
    request: RequestFacts,
    currentOwner: string,
  ): string | undefined {
    if (request.requester === caller.userRef) {
      return 'You cannot approve or deny your own request; a member of the owning group must decide.';
    }
    const deciders = this.decidingGroups(request.approverGroups, currentOwner);
    if (!this.owns(caller, ...deciders)) {
      return `Only members of ${
        deciders.length ? deciders.join(' or ') : 'the owning group'
      } can decide on requests for ${request.roleRef}.`;
    }
    return undefined;
  }

  /** Why the caller may not cancel: only the requester withdraws a request. */
  cancelRefusal(caller: Caller, request: RequestFacts): string | undefined {
    return request.requester === caller.userRef
      ? undefined
      : 'Only the requester can cancel a request.';
  }

  /** Whether revoking needs the approve permission: yes, unless grantees give their own access back. */
  revokeNeedsApprovePermission(caller: Caller, grant: GrantFacts): boolean {
    return grant.user !== caller.userRef;
  }

  /** Why the caller may not revoke: the role's current owner, an approver group, or the grantee. */
  revokeRefusal(
    caller: Caller,
    grant: GrantFacts,
    currentOwner: string,
  ): string | undefined {
    if (
      grant.user === caller.userRef ||
      this.owns(caller, currentOwner) ||
      this.inApproverGroup(caller)
    ) {
      return undefined;
    }
    return `Only members of ${
      currentOwner || 'the owning group'
    } can revoke access to ${grant.roleRef}.`;
  }

  /** Why the caller may not obtain credentials: only the grantee. */
  credentialsRefusal(caller: Caller, grant: GrantFacts): string | undefined {
    return grant.user === caller.userRef
      ? undefined
      : 'Credentials of a grant are issued only to the user it was granted to.';
  }

  /** Why the caller may not read a role's audit trail: its owners and approver groups. */
  auditRefusal(
    caller: Caller,
    roleRef: string,
    owner: string | undefined,
  ): string | undefined {
    if (this.inApproverGroup(caller) || this.owns(caller, owner)) {
      return undefined;
    }
    return `Only the owners of ${roleRef} can read its audit trail.`;
  }
}
