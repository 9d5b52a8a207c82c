import { lookup, parseArn } from './arn';
import { issuerOf } from './caller';
import { parseOperator } from './conditions';
import { EksClusterName, parseEksIssuer } from './eksClusters';
import { hasWildcard } from './glob';
import type {
  ConditionClause,
  Finding,
  FindingId,
  Severity,
  TrustedPrincipal,
} from './types';

/** Options for {@link describePrincipal}. */
export interface DescribeOptions {
  /** Accounts of the organisation: other accounts are described as external. */
  internalAccounts?: string[];
  /** Friendly account names, by account id. */
  accountNames?: Record<string, string>;
  /**
   * EKS clusters by OIDC issuer id (what the catalog's account entities carry, see
   * `eksClusterNamesOf`): an IRSA principal then names its cluster instead of the issuer id.
   */
  eksClusters?: Record<string, EksClusterName>;
  /**
   * Who Identity Center assigns the role's permission set to in its account (`spec.iam.identityCenter`):
   * an `AWSSSO_` SAML principal is then described by its permission set and assignees, not its provider.
   */
  identityCenter?: Array<{
    permissionSetName: string;
    principals: Array<{ principalType: 'GROUP' | 'USER'; name: string }>;
  }>;
}

/** At most this many names of one kind; the rest are counted. */
const NAMED_ASSIGNEES = 3;

function assigneeWords(kind: 'group' | 'user', names: string[]): string {
  if (names.length === 0) return '';
  const noun = names.length === 1 ? kind : `${kind}s`;
  if (names.length <= NAMED_ASSIGNEES)
    return `${noun} ${quoteList(names, 'and')}`;
  const shown = names.slice(0, NAMED_ASSIGNEES - 1).map(n => `"${n}"`);
  return `${noun} ${shown.join(', ')} and ${names.length - shown.length} more`;
}

function describeIdentityCenter(
  access: NonNullable<DescribeOptions['identityCenter']>,
): string {
  const sets = [...new Set(access.map(a => a.permissionSetName))];
  const of = (type: 'GROUP' | 'USER') => [
    ...new Set(
      access.flatMap(a =>
        a.principals.filter(p => p.principalType === type).map(p => p.name),
      ),
    ),
  ];
  const who = [
    assigneeWords('group', of('GROUP')),
    assigneeWords('user', of('USER')),
  ].filter(Boolean);
  const set = `Identity Center permission set ${sets.join(', ')}`;
  return who.length > 0
    ? `${set}, assigned to ${who.join(' and ')}`
    : `${set}, assigned to no one in this account`;
}

function quoteList(values: string[], joiner = 'or'): string {
  const q = values.map(v => `"${v}"`);
  if (q.length <= 1) return q.join('');
  return `${q.slice(0, -1).join(', ')} ${joiner} ${q[q.length - 1]}`;
}

function account(id: string | undefined, options: DescribeOptions): string {
  if (!id) return 'an unknown account';
  const name = options.accountNames?.[id];
  let scope = '';
  if (options.internalAccounts) {
    // Only what was configured is known: an account not listed may still be one of ours.
    scope = options.internalAccounts.includes(id)
      ? ' (internal)'
      : ' (not configured as internal)';
  }
  return name ? `account ${id} "${name}"${scope}` : `account ${id}${scope}`;
}

/**
 * An EKS cluster by its OIDC issuer (URL, issuer or provider ARN), in words: "cluster
 * acme-production (eu-west-1, acme-production)" when `eksClusters` knows it, "cluster
 * 8D70EFBA7736795BE8B00B497EE67693 (eu-west-1)" when not; undefined for an issuer that is not EKS's.
 */
export function describeEksCluster(
  issuer: string,
  options: DescribeOptions = {},
): string | undefined {
  const parsed = parseEksIssuer(issuer);
  if (!parsed) return undefined;
  const known = options.eksClusters?.[parsed.id];
  if (!known) return `cluster ${parsed.id} (${parsed.region})`;
  const where =
    options.accountNames?.[known.accountId] ?? `account ${known.accountId}`;
  return `cluster ${known.name} (${known.region}, ${where})`;
}

