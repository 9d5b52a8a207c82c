/** The parts of an ARN. */
export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

/** Splits `arn:partition:service:region:account:resource` (the resource may itself hold colons). */
export function parseArn(value: string): ParsedArn | undefined {
  if (!value.startsWith('arn:')) return undefined;
  const c1 = 3;
  const c2 = value.indexOf(':', c1 + 1);
  const c3 = c2 < 0 ? -1 : value.indexOf(':', c2 + 1);
  const c4 = c3 < 0 ? -1 : value.indexOf(':', c3 + 1);
  const c5 = c4 < 0 ? -1 : value.indexOf(':', c4 + 1);
  if (c5 < 0) return undefined;
  return {
    partition: value.slice(c1 + 1, c2),
    service: value.slice(c2 + 1, c3),
    region: value.slice(c3 + 1, c4),
    accountId: value.slice(c4 + 1, c5),
    resource: value.slice(c5 + 1),
  };
}

const ACCOUNT_ID = /^\d{12}$/;

/** Whether a string is a 12-digit AWS account id. */
export function isAccountId(value: string): boolean {
  return ACCOUNT_ID.test(value);
}

/** The account id in an ARN, when it has one. */
export function accountOfArn(value: string): string | undefined {
  const parsed = parseArn(value);
  return parsed && isAccountId(parsed.accountId) ? parsed.accountId : undefined;
}

/** An IAM role ARN, or an STS assumed-role ARN, read as the role it stands for. */
export interface RoleArnParts {
  partition: string;
  accountId: string;
  /** The role's path (`/` or `/team/`); `undefined` for a session ARN, which does not carry it. */
  path?: string;
  name: string;
  /** For an assumed-role ARN: the session name. */
  session?: string;
}

/**
 * Reads `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME` or `arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION`;
 * `undefined` for anything else.
 */
export function parseRoleArn(value: string): RoleArnParts | undefined {
  const arn = parseArn(value);
  if (!arn || !isAccountId(arn.accountId) || !arn.partition.startsWith('aws'))
    return undefined;
  const r = arn.resource;
  if (arn.service === 'iam' && r.startsWith('role/') && arn.region === '') {
    const body = r.slice(5);
    const name = lastSegment(body);
    if (!name) return undefined;
    const path = `/${body.slice(0, body.length - name.length)}`;
    return {
      partition: arn.partition,
      accountId: arn.accountId,
      path: path.replace(/\/+/g, '/'),
      name,
    };
  }
  if (arn.service === 'sts' && r.startsWith('assumed-role/')) {
    const [, name, ...session] = r.split('/');
    if (!name || session.length === 0) return undefined;
    return {
      partition: arn.partition,
      accountId: arn.accountId,
      name,
      session: session.join('/'),
    };
  }
  return undefined;
}

/**
 * The key a role is known by whatever its path: `ACCOUNT:lower-case name` (IAM role names are unique per
 * account, case-insensitively). Works for role and assumed-role ARNs.
 */
export function roleKeyOfArn(value: string): string | undefined {
  const role = parseRoleArn(value);
  return role ? roleKey(role.accountId, role.name) : undefined;
}

/**
 * Account, type and key of a role or IAM user ARN whatever its path (`ACCOUNT:lower-case name`, as
 * {@link roleKeyOfArn}); `undefined` for anything else.
 */
export function principalKeyOfArn(
  value: string,
): { accountId: string; type: 'role' | 'user'; key: string } | undefined {
  const arn = parseArn(value);
  if (!arn || arn.service !== 'iam' || !isAccountId(arn.accountId))
    return undefined;
  if (arn.resource.startsWith('role/')) {
    const key = roleKeyOfArn(value);
    return key ? { accountId: arn.accountId, type: 'role', key } : undefined;
  }
  if (arn.resource.startsWith('user/')) {
    const name = lastSegment(arn.resource.slice(5));
    return name
      ? {
          accountId: arn.accountId,
          type: 'user',
          key: roleKey(arn.accountId, name),
        }
      : undefined;
  }
  return undefined;
}

/** The key of a role by account and name, as {@link roleKeyOfArn} gives it. */
export function roleKey(accountId: string, roleName: string): string {
  return `${accountId}:${roleName.toLowerCase()}`;
}

/**
 * The name of an IAM policy by its ARN (`arn:aws:iam::aws:policy/job-function/ViewOnlyAccess` →
 * `ViewOnlyAccess`); the text itself when it is no ARN.
 */
export function policyNameOfArn(value: string): string {
  const arn = parseArn(value);
  return (arn && lastSegment(arn.resource)) || value;
}

/** Last path segment of an IAM resource (`role/path/Name` → `Name`). */
export function lastSegment(resource: string): string {
  const i = resource.lastIndexOf('/');
  return i >= 0 ? resource.slice(i + 1) : resource;
}

/** Own-property lookup in a constant table (never the prototype's `constructor` or `__proto__`). */
export function lookup<T>(
  table: Record<string, T>,
  key: string,
): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key)
    ? table[key]
    : undefined;
}
