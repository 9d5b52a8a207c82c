import type { LoggerService } from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  parseRoleArn,
  severityRank,
} from '@backstage-iam/plugin-iam-roles-common';
import type { TrustHistoryStore, TrustVersion } from './TrustHistoryStore';
import { summarize } from './roleFacts';
import { forLog } from '../service/safeText';

const HIGH = severityRank('high');

/**
 * Notifications of trust changes: the owning group when a change brings a critical or high finding
 * to one of its roles, and every user subscribed to the role on any change. Without a notifications
 * backend it does nothing.
 */
export class TrustHistoryNotifier {
  private constructor(
    private readonly store: TrustHistoryStore,
    private readonly logger: LoggerService,
    private readonly notifications?: NotificationService,
  ) {}

  static create(options: {
    store: TrustHistoryStore;
    logger: LoggerService;
    notifications?: NotificationService;
  }): TrustHistoryNotifier {
    return new TrustHistoryNotifier(
      options.store,
      options.logger,
      options.notifications,
    );
  }

  /** Tells the owners and subscribers of the changed roles; a failure to send is logged, never thrown. */
  async notify(versions: TrustVersion[]): Promise<void> {
    const changes = versions.filter(v => v.kind !== 'baseline');
    if (!this.notifications || changes.length === 0) {
      return;
    }
    const subscribers = await this.store.subscribersOf(
      changes.map(v => v.roleRef),
    );
    for (const v of changes) {
      const risky = severityRank(v.introducedSeverity) <= HIGH;
      const recipients = [
        ...(risky && v.ownerRef ? [v.ownerRef] : []),
        ...(subscribers.get(v.roleRef) ?? []),
      ];
      if (recipients.length === 0) {
        continue;
      }
      const { kind, namespace, name } = parseEntityRef(v.roleRef);
      const role = `role ${parseRoleArn(v.arn)?.name ?? v.arn} in account ${
        v.accountId
      }`;
      let title = risky
        ? `Trust of ${role} changed: new ${v.introducedSeverity} finding`
        : `Trust of ${role} changed`;
      // A role gone from the catalog has no page: the lookup's recent changes list it.
      let link = `/catalog/${namespace}/${kind}/${name}/trust`;
      if (v.kind === 'removed') {
        title = `The ${role} is gone from the catalog`;
        link = '/iam-roles?tab=lookup';
      }
      try {
        await this.notifications.send({
          recipients: { type: 'entity', entityRef: [...new Set(recipients)] },
          payload: {
            title,
            description: summarize(v.kind, v.changes),
            link,
            severity: risky ? 'high' : 'normal',
            topic: 'iam-roles-trust-history',
            scope: `iam-roles-trust:${v.roleRef}:${v.version}`,
          },
        });
      } catch (error) {
        this.logger.warn(
          `Could not send the trust change notification of ${
            v.roleRef
          } version ${v.version}: ${forLog(error, 500)}`,
        );
      }
    }
  }
}
