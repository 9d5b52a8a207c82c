import { decodePolicyDocument } from '@backstage-iam/plugin-iam-roles-common';

/** Which form a snapshot is in: printed by the AWS CLI, or as the IAM Query API / JS SDK return it. */
export type SnapshotForm = 'cli' | 'raw';

/** What `checkSnapshotFormat` found in one snapshot. */
export interface SnapshotFormatReport {
  form?: SnapshotForm;
  accountId?: string;
  roleCount: number;
  /** Everything that does not look like `get-account-authorization-details` output; empty when valid. */
  problems: string[];
}

const TOP_LEVEL_LISTS = [
  'UserDetailList',
  'GroupDetailList',
  'RoleDetailList',
  'Policies',
] as const;

const REQUIRED_ROLE_KEYS = [
  'Path',
  'RoleName',
  'RoleId',
  'Arn',
  'CreateDate',
  'AssumeRolePolicyDocument',
  'Tags',
  'RoleLastUsed',
] as const;

// Every key of IAM's RoleDetail type; anything else is not what the API returns.
const ROLE_DETAIL_KEYS = new Set<string>([
  ...REQUIRED_ROLE_KEYS,
  'InstanceProfileList',
  'RolePolicyList',
  'AttachedManagedPolicies',
  'PermissionsBoundary',
]);

const DATE_PATTERNS: Record<SnapshotForm, RegExp> = {
  // aws iam get-account-authorization-details prints `2023-04-12T09:14:33+00:00`
  cli: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+00:00$/,
  // the Query API returns `2023-04-12T09:14:33Z`; the JS SDK serialises its Dates with milliseconds
  raw: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/,
};

const PATH_PATTERN = /^(\/|\/[\u0021-\u007e]+\/)$/;
const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
const ROLE_ID_PATTERN = /^AROA[A-Z0-9]{17}$/;
const ACCOUNT_ARN_PATTERN = /^arn:aws:iam::(\d{12}):role(\/.*)$/;
const POLICY_ARN_PATTERN =
  /^arn:aws:iam::(aws|\d{12}):policy\/[\u0021-\u007e]+$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses a policy document the way the snapshot's form holds it: an object in CLI form, a
 * URL-encoded JSON string in raw form. Returns a problem description, or undefined when valid.
 */
function checkDocument(
  form: SnapshotForm,
  document: unknown,
  where: string,
): string | undefined {
  let parsed: unknown = document;
  if (form === 'raw') {
    if (typeof document !== 'string') {
      return `${where}: expected a URL-encoded JSON string (raw API form), got ${typeof document}`;
    }
    if (/[{}"]/.test(document)) {
      return `${where}: the raw API form is URL-encoded, but this string holds raw JSON characters`;
    }
    const decoded = decodePolicyDocument(document);
    if (!decoded.value) {
      return `${where}: does not URL-decode to a JSON policy (${decoded.error})`;
    }
    parsed = decoded.value;
  } else if (!isRecord(document)) {
    return `${where}: expected a decoded JSON object (AWS CLI form), got ${typeof document}`;
  }
  if (!isRecord(parsed)) {
    return `${where}: the document is not a JSON object`;
  }
  if (parsed.Version !== '2012-10-17' && parsed.Version !== '2008-10-17') {
    return `${where}: Version is ${JSON.stringify(parsed.Version)}`;
  }
  const statements = Array.isArray(parsed.Statement)
    ? parsed.Statement
    : [parsed.Statement];
  if (statements.length === 0 || !statements.every(isRecord)) {
    return `${where}: Statement must be an object or a non-empty array of objects`;
  }
  for (const statement of statements as Record<string, unknown>[]) {
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
      return `${where}: a statement has Effect ${JSON.stringify(
        statement.Effect,
      )}`;
    }
  }
  return undefined;
}

function detectForm(roles: unknown[]): SnapshotForm | undefined {
  const first = roles.find(isRecord);
  if (!first) return undefined;
  return typeof first.AssumeRolePolicyDocument === 'string' ? 'raw' : 'cli';
}

