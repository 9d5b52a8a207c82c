import { createHash } from 'node:crypto';

const MAX_NAME = 63;
const VALID_NAME = /^[A-Za-z0-9]+([-_.][A-Za-z0-9]+)*$/;

function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 8);
}

function sanitize(value: string): string {
  return value
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/[-_.]{2,}/g, m => m[0])
    .replace(/^[-_.]+|[-_.]+$/g, '');
}

/**
 * The `metadata.name` of a role entity: `<account>-<role name>`, readable and stable. IAM role
 * names are unique within an account whatever their path, so account and name identify the role;
 * a hash of the ARN (which holds the path) is appended only when characters had to be replaced or
 * the name had to be shortened, so that two roles can never share a name.
 */
export function roleEntityName(
  accountId: string,
  roleName: string,
  arn: string,
): string {
  const readable = `${accountId}-${roleName}`;
  if (readable.length <= MAX_NAME && VALID_NAME.test(readable)) {
    return readable;
  }
  const suffix = `-${shortHash(arn.toLowerCase())}`;
  const body = sanitize(readable)
    .slice(0, MAX_NAME - suffix.length)
    .replace(/[-_.]+$/, '');
  return `${body}${suffix}`;
}

/** The `metadata.name` of an account entity. */
export function accountEntityName(accountId: string): string {
  return `aws-account-${accountId}`;
}

/** The entity ref of an account entity in the default namespace. */
export function accountEntityRef(accountId: string): string {
  return `resource:default/${accountEntityName(accountId)}`;
}

/** The entity ref of a role entity in the default namespace. */
export function roleEntityRef(
  accountId: string,
  roleName: string,
  arn: string,
): string {
  return `resource:default/${roleEntityName(
    accountId,
    roleName,
    arn,
  )}`.toLowerCase();
}
