import type { LoggerService } from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { DateTime } from 'luxon';
import type {
  AccessRequest,
  AuditEntry,
  BrokerInfo,
  CreateAccessRequest,
  Grant,
  IssuedCredentials,
  ListPage,
  RequestOptions,
} from '@backstage-iam/plugin-iam-roles-common';
import {
  BrokerStore,
  isSameSubmission,
  OpenAccess,
  StoredGrant,
  StoredRequest,
  Transition,
  Visibility,
  ListFilter,
  AuditFilter,
} from '../database/BrokerStore';
import { BrokerConfig } from './BrokerConfig';
import { CredentialIssuer, STS_MIN_SESSION_SECONDS } from './CredentialIssuer';
import { RateLimiter } from './RateLimiter';
import { AccessNotifier } from './AccessNotifier';

export { RateLimitedError } from './RateLimitedError';
import { RoleEntry, TrustService, normalizeRef } from './TrustService';
import { AccessRules, Caller, RolePolicy } from './AccessRules';
import { escapeForDisplay } from './safeText';

export type { Caller } from './AccessRules';

/** A list query of a route; the broker adds what the caller may see. */
type ListQuery = Omit<ListFilter, 'visibility'>;

/** Pending requests `GET /approvals` looks through for the ones the caller can decide. */
export const MAX_PENDING_SCANNED = 5000;

/** Actor recorded for decisions the broker takes itself. */
export const SYSTEM_AUTO_APPROVER = 'iam-roles:auto-approval';

function nowIso(): string {
  return DateTime.utc().toISO();
}

function publicGrant(g: StoredGrant): Grant {
  return {
    // Stored before the broker refused text-direction characters: shown escaped.
    revokeReason: escapeForDisplay(g.revokeReason),
    id: g.id,
    requestId: g.requestId,
    roleRef: g.roleRef,
    roleArn: g.roleArn,
    user: g.user,
    status: g.status,
    grantedAt: g.grantedAt,
    expiresAt: g.expiresAt,
    revokedAt: g.revokedAt,
    revokedBy: g.revokedBy,
    breakGlass: g.breakGlass,
    reviewedAt: g.reviewedAt,
    reviewedBy: g.reviewedBy,
    reviewNote: escapeForDisplay(g.reviewNote),
    extensions: g.extensions,
  };
}

/** The facts the rules read of a role entry. */
function roleFacts(role: RoleEntry) {
  return {
    ref: role.ref,
    arn: role.arn,
    ownerRef: role.ownerRef,
    quorum: role.quorum,
    annotations: role.entity.metadata.annotations,
  };
}

/** The access broker: the lifecycle of requests and grants, who may do what, and credentials. */
export class AccessBroker {
  private constructor(
    private readonly store: BrokerStore,
    private readonly trust: TrustService,
    private readonly config: BrokerConfig,
    private readonly logger: LoggerService,
    private readonly limiter: RateLimiter,
    private readonly rules: AccessRules,
    private readonly notifier: AccessNotifier,
    private readonly issuer?: CredentialIssuer,
  ) {}

  static create(options: {
    store: BrokerStore;
    trust: TrustService;
    config: BrokerConfig;
    logger: LoggerService;
    issuer?: CredentialIssuer;
    notifications?: NotificationService;
  }): AccessBroker {
    return new AccessBroker(
      options.store,
      options.trust,
      options.config,
      options.logger,
      RateLimiter.create({
        max: options.config.rateLimit.maxRequests,
        windowSeconds: options.config.rateLimit.windowSeconds,
      }),
      AccessRules.create({
        approverGroups: options.config.approverGroups,
        roleRules: options.config.roleRules,
        defaultQuorum: options.config.defaultQuorum,
        breakGlassMaxMinutes: options.config.breakGlass.maxDurationMinutes,
      }),
      AccessNotifier.create({
        notifications: options.notifications,
        logger: options.logger,
        approverGroups: options.config.approverGroups,
        names: async refs => {
          const names = await options.trust.displayNames(refs);
          for (const ref of refs.filter(r => r.startsWith('resource:'))) {
            const role = await options.trust
              .getRole(ref)
              .catch(() => undefined);
            if (role) {
              names.set(ref, role.title);
            }
          }
          return names;
        },
      }),
      options.issuer,
    );
  }