/** The positive string clause on one claim of a principal's token (`…:sub`), with whether it matches patterns. */
function claimClause(
  p: Pick<TrustedPrincipal, 'kind' | 'id' | 'conditions'>,
  suffix: string,
): { clause: ConditionClause; like: boolean } | undefined {
  const issuer = p.kind === 'oidc' ? issuerOf(p.id).toLowerCase() : '';
  for (const c of p.conditions) {
    const key = c.key.toLowerCase();
    if (
      key !== `${issuer}:${suffix}` &&
      !(issuer === '' && key.endsWith(`:${suffix}`))
    )
      continue;
    const op = parseOperator(c.operator);
    if (!op.info || op.info.family !== 'string' || op.info.negated) continue;
    return { clause: c, like: !!op.info.like };
  }
  return undefined;
}

function valuesOf(
  p: TrustedPrincipal,
  suffix: string,
): { values: string[]; like: boolean } | undefined {
  const found = claimClause(p, suffix);
  return found && { values: found.clause.values, like: found.like };
}

/** What the part of a GitHub subject after `repo:OWNER/REPO` names. */
type GithubSubjectScope =
  | { kind: 'none' }
  | { kind: 'any' }
  | { kind: 'branch' | 'tag' | 'environment'; name: string; pattern: boolean }
  | { kind: 'pull_request' }
  | { kind: 'other'; text: string };

/** A `repo:OWNER/REPO[:…]` subject, read: the one parser of GitHub subjects the words are built on. */
interface GithubSubject {
  /** Owner and repository as people know them (the immutable `NAME@ID` form without its id). */
  owner: string;
  repo: string;
  /** The repository is a pattern (a wildcard in a `StringLike` value). */
  repoPattern: boolean;
  scope: GithubSubjectScope;
}

function parseGithubSubject(
  value: string,
  like: boolean,
): GithubSubject | undefined {
  const wild = like && hasWildcard(value);
  const m = /^repo:([^/:]+)\/([^:]+)(?::(.*))?$/.exec(value);
  if (!m || (wild && /[*?]/.test(m[1]))) return undefined;
  const owner = m[1].replace(/@\d+$/, '');
  const repo = m[2].replace(/@\d+$/, '');
  const rest = m[3];
  const repoPattern = wild && /[*?]/.test(repo);
  return { owner, repo, repoPattern, scope: scopeOf(rest, wild) };
}

function scopeOf(rest: string | undefined, wild: boolean): GithubSubjectScope {
  if (rest === undefined) return { kind: 'none' };
  if (wild && /^\*+$/.test(rest)) return { kind: 'any' };
  if (rest === 'pull_request') return { kind: 'pull_request' };
  const m = /^(?:ref:refs\/(heads|tags)\/|(environment):)(.+)$/.exec(rest);
  if (!m) return { kind: 'other', text: rest };
  const kinds = {
    heads: 'branch',
    tags: 'tag',
    environment: 'environment',
  } as const;
  const kind = kinds[(m[1] ?? m[2]) as keyof typeof kinds];
  return { kind, name: m[3], pattern: wild && hasWildcard(m[3]) };
}

const PLURAL = {
  branch: 'branches',
  tag: 'tags',
  environment: 'environments',
} as const;

/** "branch main", `tags matching "v*"`, "pull requests", "any ref": the scope of a subject in words. */
function scopeWords(scope: GithubSubjectScope): string {
  switch (scope.kind) {
    case 'none':
      return '';
    case 'any':
      return 'any ref';
    case 'pull_request':
      return 'pull requests';
    case 'other':
      return `subject "${scope.text}"`;
    default:
      return scope.pattern
        ? `${PLURAL[scope.kind]} matching "${scope.name}"`
        : `${scope.kind} ${scope.name}`;
  }
}

/** "acme/api", or for a pattern "any repository of acme" / `repositories of acme matching "api-*"`. */
function repositoryWords(s: GithubSubject): string {
  if (!s.repoPattern) return `${s.owner}/${s.repo}`;
  return s.repo === '*'
    ? `any repository of ${s.owner}`
    : `repositories of ${s.owner} matching "${s.repo}"`;
}

