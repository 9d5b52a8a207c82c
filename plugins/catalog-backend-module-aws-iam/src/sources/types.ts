import type { RoleRecord } from '@backstage-iam/plugin-iam-roles-common';

/** An account holds more roles than the provider's `maxRolesPerAccount`: its read fails, its entities are kept. */
export class TooManyRolesError extends Error {
  constructor(limit: number, count?: number) {
    const has =
      count === undefined
        ? `more than ${limit} roles`
        : `${count} roles, more than ${limit}`;
    super(
      `the account has ${has} (the provider's maxRolesPerAccount): it was not read and its entities are kept as they were; raise maxRolesPerAccount to read it`,
    );
    this.name = 'TooManyRolesError';
  }
}

/** An account did not answer completely within the provider's `accountReadTimeoutSeconds`. */
export class AccountTimeoutError extends Error {
  constructor(ms: number) {
    super(
      `the account's read did not complete within ${
        ms / 1000
      } seconds (the provider's accountReadTimeoutSeconds): an AWS call hangs; its entities are kept as they were`,
    );
    this.name = 'AccountTimeoutError';
  }
}

/** A short, bounded name for the kind of an error (for metric attributes), never its message. */
export function errorNameOf(error: unknown): string {
  const name = (error as { name?: unknown })?.name;
  return typeof name === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(name)
    ? name
    : 'Error';
}

/** One account read completely. */
export interface AccountRead {
  accountId: string;
  /** Where the roles came from, as a location reference (`aws-iam-account:ID`, `aws-iam-snapshot:/path`): the broker trusts role entities only from these. */
  location: string;
  roles: RoleRecord[];
  /** API calls made for this account (live reads only). */
  calls?: number;
  /** When the read completed (ISO 8601). */
  readAt: string;
}

/** An account whose read failed: nothing of it may change. */
export interface AccountFailure {
  accountId: string;
  reason: string;
  /** The kind of error (AWS error code or error class), for metrics: Throttling, AccessDenied, AccountTimeoutError… */
  errorName?: string;
}

/** What one run of a source produced. */
export interface SourceRead {
  accounts: AccountRead[];
  failures: AccountFailure[];
  /**
   * True when the set of accounts is known for sure (configured, or discovered without error):
   * accounts held before and absent now were removed. False keeps every account not read.
   */
  complete: boolean;
  /** Display names of accounts learned while reading (e.g. from AWS Organizations). */
  accountNames: Record<string, string>;
  /** Errors that are not about one account (e.g. account discovery failed). */
  errors: string[];
  /** Things worth a look that changed nothing (e.g. one account in two snapshot files). */
  warnings?: string[];
}

/** A place roles are read from: live accounts or snapshot files. */
export interface IamRoleSource {
  /** Human-readable description for logs. */
  describe(): string;
  read(options?: { signal?: AbortSignal }): Promise<SourceRead>;
}

/** Runs `fn` over `items` with at most `limit` calls in flight; keeps order. */
export async function mapWithConcurrency<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from(
    { length: Math.min(Math.max(1, limit), items.length) },
    async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i], i);
      }
    },
  );
  await Promise.all(workers);
  return results;
}

/** A readable reason for any thrown value, with the AWS error code when there is one. */
export function describeError(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as {
      name?: string;
      message?: string;
      $metadata?: { httpStatusCode?: number; attempts?: number };
    };
    const status = e.$metadata?.httpStatusCode;
    const attempts = e.$metadata?.attempts;
    const parts = [
      e.name && e.name !== 'Error' ? `${e.name}:` : undefined,
      e.message || String(error),
      status
        ? `(HTTP ${status}${attempts ? `, ${attempts} attempts` : ''})`
        : undefined,
    ];
    return parts.filter(Boolean).join(' ');
  }
  return String(error);
}