  /** `GET /config`. */
  info(): BrokerInfo & { approverGroups: string[]; requestTtlHours: number } {
    const enabled = this.config.sts.enabled && this.issuer !== undefined;
    return {
      credentialsEnabled: enabled,
      credentialsDisabledReason: enabled
        ? undefined
        : this.config.sts.disabledReason ??
          'Credential issuing is not configured in this installation.',
      brokerPrincipalArn: this.config.sts.brokerPrincipalArn,
      defaultDurationMinutes: this.config.defaultDurationMinutes,
      minDurationMinutes: this.config.minDurationMinutes,
      maxDurationMinutes: this.config.maxDurationMinutes,
      approverGroups: this.config.approverGroups,
      requestTtlHours: this.config.requestTtlHours,
    };
  }

  private visibility(caller: Caller): Visibility {
    return this.rules.visibility(caller);
  }

  private async currentOwner(request: { roleRef: string; ownerRef: string }) {
    const role = await this.trust
      .getRole(request.roleRef)
      .catch(() => undefined);
    return role?.ownerRef || request.ownerRef;
  }

  private view(caller: Caller, request: StoredRequest): AccessRequest {
    const { ownerRef, ...rest } = request;
    const canDecide =
      request.status === 'pending' &&
      !this.rules.decisionRefusal(
        caller,
        request,
        this.trust.peekOwner(request.roleRef) ?? ownerRef,
      ) &&
      !request.approvals.some(a => a.approver === caller.userRef);
    return {
      ...rest,
      // Stored before the broker refused text-direction characters: shown escaped.
      justification: escapeForDisplay(rest.justification),
      ticket: escapeForDisplay(rest.ticket),
      decisionReason: escapeForDisplay(rest.decisionReason),
      approvals: rest.approvals.map(a => ({
        ...a,
        reason: escapeForDisplay(a.reason),
      })),
      grant: request.grant
        ? publicGrant(request.grant as StoredGrant)
        : undefined,
      canDecide,
    };
  }

  /** `POST /requests`. */
  async createRequest(
    caller: Caller,
    body: CreateAccessRequest,
  ): Promise<{
    request: AccessRequest;
    created: boolean;
    transitions: Transition[];
  }> {
    // A replay answers with the first request before anything else: it creates nothing, so neither
    // the rate limit nor a role that changed since refuses it.
    if (body.idempotencyKey) {
      const existing = await this.store.findByIdempotencyKey(
        caller.userRef,
        body.idempotencyKey,
      );
      if (existing) {
        if (!isSameSubmission(existing, body)) {
          throw new ConflictError(
            `The idempotency key was already used for request ${existing.id} with different content (role, duration, justification or ticket); use a new key for a new request.`,
          );
        }
        return {
          request: this.view(caller, existing),
          created: false,
          transitions: [],
        };
      }
    }
    const role = await this.trust.getRole(body.roleRef);
    if (!role) {
      throw new InputError(
        `roleRef "${body.roleRef}" is not an aws-iam-role entity in the catalog; pick the role from its catalog page.`,
      );
    }
    const policy = this.rules.policyFor(roleFacts(role));
    const refusal = this.requestRefusals(caller, role, policy)[0];
    if (refusal) {
      throw new NotAllowedError(refusal);
    }
    const now = DateTime.utc();
    const auto = this.config.autoApprove.find(
      rule =>
        (!rule.roleRefs || rule.roleRefs.includes(role.ref)) &&
        rule.requesterRefs.some(r => caller.ownershipRefs.includes(r)) &&
        body.durationMinutes <= rule.maxDurationMinutes,
    );
    // The store counts the user's requests in the window, in the transaction that creates this one.
    const result = await this.store.createRequest({
      roleRef: role.ref,
      roleArn: role.arn,
      ownerRef: role.ownerRef,
      requester: caller.userRef,
      justification: body.justification,
      durationMinutes: body.durationMinutes,
      ticket: body.ticket,
      requiredApprovals: auto ? 1 : policy.quorum,
      approverGroups: policy.approverGroups,
      idempotencyKey: body.idempotencyKey,
      now: now.toISO(),
      expiresAt: now.plus({ hours: this.config.requestTtlHours }).toISO(),
      rateLimit: this.limiter,
      refuseIfOpen: open => this.refuseOpen(open, role.ref),
    });
    if (!result.created) {
      return {
        request: this.view(caller, result.request),
        created: false,
        transitions: [],
      };
    }
    const transitions: Transition[] = [
      {
        action: 'request-created',
        request: result.request,
        fromState: '',
        toState: 'pending',
      },
    ];
    let request = result.request;
    if (auto) {
      const approved = await this.store.approve({
        id: request.id,
        approver: SYSTEM_AUTO_APPROVER,
        reason: 'Matches an auto-approval rule of the broker configuration',
        now: nowIso(),
        grantExpiresAt: (r, g) => this.grantEnd(r, g),
        action: 'request-auto-approved',
      });
      request = approved.request;
      transitions.push(...approved.transitions);
    }
    await this.notifier.notify(transitions);
    return { request: this.view(caller, request), created: true, transitions };
  }