function describeGithubSubject(value: string, like: boolean): string {
  const s = parseGithubSubject(value, like);
  if (!s) {
    if (!(like && hasWildcard(value)))
      return `GitHub Actions with subject "${value}"`;
    return value === '*' ||
      /^repo:[*?]/.test(value) ||
      !value.startsWith('repo:')
      ? `any GitHub repository of any owner (subject "${value}")`
      : `any GitHub repository whose subject matches "${value}"`;
  }
  if (s.repoPattern) return repositoryWords(s);
  const where = `GitHub Actions in ${repositoryWords(s)}`;
  const scope = s.scope;
  switch (scope.kind) {
    case 'none':
      return where;
    case 'any':
      return `${where} (any branch, tag, pull request or environment)`;
    case 'branch':
    case 'tag':
    case 'environment': {
      const prep = scope.kind === 'environment' ? 'in' : 'on';
      return `${where} ${prep} ${scopeWords(scope)}`;
    }
    case 'pull_request':
      return `${where} on pull requests`;
    default:
      return `${where} (${scope.text})`;
  }
}

function joinAlternatives(parts: string[]): string {
  const unique = [...new Set(parts)];
  return unique.length <= 1
    ? unique.join('')
    : `${unique.slice(0, -1).join('; ')}; or ${unique[unique.length - 1]}`;
}

function describeOidc(p: TrustedPrincipal, options: DescribeOptions): string {
  const issuer = issuerOf(p.id);
  const sub = valuesOf(p, 'sub');
  const aud = valuesOf(p, 'aud');
  switch (p.provider) {
    case 'github': {
      if (sub) {
        const texts = sub.values.map(v => describeGithubSubject(v, sub.like));
        // "GitHub Actions in a/x on branch main" × n → "GitHub Actions in a/x, a/y or a/z on branch main"
        const parts = texts.map(t => /^GitHub Actions in (\S+)( .*)?$/.exec(t));
        const tails = new Set(parts.map(m => m?.[2] ?? ''));
        if (texts.length > 1 && parts.every(m => m) && tails.size === 1) {
          const repos = parts.map(m => m![1]);
          const list = `${repos.slice(0, -1).join(', ')} or ${
            repos[repos.length - 1]
          }`;
          return `GitHub Actions in ${list}${[...tails][0]}`;
        }
        return joinAlternatives(texts);
      }
      const repo = valuesOf(p, 'repository');
      if (repo)
        return joinAlternatives(repo.values.map(v => `GitHub Actions in ${v}`));
      const owner = valuesOf(p, 'repository_owner');
      if (owner)
        return joinAlternatives(
          owner.values.map(v => `any repository of ${v}`),
        );
      return 'GitHub Actions in any repository of any owner';
    }
    case 'eks': {
      const on = `on ${
        describeEksCluster(issuer, options) ?? `cluster ${issuer}`
      }`;
      if (!sub) return `any EKS service account ${on}`;
      return joinAlternatives(
        sub.values.map(v => {
          const m = /^system:serviceaccount:([^:]+):(.+)$/.exec(v);
          if (!m) return `EKS workloads with subject "${v}" ${on}`;
          if (sub.like && m[2] === '*')
            return `any EKS service account in namespace ${m[1]} ${on}`;
          return `EKS service account ${m[1]}/${m[2]} ${on}`;
        }),
      );
    }
    case 'gitlab': {
      if (!sub) return 'GitLab CI/CD in any project of any group';
      return joinAlternatives(
        sub.values.map(v => {
          const m = /^project_path:([^:]+):ref_type:([^:]+):ref:(.+)$/.exec(v);
          if (m) return `GitLab CI/CD in ${m[1]} on ${m[2]} ${m[3]}`;
          return `GitLab CI/CD with subject "${v}"`;
        }),
      );
    }
    case 'terraform-cloud':
      return sub
        ? joinAlternatives(
            sub.values.map(v => {
              const m =
                /^organization:([^:]+):project:([^:]+):workspace:([^:]+):run_phase:([^:]+)$/.exec(
                  v,
                );
              if (!m) return `HCP Terraform runs with subject "${v}"`;
              const [, org, project, workspace, phase] = m;
              const ws =
                workspace === '*'
                  ? `any workspace of project ${project}`
                  : `workspace ${workspace} (project ${project})`;
              return `HCP Terraform runs of ${ws} in organization ${org}${
                phase === '*' ? '' : `, ${phase} phase`
              }`;
            }),
          )
        : 'HCP Terraform runs of any organization';
    case 'buildkite':
      return sub
        ? joinAlternatives(
            sub.values.map(v => {
              const m = /^organization:([^:]+):pipeline:([^:]+)(?::|$)/.exec(v);
              if (!m) return `Buildkite jobs with subject "${v}"`;
              return m[2] === '*'
                ? `Buildkite jobs of any pipeline of ${m[1]}`
                : `Buildkite jobs of pipeline ${m[1]}/${m[2]}`;
            }),
          )
        : 'Buildkite jobs of any organization';
    case 'circleci': {
      const org = /\/org\/([^/]+)/.exec(issuer)?.[1];
      const of = org ? ` of organization ${org}` : '';
      if (!sub) return `CircleCI jobs in any project${of}`;
      return joinAlternatives(
        sub.values.map(v => {
          const m = /^org\/([^/]+)\/project\/([^/]+)(?:\/user\/(.+))?$/.exec(v);
          if (!m) return `CircleCI jobs with subject "${v}"`;
          return m[2] === '*'
            ? `CircleCI jobs in any project of organization ${m[1]}`
            : `CircleCI jobs in project ${m[2]} of organization ${m[1]}`;
        }),
      );
    }
    case 'bitbucket': {
      const ws = /\/workspaces\/([^/]+)/.exec(issuer)?.[1];
      const of = ws ? ` of workspace ${ws}` : '';
      return sub
        ? joinAlternatives(
            sub.values.map(v => `Bitbucket Pipelines${of} with subject "${v}"`),
          )
        : `Bitbucket Pipelines in any repository${of}`;
    }
    case 'cognito': {
      const amr = valuesOf(p, 'amr');
      const guests =
        !amr || amr.values.some(v => /^unauthenticated$|^\*$/.test(v));
      const who = aud
        ? `Cognito identity pool ${quoteList(aud.values)}`
        : 'identities of any Cognito identity pool';
      if (amr && !guests) return `signed-in users of ${who}`;
      return amr
        ? `${who}, including guests (anyone, without signing in)`
        : `${who} (guests too, if the pool allows guest access)`;
    }
    case 'google':
      return aud
        ? `Google accounts signing in to client ${quoteList(aud.values)}`
        : 'any Google account';
    case 'amazon':
      return 'Login with Amazon users';
    case 'facebook':
      return 'Facebook users';
    default:
      return sub
        ? `workloads of OIDC provider ${issuer} with subject ${quoteList(
            sub.values,
          )}`
        : `any identity of OIDC provider ${issuer}`;
  }
}

