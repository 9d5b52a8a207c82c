import { isAccountId, lookup, parseArn } from './arn';
import { globMatch } from './glob';
import {
  ASSUME_ROLE,
  ASSUME_ROLE_WITH_SAML,
  ASSUME_ROLE_WITH_WEB_IDENTITY,
} from './actions';
import {
  ABSENT_VALUE,
  ContextValue,
  RequestContext,
  UNKNOWN_VALUE,
} from './conditions';
import type { ClassifiedPrincipal } from './principals';
import { oidcProviderOf } from './principals';
import type { ConditionClause, PrincipalContext } from './types';

/** Options for evaluation. */
export interface EvaluateOptions {
  /** Organisation id of an account, when known (settles `aws:PrincipalOrgID`). */
  organizationOf?: (accountId: string) => string | undefined;
  /** Evaluation time for `aws:CurrentTime` / `aws:EpochTime`; unknown when absent. */
  now?: Date;
}

/** How a caller matches one principal of a statement. */
export type PrincipalMatch =
  | { kind: 'no' }
  | { kind: 'yes'; issuer?: string }
  /** Matches only if an extra condition holds (e.g. which principal of the account it is). */
  | { kind: 'partial'; issuer?: string; clause: ConditionClause };

const NO: PrincipalMatch = { kind: 'no' };
const YES: PrincipalMatch = { kind: 'yes' };

/** A caller prepared for evaluation against many policies. */
export interface Caller {
  /** The assume action this caller uses. */
  via: string;
  match(p: ClassifiedPrincipal): PrincipalMatch;
  /** Request context; `issuer` is the web-identity issuer of the matched principal. */
  context(issuer?: string): RequestContext;
  /** Reverse-index keys whose principals may match this caller. */
  indexKeys(): string[];
  /** Whether principals of an index bucket may match only through a claim check (shared providers). */
  subjectHint?: string;
}

function present(...values: string[]): ContextValue {
  return { state: 'present', values };
}

/** Keys of web identity and SAML that are absent on a plain sts:AssumeRole call. */
function isFederationKey(keyLower: string): boolean {
  if (keyLower.startsWith('saml:')) return true;
  const colon = keyLower.indexOf(':');
  if (colon < 0) return false;
  const ns = keyLower.slice(0, colon);
  return ns.includes('.') || ns.includes('/');
}

function timeKeys(options: EvaluateOptions): Record<string, ContextValue> {
  // STS only answers over TLS, so every assume request has aws:SecureTransport = true.
  const tls = { 'aws:securetransport': present('true') };
  if (!options.now) return tls;
  return {
    ...tls,
    'aws:currenttime': present(options.now.toISOString()),
    'aws:epochtime': present(String(Math.floor(options.now.getTime() / 1000))),
  };
}

function makeContext(
  known: Record<string, ContextValue>,
  fallback: (keyLower: string) => ContextValue,
): RequestContext {
  return {
    get(keyLower) {
      return lookup(known, keyLower) ?? fallback(keyLower);
    },
  };
}

// Keys only present when a service acts for a resource, or only for AWS principals.
const SERVICE_ONLY_KEYS = new Set([
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:sourceorgid',
  'aws:sourceorgpaths',
]);
const AWS_PRINCIPAL_KEYS = new Set([
  'aws:principalarn',
  'aws:principalaccount',
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:principaltype',
  'aws:userid',
  'aws:username',
]);

interface AwsIdentity {
  accountId: string;
  kind:
    | 'root'
    | 'role'
    | 'assumed-role'
    | 'user'
    | 'federated-user'
    | 'account';
  name?: string;
  session?: string;
  arn?: string;
}

