import { accountOfArn, roleKey, roleKeyOfArn } from './arn';
import type { RoleRecord } from './types';

/** Roles and accounts read from `get-account-authorization-details` output. */
export interface AuthorizationDetails {
  roles: RoleRecord[];
  /** Accounts that appear in the input (from role, user and group ARNs), sorted. */
  accountIds: string[];
  /** ARNs of the users and roles in the input, for dangling-principal checks. */
  principalArns: string[];
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// AWS CLI and SDK output use PascalCase; some tools write camelCase. Avoid scanning keys: this runs
// for every field of every role.
function get(obj: Json, name: string): unknown {
  const v = obj[name];
  if (v !== undefined) return v;
  return obj[name[0].toLowerCase() + name.slice(1)];
}

/** Lists as JSON arrays, or as the Query API's `{ member: [...] }`. */
function list(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isObject(value)) {
    const member = get(value, 'member');
    if (member !== undefined) return Array.isArray(member) ? member : [member];
  }
  return [];
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (value instanceof Date) return value.toISOString();
  return undefined;
}

function setTag(tags: Record<string, string>, key: string, value: string) {
  if (key === '__proto__') {
    Object.defineProperty(tags, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    tags[key] = value;
  }
}

function readTags(value: unknown): Record<string, string> {
  const tags: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const t of value) {
      if (!isObject(t)) continue;
      const k = str(t.Key ?? t.key);
      if (k !== undefined) setTag(tags, k, str(t.Value ?? t.value) ?? '');
    }
    return tags;
  }
  if (isObject(value) && get(value, 'member') === undefined) {
    for (const [k, v] of Object.entries(value)) {
      const s = str(v);
      if (s !== undefined) setTag(tags, k, s);
    }
    return tags;
  }
  for (const t of list(value)) {
    if (!isObject(t)) continue;
    const k = str(get(t, 'Key'));
    const v = str(get(t, 'Value'));
    if (k !== undefined) setTag(tags, k, v ?? '');
  }
  return tags;
}

interface RawRole {
  Arn?: unknown;
  RoleName?: unknown;
  RoleId?: unknown;
  Path?: unknown;
  AssumeRolePolicyDocument?: unknown;
  Tags?: unknown;
  AttachedManagedPolicies?: unknown;
  RolePolicyList?: unknown;
  CreateDate?: unknown;
  Description?: unknown;
  MaxSessionDuration?: unknown;
  RoleLastUsed?: unknown;
  PermissionsBoundary?: unknown;
}

// The camelCase spelling some tools write, precomputed: reading a missing optional field must not
// allocate (this runs for every role of a snapshot).
const CAMEL: Record<keyof RawRole, string> = {
  Arn: 'arn',
  RoleName: 'roleName',
  RoleId: 'roleId',
  Path: 'path',
  AssumeRolePolicyDocument: 'assumeRolePolicyDocument',
  Tags: 'tags',
  AttachedManagedPolicies: 'attachedManagedPolicies',
  RolePolicyList: 'rolePolicyList',
  CreateDate: 'createDate',
  Description: 'description',
  MaxSessionDuration: 'maxSessionDuration',
  RoleLastUsed: 'roleLastUsed',
  PermissionsBoundary: 'permissionsBoundary',
};

function field(raw: RawRole & Json, name: keyof RawRole): unknown {
  const v = raw[name];
  return v !== undefined ? v : raw[CAMEL[name]];
}

function readManagedPolicies(
  value: unknown,
): Array<{ name: string; arn: string }> {
  const out: Array<{ name: string; arn: string }> = [];
  for (const p of Array.isArray(value) ? value : list(value)) {
    if (isObject(p)) {
      out.push({
        name: str(p.PolicyName ?? p.policyName) ?? '',
        arn: str(p.PolicyArn ?? p.policyArn) ?? '',
      });
    }
  }
  return out;
}

function readInlinePolicyNames(value: unknown): string[] {
  const out: string[] = [];
  for (const p of Array.isArray(value) ? value : list(value)) {
    const name = isObject(p) ? str(p.PolicyName ?? p.policyName) : undefined;
    if (name) out.push(name);
  }
  return out;
}

