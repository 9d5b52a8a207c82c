import { isAccountId, parseArn } from './arn';
import { parseEksIssuer } from './eksClusters';
import type { PrincipalKind } from './types';

/** A principal value of a trust policy, classified. */
export interface ClassifiedPrincipal {
  kind: PrincipalKind;
  id: string;
  accountId?: string;
  /** For oidc: recognised provider (`github`, `gitlab`, `eks`, …). */
  provider?: string;
  /** For oidc: the issuer as IAM uses it in condition keys (`token.actions.githubusercontent.com`). */
  issuer?: string;
  /** For role/user: the name (without path). */
  name?: string;
  /** Lower-case lookup key used by the reverse index. */
  indexKey: string;
  /** Why IAM would refuse this principal (then it admits nobody); absent for a valid one. */
  invalid?: string;
}

/** Web identity providers IAM knows without an OIDC provider resource. */
export const BUILT_IN_FEDERATED: ReadonlyMap<string, string> = new Map([
  ['cognito-identity.amazonaws.com', 'cognito'],
  ['accounts.google.com', 'google'],
  ['www.amazon.com', 'amazon'],
  ['graph.facebook.com', 'facebook'],
]);

// Unique ids IAM leaves in a policy when the principal it named is deleted (AROA… roles, AIDA… users, …).
const UNIQUE_ID =
  /^A(ROA|IDA|GPA|IPA|NPA|NVA|SCA|CCA|PKA|KIA|SIA)[A-Z0-9]{12,}$/;

/** Whether a value is an IAM unique id (what remains of a deleted principal). */
export function isUniqueId(value: string): boolean {
  return UNIQUE_ID.test(value);
}

/** Recognises the well-known OIDC issuers; `undefined` for a private one. */
export function oidcProviderOf(issuer: string): string | undefined {
  const host = issuer.toLowerCase();
  const builtIn = BUILT_IN_FEDERATED.get(host);
  if (builtIn) return builtIn;
  if (host.startsWith('token.actions.githubusercontent.com')) return 'github';
  if (host === 'gitlab.com') return 'gitlab';
  if (host === 'app.terraform.io') return 'terraform-cloud';
  if (host.startsWith('oidc.circleci.com')) return 'circleci';
  if (host.startsWith('api.bitbucket.org')) return 'bitbucket';
  if (parseEksIssuer(host)) return 'eks';
  if (host === 'vstoken.actions.githubusercontent.com') return 'github';
  if (host.startsWith('vstoken.dev.azure.com')) return 'azure-devops';
  if (host === 'token.buildkite.com' || host === 'agent.buildkite.com')
    return 'buildkite';
  if (
    host.startsWith('oidc.spacelift.io') ||
    host.endsWith('.app.spacelift.io')
  )
    return 'spacelift';
  return undefined;
}

/**
 * Providers whose issuer is shared by every tenant: a role that trusts them must pin a tenant through
 * its conditions. Bitbucket and CircleCI put the workspace/organisation in the issuer, so their issuer
 * already pins the tenant unless it lacks that path.
 */
export function isSharedIssuer(issuer: string, provider?: string): boolean {
  switch (provider) {
    case 'github':
    case 'gitlab':
    case 'terraform-cloud':
    case 'cognito':
    case 'google':
    case 'amazon':
    case 'facebook':
    case 'buildkite':
      return true;
    case 'circleci':
      return !/\/org\/[^/]+/.test(issuer);
    case 'bitbucket':
      return !/\/workspaces\/[^/]+/.test(issuer);
    default:
      return false;
  }
}

function invalid(value: string, reason: string): ClassifiedPrincipal {
  return {
    kind: 'unique-id',
    id: value,
    indexKey: `invalid:${value.toLowerCase()}`,
    invalid: reason,
  };
}

const SERVICE_NAME = /^[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)+$/i;
const WILDCARD_INSIDE =
  'IAM accepts "*" only as the whole principal, never inside a principal name';

/**
 * Classifies one value of a `Principal` block under its type (`AWS`, `Service`, `Federated`,
 * `CanonicalUser`, `*`). A value IAM refuses to save (a wildcard inside an ARN, a malformed ARN, an
 * ARN of something that cannot be a principal) is classified with `invalid` set: it admits nobody.
 */