  /** A new grant ends its duration from now; an extended one moves its end, to at most the maximum from its start. */
  private grantEnd(request: StoredRequest, extended?: StoredGrant): string {
    if (!extended) {
      return DateTime.utc().plus({ minutes: request.durationMinutes }).toISO();
    }
    const moved = DateTime.fromISO(extended.expiresAt).plus({
      minutes: request.durationMinutes,
    });
    const cap = DateTime.fromISO(extended.grantedAt).plus({
      minutes: this.config.maxDurationMinutes,
    });
    return DateTime.min(moved, cap).toUTC().toISO()!;
  }

  /** Why the caller cannot request the role, in words: the role's nature, its trust, the caller's eligibility. */
  private requestRefusals(
    caller: Caller,
    role: RoleEntry,
    policy: RolePolicy,
  ): string[] {
    const reasons = [...this.rules.unrequestable(roleFacts(role))];
    if (reasons.length === 0 && this.issuesCredentials()) {
      const broker = this.trust.brokerTrust(role.analysis);
      if (!broker.trusted) {
        reasons.push(
          `The role does not trust the broker, so no credentials could be issued after approval: ${
            broker.reason ?? 'its trust policy does not name the broker'
          } Its owner must add the trust statement first.`,
        );
      }
    }
    const eligibility = this.rules.eligibilityRefusal(caller, policy);
    if (eligibility) {
      reasons.push(eligibility);
    }
    return reasons;
  }

  private issuesCredentials(): boolean {
    return this.config.sts.enabled && this.issuer !== undefined;
  }

  /** A second request while one is pending, or while a grant is active, is a conflict (no duplicates). */
  /** Refuses a second request while one is pending or granted (the store calls it under its lock). */
  private refuseOpen(open: OpenAccess, roleRef: string): void {
    if (open.grant) {
      throw new ConflictError(
        `You already have access to ${roleRef} until ${open.grant.expiresAt} (grant ${open.grant.id}); extend that grant instead of requesting again.`,
      );
    }
    if (open.request) {
      throw new ConflictError(
        `You already have a pending request for ${roleRef} (request ${open.request.id}); wait for its decision or cancel it first.`,
      );
    }
  }

