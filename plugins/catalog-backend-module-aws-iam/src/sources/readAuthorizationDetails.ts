import {
  EntityType,
  GetAccountAuthorizationDetailsCommand,
  GetAccountAuthorizationDetailsCommandOutput,
  IAMClient,
} from '@aws-sdk/client-iam';
import { TooManyRolesError } from './types';

/** Largest page IAM serves for GetAccountAuthorizationDetails. */
export const MAX_ITEMS = 1000;

/** The result of reading one account completely. */
export interface AuthorizationDetailsRead {
  /** The account's details in the raw API form (documents still URL-encoded, dates as ISO strings). */
  document: {
    RoleDetailList: unknown[];
    Policies?: unknown[];
  };
  /** API calls made, retries not counted. */
  calls: number;
}

/** Turns SDK values (Dates) into the JSON the API form uses, so the trust engine parses them. */
function toJson(value: unknown): unknown {
  if (value instanceof Date) {
    return value.toISOString();
  }
  if (Array.isArray(value)) {
    return value.map(toJson);
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (key !== '$metadata' && v !== undefined) {
        out[key] = toJson(v);
      }
    }
    return out;
  }
  return value;
}

/**
 * Reads every role of an account with GetAccountAuthorizationDetails, 1,000 per page, following
 * `Marker` until `IsTruncated` is false. Any failing page rejects the whole read: a partial account
 * is never returned.
 */
export async function readAuthorizationDetails(
  client: IAMClient,
  options: {
    includeManagedPolicies?: boolean;
    signal?: AbortSignal;
    /** More roles than this fail the read (after the page that passes it), so one account's work is bounded. */
    maxRoles?: number;
  } = {},
): Promise<AuthorizationDetailsRead> {
  const filter: EntityType[] = ['Role'];
  if (options.includeManagedPolicies) {
    filter.push('LocalManagedPolicy', 'AWSManagedPolicy');
  }
  const roles: unknown[] = [];
  const policies: unknown[] = [];
  let marker: string | undefined;
  let calls = 0;
  for (;;) {
    if (options.signal?.aborted) {
      throw new Error('read aborted');
    }
    const page: GetAccountAuthorizationDetailsCommandOutput = await client.send(
      new GetAccountAuthorizationDetailsCommand({
        Filter: filter,
        MaxItems: MAX_ITEMS,
        Marker: marker,
      }),
      { abortSignal: options.signal },
    );
    calls += 1;
    for (const role of page.RoleDetailList ?? []) {
      roles.push(toJson(role));
    }
    if (options.maxRoles !== undefined && roles.length > options.maxRoles) {
      throw new TooManyRolesError(options.maxRoles);
    }
    for (const policy of page.Policies ?? []) {
      policies.push(toJson(policy));
    }
    if (!page.IsTruncated) {
      break;
    }
    if (!page.Marker || page.Marker === marker) {
      throw new Error(
        'GetAccountAuthorizationDetails answered IsTruncated=true without a new Marker',
      );
    }
    marker = page.Marker;
  }
  return {
    document: options.includeManagedPolicies
      ? { RoleDetailList: roles, Policies: policies }
      : { RoleDetailList: roles },
    calls,
  };
}