export function classifyPrincipal(
  type: string,
  value: string,
): ClassifiedPrincipal {
  const t = type.toLowerCase();
  if (value === '*') return { kind: 'public', id: '*', indexKey: '*' };
  if (/[*?]/.test(value)) return invalid(value, WILDCARD_INSIDE);
  if (t === 'service') {
    if (!SERVICE_NAME.test(value))
      return invalid(
        value,
        'not a service principal name such as ec2.amazonaws.com',
      );
    return {
      kind: 'service',
      id: value,
      indexKey: `service:${value.toLowerCase()}`,
    };
  }
  if (t === 'canonicaluser') {
    return {
      kind: 'canonical-user',
      id: value,
      indexKey: `canonical:${value.toLowerCase()}`,
    };
  }
  if (t === 'federated') {
    const builtIn = BUILT_IN_FEDERATED.get(value.toLowerCase());
    if (builtIn) {
      return {
        kind: 'oidc',
        id: value,
        provider: builtIn,
        issuer: value.toLowerCase(),
        indexKey: `oidc:${value.toLowerCase()}`,
      };
    }
    const arn = parseArn(value);
    if (arn && arn.service === 'iam') {
      if (arn.resource.startsWith('oidc-provider/')) {
        const issuer = arn.resource.slice('oidc-provider/'.length);
        return {
          kind: 'oidc',
          id: value,
          accountId: arn.accountId,
          provider: oidcProviderOf(issuer),
          issuer,
          indexKey: `oidc:${issuer.toLowerCase()}`,
        };
      }
      if (arn.resource.startsWith('saml-provider/')) {
        return {
          kind: 'saml',
          id: value,
          accountId: arn.accountId,
          name: arn.resource.slice('saml-provider/'.length),
          indexKey: `saml:${value.toLowerCase()}`,
        };
      }
    }
    if (arn)
      return invalid(
        value,
        'a federated principal must be an oidc-provider or saml-provider ARN',
      );
    // An issuer written without an ARN is not valid IAM; treat it as an OIDC issuer so it is still shown.
    return {
      kind: 'oidc',
      id: value,
      provider: oidcProviderOf(value),
      issuer: value,
      indexKey: `oidc:${value.toLowerCase()}`,
    };
  }
  // AWS (and anything else IAM would read as an AWS principal)
  if (isAccountId(value)) {
    return {
      kind: 'account',
      id: value,
      accountId: value,
      indexKey: `account:${value}`,
    };
  }
  if (isUniqueId(value)) {
    return { kind: 'unique-id', id: value, indexKey: `unique:${value}` };
  }
  const arn = parseArn(value);
  if (arn) {
    const acct = arn.accountId;
    const res = arn.resource;
    if (!isAccountId(acct))
      return invalid(value, 'the ARN has no 12-digit account id');
    if (arn.service === 'iam') {
      if (res === 'root') {
        return {
          kind: 'account',
          id: acct,
          accountId: acct,
          indexKey: `account:${acct}`,
        };
      }
      if (res.startsWith('role/')) {
        const name = res.slice(res.lastIndexOf('/') + 1);
        return {
          kind: 'role',
          id: value,
          accountId: acct,
          name,
          indexKey: `role:${acct}:${name.toLowerCase()}`,
        };
      }
      if (res.startsWith('user/')) {
        const name = res.slice(res.lastIndexOf('/') + 1);
        return {
          kind: 'user',
          id: value,
          accountId: acct,
          name,
          indexKey: `user:${acct}:${name.toLowerCase()}`,
        };
      }
    }
    if (arn.service === 'sts') {
      if (res.startsWith('assumed-role/')) {
        return {
          kind: 'assumed-role',
          id: value,
          accountId: acct,
          name: res.split('/')[1],
          indexKey: `assumed-role:${acct}:${res.slice(13).toLowerCase()}`,
        };
      }
      if (res.startsWith('federated-user/')) {
        return {
          kind: 'federated-user',
          id: value,
          accountId: acct,
          indexKey: `federated-user:${acct}:${res.slice(15).toLowerCase()}`,
        };
      }
    }
    return invalid(
      value,
      'not the ARN of an account root, role, user, role session or federated user',
    );
  }
  return invalid(
    value,
    'not an account id, an IAM or STS ARN, or the unique id of a deleted principal',
  );
}
