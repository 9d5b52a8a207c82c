import type { LoggerService } from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import { parseEntityRef } from '@backstage/catalog-model';
import type { Transition } from '../database/BrokerStore';
import { escapeForDisplay, forLog } from './safeText';

/**
 * Notifications of the access lifecycle: the owning group of a new request, the requester of a
 * decision, both of an expiry. Without a notifications backend it does nothing.
 */
export class AccessNotifier {
  private constructor(
    private readonly logger: LoggerService,
    private readonly approverGroups: string[],
    private readonly notifications?: NotificationService,
  ) {}

  static create(options: {
    notifications?: NotificationService;
    logger: LoggerService;
    approverGroups: string[];
  }): AccessNotifier {
    return new AccessNotifier(
      options.logger,
      options.approverGroups,
      options.notifications,
    );
  }

  /** Tells the people a transition concerns; a failure to send is logged, never thrown. */
  async notify(transitions: Transition[]): Promise<void> {
    if (!this.notifications) {
      return;
    }
    for (const t of transitions) {
      const { request } = t;
      const owner = request.ownerRef;
      let recipients: string[] = [];
      let title = '';
      let description = '';
      let severity: 'normal' | 'high' | 'low' = 'normal';
      switch (t.action) {
        case 'request-created':
          recipients = owner ? [owner] : this.approverGroups;
          title = `Access request for ${request.roleArn}`;
          description = `${request.requester} asks for ${
            request.durationMinutes
          } minutes: ${escapeForDisplay(request.justification)}`;
          severity = 'high';
          break;
        case 'request-approved':
          recipients = [request.requester];
          title = `Access to ${request.roleArn} approved`;
          description = `Granted until ${
            t.grant?.expiresAt
          } by ${request.approvals.map(a => a.approver).join(', ')}.`;
          break;
        case 'request-denied':
          recipients = [request.requester];
          title = `Access to ${request.roleArn} denied`;
          description = `${request.decidedBy}: ${
            escapeForDisplay(request.decisionReason) ?? ''
          }`;
          break;
        case 'grant-revoked':
          recipients = [request.requester];
          title = `Access to ${request.roleArn} revoked`;
          description = `${t.grant?.revokedBy}: ${
            escapeForDisplay(t.grant?.revokeReason) ?? ''
          }`;
          severity = 'high';
          break;
        case 'request-expired':
        case 'grant-expired':
          recipients = [request.requester, ...(owner ? [owner] : [])];
          title =
            t.action === 'grant-expired'
              ? `Access to ${request.roleArn} ended`
              : `Access request for ${request.roleArn} expired`;
          description =
            t.action === 'grant-expired'
              ? `The grant to ${request.requester} expired.`
              : `No decision on ${request.requester}'s request before its deadline.`;
          severity = 'low';
          break;
        default:
          continue;
      }
      if (recipients.length === 0) {
        continue;
      }
      const { kind, namespace, name } = parseEntityRef(request.roleRef);
      try {
        await this.notifications.send({
          recipients: {
            type: 'entity',
            entityRef: recipients,
            excludeEntityRef:
              t.action === 'request-created' ? request.requester : undefined,
          },
          payload: {
            title,
            description,
            link: `/catalog/${namespace}/${kind}/${name}`,
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
