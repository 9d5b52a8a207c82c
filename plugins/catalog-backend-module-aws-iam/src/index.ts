/**
 * Catalog backend module that turns AWS IAM roles (live accounts or snapshots) into owned, related
 * Resource entities.
 *
 * @packageDocumentation
 */

export { catalogModuleAwsIam as default } from './module';
export { AwsIamEntityProvider } from './provider/AwsIamEntityProvider';
export type {
  AwsIamEntityProviderOptions,
  CatalogAccess,
  RefreshSummary,
} from './provider/AwsIamEntityProvider';
export { AwsIamRelationsProcessor } from './processor/AwsIamRelationsProcessor';
export type { AwsIamRelationsProcessorOptions } from './processor/AwsIamRelationsProcessor';
/** Re-exported from -common, where the one mapping from annotations to workload identities lives. */
export { ANNOTATION_KUBERNETES_SERVICE_ACCOUNTS } from '@backstage-iam/plugin-iam-roles-common';
export {
  ANNOTATION_IAM_OWNER_SOURCE,
  ANNOTATION_IAM_PERMISSION_SET,
  ANNOTATION_IAM_PROVIDER,
  LABEL_IAM_RISK,
} from './entities/EntityBuilder';
export { roleEntityName, accountEntityName } from './entities/entityName';
export { readAwsIamProviderConfigs } from './config';
export type {
  AwsIamProviderConfig,
  OwnershipConfig,
  OwnershipRule,
  AccountConfig,
} from './config';
export { SnapshotSource } from './sources/SnapshotSource';
export { LiveAccountsSource } from './sources/LiveAccountsSource';
export type { LiveAccountsSourceOptions } from './sources/LiveAccountsSource';
export type {
  IamRoleSource,
  SourceRead,
  AccountRead,
  AccountFailure,
} from './sources/types';
export { LiveEffectiveAccessSource } from './effective/LiveEffectiveAccessSource';
export type { LiveEffectiveAccessSourceOptions } from './effective/LiveEffectiveAccessSource';
export { SnapshotEffectiveAccessSource } from './effective/SnapshotEffectiveAccessSource';
export {
  parseEffectiveDocument,
  EFFECTIVE_KINDS,
} from './effective/parseEffectiveDocument';
export {
  ANNOTATION_IDENTITY_STORE_ID,
  EffectiveAccessIndex,
} from './effective/EffectiveAccessIndex';
export type {
  CatalogIdentities,
  CatalogIdentity,
  EffectiveAccessIndexOptions,
  IdentityMatchRule,
  RoleEffectiveAccess,
} from './effective/EffectiveAccessIndex';
export type * from './effective/types';