function awsIdentityFromArn(arnText: string): AwsIdentity {
  const arn = parseArn(arnText);
  if (!arn || !isAccountId(arn.accountId)) {
    throw new Error(`"${arnText}" is not an IAM or STS ARN with an account id`);
  }
  const r = arn.resource;
  if (arn.service === 'iam' && r === 'root')
    return { accountId: arn.accountId, kind: 'root', arn: arnText };
  if (arn.service === 'iam' && r.startsWith('role/')) {
    return {
      accountId: arn.accountId,
      kind: 'role',
      name: r.slice(r.lastIndexOf('/') + 1),
      arn: arnText,
    };
  }
  if (arn.service === 'iam' && r.startsWith('user/')) {
    return {
      accountId: arn.accountId,
      kind: 'user',
      name: r.slice(r.lastIndexOf('/') + 1),
      arn: arnText,
    };
  }
  if (arn.service === 'sts' && r.startsWith('assumed-role/')) {
    const [, name, ...session] = r.split('/');
    if (!name) throw new Error(`"${arnText}" has no role name`);
    return {
      accountId: arn.accountId,
      kind: 'assumed-role',
      name,
      session: session.join('/'),
      arn: arnText,
    };
  }
  if (arn.service === 'sts' && r.startsWith('federated-user/')) {
    return {
      accountId: arn.accountId,
      kind: 'federated-user',
      name: r.slice(15),
      arn: arnText,
    };
  }
  throw new Error(
    `"${arnText}" is not a principal ARN (expected …:root, …:role/…, …:user/…, …:assumed-role/… or …:federated-user/…)`,
  );
}

function awsCaller(
  id: AwsIdentity,
  options: EvaluateOptions,
  overrides?: Record<string, ContextValue>,
): Caller {
  const acct = id.accountId;
  const nameLower = id.name?.toLowerCase();
  const partition = id.arn ? parseArn(id.arn)!.partition : 'aws';
  const known: Record<string, ContextValue> = {
    'aws:principalaccount': present(acct),
    'aws:principalisawsservice': present('false'),
    'aws:principalservicename': ABSENT_VALUE,
    'aws:federatedprovider': ABSENT_VALUE,
    ...timeKeys(options),
  };
  const org = options.organizationOf?.(acct);
  if (org) known['aws:principalorgid'] = present(org);
  switch (id.kind) {
    case 'role':
      known['aws:principalarn'] = present(id.arn!);
      known['aws:principaltype'] = present('AssumedRole');
      known['aws:username'] = ABSENT_VALUE;
      break;
    case 'assumed-role':
      known['aws:principaltype'] = present('AssumedRole');
      known['aws:username'] = ABSENT_VALUE;
      // The role's path is not in a session ARN: aws:PrincipalArn is only known without a path.
      known['aws:principalarn'] = UNKNOWN_VALUE;
      break;
    case 'user':
      known['aws:principalarn'] = present(id.arn!);
      known['aws:principaltype'] = present('User');
      known['aws:username'] = present(id.name!);
      break;
    case 'federated-user':
      known['aws:principalarn'] = present(id.arn!);
      known['aws:principaltype'] = present('FederatedUser');
      break;
    case 'root':
      known['aws:principalarn'] = present(`arn:${partition}:iam::${acct}:root`);
      known['aws:principaltype'] = present('Account');
      break;
    default:
      break;
  }
  if (overrides) Object.assign(known, overrides);
  const ctx = makeContext(known, key => {
    if (isFederationKey(key)) return ABSENT_VALUE;
    if (SERVICE_ONLY_KEYS.has(key)) return ABSENT_VALUE;
    return UNKNOWN_VALUE;
  });
  const match = (p: ClassifiedPrincipal): PrincipalMatch => {
    switch (p.kind) {
      case 'public':
        return YES;
      case 'account':
        return p.accountId === acct ? YES : NO;
      case 'role':
      case 'user':
      case 'assumed-role':
      case 'federated-user': {
        if (p.accountId !== acct) return NO;
        if (id.kind === 'account') {
          return {
            kind: 'partial',
            clause: {
              operator: 'ArnEquals',
              key: 'aws:PrincipalArn',
              values: [p.id],
            },
          };
        }
        if (p.kind === 'role') {
          return (id.kind === 'role' || id.kind === 'assumed-role') &&
            p.name?.toLowerCase() === nameLower
            ? YES
            : NO;
        }
        if (p.kind === 'user') {
          return id.kind === 'user' && p.name?.toLowerCase() === nameLower
            ? YES
            : NO;
        }
        if (p.kind === 'assumed-role') {
          if (id.kind === 'assumed-role') {
            return p.indexKey ===
              `assumed-role:${acct}:${nameLower}/${id.session!.toLowerCase()}`
              ? YES
              : NO;
          }
          if (id.kind === 'role' && p.name?.toLowerCase() === nameLower) {
            // The role's sessions can get in, but only the one with that session name (aws:userid ends in it).
            const session = parseArn(p.id)!
              .resource.split('/')
              .slice(2)
              .join('/');
            return {
              kind: 'partial',
              clause: {
                operator: 'StringLike',
                key: 'aws:userid',
                values: [`*:${session}`],
              },
            };
          }
          return NO;
        }
        return id.kind === 'federated-user' && p.id === id.arn ? YES : NO;
      }
      default:
        return NO;
    }
  };
  const indexKeys = () => {
    const keys = ['*', `account:${acct}`];
    if (id.kind === 'account') keys.push(`in-account:${acct}`);
    if (nameLower && (id.kind === 'role' || id.kind === 'assumed-role'))
      keys.push(`role:${acct}:${nameLower}`);
    if (nameLower && id.kind === 'role')
      keys.push(`sessions-of:${acct}:${nameLower}`);
    if (nameLower && id.kind === 'user') keys.push(`user:${acct}:${nameLower}`);
    if (id.kind === 'assumed-role')
      keys.push(
        `assumed-role:${acct}:${nameLower}/${id.session!.toLowerCase()}`,
      );
    if (id.kind === 'federated-user')
      keys.push(`federated-user:${acct}:${nameLower}`);
    return keys;
  };
  return { via: ASSUME_ROLE, match, context: () => ctx, indexKeys };
}