  /** `GET /request-options?role=`: everything the request dialog needs, for this caller, in one answer. */
  async requestOptions(
    caller: Caller,
    roleRef: string,
  ): Promise<RequestOptions> {
    const role = await this.trust.getRole(roleRef);
    if (!role) {
      throw new NotFoundError(
        `No aws-iam-role entity ${roleRef} emitted by the catalog module in the catalog`,
      );
    }
    const policy = this.rules.policyFor(roleFacts(role));
    const reasons = this.requestRefusals(caller, role, policy);
    const broker = this.trust.brokerTrust(role.analysis);
    let credentials: RequestOptions['credentials'];
    if (!this.issuesCredentials()) {
      credentials = {
        issuable: false,
        reason: this.info().credentialsDisabledReason,
      };
    } else if (!broker.trusted) {
      credentials = {
        issuable: false,
        reason: broker.reason,
        trustStatement: broker.requiredStatement,
      };
    } else {
      credentials = { issuable: true };
    }
    const groups = this.rules.decidingGroups(
      policy.approverGroups,
      role.ownerRef,
    );
    const [members, open] = await Promise.all([
      this.trust.membersOf(groups),
      this.store.findOpen(caller.userRef, role.ref, nowIso()),
    ]);
    return {
      role: role.ref,
      roleTitle: role.title,
      requestable: reasons.length === 0,
      reasons,
      credentials,
      approvers: {
        groups,
        quorum: policy.quorum,
        // The caller never approves their own request.
        members: members.filter(m => m !== caller.userRef),
      },
      eligibleGroups: policy.eligibleGroups,
      maxDurationMinutes: this.config.maxDurationMinutes,
      defaultDurationMinutes: this.config.defaultDurationMinutes,
      breakGlass:
        policy.breakGlass.allowed &&
        !this.rules.breakGlassRefusal(caller, policy) &&
        this.rules.unrequestable(roleFacts(role)).length === 0
          ? policy.breakGlass
          : { allowed: false },
      openRequest: open.request ? this.view(caller, open.request) : undefined,
      activeGrant: open.grant ? publicGrant(open.grant) : undefined,
    };
  }

  /** A request the caller may see, with the role's current owner; one they may not see does not exist for them. */
  private async load(
    caller: Caller,
    id: string,
  ): Promise<{ request: StoredRequest; owner: string }> {
    const request = await this.store.getRequest(id);
    const owner = request ? await this.currentOwner(request) : '';
    if (!request || !this.rules.maySeeRequest(caller, request, owner)) {
      throw new NotFoundError(`No access request with id ${id}`);
    }
    return { request, owner };
  }

  /** A grant the caller may see, with the role's current owner; one they may not see does not exist for them. */
  private async loadGrant(
    caller: Caller,
    id: string,
  ): Promise<{ grant: StoredGrant; owner: string }> {
    const grant = await this.store.getGrant(id);
    const owner = grant ? await this.currentOwner(grant) : '';
    if (!grant || !this.rules.maySeeGrant(caller, grant, owner)) {
      throw new NotFoundError(`No grant with id ${id}`);
    }
    return { grant, owner };
  }

  /** The role of a request the caller may see, for the permission check before acting on it (404 otherwise). */
  async requestFor(caller: Caller, id: string): Promise<{ roleRef: string }> {
    const { request } = await this.load(caller, id);
    return { roleRef: request.roleRef };
  }

  /** A grant the caller may see, for the permission check before acting on it (404 otherwise). */
  async grantFor(
    caller: Caller,
    id: string,
  ): Promise<{ roleRef: string; user: string; ownerRef: string }> {
    const { grant } = await this.loadGrant(caller, id);
    return {
      roleRef: grant.roleRef,
      user: grant.user,
      ownerRef: grant.ownerRef,
    };
  }

  /** Whether revoking this grant needs the approve permission (not for the grantee). */
  revokeNeedsApprovePermission(
    caller: Caller,
    grant: { roleRef: string; user: string; ownerRef: string },
  ): boolean {
    return this.rules.revokeNeedsApprovePermission(caller, grant);
  }

  /** `GET /requests/:id`: for the requester, the role's owners and approver groups. */
  async getRequest(caller: Caller, id: string): Promise<AccessRequest> {
    const { request } = await this.load(caller, id);
    return this.view(caller, request);
  }

  /** The store's list filter for what the caller asked and may see. */
  private listFilter(caller: Caller, filter: ListQuery): ListFilter {
    return {
      visibility: this.visibility(caller),
      mine: filter.mine,
      roleRef: filter.roleRef
        ? normalizeRef(filter.roleRef, 'resource')
        : undefined,
      status: filter.status,
      limit: filter.limit,
      offset: filter.offset,
    };
  }

  /** `GET /requests`: one page, and how many match. */
  async listRequests(
    caller: Caller,
    filter: ListQuery,
  ): Promise<ListPage<AccessRequest>> {
    const query = this.listFilter(caller, filter);
    const [rows, totalItems] = await Promise.all([
      this.store.listRequests(query),
      this.store.countRequests(query),
    ]);
    return {
      items: rows.map(r => this.view(caller, r)),
      totalItems,
      offset: filter.offset,
      limit: filter.limit,
    };
  }

