// The documents themselves (types and parser) are -common's, so the CLI and the broker read them too.
import type { EffectiveAccessData } from '@backstage-iam/plugin-iam-roles-common';

export type {
  AccountAssignment,
  EffectiveAccessData,
  IdentityCenterData,
  IdentityStoreGroup,
  IdentityStoreUser,
  OrganizationPoliciesData,
  PermissionSet,
  PodIdentityAssociation,
  PodIdentityData,
  ResourceControlPolicy,
} from '@backstage-iam/plugin-iam-roles-common';

/** A dataset as kept between runs: what it is, where it came from and when it was read. */
export interface EffectiveDataset {
  /** What the dataset covers (`identity-center:…`, `pod-identity:…`, `organization:…`, `snapshot:…`). */
  key: string;
  data: EffectiveAccessData;
  /** Calls made (live reads only). */
  calls?: number;
  readAt: string;
}

/** The outcome of reading one dataset: a failed read keeps the last good data of its key. */
export type DatasetRead =
  | ({ ok: true } & EffectiveDataset)
  | { ok: false; key: string; reason: string };

/** What one run of an effective-access source produced. */
export interface EffectiveAccessRead {
  datasets: DatasetRead[];
  /**
   * True when the set of keys is certain: datasets held before whose key is neither read nor failed
   * now are dropped. False keeps every dataset not read.
   */
  complete: boolean;
  /** Problems not about one dataset. */
  errors: string[];
}

/** A place effective-access datasets are read from: live APIs or snapshot files. */
export interface EffectiveAccessSource {
  describe(): string;
  /** `accountIds`: the accounts the provider reads IAM roles of (where EKS clusters are looked for). */
  read(options: {
    accountIds: string[];
    signal?: AbortSignal;
  }): Promise<EffectiveAccessRead>;
}