/** The service IAM Roles Anywhere acts as: certificate attributes reach the role as principal tags. */
export const ROLES_ANYWHERE = 'rolesanywhere.amazonaws.com';

function serviceCaller(
  c: Extract<PrincipalContext, { type: 'service' }>,
  options: EvaluateOptions,
): Caller {
  const s = c.service.toLowerCase();
  const known: Record<string, ContextValue> = {
    'aws:principalisawsservice': present('true'),
    'aws:principalservicename': present(s),
    'aws:federatedprovider': ABSENT_VALUE,
    ...timeKeys(options),
  };
  if (c.sourceArn) {
    known['aws:sourcearn'] = present(c.sourceArn);
    const acct = parseArn(c.sourceArn)?.accountId;
    if (acct && isAccountId(acct)) known['aws:sourceaccount'] = present(acct);
  }
  if (c.sourceAccount) known['aws:sourceaccount'] = present(c.sourceAccount);
  // Roles Anywhere turns the certificate's subject, issuer and SANs into principal tags: an
  // attribute the caller did not state is unknown, not absent (the certificate may well carry it).
  const tagsUnknown = s === ROLES_ANYWHERE;
  for (const [tag, value] of Object.entries(c.principalTags ?? {}))
    known[`aws:principaltag/${tag.toLowerCase()}`] = present(value);
  for (const [tag, value] of Object.entries(c.requestTags ?? {}))
    known[`aws:requesttag/${tag.toLowerCase()}`] = present(value);
  const ctx = makeContext(known, key => {
    if (isFederationKey(key)) return ABSENT_VALUE;
    if (c.requestTagsComplete && key.startsWith('aws:requesttag/'))
      return ABSENT_VALUE;
    if (key.startsWith('aws:principaltag/'))
      return tagsUnknown ? UNKNOWN_VALUE : ABSENT_VALUE;
    if (AWS_PRINCIPAL_KEYS.has(key)) return ABSENT_VALUE;
    return UNKNOWN_VALUE;
  });
  return {
    via: ASSUME_ROLE,
    match: p =>
      p.kind === 'public' || (p.kind === 'service' && p.id.toLowerCase() === s)
        ? YES
        : NO,
    context: () => ctx,
    indexKeys: () => ['*', `service:${s}`],
  };
}

