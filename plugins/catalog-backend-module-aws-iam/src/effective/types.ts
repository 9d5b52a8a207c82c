/**
 * Who can use a role beyond what its trust policy names: Identity Center account assignments, EKS Pod
 * Identity associations and the organisation's resource control policies. Read live or from
 * snapshot files (one JSON document per organisation or account, `kind` says which).
 */

/** An Identity Center permission set. */
export interface PermissionSet {
  arn: string;
  name: string;
  description?: string;
}

/** One account assignment: a user or group of the identity store gets a permission set in an account. */
export interface AccountAssignment {
  accountId: string;
  permissionSetArn: string;
  principalType: 'USER' | 'GROUP';
  principalId: string;
}

/** A group of the identity store. */
export interface IdentityStoreGroup {
  id: string;
  displayName: string;
  description?: string;
  /** External ids (e.g. of the IdP the store is synced from). */
  externalIds: Array<{ issuer: string; id: string }>;
  /** Ids of the users in the group, when its memberships were read (groups with assignments). */
  memberIds?: string[];
}

/** A user of the identity store. */
export interface IdentityStoreUser {
  id: string;
  userName: string;
  displayName?: string;
  emails: string[];
  externalIds: Array<{ issuer: string; id: string }>;
}

/** An Identity Center instance as read: its permission sets, assignments and identity store. */
export interface IdentityCenterData {
  kind: 'aws-identity-center';
  instanceArn: string;
  identityStoreId: string;
  permissionSets: PermissionSet[];
  assignments: AccountAssignment[];
  groups: IdentityStoreGroup[];
  users: IdentityStoreUser[];
}

/** One EKS Pod Identity association: pods of a service account get a role. */
export interface PodIdentityAssociation {
  associationId: string;
  associationArn?: string;
  clusterName: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  /** For cross-account associations: the role assumed with the first role's session. */
  targetRoleArn?: string;
}

/** The Pod Identity associations of EKS clusters of one account and region. */
export interface PodIdentityData {
  kind: 'aws-eks-pod-identity';
  accountId: string;
  region: string;
  clusters: string[];
  associations: PodIdentityAssociation[];
}

/** A resource control policy and where it is attached. */
export interface ResourceControlPolicy {
  id: string;
  name: string;
  arn?: string;
  description?: string;
  awsManaged?: boolean;
  /** The policy document (decoded JSON; the text as read when it is not JSON). */
  document: unknown;
  /** Roots, organisational units and accounts it is attached to (`r-…`, `ou-…`, 12-digit ids). */
  targets: string[];
}

/** The resource control policies of an organisation, and where each account sits in it. */
export interface OrganizationPoliciesData {
  kind: 'aws-organizations-rcp';
  organizationId?: string;
  policies: ResourceControlPolicy[];
  /** Account id → its parents from the root down (`r-…`, then `ou-…`), the path RCPs are inherited along. */
  accountParents: Record<string, string[]>;
}

/** Any of the effective-access datasets. */
export type EffectiveAccessData =
  | IdentityCenterData
  | PodIdentityData
  | OrganizationPoliciesData;

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