function readRole(rawValue: unknown, index: number): RoleRecord {
  if (!isObject(rawValue))
    throw new Error(`RoleDetailList[${index}] is not an object`);
  const raw = rawValue as RawRole & Json;
  const arn = str(field(raw, 'Arn'));
  const roleName = str(field(raw, 'RoleName'));
  if (!arn || !roleName)
    throw new Error(`RoleDetailList[${index}] has no Arn or RoleName`);
  const accountId = accountOfArn(arn);
  if (!accountId)
    throw new Error(
      `RoleDetailList[${index}]: "${arn}" is not a role ARN with an account id`,
    );
  const role: RoleRecord = {
    arn,
    accountId,
    roleName,
    roleId: str(field(raw, 'RoleId')) ?? '',
    path: str(field(raw, 'Path')) ?? '/',
    assumeRolePolicyDocument: field(raw, 'AssumeRolePolicyDocument'),
    tags: readTags(field(raw, 'Tags')),
    attachedManagedPolicies: readManagedPolicies(
      field(raw, 'AttachedManagedPolicies'),
    ),
    inlinePolicyNames: readInlinePolicyNames(field(raw, 'RolePolicyList')),
  };
  const createDate = str(field(raw, 'CreateDate'));
  if (createDate) role.createDate = createDate;
  const description = str(field(raw, 'Description'));
  if (description) role.description = description;
  const maxRaw = field(raw, 'MaxSessionDuration');
  // Only a number or its text: Number() of an object may run its valueOf, or throw without one.
  const max =
    typeof maxRaw === 'number' || typeof maxRaw === 'string'
      ? Number(maxRaw)
      : NaN;
  if (Number.isFinite(max) && max > 0) role.maxSessionDuration = max;
  const lastUsed = field(raw, 'RoleLastUsed');
  if (isObject(lastUsed)) {
    const date = str(get(lastUsed, 'LastUsedDate'));
    const region = str(get(lastUsed, 'Region'));
    if (date || region) {
      role.lastUsed = {};
      if (date) role.lastUsed.date = date;
      if (region) role.lastUsed.region = region;
    }
  }
  const boundary = field(raw, 'PermissionsBoundary');
  if (isObject(boundary)) {
    const b = str(get(boundary, 'PermissionsBoundaryArn'));
    if (b) role.permissionsBoundary = b;
  }
  return role;
}

/** Unwraps the raw Query API envelope (`GetAccountAuthorizationDetailsResponse` → `…Result`). */
function unwrap(page: Json): Json {
  let current = page;
  for (const name of [
    'GetAccountAuthorizationDetailsResponse',
    'GetAccountAuthorizationDetailsResult',
  ]) {
    const inner = get(current, name);
    if (isObject(inner)) current = inner;
  }
  return current;
}

/**
 * Reads the output of `aws iam get-account-authorization-details` in AWS CLI form (decoded documents)
 * or raw API form (URL-encoded documents, optionally inside the Query API envelope), as a string or an
 * object; several pages may be given as an array. Throws an Error with a readable message when the
 * input is not such output. Trust policies are kept as given; {@link analyzeRole} decodes them.
 */
export function parseAuthorizationDetails(
  input: unknown,
): AuthorizationDetails {
  let value = input;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (e) {
      throw new Error(`Not JSON: ${(e as Error).message}`);
    }
  }
  const pages = Array.isArray(value) ? value : [value];
  const roles: RoleRecord[] = [];
  const accounts = new Set<string>();
  const principalArns: string[] = [];
  let recognised = false;
  pages.forEach(rawPage => {
    if (!isObject(rawPage)) return;
    const page = unwrap(rawPage);
    const roleList = get(page, 'RoleDetailList');
    const userList = get(page, 'UserDetailList');
    const groupList = get(page, 'GroupDetailList');
    if (
      roleList === undefined &&
      userList === undefined &&
      groupList === undefined
    )
      return;
    recognised = true;
    list(roleList).forEach((raw, i) => {
      const role = readRole(raw, i);
      roles.push(role);
      accounts.add(role.accountId);
      principalArns.push(role.arn);
    });
    for (const raw of [...list(userList), ...list(groupList)]) {
      if (!isObject(raw)) continue;
      const arn = str(get(raw, 'Arn'));
      const acct = arn ? accountOfArn(arn) : undefined;
      if (acct) accounts.add(acct);
      if (arn && get(raw, 'UserName') !== undefined) principalArns.push(arn);
    }
  });
  if (!recognised) {
    throw new Error(
      'Not get-account-authorization-details output: no RoleDetailList, UserDetailList or GroupDetailList found',
    );
  }
  return { roles, accountIds: [...accounts].sort(), principalArns };
}

/** Several reads merged into one, with what the merge had to decide. */
export interface MergedAuthorizationDetails extends AuthorizationDetails {
  /** One line per account that was read more than once, naming it. */
  warnings: string[];
}

/**
 * Merges several reads (files, or a file and a live read): a role read twice — the same account read
 * twice — is kept once, from the last read that holds it, and each such account is named in a warning.
 */
export function mergeAuthorizationDetails(
  reads: AuthorizationDetails[],
): MergedAuthorizationDetails {
  const byKey = new Map<string, RoleRecord>();
  const readsOfAccount = new Map<string, number>();
  const accounts = new Set<string>();
  const principalArns = new Set<string>();
  for (const read of reads) {
    const inThisRead = new Set<string>();
    for (const role of read.roles) {
      inThisRead.add(role.accountId);
      const key =
        roleKeyOfArn(role.arn) ?? roleKey(role.accountId, role.roleName);
      // Delete first so that the role takes the place of the read that last held it.
      byKey.delete(key);
      byKey.set(key, role);
    }
    for (const acct of inThisRead)
      readsOfAccount.set(acct, (readsOfAccount.get(acct) ?? 0) + 1);
    for (const acct of read.accountIds) accounts.add(acct);
    for (const arn of read.principalArns) principalArns.add(arn);
  }
  const warnings: string[] = [];
  for (const [acct, count] of [...readsOfAccount].sort()) {
    if (count > 1) {
      warnings.push(
        `account ${acct} was read ${count} times; each of its roles is listed once, as the last read has it`,
      );
    }
  }
  return {
    roles: [...byKey.values()],
    accountIds: [...accounts].sort(),
    principalArns: [...principalArns],
    warnings,
  };
}
