import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  parseRoleArn,
  shortEntityRef,
} from '@backstage-iam/plugin-iam-roles-common';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { Transition } from '../database/BrokerStore';
import { escapeForDisplay, forLog } from './safeText';

/** Display names by entity ref (users' profile names, roles' titles); refs without one are shown as refs. */
export type NameResolver = (refs: string[]) => Promise<Map<string, string>>;

/** The page that opens a request with its decision buttons (the IAM roles page of the app). */
export function decisionLink(requestId: string): string {
  return `/iam-roles?request=${encodeURIComponent(requestId)}`;
}

/**
 * Notifications of the access lifecycle: the deciding groups of a new request or extension, the
 * owners of a break-glass grant at once, the requester of a decision, both of an expiry. Titles
 * name the role and the people in words; every link opens the request in Backstage, where those
 * who may decide find the approve and deny buttons. Without a notifications backend it does nothing.
 */
export class AccessNotifier {
  private constructor(
    private readonly logger: LoggerService,
    private readonly approverGroups: string[],
    private readonly names: NameResolver,
    private readonly notifications?: NotificationService,
  ) {}

  static create(options: {
    notifications?: NotificationService;
    logger: LoggerService;
    approverGroups: string[];
    names?: NameResolver;
  }): AccessNotifier {
    return new AccessNotifier(
      options.logger,
      options.approverGroups,
      options.names ?? (async () => new Map()),
      options.notifications,
    );
  }

  /** Names refs in words: the catalog's name, else `fallback`, else the ref's own name (never the raw ref). */
  private async resolve(
    refs: string[],
  ): Promise<(ref?: string, fallback?: string) => string> {
    const names = await this.names(refs).catch(error => {
      this.logger.warn(
        `Could not read display names for notifications: ${forLog(error, 300)}`,
      );
      return new Map<string, string>();
    });
    return (ref, fallback) =>
      ref ? names.get(ref) ?? fallback ?? shortEntityRef(ref) : '';
  }

  /** Tells the people a transition concerns; a failure to send is logged, never thrown. */
  async notify(transitions: Transition[]): Promise<void> {
    if (!this.notifications || transitions.length === 0) {
      return;
    }
    const name = await this.resolve([
      ...new Set(
        transitions.flatMap(t => [
          t.request.roleRef,
          t.request.requester,
          ...t.request.approvals.map(a => a.approver),
          ...(t.request.decidedBy ? [t.request.decidedBy] : []),
          ...(t.grant?.revokedBy ? [t.grant.revokedBy] : []),
        ]),
      ),
    ]);
    for (const t of transitions) {
      const { request } = t;
      const owner = request.ownerRef;
      let deciders = owner ? [owner] : this.approverGroups;
      if (request.approverGroups?.length) {
        deciders = request.approverGroups;
      }
      // Without a catalog title, the role's name from its ARN: what its owners call it in AWS.
      const role = name(request.roleRef, parseRoleArn(request.roleArn)?.name);
      const requester = name(request.requester);
      let recipients: string[] = [];
      let title = '';
      let description = '';
      let severity: 'normal' | 'high' | 'low' | 'critical' = 'normal';
      switch (t.action) {
        case 'request-created':
          recipients = deciders;
          if (request.kind === 'extension') {
            title = `${requester} asks to extend access to ${role}`;
            description = `${
              request.durationMinutes
            } more minutes: ${escapeForDisplay(request.justification)}`;
          } else {
            title = `${requester} requests access to ${role}`;
            description = `For ${
              request.durationMinutes
            } minutes: ${escapeForDisplay(request.justification)}`;
          }
          severity = 'high';
          break;
        case 'break-glass-started':
          recipients = [...new Set([...deciders, ...this.approverGroups])];
          title = `Break-glass: ${requester} took access to ${role}`;
          description = `Incident ${escapeForDisplay(request.ticket)}, until ${
            t.grant?.expiresAt
          }: ${escapeForDisplay(
            request.justification,
          )}. Review it in Backstage.`;
          severity = 'critical';
          break;
        case 'request-approved':
          recipients = [request.requester];
          title = `Access to ${role} approved`;
          description = `Granted until ${
            t.grant?.expiresAt
          } by ${request.approvals.map(a => name(a.approver)).join(', ')}.`;
          break;
        case 'grant-extended':
          recipients = [request.requester];
          title = `Access to ${role} extended`;
          description = `Now ends at ${
            t.grant?.expiresAt
          }; approved by ${request.approvals
            .map(a => name(a.approver))
            .join(', ')}.`;
          break;
        case 'request-denied':
          recipients = [request.requester];
          title =
            request.kind === 'extension'
              ? `Extension of your access to ${role} denied`
              : `Access to ${role} denied`;
          description = `${name(request.decidedBy)}: ${
            escapeForDisplay(request.decisionReason) ?? ''
          }`;
          break;
        case 'grant-revoked':
          recipients = [request.requester];
          title = `Access to ${role} revoked`;
          description = `${name(t.grant?.revokedBy)}: ${
            escapeForDisplay(t.grant?.revokeReason) ?? ''
          }`;
          severity = 'high';
          break;
        case 'request-expired':
        case 'grant-expired':
          recipients = [request.requester, ...(owner ? [owner] : [])];
          title =
            t.action === 'grant-expired'
              ? `Access of ${requester} to ${role} ended`
              : `Access request of ${requester} for ${role} expired`;
          description =
            t.action === 'grant-expired'
              ? `The grant to ${requester} expired.`
              : `No decision on ${requester}'s request before its deadline.`;
          severity = 'low';
          break;
        default:
          continue;
      }
      if (recipients.length === 0) {
        continue;
      }
      try {
        await this.notifications.send({
          recipients: {
            type: 'entity',
            entityRef: recipients,
            excludeEntityRef:
              t.action === 'request-created' ||
              t.action === 'break-glass-started'
                ? request.requester
                : undefined,
          },
          payload: {
            title,
            description,
            link: decisionLink(request.id),
            severity,
            topic: 'iam-roles-access',
            scope: `iam-roles:${request.id}`,
          },
        });
      } catch (error) {
        // Notifications are a courtesy: a missing notifications backend must not fail a decision.
        this.logger.warn(
          `Could not send notification "${t.action}" for request ${
            request.id
          }: ${forLog(error, 500)}`,
        );
      }
    }
  }
}