  /**
   * `GET /approvals`: pending requests the caller can decide, oldest first, one page. Whether the
   * caller can decide depends on the role's current owner and the approvals so far, so the page is
   * cut from the decidable ones (of the oldest {@link MAX_PENDING_SCANNED} pending).
   */
  async approvals(
    caller: Caller,
    page: { limit: number; offset: number },
  ): Promise<ListPage<AccessRequest>> {
    const rows = await this.store.listPendingFor(
      this.visibility(caller),
      MAX_PENDING_SCANNED,
    );
    const decidable = rows
      .map(r => this.view(caller, r))
      .filter(r => r.canDecide);
    return {
      items: decidable.slice(page.offset, page.offset + page.limit),
      totalItems: decidable.length,
      offset: page.offset,
      limit: page.limit,
    };
  }

  /** The request, once the caller may decide it (owner or approver group, not the requester). */
  private async loadForDecision(caller: Caller, id: string) {
    const { request, owner } = await this.load(caller, id);
    const refusal = this.rules.decisionRefusal(caller, request, owner);
    if (refusal) {
      throw new NotAllowedError(refusal);
    }
    return request;
  }

  /** `POST /requests/:id/approve`. */
  async approve(
    caller: Caller,
    id: string,
    reason?: string,
  ): Promise<{ request: AccessRequest; transitions: Transition[] }> {
    await this.loadForDecision(caller, id);
    const result = await this.store.approve({
      id,
      approver: caller.userRef,
      reason,
      now: nowIso(),
      grantExpiresAt: (r, g) => this.grantEnd(r, g),
    });
    await this.notifier.notify(result.transitions);
    return {
      request: this.view(caller, result.request),
      transitions: result.transitions,
    };
  }

  /** `POST /requests/:id/deny`. */
  async deny(
    caller: Caller,
    id: string,
    reason: string,
  ): Promise<AccessRequest> {
    await this.loadForDecision(caller, id);
    const denied = await this.store.closePending({
      id,
      actor: caller.userRef,
      to: 'denied',
      reason,
      now: nowIso(),
    });
    await this.notifier.notify([
      {
        action: 'request-denied',
        request: denied,
        fromState: 'pending',
        toState: 'denied',
      },
    ]);
    return this.view(caller, denied);
  }

  /** `POST /requests/:id/cancel`: only the requester. */
  async cancel(caller: Caller, id: string): Promise<AccessRequest> {
    const { request } = await this.load(caller, id);
    const refusal = this.rules.cancelRefusal(caller, request);
    if (refusal) {
      throw new NotAllowedError(refusal);
    }
    const cancelled = await this.store.closePending({
      id,
      actor: caller.userRef,
      to: 'cancelled',
      now: nowIso(),
    });
    return this.view(caller, cancelled);
  }

  /** `GET /grants`: one page, and how many match. */
  async listGrants(
    caller: Caller,
    filter: ListQuery,
  ): Promise<ListPage<Grant>> {
    const query = this.listFilter(caller, filter);
    const [rows, totalItems] = await Promise.all([
      this.store.listGrants(query),
      this.store.countGrants(query),
    ]);
    return {
      items: rows.map(publicGrant),
      totalItems,
      offset: filter.offset,
      limit: filter.limit,
    };
  }

  /** `POST /grants/:id/revoke`: owners, approver groups, or the grantee giving access back. */
  async revoke(caller: Caller, id: string, reason: string): Promise<Grant> {
    const { grant, owner } = await this.loadGrant(caller, id);
    const refusal = this.rules.revokeRefusal(caller, grant, owner);
    if (refusal) {
      throw new NotAllowedError(refusal);
    }
    const revoked = await this.store.revokeGrant({
      id,
      actor: caller.userRef,
      reason,
      now: nowIso(),
    });
    const request = (await this.store.getRequest(revoked.requestId))!;
    await this.notifier.notify([
      {
        action: 'grant-revoked',
        request,
        grant: revoked,
        fromState: 'active',
        toState: 'revoked',
      },
    ]);
    return publicGrant(revoked);
  }