/** Plain words for a trusted principal, e.g. "GitHub Actions in acme/payments-api on branch main". */
export function describePrincipal(
  p: TrustedPrincipal,
  options: DescribeOptions = {},
): string {
  const hasExternalId = p.conditions.some(
    c => c.key.toLowerCase() === 'sts:externalid',
  );
  const externalId = hasExternalId ? ' with an ExternalId' : '';
  switch (p.kind) {
    case 'public':
      if (p.except) return `anyone except ${p.except.join(', ')}`;
      // With conditions, "*" is not "anyone": say what a caller must meet.
      return p.conditions.length > 0
        ? `any principal that meets: ${p.conditions
            .map(describeCondition)
            .join('; and ')}`
        : 'anyone (any AWS principal in any account)';
    case 'account':
      return `${account(p.accountId ?? p.id, options)}${externalId}`;
    case 'role': {
      const arn = parseArn(p.id);
      const name = arn
        ? arn.resource.slice(arn.resource.lastIndexOf('/') + 1)
        : p.id;
      return `role ${name} in ${account(p.accountId, options)}${externalId}`;
    }
    case 'user': {
      const arn = parseArn(p.id);
      const name = arn
        ? arn.resource.slice(arn.resource.lastIndexOf('/') + 1)
        : p.id;
      return `IAM user ${name} in ${account(
        p.accountId,
        options,
      )}${externalId}`;
    }
    case 'assumed-role': {
      const parts = parseArn(p.id)?.resource.split('/') ?? [];
      return `session "${parts.slice(2).join('/')}" of role ${
        parts[1]
      } in ${account(p.accountId, options)}`;
    }
    case 'federated-user': {
      const r = parseArn(p.id)?.resource ?? p.id;
      return `federated user ${r.slice(r.indexOf('/') + 1)} in ${account(
        p.accountId,
        options,
      )}`;
    }
    case 'service':
      return `the AWS service ${p.id}`;
    case 'oidc':
      return describeOidc(p, options);
    case 'saml': {
      const name =
        parseArn(p.id)?.resource.slice('saml-provider/'.length) ?? p.id;
      if (!name.startsWith('AWSSSO_'))
        return `users signing in through SAML provider ${name}`;
      return options.identityCenter?.length
        ? describeIdentityCenter(options.identityCenter)
        : `Identity Center permission set via SAML provider ${name}`;
    }
    case 'canonical-user':
      return `the S3 canonical user ${p.id}`;
    case 'unique-id':
      return `a deleted principal (unique id ${p.id})`;
    default:
      return p.id;
  }
}