/** An account id that no value of the policy text mentions, for a caller from "some other account". */
function freshAccount(policyText: string): string {
  for (let n = 0; ; n++) {
    const id = String(987654321098 - n * 1_000_003);
    if (!policyText.includes(id)) return id;
  }
}

/**
 * Callers standing for "any AWS principal of an account we know nothing about": a role session, an
 * IAM user and an account root of an account and organisation the policy does not name. What such a
 * caller chooses itself (its names, tags, session name, ExternalId, source IP) is left unknown, so a
 * condition on it leaves the caller admitted ("possible"). A policy that admits one of them is open
 * to the world.
 */
export function outsiderCallers(policyText: string): Caller[] {
  const acct = freshAccount(policyText);
  const org = 'o-zz0utsider0rg';
  const orgKeys: Record<string, ContextValue> = {
    'aws:principalorgid': present(org),
    'aws:principalorgpaths': present(`${org}/r-zz00/ou-zz00-outsider/`),
  };
  const options: EvaluateOptions = {};
  return [
    awsCaller(
      {
        accountId: acct,
        kind: 'role',
        name: 'outsider',
        arn: `arn:aws:iam::${acct}:role/outsider`,
      },
      options,
      {
        ...orgKeys,
        'aws:principalarn': {
          state: 'prefix',
          prefix: `arn:aws:iam::${acct}:role/`,
        },
        'aws:userid': { state: 'prefix', prefix: 'AROAZZ0UTSIDER0R0LE00:' },
      },
    ),
    awsCaller(
      {
        accountId: acct,
        kind: 'user',
        name: 'outsider',
        arn: `arn:aws:iam::${acct}:user/outsider`,
      },
      options,
      {
        ...orgKeys,
        'aws:principalarn': {
          state: 'prefix',
          prefix: `arn:aws:iam::${acct}:user/`,
        },
        'aws:username': UNKNOWN_VALUE,
        'aws:userid': present('AIDAZZ0UTSIDER0USER00'),
      },
    ),
    awsCaller(
      { accountId: acct, kind: 'root', arn: `arn:aws:iam::${acct}:root` },
      options,
      { ...orgKeys, 'aws:userid': present(acct) },
    ),
    // An account outside any organisation: the organisation keys are absent (IfExists lets it in).
    awsCaller(
      {
        accountId: acct,
        kind: 'role',
        name: 'outsider',
        arn: `arn:aws:iam::${acct}:role/outsider`,
      },
      options,
      {
        'aws:principalorgid': ABSENT_VALUE,
        'aws:principalorgpaths': ABSENT_VALUE,
        'aws:principalarn': {
          state: 'prefix',
          prefix: `arn:aws:iam::${acct}:role/`,
        },
        'aws:userid': { state: 'prefix', prefix: 'AROAZZ0UTSIDER0R0LE00:' },
      },
    ),
  ];
}

/** A caller standing for "some AWS service" the policy does not name. */
export function anyServiceCaller(): Caller {
  return serviceCaller(
    { type: 'service', service: 'zz-outsider-probe.amazonaws.com' },
    {},
  );
}

/** A caller with a token of this issuer whose claims are all unknown: "some workload of the provider". */
export function anyTokenCaller(issuer: string): Caller {
  return webCaller(undefined, issuer, {}, {}, ['*']);
}

/**
 * A GitHub Actions workflow of an owner and repository we know nothing about: its subject starts
 * with `repo:`, everything after (owner, repository, ref) and the other claims are its own choice.
 */
export function strangerGithubCaller(): Caller {
  return webCaller(
    'github',
    undefined,
    { sub: { state: 'prefix', prefix: 'repo:' } },
    {},
    ['*'],
  );
}