  /** The role of a grant's role, with its policy (the role as the catalog has it now). */
  private async policyOfRole(roleRef: string) {
    const role = await this.trust.getRole(roleRef);
    if (!role) {
      throw new ConflictError(
        `${roleRef} is no longer an aws-iam-role entity in the catalog.`,
      );
    }
    return { role, policy: this.rules.policyFor(roleFacts(role)) };
  }

  /**
   * `POST /grants/:id/extend`: the holder asks for more time; decided like a new request (the
   * role's approvers and quorum, never the holder). The grant lasts at most the maximum duration
   * from its start, so asking for more than is left is refused here, not cut silently.
   */
  async extend(
    caller: Caller,
    id: string,
    body: { durationMinutes: number; justification: string },
  ): Promise<{ request: AccessRequest; transitions: Transition[] }> {
    const { grant } = await this.loadGrant(caller, id);
    const refusal = this.rules.holderRefusal(caller, grant, 'extend');
    if (refusal) {
      throw new NotAllowedError(refusal);
    }
    const now = DateTime.utc();
    if (grant.status !== 'active' || DateTime.fromISO(grant.expiresAt) <= now) {
      throw new ConflictError(
        `Grant ${id} is ${
          grant.status === 'active' ? 'over' : grant.status
        }; request access again instead.`,
      );
    }
    const left = Math.floor(
      DateTime.fromISO(grant.grantedAt)
        .plus({ minutes: this.config.maxDurationMinutes })
        .diff(DateTime.fromISO(grant.expiresAt), 'minutes').minutes,
    );
    if (body.durationMinutes > left) {
      throw new InputError(
        left < this.config.minDurationMinutes
          ? `Grant ${id} already lasts the maximum of ${this.config.maxDurationMinutes} minutes; request access again when it ends.`
          : `durationMinutes must be at most ${left}: a grant lasts at most ${this.config.maxDurationMinutes} minutes from its start (iamRoles.broker.maxDurationMinutes).`,
      );
    }
    const { role, policy } = await this.policyOfRole(grant.roleRef);
    const pending = await this.store.pendingExtension(id);
    if (pending) {
      throw new ConflictError(
        `An extension of grant ${id} is already pending (request ${pending.id}); wait for its decision or cancel it.`,
      );
    }
    const { request } = await this.store.createRequest({
      kind: 'extension',
      extendsGrantId: id,
      roleRef: grant.roleRef,
      roleArn: grant.roleArn,
      ownerRef: role.ownerRef || grant.ownerRef,
      requester: caller.userRef,
      justification: body.justification,
      durationMinutes: body.durationMinutes,
      requiredApprovals: policy.quorum,
      approverGroups: policy.approverGroups,
      now: now.toISO(),
      // An extension no one decided is moot once the grant ends.
      expiresAt: DateTime.min(
        now.plus({ hours: this.config.requestTtlHours }),
        DateTime.fromISO(grant.expiresAt),
      )
        .toUTC()
        .toISO()!,
      rateLimit: this.limiter,
    });
    const transitions: Transition[] = [
      {
        action: 'request-created',
        request,
        fromState: '',
        toState: 'pending',
      },
    ];
    await this.notifier.notify(transitions);
    return { request: this.view(caller, request), transitions };
  }

  /** `POST /grants/:id/release`: the holder ends their own grant early. */
  async release(caller: Caller, id: string, reason?: string): Promise<Grant> {
    const { grant } = await this.loadGrant(caller, id);
    const refusal = this.rules.holderRefusal(caller, grant, 'release');
    if (refusal) {
      throw new NotAllowedError(refusal);
    }
    const released = await this.store.revokeGrant({
      id,
      actor: caller.userRef,
      reason: reason || 'Released by the holder before its end',
      now: nowIso(),
      action: 'grant-released',
    });
    return publicGrant(released);
  }

