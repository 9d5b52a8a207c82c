import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { iamRolesPermissions } from '@backstage-iam/plugin-iam-roles-common';
import {
  ActionCallers,
  readAllowedServicePrincipals,
} from './actions/ActionCallers';
import { registerIamRolesActions } from './actions/registerIamRolesActions';
import { DatabaseBrokerStore } from './database/DatabaseBrokerStore';
import { AccessBroker } from './service/AccessBroker';
import { readBrokerConfig } from './service/BrokerConfig';
import { StsCredentialIssuer } from './service/CredentialIssuer';
import { TrustService } from './service/TrustService';
import { createRouter } from './service/router';
import { TrustHistory } from './history/TrustHistory';

/** The IAM roles backend plugin: trust queries and the access broker, under `/api/iam-roles`. */
export const iamRolesPlugin = createBackendPlugin({
  pluginId: 'iam-roles',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        userInfo: coreServices.userInfo,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
        notifications: notificationService,
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init({
        config,
        logger,
        database,
        scheduler,
        httpRouter,
        httpAuth,
        userInfo,
        auth,
        permissions,
        permissionsRegistry,
        auditor,
        catalog,
        notifications,
        actionsRegistry,
      }) {
        const brokerConfig = readBrokerConfig(config);
        const store = await DatabaseBrokerStore.create({ database });
        const trust = TrustService.create({
          catalog,
          auth,
          logger,
          internalAccounts: brokerConfig.internalAccounts,
          accountNames: brokerConfig.accountNames,
          brokerPrincipalArn: brokerConfig.sts.brokerPrincipalArn,
          refreshIntervalSeconds: brokerConfig.trustRefreshIntervalSeconds,
        });
        // Trust history (#14): records role versions on every rebuild of the trust snapshot.
        const history = await TrustHistory.create({
          config,
          database,
          logger,
          auditor,
          notifications,
          scheduler,
          trust,
        });
        const issuer = brokerConfig.sts.enabled
          ? StsCredentialIssuer.create(
              DefaultAwsCredentialsManager.fromConfig(config),
              {
                accountId: brokerConfig.sts.accountId,
                region: brokerConfig.sts.region,
                capMinutes: brokerConfig.sts.sessionDurationCapMinutes,
                roleChaining: brokerConfig.sts.roleChaining,
                brokerPrincipalArn: brokerConfig.sts.brokerPrincipalArn,
              },
            )
          : undefined;
        if (!issuer) {
          logger.info(
            'No `aws` configuration: the access broker records grants but issues no credentials',
          );
        }
        const broker = AccessBroker.create({
          store,
          trust,
          config: brokerConfig,
          logger,
          issuer,
          notifications,
        });

        permissionsRegistry.addPermissions(iamRolesPermissions);

        // The same questions and requests for AI agents: actions registry → MCP (src/actions).
        registerIamRolesActions({
          actionsRegistry,
          broker,
          trust,
          config: brokerConfig,
          callers: ActionCallers.create({
            auth,
            userInfo,
            permissions,
            auditor,
            allowedServicePrincipals: readAllowedServicePrincipals(config),
          }),
        });

        await scheduler.scheduleTask({
          id: 'iam-roles-trust-refresh',
          frequency: { seconds: brokerConfig.trustRefreshIntervalSeconds },
          timeout: { minutes: 5 },
          // The trust snapshot lives in each replica's memory: every replica rebuilds its own.
          scope: 'local',
          initialDelay: { seconds: 5 },
          fn: () => trust.scheduledRefresh(),
        });
        await scheduler.scheduleTask({
          id: 'iam-roles-broker-expiry',
          frequency: { seconds: brokerConfig.expiryIntervalSeconds },
          timeout: { minutes: 5 },
          fn: async () => {
            for (const t of await broker.expire()) {
              const event = await auditor.createEvent({
                eventId: t.grant ? 'grant' : 'access-request',
                severityLevel: 'low',
                meta: {
                  actionType: 'expire',
                  requestId: t.request.id,
                  ...(t.grant ? { grantId: t.grant.id } : {}),
                  roleRef: t.request.roleRef,
                },
              });
              await event.success();
            }
          },
        });

        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        httpRouter.use(
          await createRouter({
            broker,
            trust,
            config: brokerConfig,
            httpAuth,
            userInfo,
            permissions,
            auditor,
            logger,
            history,
          }),
        );
      },
    });
  },
});