const KEY_WORDS: Record<string, string> = {
  'sts:externalid': 'the ExternalId',
  'sts:sourceidentity': 'the source identity',
  'sts:rolesessionname': 'the session name',
  'aws:principalorgid': "the caller's organization",
  'aws:principalorgpaths': "the caller's organization path",
  'aws:principalaccount': "the caller's account",
  'aws:principalarn': 'the caller',
  'aws:principaltype': "the caller's type",
  'aws:sourceaccount': 'the account the service acts for',
  'aws:sourcearn': 'the resource the service acts for',
  'aws:sourceorgid': "the source resource's organization",
  'aws:sourceip': "the caller's IP address",
  'aws:sourcevpc': 'the VPC',
  'aws:sourcevpce': 'the VPC endpoint',
  'aws:multifactorauthpresent': 'MFA',
  'aws:multifactorauthage': 'the age of the MFA sign-in (seconds)',
  'aws:securetransport': 'TLS',
  'aws:currenttime': 'the time',
  'aws:epochtime': 'the time',
  'aws:userid': "the caller's unique id",
  'aws:username': "the caller's user name",
  'aws:federatedprovider': 'the identity provider',
  'aws:principalservicename': 'the calling service',
  'aws:principalisawsservice': 'the caller being an AWS service',
  'saml:aud': 'the SAML assertion audience',
  'saml:sub': 'the SAML subject',
  'saml:iss': 'the SAML issuer',
};

function keyWords(key: string): string {
  const lower = key.toLowerCase();
  const known = lookup(KEY_WORDS, lower);
  if (known) return known;
  const x509 = /^aws:principaltag\/x509(subject|issuer|san)\/(.+)$/i.exec(key);
  if (x509) {
    const whose: Record<string, string> = {
      subject: "the certificate's subject",
      issuer: "the certificate's issuer",
      san: "the certificate's alternative name",
    };
    return `${whose[x509[1].toLowerCase()]} ${x509[2]}`;
  }
  if (lower.startsWith('aws:principaltag/'))
    return `the caller's tag "${key.slice(17)}"`;
  if (lower.startsWith('aws:requesttag/'))
    return `the session tag "${key.slice(15)}"`;
  if (lower.startsWith('saml:')) return `the SAML attribute ${key.slice(5)}`;
  const colon = key.lastIndexOf(':');
  if (colon > 0 && (key.includes('.') || key.includes('/'))) {
    const claim = key.slice(colon + 1);
    const names: Record<string, string> = {
      sub: 'the token subject',
      aud: 'the token audience',
      amr: 'the sign-in type',
      repository: 'the repository',
      repository_owner: 'the repository owner',
      ref: 'the Git ref',
      environment: 'the deployment environment',
      job_workflow_ref: 'the workflow',
      actor: 'the GitHub actor',
    };
    return lookup(names, claim.toLowerCase()) ?? `the token claim "${claim}"`;
  }
  return key;
}

/** Plain words for a condition clause, e.g. `the ExternalId is "acme-7f3a"`. */
export function describeCondition(c: ConditionClause): string {
  return conditionWords(c, {});
}

/**
 * {@link describeCondition} with what the options name: an identity provider that is an EKS
 * cluster's reads "the workload runs on cluster acme-production (eu-west-1, acme-production)"
 * rather than its ARN. `conditions.map(describeConditionWith(options))`.
 */
export function describeConditionWith(
  options: DescribeOptions,
): (c: ConditionClause) => string {
  return c => conditionWords(c, options);
}