  /**
   * `POST /break-glass`: on a role that allows it, a grant at once for at most the break-glass cap,
   * with a justification and an incident reference; the role's approvers are told at once and
   * review it afterwards (`GET /reviews`).
   */
  async breakGlass(
    caller: Caller,
    body: {
      roleRef: string;
      justification: string;
      incident: string;
      durationMinutes?: number;
    },
  ): Promise<{ request: AccessRequest; transitions: Transition[] }> {
    const role = await this.trust.getRole(body.roleRef);
    if (!role) {
      throw new InputError(
        `roleRef "${body.roleRef}" is not an aws-iam-role entity in the catalog; pick the role from its catalog page.`,
      );
    }
    const policy = this.rules.policyFor(roleFacts(role));
    const refusal =
      this.rules.unrequestable(roleFacts(role))[0] ??
      this.rules.breakGlassRefusal(caller, policy);
    if (refusal) {
      throw new NotAllowedError(refusal);
    }
    const cap = policy.breakGlass.maxDurationMinutes!;
    const minutes = body.durationMinutes ?? cap;
    if (minutes > cap) {
      throw new InputError(
        `durationMinutes must be at most ${cap} for break-glass (iamRoles.broker.breakGlass.maxDurationMinutes)`,
      );
    }
    const now = DateTime.utc();
    const request = await this.store.breakGlass({
      roleRef: role.ref,
      roleArn: role.arn,
      ownerRef: role.ownerRef,
      requester: caller.userRef,
      justification: body.justification,
      incident: body.incident,
      durationMinutes: minutes,
      approverGroups: policy.approverGroups,
      now: now.toISO(),
      grantExpiresAt: now.plus({ minutes }).toISO(),
      rateLimit: this.limiter,
      // Two break-glass submissions racing give one grant: checked under the store's lock.
      refuseIfOpen: open => {
        if (open.grant) {
          throw new ConflictError(
            `You already have access to ${role.ref} until ${open.grant.expiresAt} (grant ${open.grant.id}).`,
          );
        }
      },
    });
    const transitions: Transition[] = [
      {
        action: 'break-glass-started',
        request,
        grant: request.grant as StoredGrant,
        fromState: '',
        toState: 'approved',
      },
    ];
    this.logger.warn(
      `Break-glass: ${caller.userRef} took ${role.ref} until ${request.grant?.expiresAt} for incident ${body.incident}`,
    );
    await this.notifier.notify(transitions);
    return { request: this.view(caller, request), transitions };
  }

  /** `GET /reviews`: break-glass grants the caller may review that nobody reviewed yet, oldest first. */
  async reviews(
    caller: Caller,
    page: { limit: number; offset: number },
  ): Promise<ListPage<Grant>> {
    const { items, totalItems } = await this.store.listUnreviewed(
      this.visibility(caller),
      page,
    );
    return {
      items: items.map(publicGrant),
      totalItems,
      offset: page.offset,
      limit: page.limit,
    };
  }

  /**
   * A grant with the request it came from, for those who see either: a rule's approver groups see
   * the requests they decide, and so the grants those started.
   */
  private async loadGrantWithRequest(caller: Caller, id: string) {
    const grant = await this.store.getGrant(id);
    const request = grant
      ? await this.store.getRequest(grant.requestId)
      : undefined;
    const owner = grant ? await this.currentOwner(grant) : '';
    if (
      !grant ||
      !request ||
      !(
        this.rules.maySeeGrant(caller, grant, owner) ||
        this.rules.maySeeRequest(caller, request, owner)
      )
    ) {
      throw new NotFoundError(`No grant with id ${id}`);
    }
    return { grant, request, owner };
  }

  /** The role of a grant to review, for the permission check before acting on it (404 when the caller sees neither it nor its request). */
  async reviewTarget(caller: Caller, id: string): Promise<{ roleRef: string }> {
    const { grant } = await this.loadGrantWithRequest(caller, id);
    return { roleRef: grant.roleRef };
  }

  /** `POST /grants/:id/review`: a decider of the role records the review of a break-glass grant. */
  async review(caller: Caller, id: string, note: string): Promise<Grant> {
    const { grant, request, owner } = await this.loadGrantWithRequest(
      caller,
      id,
    );
    const refusal = this.rules.reviewRefusal(
      caller,
      grant,
      this.rules.decidingGroups(request.approverGroups, owner),
    );
    if (refusal) {
      throw new NotAllowedError(refusal);
    }
    const reviewed = await this.store.reviewGrant({
      id,
      actor: caller.userRef,
      note,
      now: nowIso(),
    });
    return publicGrant(reviewed);
  }

