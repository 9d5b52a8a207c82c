import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { metricsServiceRef } from '@backstage/backend-plugin-api/alpha';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { readAwsIamProviderConfigs } from './config';
import { AccountClaims } from './provider/AccountClaims';
import { AwsIamEntityProvider } from './provider/AwsIamEntityProvider';
import { AwsIamRelationsProcessor } from './processor/AwsIamRelationsProcessor';
import { LiveAccountsSource } from './sources/LiveAccountsSource';
import { SnapshotSource } from './sources/SnapshotSource';
import { IamRoleSource } from './sources/types';
import { LiveEffectiveAccessSource } from './effective/LiveEffectiveAccessSource';
import { SnapshotEffectiveAccessSource } from './effective/SnapshotEffectiveAccessSource';
import { EffectiveAccessSource } from './effective/types';

/**
 * Catalog module: AWS IAM roles from live accounts or snapshot files become owned Resource
 * entities, with trust relations (`assumableBy` / `canAssume`) in the catalog graph.
 *
 * @public
 */
export const catalogModuleAwsIam = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'aws-iam',
  register(env) {
    env.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        auth: coreServices.auth,
        catalogService: catalogServiceRef,
        metrics: metricsServiceRef,
      },
      async init({
        catalog,
        config,
        logger,
        scheduler,
        auth,
        catalogService,
        metrics,
      }) {
        const providers = readAwsIamProviderConfigs(config);
        let credentialsManager: DefaultAwsCredentialsManager | undefined;
        const claims = AccountClaims.create();
        for (const providerConfig of providers) {
          let source: IamRoleSource;
          let effectiveSource: EffectiveAccessSource | undefined;
          if (providerConfig.snapshots) {
            source = SnapshotSource.create({
              paths: providerConfig.snapshots.paths,
              maxRolesPerAccount: providerConfig.maxRolesPerAccount,
            });
            effectiveSource = SnapshotEffectiveAccessSource.create({
              paths: providerConfig.snapshots.paths,
            });
          } else {
            credentialsManager ??=
              DefaultAwsCredentialsManager.fromConfig(config);
            source = LiveAccountsSource.create({
              credentialsManager,
              accounts: providerConfig.accounts ?? [],
              organizations: providerConfig.organizations,
              includeManagedPolicies: providerConfig.includeManagedPolicies,
              maxConcurrentAccounts: providerConfig.maxConcurrentAccounts,
              maxAttempts: providerConfig.maxAttempts,
              maxRolesPerAccount: providerConfig.maxRolesPerAccount,
              accountTimeoutMs: providerConfig.accountReadTimeoutSeconds * 1000,
              partition: providerConfig.partition,
            });
            const live = LiveEffectiveAccessSource.create({
              credentialsManager,
              partition: providerConfig.partition,
              maxAttempts: providerConfig.maxAttempts,
              concurrency: providerConfig.maxConcurrentAccounts,
              identityCenter: providerConfig.identityCenter,
              eks: providerConfig.eks,
              organizationPolicies: providerConfig.resourceControlPolicies
                ? { accountId: providerConfig.organizations?.accountId }
                : undefined,
            });
            effectiveSource = live.enabled ? live : undefined;
          }
          const provider = AwsIamEntityProvider.create({
            config: providerConfig,
            source,
            logger: logger.child({ provider: providerConfig.id }),
            taskRunner: scheduler.createScheduledTaskRunner(
              providerConfig.schedule,
            ),
            catalogAccess: { catalog: catalogService, auth },
            metrics,
            effectiveSource,
            claims,
          });
          catalog.addEntityProvider(provider);
          logger.info(
            `AWS IAM provider ${providerConfig.id}: ${source.describe()}${
              effectiveSource ? `; ${effectiveSource.describe()}` : ''
            }, schedule ${JSON.stringify(providerConfig.schedule.frequency)}`,
          );
        }
        catalog.addProcessor(
          AwsIamRelationsProcessor.create({
            logger,
            catalog: catalogService,
            auth,
          }),
        );
      },
    });
  },
});