/**
 * Checks one parsed `aws iam get-account-authorization-details` output against the format
 * the AWS CLI prints (or the raw API returns): the four lists, every RoleDetail field, ids,
 * ARNs of one account, dates, and policy documents that parse.
 */
export function checkSnapshotFormat(snapshot: unknown): SnapshotFormatReport {
  const problems: string[] = [];
  if (!isRecord(snapshot)) {
    return { roleCount: 0, problems: ['the snapshot is not a JSON object'] };
  }
  for (const key of TOP_LEVEL_LISTS) {
    if (!Array.isArray(snapshot[key])) {
      problems.push(`top-level ${key} is missing or not an array`);
    }
  }
  const roles = Array.isArray(snapshot.RoleDetailList)
    ? (snapshot.RoleDetailList as unknown[])
    : [];
  const form = detectForm(roles);
  if (!form) {
    return { roleCount: 0, problems: [...problems, 'RoleDetailList is empty'] };
  }

  const accountIds = new Set<string>();
  const names = new Set<string>();
  const localPolicyArns = new Set<string>();
  for (const policy of Array.isArray(snapshot.Policies)
    ? snapshot.Policies
    : []) {
    if (isRecord(policy) && typeof policy.Arn === 'string') {
      localPolicyArns.add(policy.Arn);
      for (const [index, version] of (Array.isArray(policy.PolicyVersionList)
        ? policy.PolicyVersionList
        : []
      ).entries()) {
        const problem = checkDocument(
          form,
          isRecord(version) ? version.Document : undefined,
          `policy ${policy.Arn} version #${index}`,
        );
        if (problem) problems.push(problem);
      }
    } else {
      problems.push('a Policies entry has no Arn');
    }
  }

  roles.forEach((role, index) => {
    if (!isRecord(role)) {
      problems.push(`RoleDetailList[${index}] is not an object`);
      return;
    }
    const label =
      typeof role.RoleName === 'string'
        ? `role ${role.RoleName}`
        : `RoleDetailList[${index}]`;
    for (const key of REQUIRED_ROLE_KEYS) {
      if (!(key in role)) problems.push(`${label}: ${key} is missing`);
    }
    for (const key of Object.keys(role)) {
      if (!ROLE_DETAIL_KEYS.has(key)) {
        problems.push(`${label}: ${key} is not a field of IAM's RoleDetail`);
      }
    }
    if (typeof role.Path !== 'string' || !PATH_PATTERN.test(role.Path)) {
      problems.push(`${label}: Path ${JSON.stringify(role.Path)} is invalid`);
    }
    if (
      typeof role.RoleName !== 'string' ||
      !ROLE_NAME_PATTERN.test(role.RoleName)
    ) {
      problems.push(`${label}: RoleName is invalid`);
    } else {
      const folded = role.RoleName.toLocaleLowerCase('en-US');
      // IAM role names are unique per account regardless of case and path
      if (names.has(folded)) problems.push(`${label}: duplicate role name`);
      names.add(folded);
    }
    if (typeof role.RoleId !== 'string' || !ROLE_ID_PATTERN.test(role.RoleId)) {
      problems.push(
        `${label}: RoleId ${JSON.stringify(
          role.RoleId,
        )} is not AROA + 17 upper-case alphanumerics`,
      );
    }
    const arnMatch =
      typeof role.Arn === 'string' ? ACCOUNT_ARN_PATTERN.exec(role.Arn) : null;
    if (!arnMatch) {
      problems.push(
        `${label}: Arn ${JSON.stringify(role.Arn)} is not a role ARN`,
      );
    } else {
      accountIds.add(arnMatch[1]);
      if (arnMatch[2] !== `${role.Path}${role.RoleName}`) {
        problems.push(`${label}: Arn does not end in Path + RoleName`);
      }
    }
    const created =
      typeof role.CreateDate === 'string' &&
      DATE_PATTERNS[form].test(role.CreateDate)
        ? Date.parse(role.CreateDate)
        : undefined;
    if (created === undefined) {
      problems.push(
        `${label}: CreateDate ${JSON.stringify(
          role.CreateDate,
        )} is not in ${form} form`,
      );
    }
    const trustProblem = checkDocument(
      form,
      role.AssumeRolePolicyDocument,
      `${label}: AssumeRolePolicyDocument`,
    );
    if (trustProblem) problems.push(trustProblem);

    for (const [i, inline] of (Array.isArray(role.RolePolicyList)
      ? role.RolePolicyList
      : []
    ).entries()) {
      if (!isRecord(inline) || typeof inline.PolicyName !== 'string') {
        problems.push(`${label}: RolePolicyList[${i}] has no PolicyName`);
        continue;
      }
      const problem = checkDocument(
        form,
        inline.PolicyDocument,
        `${label}: inline policy ${inline.PolicyName}`,
      );
      if (problem) problems.push(problem);
    }
    for (const attached of Array.isArray(role.AttachedManagedPolicies)
      ? role.AttachedManagedPolicies
      : []) {
      const arn = isRecord(attached) ? attached.PolicyArn : undefined;
      const policyArn = typeof arn === 'string' ? arn : '';
      if (
        !isRecord(attached) ||
        typeof attached.PolicyName !== 'string' ||
        !POLICY_ARN_PATTERN.test(policyArn) ||
        !policyArn.endsWith(`/${attached.PolicyName}`)
      ) {
        problems.push(`${label}: an attached policy is malformed`);
      } else if (
        !policyArn.startsWith('arn:aws:iam::aws:') &&
        localPolicyArns.size > 0 &&
        !localPolicyArns.has(policyArn)
      ) {
        problems.push(`${label}: attached ${policyArn} is not in Policies`);
      }
    }
    for (const profile of Array.isArray(role.InstanceProfileList)
      ? role.InstanceProfileList
      : []) {
      const profileRoles =
        isRecord(profile) && Array.isArray(profile.Roles) ? profile.Roles : [];
      if (
        !isRecord(profile) ||
        typeof profile.InstanceProfileId !== 'string' ||
        !/^AIPA[A-Z0-9]{17}$/.test(profile.InstanceProfileId) ||
        !profileRoles.some(r => isRecord(r) && r.RoleId === role.RoleId)
      ) {
        problems.push(`${label}: an instance profile is malformed`);
      }
    }
    if (role.PermissionsBoundary !== undefined) {
      const boundary = role.PermissionsBoundary;
      if (
        !isRecord(boundary) ||
        boundary.PermissionsBoundaryType !== 'PermissionsBoundaryPolicy' ||
        typeof boundary.PermissionsBoundaryArn !== 'string' ||
        !POLICY_ARN_PATTERN.test(boundary.PermissionsBoundaryArn)
      ) {
        problems.push(`${label}: PermissionsBoundary is malformed`);
      }
    }
    if (
      !Array.isArray(role.Tags) ||
      !role.Tags.every(
        tag =>
          isRecord(tag) &&
          typeof tag.Key === 'string' &&
          typeof tag.Value === 'string' &&
          Object.keys(tag).length === 2,
      )
    ) {
      problems.push(`${label}: Tags must be an array of {Key, Value}`);
    }
    const lastUsed = role.RoleLastUsed;
    if (!isRecord(lastUsed)) {
      problems.push(`${label}: RoleLastUsed must be an object`);
    } else if (Object.keys(lastUsed).length > 0) {
      if (
        typeof lastUsed.LastUsedDate !== 'string' ||
        !DATE_PATTERNS[form].test(lastUsed.LastUsedDate) ||
        typeof lastUsed.Region !== 'string'
      ) {
        problems.push(
          `${label}: RoleLastUsed must be {} or {LastUsedDate, Region} in ${form} form`,
        );
      } else if (
        created !== undefined &&
        Date.parse(lastUsed.LastUsedDate) < created
      ) {
        problems.push(`${label}: last used before it was created`);
      }
    }
  });

  if (accountIds.size > 1) {
    problems.push(
      `roles of several accounts in one snapshot: ${[...accountIds].join(
        ', ',
      )}`,
    );
  }
  return {
    form,
    accountId: accountIds.size === 1 ? [...accountIds][0] : undefined,
    roleCount: roles.length,
    problems,
  };
}
