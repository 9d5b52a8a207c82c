import type {
  AuditorService,
  AuthService,
  BackstageCredentials,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { AuthenticationError, NotAllowedError } from '@backstage/errors';
import type {
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import type { Caller } from '../service/AccessRules';
import { requirePermission } from '../service/requirePermission';
import { auditedCall } from '../service/auditedCall';

/** The config key that names the service principals allowed to act (request, cancel) through the actions. */
export const ALLOWED_SERVICE_PRINCIPALS_KEY =
  'iamRoles.actions.allowedServicePrincipals';

/** Who called an action, as the audit records it. */
export interface ActionActor {
  /** The user entity ref, or the service principal's subject (`external:…`, `plugin:…`). */
  actor: string;
  actorType: 'user' | 'service';
  /** The service that called on the user's behalf, e.g. `plugin:mcp-actions`. */
  via?: string;
}

/**
 * Reads {@link ALLOWED_SERVICE_PRINCIPALS_KEY}: service principal subjects as Backstage names them,
 * e.g. `incident-agent` (the subject of a static external access token), `plugin:scaffolder`.
 */
export function readAllowedServicePrincipals(config: Config): string[] {
  const subjects =
    config.getOptionalStringArray(ALLOWED_SERVICE_PRINCIPALS_KEY) ?? [];
  for (const subject of subjects) {
    if (!/^[\x21-\x7E]{1,200}$/.test(subject)) {
      throw new Error(
        `${ALLOWED_SERVICE_PRINCIPALS_KEY} lists "${subject}", which is not a service principal subject; write it as Backstage names it, without blanks, e.g. incident-agent (a static token's subject) or plugin:scaffolder`,
      );
    }
    if (/^user:/i.test(subject)) {
      throw new Error(
        `${ALLOWED_SERVICE_PRINCIPALS_KEY} lists "${subject}", a user entity ref: a service principal acts as itself, never as a user; users call the actions with their own sign-in`,
      );
    }
  }
  return subjects;
}

/**
 * Who may call the broker's actions, and the audit of every call. An action receives the caller's
 * credentials from the actions registry (a user, possibly through a service such as the MCP
 * backend, or a service principal); the checks after that are the HTTP API's own: the same
 * permissions, and the broker's rules inside the same service methods.
 */
export class ActionCallers {
  private constructor(
    private readonly auth: AuthService,
    private readonly userInfo: UserInfoService,
    private readonly permissions: PermissionsService,
    private readonly auditor: AuditorService,
    private readonly allowedServicePrincipals: ReadonlySet<string>,
  ) {}

  static create(options: {
    auth: AuthService;
    userInfo: UserInfoService;
    permissions: PermissionsService;
    auditor: AuditorService;
    allowedServicePrincipals: string[];
  }): ActionCallers {
    return new ActionCallers(
      options.auth,
      options.userInfo,
      options.permissions,
      options.auditor,
      new Set(options.allowedServicePrincipals),
    );
  }

  /** The caller of an action in audit terms; anonymous callers are refused here. */
  actorOf(credentials: BackstageCredentials): ActionActor {
    if (this.auth.isPrincipal(credentials, 'user')) {
      const via = credentials.principal.actor?.subject;
      return {
        actor: credentials.principal.userEntityRef.toLocaleLowerCase('en-US'),
        actorType: 'user',
        ...(via ? { via } : {}),
      };
    }
    if (this.auth.isPrincipal(credentials, 'service')) {
      return { actor: credentials.principal.subject, actorType: 'service' };
    }
    throw new AuthenticationError(
      'The IAM roles actions need an authenticated caller',
    );
  }

  /**
   * The broker's caller for an action that changes state: a user with their ownership, or a
   * service principal that config names, acting as itself (requests it makes carry its subject as
   * the requester, are decided by the owning group and are rate limited like a person's).
   */
  async actingCaller(
    credentials: BackstageCredentials,
    action: string,
  ): Promise<Caller> {
    const { actor, actorType } = this.actorOf(credentials);
    if (actorType === 'user') {
      const info = await this.userInfo.getUserInfo(credentials);
      return {
        userRef: actor,
        ownershipRefs: info.ownershipEntityRefs.map(r =>
          r.toLocaleLowerCase('en-US'),
        ),
      };
    }
    if (!this.allowedServicePrincipals.has(actor)) {
      throw new NotAllowedError(
        `${action} acts on behalf of a person: call it as a signed-in user. The service principal ${actor} may call it only when ${ALLOWED_SERVICE_PRINCIPALS_KEY} lists it.`,
      );
    }
    return { userRef: actor, ownershipRefs: [actor] };
  }

  /** The HTTP API's permission check, for the action's caller. */
  authorize(
    credentials: BackstageCredentials,
    permission: BasicPermission | ResourcePermission,
    resourceRef?: string,
  ): Promise<void> {
    return requirePermission(
      this.permissions,
      credentials,
      permission,
      resourceRef,
    );
  }

  /** Runs an action inside an auditor event that names the caller, so success and failure both reach the audit sink. */
  async audited<T>(
    options: {
      credentials: BackstageCredentials;
      eventId: string;
      action: string;
      severityLevel: 'low' | 'medium';
      meta?: Record<string, string | undefined>;
    },
    fn: () => Promise<T>,
  ): Promise<T> {
    const actor = this.actorOf(options.credentials);
    return auditedCall(
      this.auditor,
      {
        eventId: options.eventId,
        severityLevel: options.severityLevel,
        meta: {
          ...options.meta,
          action: options.action,
          actor: actor.actor,
          actorType: actor.actorType,
          via: actor.via,
        },
      },
      fn,
    );
  }
}
