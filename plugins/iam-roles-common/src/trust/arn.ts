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