function conditionWords(c: ConditionClause, options: DescribeOptions): string {
  const op = parseOperator(c.operator);
  const subject = keyWords(c.key);
  const lowerKey = c.key.toLowerCase();
  const values = c.values;
  const clusters =
    lowerKey === 'aws:federatedprovider' &&
    op.info &&
    (op.info.family === 'arn' || op.info.family === 'string') &&
    values.length > 0
      ? values.map(v => describeEksCluster(v, options))
      : [];
  let text: string;
  if (clusters.length > 0 && clusters.every(Boolean)) {
    const on = [...new Set(clusters as string[])];
    const list =
      on.length <= 1
        ? on.join('')
        : `${on.slice(0, -1).join(', ')} ${op.info!.negated ? 'nor' : 'or'} ${
            on[on.length - 1]
          }`;
    text = op.info!.negated
      ? `the workload does not run on ${list}`
      : `the workload runs on ${list}`;
  } else if (!op.info) {
    text = `${c.key} ${c.operator} ${quoteList(values)}`;
  } else {
    const { family, negated, cmp } = op.info;
    switch (family) {
      case 'null':
        text = values.every(v => v.toLowerCase() === 'true')
          ? `${subject} is not set`
          : `${subject} is set`;
        break;
      case 'bool': {
        const yes = values.some(v => v.toLowerCase() === 'true');
        if (lowerKey === 'aws:multifactorauthpresent')
          text = yes
            ? 'the caller signed in with MFA'
            : 'the caller did not sign in with MFA';
        else if (lowerKey === 'aws:securetransport')
          text = yes ? 'the request uses TLS' : 'the request does not use TLS';
        else text = `${subject} is ${yes ? 'true' : 'false'}`;
        break;
      }
      case 'ip':
        text = `${subject} is ${negated ? 'not ' : ''}in ${quoteList(values)}`;
        break;
      case 'numeric':
      case 'date': {
        const words: Record<string, string> =
          family === 'date'
            ? {
                eq: 'is',
                lt: 'is before',
                le: 'is at or before',
                gt: 'is after',
                ge: 'is at or after',
              }
            : {
                eq: 'is',
                lt: 'is less than',
                le: 'is at most',
                gt: 'is more than',
                ge: 'is at least',
              };
        text = `${subject} ${
          negated ? 'is not' : words[cmp ?? 'eq']
        } ${quoteList(values)}`;
        break;
      }
      default: {
        const like = !!op.info.like && values.some(hasWildcard);
        let verb = like ? 'matches' : 'is';
        if (negated) verb = like ? 'does not match' : 'is not';
        const caseNote = op.info.ignoreCase ? ' (ignoring case)' : '';
        text = `${subject} ${verb} ${quoteList(
          values,
          negated ? 'nor' : 'or',
        )}${caseNote}`;
      }
    }
  }
  if (op.setOperator === 'ForAnyValue') text = `at least one value: ${text}`;
  if (op.setOperator === 'ForAllValues') text = `every value: ${text}`;
  if (op.ifExists) text = `${text}, when present`;
  return text;
}

/** At most this many alternatives in a summary; the rest are counted. */
const SUMMARY_PARTS = 3;

function summarizeGithubSubjects(values: string[], like: boolean): string {
  const groups = new Map<string, { repos: string[]; patterns: boolean }>();
  const loose: string[] = [];
  for (const value of values) {
    const s = parseGithubSubject(value, like);
    if (!s) {
      loose.push(describeGithubSubject(value, like));
      continue;
    }
    const scope = scopeWords(s.scope);
    const group = groups.get(scope) ?? { repos: [], patterns: false };
    const repo = repositoryWords(s);
    if (!group.repos.includes(repo)) group.repos.push(repo);
    group.patterns ||= s.repoPattern;
    groups.set(scope, group);
  }
  const parts = [...groups].map(([scope, { repos, patterns }]) => {
    let where = repos[0];
    if (repos.length > 1) {
      where = patterns
        ? `${repos.length} repositories and patterns`
        : `${repos.length} repositories`;
    }
    if (scope) return `${scope} of ${where}`;
    return repos.length > 1 ? where : `repository ${where}`;
  });
  const all = [...parts, ...new Set(loose)];
  return all.length <= SUMMARY_PARTS
    ? all.join('; ')
    : `${all.slice(0, SUMMARY_PARTS - 1).join('; ')}; and ${
        all.length - SUMMARY_PARTS + 1
      } more`;
}

/**
 * A principal's conditions in a few words, for a table cell: a GitHub subject list reads
 * "branch main of 9 repositories" or "environment production of 3 repositories; any ref of acme/x",
 * a list of repositories "one of 9 repositories"; every other condition as {@link describeCondition}
 * says it. The full list stays in the conditions (and {@link githubRepositoriesOf}).
 */