  /** `POST /grants/:id/credentials`: STS credentials for the grantee, during the grant. Never stored. */
  async issueCredentials(
    caller: Caller,
    id: string,
  ): Promise<IssuedCredentials> {
    const { grant } = await this.loadGrant(caller, id);
    const refusal = this.rules.credentialsRefusal(caller, grant);
    if (refusal) {
      throw new NotAllowedError(refusal);
    }
    if (!this.issuer || !this.config.sts.enabled) {
      throw new ServiceUnavailableError(
        `This broker issues no credentials: ${
          this.info().credentialsDisabledReason
        }`,
      );
    }
    const now = DateTime.utc();
    const secondsLeft = DateTime.fromISO(grant.expiresAt).diff(
      now,
      'seconds',
    ).seconds;
    if (
      grant.status === 'active' &&
      secondsLeft > 0 &&
      secondsLeft < STS_MIN_SESSION_SECONDS
    ) {
      throw new ConflictError(
        `The grant ends in ${Math.floor(
          secondsLeft / 60,
        )} minutes, and STS issues no session shorter than 15 minutes; request access again.`,
      );
    }
    const recorded = await this.store.recordCredentialsIssue({
      id,
      actor: caller.userRef,
      now: now.toISO(),
      detail: 'STS AssumeRole',
    });
    try {
      const issued = await this.issuer.issue({
        roleArn: recorded.roleArn,
        userRef: caller.userRef,
        requestId: recorded.requestId,
        approvers: recorded.approvers,
        grantSecondsLeft: secondsLeft,
      });
      // Ids and times only: the credentials themselves never reach a log line.
      this.logger.info(
        `Issued credentials for grant ${grant.id} to ${caller.userRef} on ${grant.roleArn}, valid until ${issued.expiration}`,
      );
      return issued;
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      await this.store.appendAudit({
        at: nowIso(),
        actor: caller.userRef,
        action: 'credentials-failed',
        requestId: grant.requestId,
        grantId: grant.id,
        roleRef: grant.roleRef,
        ownerRef: grant.ownerRef,
        reason: message.slice(0, 1000),
      });
      if (error instanceof RangeError) {
        throw new ConflictError(message);
      }
      const name = (error as { name?: string }).name;
      if (name === 'AccessDenied' || name === 'AccessDeniedException') {
        throw new ConflictError(
          `AWS refused to let the broker assume ${grant.roleArn}: ${message}. The role must trust the broker (see the role's trust tab for the statement it needs).`,
        );
      }
      throw new ServiceUnavailableError(
        `AWS STS could not issue credentials: ${message}`,
      );
    }
  }

  /** `GET /audit`: owners see their roles' trail, approver groups everything. */
  async audit(
    caller: Caller,
    filter: Omit<AuditFilter, 'ownerRefs'>,
  ): Promise<AuditEntry[]> {
    const all = this.rules.inApproverGroup(caller);
    const roleRef = filter.roleRef
      ? normalizeRef(filter.roleRef, 'resource')
      : undefined;
    if (roleRef && !all) {
      const owner =
        this.trust.peekOwner(roleRef) ??
        (await this.trust.getRole(roleRef))?.ownerRef;
      const refusal = this.rules.auditRefusal(caller, roleRef, owner);
      if (refusal) {
        throw new NotAllowedError(refusal);
      }
    }
    return this.store.listAudit({
      ...filter,
      roleRef,
      ownerRefs: all || roleRef ? undefined : caller.ownershipRefs,
    });
  }

  /** Expires stale requests and ended grants; run by the scheduler. */
  async expire(): Promise<Transition[]> {
    const transitions = await this.store.expire(nowIso());
    if (transitions.length > 0) {
      this.logger.info(`Expired ${transitions.length} requests and grants`);
      await this.notifier.notify(transitions);
    }
    return transitions;
  }
}
