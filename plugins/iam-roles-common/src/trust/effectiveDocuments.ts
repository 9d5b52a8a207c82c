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
  /**
   * The association was created with `disableSessionTags`: EKS Pod Identity then sends no session
   * tags, so a trust condition on `aws:RequestTag/kubernetes-*` or `eks-cluster-*` is not met.
   */
  disableSessionTags?: boolean;
}

/** An EKS cluster as DescribeCluster tells it: its name, and the OIDC issuer IRSA roles trust. */
export interface EksClusterDetails {
  name: string;
  arn?: string;
  /** `identity.oidc.issuer`: `https://oidc.eks.REGION.amazonaws.com/id/ID`. */
  oidcIssuer?: string;
}

/** The EKS clusters of one account and region: their Pod Identity associations and what DescribeCluster says of them. */
export interface PodIdentityData {
  kind: 'aws-eks-pod-identity';
  accountId: string;
  region: string;
  /** The clusters' names. */
  clusters: string[];
  associations: PodIdentityAssociation[];
  /** The clusters described (DescribeCluster), by name; a cluster not described has only its name. */
  clusterDetails?: EksClusterDetails[];
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

/** The `kind` of each effective-access document. */
export const EFFECTIVE_KINDS = [
  'aws-identity-center',
  'aws-eks-pod-identity',
  'aws-organizations-rcp',
] as const;

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

function list(doc: Obj, key: string, where: string): Obj[] {
  const value = doc[key];
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value) || !value.every(isObj)) {
    throw new Error(`${where}: "${key}" must be a list of objects`);
  }
  return value;
}

function str(obj: Obj, key: string, where: string): string {
  const value = obj[key];
  if (typeof value !== 'string' || value === '') {
    throw new Error(`${where}: "${key}" is missing`);
  }
  return value;
}