/** Issuer (host/path, no scheme) from a provider ARN or URL. */
export function issuerOf(provider: string): string {
  const arn = parseArn(provider);
  if (arn && arn.resource.startsWith('oidc-provider/'))
    return arn.resource.slice(14);
  return provider.replace(/^https?:\/\//i, '').replace(/\/$/, '');
}

function webCaller(
  provider: 'github' | 'eks' | undefined,
  issuer: string | undefined,
  claims: Record<string, ContextValue>,
  options: EvaluateOptions,
  indexKeys: string[],
  subjectHint?: string,
): Caller {
  const issuerLower = issuer?.toLowerCase();
  const contexts = new Map<string, RequestContext>();
  const context = (matched?: string): RequestContext => {
    const raw = matched ?? issuer ?? '';
    let ctx = contexts.get(raw);
    if (ctx) return ctx;
    const iss = raw.toLowerCase();
    const known: Record<string, ContextValue> = { ...timeKeys(options) };
    for (const [claim, value] of Object.entries(claims))
      known[`${iss}:${claim.toLowerCase()}`] = value;
    const prefix = `${iss}:`;
    ctx = makeContext(known, key => {
      if (key.startsWith(prefix)) return UNKNOWN_VALUE;
      if (key === 'aws:federatedprovider') return UNKNOWN_VALUE;
      if (isFederationKey(key)) return ABSENT_VALUE;
      if (AWS_PRINCIPAL_KEYS.has(key) || key.startsWith('aws:principaltag/'))
        return ABSENT_VALUE;
      if (SERVICE_ONLY_KEYS.has(key) || key === 'sts:externalid')
        return ABSENT_VALUE;
      return UNKNOWN_VALUE;
    });
    contexts.set(raw, ctx);
    return ctx;
  };
  const match = (p: ClassifiedPrincipal): PrincipalMatch => {
    if (p.kind === 'public') return { kind: 'yes', issuer: issuer };
    if (p.kind !== 'oidc' || !p.issuer) return NO;
    const pIssuer = p.issuer.toLowerCase();
    if (issuerLower !== undefined)
      return pIssuer === issuerLower ? { kind: 'yes', issuer: p.issuer } : NO;
    if (provider && p.provider === provider) {
      if (provider === 'github') return { kind: 'yes', issuer: p.issuer };
      return {
        kind: 'partial',
        issuer: p.issuer,
        clause: {
          operator: 'ArnEquals',
          key: 'aws:FederatedProvider',
          values: [p.id],
        },
      };
    }
    return NO;
  };
  return {
    via: ASSUME_ROLE_WITH_WEB_IDENTITY,
    match,
    context,
    indexKeys: () => indexKeys,
    subjectHint,
  };
}

function githubCaller(
  c: Extract<PrincipalContext, { type: 'github' }>,
  options: EvaluateOptions,
): Caller {
  const repo = `${c.owner}/${c.repo}`;
  const claims: Record<string, ContextValue> = {
    aud: present(c.audience ?? 'sts.amazonaws.com'),
    repository: present(repo),
    repository_owner: present(c.owner),
  };
  if (c.environment) {
    claims.sub = present(`repo:${repo}:environment:${c.environment}`);
    claims.environment = present(c.environment);
  } else if (c.pullRequest) {
    claims.sub = present(`repo:${repo}:pull_request`);
    claims.environment = ABSENT_VALUE;
    claims.event_name = present('pull_request');
  } else if (c.ref) {
    claims.sub = present(`repo:${repo}:ref:${c.ref}`);
    claims.environment = ABSENT_VALUE;
  } else {
    claims.sub = { state: 'prefix', prefix: `repo:${repo}:` };
  }
  // New and renamed repositories get the immutable subject `repo:OWNER@ID/REPO@ID:…`; the ids are not
  // known here, so a policy written in that form for this owner and repository is "possible".
  const owner = c.owner.toLowerCase();
  const name = c.repo.toLowerCase();
  claims.sub = {
    state: 'either',
    inner: claims.sub,
    otherSpelling: value => {
      // Most subjects are in the usual form: rule them out before any parsing.
      if (value.indexOf('@') < 0) return false;
      const m = /^repo:([^/:]+)\/([^:]+)/.exec(value.toLowerCase());
      if (!m || !m[1].includes('@') || !m[2].includes('@')) return false;
      const o = m[1].slice(0, m[1].indexOf('@'));
      const r = m[2].slice(0, m[2].indexOf('@'));
      return (
        (o === owner || globMatch(o, owner)) &&
        (r === name || globMatch(r, name))
      );
    },
  };
  if (c.ref) {
    claims.ref = present(c.ref);
    if (c.ref.startsWith('refs/heads/')) claims.ref_type = present('branch');
    else if (c.ref.startsWith('refs/tags/')) claims.ref_type = present('tag');
  }
  return webCaller('github', undefined, claims, options, [
    '*',
    `github-repo:${repo.toLowerCase()}`,
    `github-owner:${c.owner.toLowerCase()}`,
    'github-any',
  ]);
}

/** Prepares a caller for evaluation. Throws on an unusable principal context. */
export function prepareCaller(
  principal: PrincipalContext,
  options: EvaluateOptions = {},
): Caller {
  switch (principal.type) {
    case 'arn':
      return awsCaller(awsIdentityFromArn(principal.arn), options);
    case 'account':
      if (!isAccountId(principal.accountId)) {
        throw new Error(
          `"${principal.accountId}" is not a 12-digit account id`,
        );
      }
      return awsCaller(
        { accountId: principal.accountId, kind: 'account' },
        options,
      );
    case 'service':
      return serviceCaller(principal, options);
    case 'github':
      return githubCaller(principal, options);
    case 'eks': {
      const issuer = principal.provider
        ? issuerOf(principal.provider)
        : undefined;
      const claims: Record<string, ContextValue> = {
        sub: present(
          `system:serviceaccount:${principal.namespace}:${principal.serviceAccount}`,
        ),
        aud: present('sts.amazonaws.com'),
      };
      return webCaller(
        'eks',
        issuer,
        claims,
        options,
        issuer ? ['*', `oidc:${issuer.toLowerCase()}`] : ['*', 'eks-any'],
      );
    }
    case 'oidc': {
      const issuer = issuerOf(principal.provider);
      const claims: Record<string, ContextValue> = {};
      for (const [k, v] of Object.entries(principal.claims)) {
        claims[k] = present(...(Array.isArray(v) ? v : [v]));
      }
      const provider = oidcProviderOf(issuer);
      if (provider === 'github' && !claims.aud)
        claims.aud = present('sts.amazonaws.com');
      return webCaller(undefined, issuer, claims, options, [
        '*',
        `oidc:${issuer.toLowerCase()}`,
      ]);
    }
    case 'saml': {
      const providerLower = principal.provider.toLowerCase();
      const known: Record<string, ContextValue> = {
        'saml:aud': present('https://signin.aws.amazon.com/saml'),
        'aws:federatedprovider': present(principal.provider),
        ...timeKeys(options),
      };
      for (const [k, v] of Object.entries(principal.claims ?? {})) {
        const key = k.toLowerCase().startsWith('saml:')
          ? k.toLowerCase()
          : `saml:${k.toLowerCase()}`;
        known[key] = present(...(Array.isArray(v) ? v : [v]));
      }
      const ctx = makeContext(known, key => {
        if (key.startsWith('saml:')) return UNKNOWN_VALUE;
        if (isFederationKey(key)) return ABSENT_VALUE;
        if (AWS_PRINCIPAL_KEYS.has(key) || key.startsWith('aws:principaltag/'))
          return ABSENT_VALUE;
        if (SERVICE_ONLY_KEYS.has(key) || key === 'sts:externalid')
          return ABSENT_VALUE;
        return UNKNOWN_VALUE;
      });
      return {
        via: ASSUME_ROLE_WITH_SAML,
        match: p =>
          p.kind === 'public' ||
          (p.kind === 'saml' && p.id.toLowerCase() === providerLower)
            ? YES
            : NO,
        context: () => ctx,
        indexKeys: () => ['*', `saml:${providerLower}`],
      };
    }
    case 'identity-center':
      // No trust policy names an identity-store principal: it gets in only as the SAML sign-in of
      // its assignments (identityCenterRoles), never by asking STS itself.
      return {
        via: ASSUME_ROLE_WITH_SAML,
        match: () => NO,
        context: () => makeContext({}, () => UNKNOWN_VALUE),
        indexKeys: () => [],
      };
    default:
      throw new Error('Unknown principal context');
  }
}
