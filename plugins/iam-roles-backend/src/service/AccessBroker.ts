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
} from '@backstage-iam/plugin-iam-roles-common';
import {
  BrokerStore,
  isSameSubmission,
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
import { TrustService, normalizeRef } from './TrustService';
import { AccessRules, Caller } from './AccessRules';
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
      AccessRules.create({ approverGroups: options.config.approverGroups }),
      AccessNotifier.create({
        notifications: options.notifications,
        logger: options.logger,
        approverGroups: options.config.approverGroups,
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
      requiredApprovals: auto ? 1 : role.quorum ?? this.config.defaultQuorum,
      idempotencyKey: body.idempotencyKey,
      now: now.toISO(),
      expiresAt: now.plus({ hours: this.config.requestTtlHours }).toISO(),
      rateLimit: this.limiter,
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
        grantExpiresAt: r => this.grantEnd(r),
        action: 'request-auto-approved',
      });
      request = approved.request;
      transitions.push(...approved.transitions);
    }
    await this.notifier.notify(transitions);
    return { request: this.view(caller, request), created: true, transitions };
  }

  private grantEnd(request: StoredRequest): string {
    return DateTime.utc().plus({ minutes: request.durationMinutes }).toISO();
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
      grantExpiresAt: r => this.grantEnd(r),
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