function optStr(obj: Obj, key: string): string | undefined {
  const value = obj[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function externalIds(obj: Obj): Array<{ issuer: string; id: string }> {
  const value = obj.ExternalIds;
  return Array.isArray(value)
    ? value.flatMap(e =>
        isObj(e) && typeof e.Id === 'string'
          ? [{ issuer: typeof e.Issuer === 'string' ? e.Issuer : '', id: e.Id }]
          : [],
      )
    : [];
}

/** The kind a document declares, or the one its shape shows; undefined for anything else. */
export function effectiveKindOf(
  doc: unknown,
): (typeof EFFECTIVE_KINDS)[number] | undefined {
  if (!isObj(doc)) {
    return undefined;
  }
  if (typeof doc.kind === 'string') {
    return (EFFECTIVE_KINDS as readonly string[]).includes(doc.kind)
      ? (doc.kind as (typeof EFFECTIVE_KINDS)[number])
      : undefined;
  }
  if (
    Array.isArray(doc.AccountAssignments) &&
    Array.isArray(doc.PermissionSets)
  ) {
    return 'aws-identity-center';
  }
  if (Array.isArray(doc.associations) && typeof doc.accountId === 'string') {
    return 'aws-eks-pod-identity';
  }
  if (
    Array.isArray(doc.Policies) &&
    doc.Policies.some(p => isObj(p) && isObj(p.Policy))
  ) {
    return 'aws-organizations-rcp';
  }
  return undefined;
}

function parseIdentityCenter(doc: Obj): IdentityCenterData {
  const where = 'Identity Center document';
  const instance = isObj(doc.Instance) ? doc.Instance : doc;
  const instanceArn = str(instance, 'InstanceArn', where);
  const identityStoreId = str(instance, 'IdentityStoreId', where);
  const permissionSets = list(doc, 'PermissionSets', where).map(p => {
    const set = isObj(p.PermissionSet) ? p.PermissionSet : p;
    return {
      arn: str(set, 'PermissionSetArn', `${where}, PermissionSets`),
      name: str(set, 'Name', `${where}, PermissionSets`),
      ...(optStr(set, 'Description')
        ? { description: optStr(set, 'Description') }
        : {}),
    };
  });
  const assignments: AccountAssignment[] = list(
    doc,
    'AccountAssignments',
    where,
  ).map(a => {
    const type = a.PrincipalType;
    if (type !== 'USER' && type !== 'GROUP') {
      throw new Error(
        `${where}, AccountAssignments: PrincipalType must be USER or GROUP, not ${JSON.stringify(
          type,
        )}`,
      );
    }
    const accountId = str(a, 'AccountId', `${where}, AccountAssignments`);
    if (!/^\d{12}$/.test(accountId)) {
      throw new Error(
        `${where}, AccountAssignments: "${accountId}" is not a 12-digit account id`,
      );
    }
    return {
      accountId,
      permissionSetArn: str(
        a,
        'PermissionSetArn',
        `${where}, AccountAssignments`,
      ),
      principalType: type,
      principalId: str(a, 'PrincipalId', `${where}, AccountAssignments`),
    };
  });
  const members = new Map<string, string[]>();
  for (const m of list(doc, 'GroupMemberships', where)) {
    const groupId = str(m, 'GroupId', `${where}, GroupMemberships`);
    const userId = isObj(m.MemberId) ? optStr(m.MemberId, 'UserId') : undefined;
    const ids = members.get(groupId) ?? [];
    if (userId) {
      ids.push(userId);
    }
    members.set(groupId, ids);
  }
  const assignedGroups = new Set(
    assignments
      .filter(a => a.principalType === 'GROUP')
      .map(a => a.principalId),
  );
  const groups: IdentityStoreGroup[] = list(doc, 'Groups', where).map(g => {
    const id = str(g, 'GroupId', `${where}, Groups`);
    const memberIds = members.get(id);
    return {
      id,
      displayName: optStr(g, 'DisplayName') ?? id,
      ...(optStr(g, 'Description')
        ? { description: optStr(g, 'Description') }
        : {}),
      externalIds: externalIds(g),
      // Memberships are read for the groups with assignments: those have a member list, maybe empty.
      ...(memberIds || assignedGroups.has(id)
        ? { memberIds: [...new Set(memberIds ?? [])].sort() }
        : {}),
    };
  });
  const users: IdentityStoreUser[] = list(doc, 'Users', where).map(u => {
    const emails = Array.isArray(u.Emails)
      ? u.Emails.filter(isObj)
          // The primary address first: it is the one a catalog User most likely carries.
          .sort(
            (a, b) => Number(Boolean(b.Primary)) - Number(Boolean(a.Primary)),
          )
          .flatMap(e => (typeof e.Value === 'string' ? [e.Value] : []))
      : [];
    return {
      id: str(u, 'UserId', `${where}, Users`),
      userName: str(u, 'UserName', `${where}, Users`),
      ...(optStr(u, 'DisplayName')
        ? { displayName: optStr(u, 'DisplayName') }
        : {}),
      emails,
      externalIds: externalIds(u),
    };
  });
  return {
    kind: 'aws-identity-center',
    instanceArn,
    identityStoreId,
    permissionSets,
    assignments,
    groups,
    users,
  };
}

function parsePodIdentity(doc: Obj): PodIdentityData {
  const where = 'EKS Pod Identity document';
  const accountId = str(doc, 'accountId', where);
  if (!/^\d{12}$/.test(accountId)) {
    throw new Error(`${where}: "${accountId}" is not a 12-digit account id`);
  }
  const region = str(doc, 'region', where);
  const associations: PodIdentityAssociation[] = list(
    doc,
    'associations',
    where,
  ).map(raw => {
    const a = isObj(raw.association) ? raw.association : raw;
    const w = `${where}, associations`;
    return {
      associationId: str(a, 'associationId', w),
      ...(optStr(a, 'associationArn')
        ? { associationArn: optStr(a, 'associationArn') }
        : {}),
      clusterName: str(a, 'clusterName', w),
      namespace: str(a, 'namespace', w),
      serviceAccount: str(a, 'serviceAccount', w),
      roleArn: str(a, 'roleArn', w),
      ...(optStr(a, 'targetRoleArn')
        ? { targetRoleArn: optStr(a, 'targetRoleArn') }
        : {}),
      ...(a.disableSessionTags === true ? { disableSessionTags: true } : {}),
    };
  });
  // `clusters` lists names, or what `aws eks describe-cluster` prints (`{ cluster: {…} }`, or its `cluster`).
  const entries = Array.isArray(doc.clusters) ? doc.clusters : [];
  const clusters = entries.filter((c): c is string => typeof c === 'string');
  const details = new Map<string, EksClusterDetails>();
  for (const entry of entries.filter(isObj)) {
    const c = isObj(entry.cluster) ? entry.cluster : entry;
    const w = `${where}, clusters`;
    const name = str(c, 'name', w);
    const oidc =
      isObj(c.identity) && isObj(c.identity.oidc)
        ? optStr(c.identity.oidc, 'issuer')
        : undefined;
    details.set(name, {
      name,
      ...(optStr(c, 'arn') ? { arn: optStr(c, 'arn') } : {}),
      ...(oidc ? { oidcIssuer: oidc } : {}),
    });
  }
  return {
    kind: 'aws-eks-pod-identity',
    accountId,
    region,
    clusters: [
      ...new Set([
        ...clusters,
        ...details.keys(),
        ...associations.map(a => a.clusterName),
      ]),
    ].sort(),
    associations,
    ...(details.size > 0
      ? {
          clusterDetails: [...details.values()].sort((a, b) =>
            a.name.localeCompare(b.name),
          ),
        }
      : {}),
  };
}

function parseDocument(content: unknown): unknown {
  if (typeof content !== 'string') {
    return content ?? undefined;
  }
  let text = content;
  if (/^%7B/i.test(text.trim())) {
    text = decodeURIComponent(text);
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function parseOrganizationPolicies(doc: Obj): OrganizationPoliciesData {
  const where = 'Organizations RCP document';
  const policies: ResourceControlPolicy[] = list(doc, 'Policies', where).map(
    entry => {
      const policy = isObj(entry.Policy) ? entry.Policy : entry;
      const summary = isObj(policy.PolicySummary)
        ? policy.PolicySummary
        : policy;
      const w = `${where}, Policies`;
      if (
        summary.Type !== undefined &&
        summary.Type !== 'RESOURCE_CONTROL_POLICY'
      ) {
        throw new Error(
          `${w}: policy ${String(summary.Id)} is a ${String(
            summary.Type,
          )}, not a RESOURCE_CONTROL_POLICY`,
        );
      }
      const targets = Array.isArray(entry.Targets)
        ? entry.Targets.flatMap(t =>
            isObj(t) && typeof t.TargetId === 'string' ? [t.TargetId] : [],
          )
        : [];
      return {
        id: str(summary, 'Id', w),
        name: optStr(summary, 'Name') ?? str(summary, 'Id', w),
        ...(optStr(summary, 'Arn') ? { arn: optStr(summary, 'Arn') } : {}),
        ...(optStr(summary, 'Description')
          ? { description: optStr(summary, 'Description') }
          : {}),
        ...(typeof summary.AwsManaged === 'boolean'
          ? { awsManaged: summary.AwsManaged }
          : {}),
        document: parseDocument(policy.Content),
        targets: [...new Set(targets)].sort(),
      };
    },
  );
  const accountParents: Record<string, string[]> = {};
  for (const account of list(doc, 'Accounts', where)) {
    const id = str(account, 'Id', `${where}, Accounts`);
    const parents = Array.isArray(account.Parents)
      ? account.Parents.filter((p): p is string => typeof p === 'string')
      : [];
    accountParents[id] = parents;
  }
  const organization = isObj(doc.Organization) ? doc.Organization : undefined;
  const organizationId =
    (organization && optStr(organization, 'Id')) ??
    optStr(doc, 'OrganizationId');
  return {
    kind: 'aws-organizations-rcp',
    ...(organizationId ? { organizationId } : {}),
    policies,
    accountParents,
  };
}

/**
 * Reads an effective-access document (a snapshot file, or what a live reader assembled from the
 * API's answers: the same shape, so both paths share this parser). Undefined when the document is
 * not one (e.g. `get-account-authorization-details` output); throws when it is one but malformed.
 */
export function parseEffectiveDocument(
  doc: unknown,
): EffectiveAccessData | undefined {
  const kind = effectiveKindOf(doc);
  if (!kind || !isObj(doc)) {
    return undefined;
  }
  switch (kind) {
    case 'aws-identity-center':
      return parseIdentityCenter(doc);
    case 'aws-eks-pod-identity':
      return parsePodIdentity(doc);
    default:
      return parseOrganizationPolicies(doc);
  }
}