export function summarizePrincipalConditions(
  p: Pick<TrustedPrincipal, 'kind' | 'id' | 'provider' | 'conditions'>,
): string {
  const github = p.kind === 'oidc' && p.provider === 'github';
  const sub = github ? claimClause(p, 'sub') : undefined;
  const repository = github ? claimClause(p, 'repository') : undefined;
  return p.conditions
    .map(c => {
      if (c === sub?.clause) return summarizeGithubSubjects(c.values, sub.like);
      if (
        c === repository?.clause &&
        c.values.length > 1 &&
        !(repository.like && c.values.some(hasWildcard))
      )
        return `one of ${c.values.length} repositories`;
      return describeCondition(c);
    })
    .join('; ');
}

/**
 * The GitHub repositories (`OWNER/REPO`) a GitHub Actions principal names one by one, in its `sub`
 * and `repository` conditions, in the policy's order and without repeats; patterns are left out.
 */
export function githubRepositoriesOf(
  p: Pick<TrustedPrincipal, 'kind' | 'id' | 'provider' | 'conditions'>,
): string[] {
  if (p.kind !== 'oidc' || p.provider !== 'github') return [];
  const out = new Map<string, string>();
  const add = (slug: string) => {
    const key = slug.toLowerCase();
    if (!out.has(key)) out.set(key, slug);
  };
  const sub = claimClause(p, 'sub');
  for (const value of sub?.clause.values ?? []) {
    const s = parseGithubSubject(value, sub?.like ?? false);
    if (s && !s.repoPattern) add(`${s.owner}/${s.repo}`);
  }
  const repository = claimClause(p, 'repository');
  for (const value of repository?.clause.values ?? []) {
    if (repository?.like && hasWildcard(value)) continue;
    if (/^[^/\s]+\/[^/\s]+$/.test(value)) add(value);
  }
  return [...out.values()];
}

/** Severities from the worst down: the one order every package sorts and filters by. */
export const SEVERITIES: readonly Severity[] = Object.freeze([
  'critical',
  'high',
  'medium',
  'low',
  'info',
]);
const ORDER = SEVERITIES;

/** Rank of a severity for sorting: 0 is the worst; `none` and unknown values rank last. */
export function severityRank(severity: Severity | 'none' | string): number {
  const i = ORDER.indexOf(severity as Severity);
  return i < 0 ? ORDER.length : i;
}

/** Whether a severity is at least as bad as `min` (`high` is at least `medium`). */
export function isAtLeast(
  severity: Severity | 'none' | string,
  min: Severity,
): boolean {
  return severityRank(severity) <= severityRank(min);
}

/** The highest severity among findings, or `none`. */
export function highestSeverity(
  findings: Array<Pick<Finding, 'severity'>>,
): Severity | 'none' {
  let best = ORDER.length;
  for (const f of findings) {
    const i = severityRank(f.severity);
    if (i < best) best = i;
  }
  return best < ORDER.length ? ORDER[best] : 'none';
}

/** Compares severities for sorting, most severe first. */
export function compareSeverity(
  a: Severity | 'none',
  b: Severity | 'none',
): number {
  return severityRank(a) - severityRank(b);
}

const FINDING_TITLES: Record<FindingId, string> = {
  'public-trust': 'Anyone in any AWS account can assume the role',
  'not-principal': 'Trust by NotPrincipal: everyone but a few',
  'oidc-unrestricted-subject':
    'Any tenant of the identity provider can assume the role',
  'oidc-broad-subject':
    'Every project, branch or workload of one tenant can assume the role',
  'oidc-missing-audience': 'Tokens for any audience are accepted',
  'saml-missing-audience': 'SAML assertions for any audience are accepted',
  'cross-account-no-external-id':
    'An account not configured as internal, without ExternalId',
  'account-root-trust': 'Trusts a whole account',
  'dangling-principal': 'Trusts a deleted or missing principal',
  'service-confused-deputy':
    'A service can be used on behalf of another account',
  'invalid-policy': 'Trust policy IAM would not accept',
  'cognito-guest-access':
    'Cognito guests (anyone, without signing in) can assume the role',
  'roles-anywhere-any-anchor':
    'Any Roles Anywhere certificate in the account can assume the role',
};

/** A short title for a finding id, for lists and headings; the id itself for an unknown one. */
export function findingTitle(id: FindingId | string): string {
  return lookup(FINDING_TITLES, id) ?? id;
}
