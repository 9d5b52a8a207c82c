import type { Visibility } from '../database/BrokerStore';

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
  private constructor(private readonly approverGroups: string[]) {}

  static create(options: { approverGroups: string[] }): AccessRules {
    return new AccessRules(options.approverGroups);
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
    if (!this.owns(caller, currentOwner) && !this.inApproverGroup(caller)) {
      return `Only members of ${currentOwner || 'the owning group'}${
        this.approverGroups.length
          ? ` or of ${this.approverGroups.join(', ')}`
          : ''
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
