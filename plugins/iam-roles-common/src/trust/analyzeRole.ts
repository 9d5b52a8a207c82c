import { accountOfArn, lastSegment, parseArn } from './arn';
import {
  ASSUME_ROLE,
  ASSUME_ROLE_WITH_SAML,
  ASSUME_ROLE_WITH_WEB_IDENTITY,
  trustActionsOf,
} from './actions';
import { hasWildcard } from './glob';
import { CompiledStatement, compilePolicy } from './compiled';
import {
  anyServiceCaller,
  anyTokenCaller,
  Caller,
  outsiderCallers,
  prepareCaller,
  ROLES_ANYWHERE,
  strangerGithubCaller,
} from './caller';
import { createRequestContext, parseOperator } from './conditions';
import { evaluateCompiled } from './evaluateAssume';
import { normalizeTrustPolicy } from './normalizeTrustPolicy';
import {
  ClaimConstraint,
  claimConstraints,
  WEB_IDENTITY_PROVIDERS,
  webIdentityScope,
} from './oidc';
import { classifyPrincipal, isSharedIssuer } from './principals';
import type { ClassifiedPrincipal } from './principals';
import type {
  ConditionClause,
  Finding,
  FindingId,
  PrincipalContext,
  RoleAnalysis,
  Severity,
  TrustedPrincipal,
} from './types';

/** Options for {@link analyzeRole}. */
export interface AnalyzeOptions {
  /** Accounts of the organisation; trust from other accounts is external. The role's own account always counts. */
  internalAccounts?: string[];
  /** Whether a role/user ARN exists: `false` flags it as dangling, `undefined` means not known. */
  knownPrincipalArns?: (arn: string) => boolean | undefined;
}

/** A role to analyse. */
export interface RoleInput {
  arn: string;
  trustPolicy: unknown;
  /** Why the document was not read at all (e.g. larger than a configured bound): an `invalid-policy` finding saying so. */
  trustPolicyError?: string;
  name?: string;
  path?: string;
}

const SEVERITY: Record<FindingId, Severity> = {
  'public-trust': 'critical',
  'not-principal': 'high',
  'oidc-unrestricted-subject': 'critical',
  'oidc-broad-subject': 'high',
  'oidc-missing-audience': 'medium',
  'saml-missing-audience': 'medium',
  'cross-account-no-external-id': 'medium',
  'account-root-trust': 'low',
  'dangling-principal': 'medium',
  'service-confused-deputy': 'info',
  'invalid-policy': 'high',
  'cognito-guest-access': 'high',
  'roles-anywhere-any-anchor': 'high',
};

/** Keys that restrict who the caller is, so a `*` principal is no longer anyone. */
const CALLER_RESTRICTING_KEYS = new Set([
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:sourceorgid',
  'aws:sourceorgpaths',
  'aws:userid',
  'aws:username',
]);

/** Keys that bind a service principal to one account or resource (confused-deputy protection). */
const SOURCE_KEYS = new Set([
  // Firehose and a few other services pass the account id as ExternalId.
  'sts:externalid',
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:sourceorgid',
  'aws:sourceorgpaths',
]);

/** Keys that narrow an account-wide trust to some of its principals. */
const PRINCIPAL_NARROWING_KEYS = new Set([
  'aws:principalarn',
  'aws:userid',
  'aws:username',
  'aws:principaltype',
]);

// Services that only act with a role a caller passed to them (iam:PassRole already guards them).
const PASS_ROLE_SERVICES = new Set([
  'ec2.amazonaws.com',
  'lambda.amazonaws.com',
  'edgelambda.amazonaws.com',
  'ecs-tasks.amazonaws.com',
  'ecs.amazonaws.com',
  'eks.amazonaws.com',
  'eks-fargate-pods.amazonaws.com',
  'pods.eks.amazonaws.com',
  'batch.amazonaws.com',
  'states.amazonaws.com',
  'glue.amazonaws.com',
  'sagemaker.amazonaws.com',
  'codebuild.amazonaws.com',
  'codepipeline.amazonaws.com',
  'cloudformation.amazonaws.com',
  'apigateway.amazonaws.com',
  'scheduler.amazonaws.com',
  'events.amazonaws.com',
  'elasticmapreduce.amazonaws.com',
  'spotfleet.amazonaws.com',
  'autoscaling.amazonaws.com',
  'rds.amazonaws.com',
  'monitoring.rds.amazonaws.com',
  'vpc-flow-logs.amazonaws.com',
]);

/** Whether a clause positively restricts its key to concrete values (not a negation, not `IfExists`, not just `*`). */
function restrictsPositively(clause: ConditionClause): boolean {
  const op = parseOperator(clause.operator);
  if (!op.info || op.info.negated || op.ifExists || op.info.family === 'null')
    return false;
  if (op.setOperator === 'ForAllValues') return false;
  if (clause.values.length === 0) return false;
  const like = !!op.info.like;
  return clause.values.every(v =>
    valueRestricts(clause.key.toLowerCase(), v, like),
  );
}

/**
 * Whether one value of a positive condition narrows its key to one account or organisation.
 * `o-*` or `arn:aws:iam::*:role/*` admit everyone, however specific they look.
 */
function valueRestricts(key: string, value: string, like: boolean): boolean {
  const wild = like && hasWildcard(value);
  if (key === 'aws:principalarn' || key === 'aws:sourcearn') {
    if (!wild) return true;
    const account = value.split(':')[4];
    return account !== undefined && /^\d{12}$/.test(account);
  }
  if (key === 'aws:principalorgpaths' || key === 'aws:sourceorgpaths') {
    return !wild || /^o-[a-z0-9]+\//.test(value);
  }
  return !wild;
}

function isAudienceRestriction(c: ConditionClause): boolean {
  if (c.key.toLowerCase() !== 'saml:aud') return false;
  const info = parseOperator(c.operator).info;
  // SAML:aud is always present in an assertion, so IfExists variants restrict it too.
  return (
    !!info &&
    info.family === 'string' &&
    !info.negated &&
    c.values.length > 0 &&
    !c.values.every(v => /^\*+$/.test(v))
  );
}

function hasRestriction(
  clauses: ConditionClause[],
  keys: Set<string>,
): boolean {
  for (const c of clauses) {
    if (keys.has(c.key.toLowerCase()) && restrictsPositively(c)) return true;
  }
  return false;
}

/** Whether an unconditional Deny refuses this principal everything the Allow gives it. */
function unconditionallyDenied(
  p: ClassifiedPrincipal,
  actions: string[],
  all: CompiledStatement[],
): boolean {
  for (const s of all) {
    if (s.statement.effect !== 'Deny' || s.statement.conditions.length > 0)
      continue;
    const denied = trustActionsOf(s.statement);
    if (!actions.every(a => denied.includes(a))) continue;
    if (s.notPrincipals) {
      const exempt = s.notPrincipals.some(
        n =>
          n.indexKey === p.indexKey ||
          (n.kind === 'account' && n.accountId === p.accountId),
      );
      if (!exempt && p.kind !== 'public' && p.kind !== 'account') return true;
      continue;
    }
    for (const d of s.principals) {
      if (d.kind === 'public' || d.indexKey === p.indexKey) return true;
      if (
        d.kind === 'account' &&
        p.kind !== 'public' &&
        d.accountId === p.accountId
      )
        return true;
    }
  }
  return false;
}

const EXTERNAL_ID_KEYS = new Set(['sts:externalid']);
const AWS_KINDS = new Set([
  'account',
  'role',
  'user',
  'assumed-role',
  'federated-user',
]);
const EMPTY_SET = new Set<string>();
const internalSets = new WeakMap<string[], Set<string>>();

// Callers pass the same account list for every role: build its set once.
function internalSet(accounts: string[] | undefined): Set<string> {
  if (!accounts) return EMPTY_SET;
  let set = internalSets.get(accounts);
  if (!set) {
    set = new Set(accounts);
    internalSets.set(accounts, set);
  }
  return set;
}

function roleNameAndPath(arn: string): { name: string; path: string } {
  const parsed = parseArn(arn);
  const resource = parsed?.resource ?? arn;
  const body = resource.startsWith('role/') ? resource.slice(5) : resource;
  const name = lastSegment(body);
  const path = `/${body.slice(0, body.length - name.length)}`.replace(
    /\/+/g,
    '/',
  );
  return { name, path };
}

interface Ctx {
  findings: Finding[];
  /** Created with the first finding: most roles have none. */
  seen?: Set<string>;
  /** For a role AWS manages: who can change it, said instead of "edit the trust policy". */
  managed?: string;
}

/** Who can change a role AWS manages (its trust policy cannot be edited); `undefined` for others. */
export function managedRoleAdvice(path: string): string | undefined {
  const slr = /^\/aws-service-role\/([^/]+)\//.exec(path);
  if (slr) {
    return (
      `This is a service-linked role of ${slr[1]}: AWS owns its trust policy and nobody can edit it. ` +
      `To change the situation, change or turn off the feature of ${slr[1]} that uses it, or delete the ` +
      `role through that service once nothing depends on it.`
    );
  }
  if (path.startsWith('/aws-reserved/sso.amazonaws.com/')) {
    return (
      'This role belongs to an IAM Identity Center permission set: Identity Center owns its trust ' +
      'policy and rewrites it. To change who can use it, change the permission set or its account ' +
      'assignments in IAM Identity Center (management or delegated administrator account).'
    );
  }
  if (path.startsWith('/aws-reserved/')) {
    return 'AWS reserves this role and owns its trust policy: change it through the AWS service that created it.';
  }
  return undefined;
}

function add(
  ctx: Ctx,
  id: FindingId,
  what: string,
  fix: string,
  statement?: CompiledStatement,
  principal?: string,
) {
  const dedupe = `${id}|${principal ?? ''}|${statement?.statement.index ?? ''}`;
  ctx.seen ??= new Set();
  if (ctx.seen.has(dedupe)) return;
  ctx.seen.add(dedupe);
  const message = `${what} ${ctx.managed ?? fix}`;
  const f: Finding = { id, severity: SEVERITY[id], message };
  if (statement) {
    f.statementIndex = statement.statement.index;
    if (statement.statement.sid !== undefined) f.sid = statement.statement.sid;
  }
  if (principal !== undefined) f.principal = principal;
  ctx.findings.push(f);
}

function where(s: CompiledStatement): string {
  return s.statement.sid
    ? `Statement ${s.statement.index} (Sid "${s.statement.sid}")`
    : `Statement ${s.statement.index}`;
}

const UNRESTRICTED_WHO: Record<string, string> = {
  github: 'any GitHub repository of any owner',
  gitlab: 'any project of any group on gitlab.com',
  'terraform-cloud': 'any workspace of any HCP Terraform organization',
  buildkite: 'any pipeline of any Buildkite organization',
  circleci: 'any project of any CircleCI organization',
  bitbucket: 'any repository of any Bitbucket workspace',
  cognito: 'identities of any Cognito identity pool, in any AWS account',
  google: 'any Google account, signed in to any application',
  amazon: 'any Login with Amazon user of any application',
  facebook: 'any Facebook user of any application',
};

function broadWho(
  p: ClassifiedPrincipal,
  s: CompiledStatement,
  constraints: ClaimConstraint[],
): string {
  const info = WEB_IDENTITY_PROVIDERS[p.provider ?? ''];
  if (p.provider === 'eks') {
    const sub = constraints.find(c => c.claim === 'sub');
    const ns = sub?.values
      .map(v => /^system:serviceaccount:([^:*?]+):/.exec(v)?.[1])
      .filter(Boolean);
    return ns && ns.length > 0 && ns.length === sub!.values.length
      ? `every service account of namespace ${[...new Set(ns)].join(
          ', ',
        )} in the cluster`
      : 'every service account in every namespace of the cluster';
  }
  if (
    p.provider === 'github' &&
    constraints.some(
      c =>
        c.claim === 'sub' &&
        c.values.some(v => v.startsWith('job_workflow_ref:')),
    )
  ) {
    return 'any repository allowed to call the reusable workflow its subject names (any owner, if that workflow is public)';
  }
  void s;
  return `every ${info?.project ?? 'project'} of the ${
    info?.tenant ?? 'tenant'
  } (including new ones)`;
}

/**
 * For GitHub, whether a workflow of an owner the policy does not name gets in: conditions that no
 * token can meet (a non-string operator on the subject, a key a token never carries) admit nobody,
 * and then nobody is "any repository of any owner". Other providers: decided by the subject scope.
 */
function strangerAdmitted(
  p: ClassifiedPrincipal,
  s: CompiledStatement,
  all: CompiledStatement[],
): boolean {
  if (p.provider !== 'github') return true;
  const caller = strangerGithubCaller();
  const subset = [
    s,
    ...all.filter(x => x.statement.effect === 'Deny' && x.coversWebIdentity),
  ];
  return admitted(evaluateCompiled(subset, caller));
}

function checkWebIdentity(
  ctx: Ctx,
  p: ClassifiedPrincipal,
  s: CompiledStatement,
  all: CompiledStatement[],
) {
  const issuer = p.issuer ?? p.id;
  const constraints = claimConstraints(issuer, p, s, all);
  const scope = webIdentityScope(p.provider, constraints);
  const info = WEB_IDENTITY_PROVIDERS[p.provider ?? ''];
  const providerName = info?.name ?? p.provider ?? issuer;
  const audienceIsTenant =
    p.provider === 'cognito' ||
    p.provider === 'google' ||
    p.provider === 'amazon' ||
    p.provider === 'facebook';
  const subject = `${issuer}:${audienceIsTenant ? 'aud' : 'sub'}`;
  if (
    isSharedIssuer(issuer, p.provider) &&
    !scope.tenantPinned &&
    strangerAdmitted(p, s, all)
  ) {
    const what =
      UNRESTRICTED_WHO[p.provider ?? ''] ?? `any tenant of ${providerName}`;
    add(
      ctx,
      'oidc-unrestricted-subject',
      `${where(s)} trusts ${p.id} with no condition that pins one ${
        info?.tenant ?? 'tenant'
      }, so ${what} can assume this role.`,
      `Restrict "${subject}" with StringEquals${
        info?.example ? ` (e.g. "${info.example}")` : ''
      }, or StringLike with a literal ${info?.tenant ?? 'tenant'}.`,
      s,
      p.id,
    );
  } else if (info?.project && !scope.projectPinned) {
    add(
      ctx,
      'oidc-broad-subject',
      `${where(s)} admits ${broadWho(p, s, constraints)} through ${
        p.id
      }: a workload in any of them can assume this role.`,
      `Name the ${info.project} in "${issuer}:sub" explicitly${
        info.example ? ` ("${info.example}")` : ''
      }.`,
      s,
      p.id,
    );
  } else if (
    (p.provider === 'github' || p.provider === 'gitlab') &&
    scope.anyBranch
  ) {
    add(
      ctx,
      'oidc-broad-subject',
      `${where(s)} admits any branch, ${
        p.provider === 'github' ? 'pull request' : 'merge request'
      } or environment of the ${info!.project} through ${
        p.id
      }: anyone who can push a branch can assume this role and bypass environment protection rules.`,
      p.provider === 'github'
        ? `Pin "${issuer}:sub" to a branch ("…:ref:refs/heads/main") or an environment ("…:environment:production").`
        : `Pin "${issuer}:sub" to a protected branch ("…:ref_type:branch:ref:main").`,
      s,
      p.id,
    );
  }
  if (p.provider === 'cognito') checkCognitoGuests(ctx, p, s, issuer);
  if (
    !scope.audienceConstrained &&
    !(audienceIsTenant && !scope.tenantPinned)
  ) {
    add(
      ctx,
      'oidc-missing-audience',
      `${where(s)} trusts ${
        p.id
      } without an audience condition ("${issuer}:aud"): tokens minted for any ` +
        `audience of that provider are accepted.`,
      `Add StringEquals "${issuer}:aud" (for GitHub and EKS: "sts.amazonaws.com"; for CircleCI: the organization id).`,
      s,
      p.id,
    );
  }
}

/** Guests of a Cognito identity pool (amr `unauthenticated`) are anonymous internet users. */
function checkCognitoGuests(
  ctx: Ctx,
  p: ClassifiedPrincipal,
  s: CompiledStatement,
  issuer: string,
) {
  const amrKey = `${issuer.toLowerCase()}:amr`;
  const amr = s.clauses.filter(c => c.keyLower === amrKey);
  const guest = createRequestContext({ [amrKey]: ['unauthenticated'] });
  if (amr.length > 0 && amr.every(c => c.evaluate(guest) === 'false')) return;
  add(
    ctx,
    'cognito-guest-access',
    amr.length > 0
      ? `${where(
          s,
        )} admits guests of the Cognito identity pool (sign-in type "unauthenticated"): ` +
          'anyone on the internet can get a guest identity and assume this role, without signing in.'
      : `${where(
          s,
        )} does not say which sign-in type ("${issuer}:amr") may assume this role: if the ` +
          'identity pool allows guest access, anyone on the internet can assume it as a guest, without signing in.',
    `Add ForAnyValue:StringLike "${issuer}:amr": "authenticated", and give guests a separate role with only what a guest may do.`,
    s,
    p.id,
  );
}

function principalOf(
  p: ClassifiedPrincipal,
  s: CompiledStatement,
  actions: string[],
): TrustedPrincipal {
  const out: TrustedPrincipal = {
    kind: p.kind,
    id: p.id,
    // A copy: the list from trustActionsOf is shared and frozen, callers may sort theirs.
    actions: [...actions],
    conditions: s.statement.conditions,
    statementIndex: s.statement.index,
  };
  if (p.accountId) out.accountId = p.accountId;
  if (p.provider) out.provider = p.provider;
  if (s.statement.sid !== undefined) out.sid = s.statement.sid;
  return out;
}

const ARN_OR_STRING = new Set(['string', 'arn']);

/** The positive clauses of a statement on a key, as the principal element would name them. */
function positiveClause(
  conditions: ConditionClause[],
  key: string,
): ConditionClause | undefined {
  return conditions.find(c => {
    if (c.key.toLowerCase() !== key) return false;
    const op = parseOperator(c.operator);
    return (
      !!op.info &&
      ARN_OR_STRING.has(op.info.family) &&
      !op.info.negated &&
      !op.ifExists &&
      op.setOperator !== 'ForAllValues' &&
      c.values.length > 0
    );
  });
}

/**
 * The principals a `"*"` statement really admits when its conditions name them
 * (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalServiceName`): the same principals the
 * `Principal` element would name. `undefined` when the conditions leave any account in.
 */
function principalsFromConditions(
  conditions: ConditionClause[],
): ClassifiedPrincipal[] | undefined {
  const out = new Map<string, ClassifiedPrincipal>();
  const arnClause = positiveClause(conditions, 'aws:principalarn');
  const accountClause = positiveClause(conditions, 'aws:principalaccount');
  const serviceClause = positiveClause(conditions, 'aws:principalservicename');
  if (arnClause) {
    const like = !!parseOperator(arnClause.operator).info?.like;
    for (const v of arnClause.values) {
      if (like && hasWildcard(v)) {
        const account = v.split(':')[4];
        if (account === undefined || !/^\d{12}$/.test(account))
          return undefined;
        const p = classifyPrincipal('AWS', account);
        out.set(p.indexKey, p);
        continue;
      }
      const p = classifyPrincipal('AWS', v);
      if (p.invalid || !AWS_KINDS.has(p.kind)) return undefined;
      out.set(p.indexKey, p);
    }
    return [...out.values()];
  }
  if (accountClause) {
    for (const v of accountClause.values) {
      if (!/^\d{12}$/.test(v)) return undefined;
      const p = classifyPrincipal('AWS', v);
      out.set(p.indexKey, p);
    }
    return [...out.values()];
  }
  if (serviceClause) {
    for (const v of serviceClause.values) {
      const p = classifyPrincipal('Service', v);
      if (p.invalid || p.kind !== 'service') return undefined;
      out.set(p.indexKey, p);
    }
    return [...out.values()];
  }
  return undefined;
}

function admitted(d: { outcome: string }): boolean {
  return d.outcome === 'allowed' || d.outcome === 'possible';
}

/**
 * Whether a `"*"` Allow statement lets in principals of an account we know nothing about, after the
 * policy's Deny statements: decided by evaluating such callers, not by which keys appear.
 */
function admitsOutsiders(
  s: CompiledStatement,
  all: CompiledStatement[],
  policyText: () => string,
): boolean {
  if (!s.coversAssumeRole) {
    // Only web identity or SAML: no AWS caller uses these paths; keep to what the conditions say.
    return !hasRestriction(s.statement.conditions, CALLER_RESTRICTING_KEYS);
  }
  const subset = [
    s,
    ...all.filter(x => x.statement.effect === 'Deny' && x.coversAssumeRole),
  ];
  return outsiderCallers(policyText()).some(c =>
    admitted(evaluateCompiled(subset, c)),
  );
}

function admitsAnyService(
  s: CompiledStatement,
  all: CompiledStatement[],
): boolean {
  if (!s.coversAssumeRole) return false;
  const subset = [
    s,
    ...all.filter(x => x.statement.effect === 'Deny' && x.coversAssumeRole),
  ];
  return admitted(evaluateCompiled(subset, anyServiceCaller()));
}

// Roles name the same accounts, services and providers over and over: prepare each caller once.
const callers = new Map<string, Caller>();

function cachedCaller(key: string, make: () => Caller): Caller {
  let c = callers.get(key);
  if (!c) {
    if (callers.size > 10_000) callers.clear();
    c = make();
    callers.set(key, c);
  }
  return c;
}

/**
 * Whether evaluation refuses a named principal whatever else holds: its statement's conditions can
 * never hold for it (`aws:PrincipalAccount` on a service), or a Deny refuses it outright. Then it is
 * not trusted, and no finding claims that it is.
 */
function refusedByEvaluation(
  p: ClassifiedPrincipal,
  s: CompiledStatement,
  all: CompiledStatement[],
  hasDeny: boolean,
): boolean {
  if (!hasDeny && s.statement.conditions.length === 0) return false;
  let context: PrincipalContext | undefined;
  if (p.kind === 'account' && p.accountId)
    context = { type: 'account', accountId: p.accountId };
  else if (p.kind === 'role' || p.kind === 'user')
    context = { type: 'arn', arn: p.id };
  else if (p.kind === 'service') context = { type: 'service', service: p.id };
  let caller: Caller | undefined;
  try {
    if (context && s.coversAssumeRole)
      caller = cachedCaller(`${p.kind}|${p.id}`, () => prepareCaller(context!));
    else if (p.kind === 'oidc' && p.issuer && s.coversWebIdentity)
      caller = cachedCaller(`any-token|${p.issuer}`, () =>
        anyTokenCaller(p.issuer!),
      );
  } catch {
    return false;
  }
  if (!caller) return false;
  // Conditions only on keys this principal's context leaves unknown cannot refuse it: spare the
  // evaluation (and compiling the clauses) for the common case, an ExternalId or a token claim.
  if (!hasDeny) {
    const ctx = caller.context(p.kind === 'oidc' ? p.issuer : undefined);
    if (
      s.statement.conditions.every(
        c => ctx.get(c.key.toLowerCase()).state === 'unknown',
      )
    )
      return false;
  }
  const via = caller.via;
  const subset = hasDeny
    ? [
        s,
        ...all.filter(
          x =>
            x.statement.effect === 'Deny' &&
            (via === ASSUME_ROLE ? x.coversAssumeRole : x.coversWebIdentity),
        ),
      ]
    : [s];
  return !admitted(evaluateCompiled(subset, caller));
}

function hasTrustAnchor(conditions: ConditionClause[]): boolean {
  return conditions.some(c => {
    if (c.key.toLowerCase() !== 'aws:sourcearn') return false;
    if (!restrictsPositively(c)) return false;
    // A pattern such as arn:aws:rolesanywhere:*:*:trust-anchor/* admits every anchor.
    return c.values.every(v => {
      const parts = v.split(':');
      return /^\d{12}$/.test(parts[4] ?? '') && !/[*?]/.test(parts[5] ?? '*');
    });
  });
}

/**
 * Analyses a role's trust policy: who it trusts (principals with their actions and conditions) and
 * what is risky (findings). Never throws: an unreadable document gives an `invalid-policy` finding.
 */
export function analyzeRole(
  role: RoleInput,
  options: AnalyzeOptions = {},
): RoleAnalysis {
  const fromArn =
    role.name === undefined || role.path === undefined
      ? roleNameAndPath(role.arn)
      : undefined;
  const analysis: RoleAnalysis = {
    arn: role.arn,
    accountId: accountOfArn(role.arn) ?? '',
    name: role.name ?? fromArn!.name,
    path: role.path ?? fromArn!.path,
    principals: [],
    findings: [],
  };
  const ctx: Ctx = {
    findings: analysis.findings,
    managed: managedRoleAdvice(analysis.path),
  };
  let normalized;
  if (role.trustPolicyError !== undefined) {
    normalized = { errors: [role.trustPolicyError] };
  } else {
    try {
      normalized = normalizeTrustPolicy(role.trustPolicy);
    } catch (e) {
      normalized = { errors: [String(e)] };
    }
  }
  if (!normalized.policy) {
    add(
      ctx,
      'invalid-policy',
      `The trust policy cannot be read (${normalized.errors.join(
        '; ',
      )}), so nobody can tell who may assume this role.`,
      'Fetch the document again or fix it in IAM.',
    );
    return analysis;
  }
  if (normalized.errors.length > 0) {
    add(
      ctx,
      'invalid-policy',
      `Parts of the trust policy are not valid IAM and were skipped (${normalized.errors.join(
        '; ',
      )}); the rest was analysed.`,
      'Check the document in IAM.',
    );
  }
  const policy = normalized.policy;
  analysis.policy = policy;
  const compiled = compilePolicy(policy, { cache: false });
  const internal = internalSet(options.internalAccounts);
  let text: string | undefined;
  const policyText = () => (text ??= JSON.stringify(policy));
  const hasDeny = compiled.some(x => x.statement.effect === 'Deny');

  const reportInvalid = (s: CompiledStatement, list: ClassifiedPrincipal[]) => {
    for (const p of list) {
      if (!p.invalid) continue;
      add(
        ctx,
        'invalid-policy',
        `${where(s)} names the principal "${
          p.id
        }", which IAM does not accept (${p.invalid}): ` +
          'it admits nobody, and IAM would refuse to save the policy as it stands.',
        'Name the principal by its exact ARN or account id, and narrow with conditions such as "aws:PrincipalArn" instead of wildcards.',
        s,
        p.id,
      );
    }
  };

  const checkPrincipal = (
    p: ClassifiedPrincipal,
    s: CompiledStatement,
    actions: string[],
  ) => {
    const conditions = s.statement.conditions;
    switch (p.kind) {
      case 'oidc':
        // A federated principal only gets in through its own assume path.
        if (actions.includes(ASSUME_ROLE_WITH_WEB_IDENTITY))
          checkWebIdentity(ctx, p, s, compiled);
        break;
      case 'saml':
        if (
          actions.includes(ASSUME_ROLE_WITH_SAML) &&
          !conditions.some(isAudienceRestriction)
        ) {
          add(
            ctx,
            'saml-missing-audience',
            `${where(s)} trusts the SAML provider ${
              p.id
            } without a "SAML:aud" condition: an assertion ` +
              `issued for another service provider could be replayed to assume this role.`,
            'Add StringEquals "SAML:aud": "https://signin.aws.amazon.com/saml".',
            s,
            p.id,
          );
        }
        break;
      case 'service':
        if (!actions.includes(ASSUME_ROLE)) break;
        if (p.id.toLowerCase() === ROLES_ANYWHERE) {
          if (!hasTrustAnchor(conditions)) {
            add(
              ctx,
              'roles-anywhere-any-anchor',
              `${where(
                s,
              )} trusts IAM Roles Anywhere without an "aws:SourceArn" condition naming a trust ` +
                'anchor: a certificate from any trust anchor in the account (any CA someone registers ' +
                'there) can be used to assume this role.',
              'Add ArnEquals "aws:SourceArn" with the trust anchor ARN, and pin the certificate with "aws:PrincipalTag/x509Subject/CN".',
              s,
              p.id,
            );
          }
        } else if (
          !PASS_ROLE_SERVICES.has(p.id.toLowerCase()) &&
          !hasRestriction(conditions, SOURCE_KEYS)
        ) {
          add(
            ctx,
            'service-confused-deputy',
            `${where(s)} trusts the service ${
              p.id
            } without "aws:SourceAccount" or "aws:SourceArn": the ` +
              `service could be tricked into using this role on behalf of another account (confused deputy).`,
            'Add a condition on aws:SourceAccount, aws:SourceArn or aws:SourceOrgID.',
            s,
            p.id,
          );
        }
        break;
      case 'unique-id':
        add(
          ctx,
          'dangling-principal',
          `${where(s)} names ${
            p.id
          }, a unique id: IAM put it in place of the ARN of a principal that was deleted. It admits ` +
            'nobody, and recreating a principal with the same name does not restore access (the new ' +
            'one gets a different unique id).',
          'If the access is still needed, put the ARN of the recreated principal in the policy; otherwise remove the id.',
          s,
          p.id,
        );
        break;
      default:
        break;
    }
    if (
      (p.kind === 'role' || p.kind === 'user') &&
      options.knownPrincipalArns?.(p.id) === false
    ) {
      add(
        ctx,
        'dangling-principal',
        `${where(s)} trusts ${
          p.id
        }, which does not exist in the account's inventory. Whoever creates a principal with that ` +
          'name gets this role (IAM keeps the ARN until the policy is saved again).',
        'Remove it from the trust policy.',
        s,
        p.id,
      );
    }
    if (
      AWS_KINDS.has(p.kind) &&
      p.accountId &&
      p.accountId !== analysis.accountId &&
      !internal.has(p.accountId) &&
      actions.includes(ASSUME_ROLE) &&
      !hasRestriction(conditions, EXTERNAL_ID_KEYS)
    ) {
      add(
        ctx,
        'cross-account-no-external-id',
        `${where(s)} lets account ${
          p.accountId
        }, which is not configured as internal, assume this role without "sts:ExternalId": a third ` +
          'party acting for several customers can be tricked into using it (confused deputy).',
        'If the account is yours, add it to the internal accounts; otherwise add StringEquals "sts:ExternalId" with the value agreed with them.',
        s,
        p.id,
      );
    }
    if (
      p.kind === 'account' &&
      // An AWS principal only gets in through sts:AssumeRole.
      actions.includes(ASSUME_ROLE) &&
      !hasRestriction(conditions, PRINCIPAL_NARROWING_KEYS)
    ) {
      add(
        ctx,
        'account-root-trust',
        `${where(s)} trusts the whole account ${
          p.accountId
        }: any user or role there whose own policy allows sts:AssumeRole on this role can assume it.`,
        'Name the roles that need it, or add an "aws:PrincipalArn" condition.',
        s,
        p.id,
      );
    }
  };

  for (const s of compiled) {
    if (s.statement.effect !== 'Allow') continue;
    const actions = trustActionsOf(s.statement);
    if (actions.length === 0) continue;

    if (s.notPrincipals) {
      reportInvalid(s, s.notPrincipals);
      const p: ClassifiedPrincipal = { kind: 'public', id: '*', indexKey: '*' };
      if (unconditionallyDenied(p, actions, compiled)) continue;
      const tp = principalOf(p, s, actions);
      tp.except = s.notPrincipals.map(n => n.id);
      analysis.principals.push(tp);
      add(
        ctx,
        'not-principal',
        `${where(
          s,
        )} allows with NotPrincipal: every principal except ${tp.except.join(
          ', ',
        )} — including other accounts and anonymous callers — may assume this role.`,
        'Name the principals that may assume it in "Principal" instead.',
        s,
        '*',
      );
      continue;
    }

    reportInvalid(s, s.principals);
    for (const p of s.principals) {
      if (p.invalid) continue;
      if (unconditionallyDenied(p, actions, compiled)) continue;
      if (refusedByEvaluation(p, s, compiled, hasDeny)) continue;
      if (p.kind !== 'public') {
        analysis.principals.push(principalOf(p, s, actions));
        checkPrincipal(p, s, actions);
        continue;
      }
      const open = admitsOutsiders(s, compiled, policyText);
      const derived = open
        ? undefined
        : principalsFromConditions(s.statement.conditions);
      if (derived) {
        for (const d of derived) {
          if (refusedByEvaluation(d, s, compiled, hasDeny)) continue;
          analysis.principals.push(principalOf(d, s, actions));
          checkPrincipal(d, s, actions);
        }
        continue;
      }
      analysis.principals.push(principalOf(p, s, actions));
      if (open) {
        const conditioned = s.statement.conditions.length > 0;
        add(
          ctx,
          'public-trust',
          conditioned
            ? `${where(
                s,
              )} trusts "*", and its conditions do not pin the caller to known accounts: a ` +
                'principal of any AWS account that meets them can assume this role (the conditions ' +
                'are on things the caller controls, or exclude only some callers).'
            : `${where(
                s,
              )} trusts "*" with no condition on who the caller is: any AWS principal in any account can assume this role.`,
          'Name the trusted principals, or add a condition such as "aws:PrincipalOrgID" or "aws:PrincipalArn".',
          s,
          '*',
        );
      } else if (
        admitsAnyService(s, compiled) &&
        !hasRestriction(s.statement.conditions, SOURCE_KEYS)
      ) {
        add(
          ctx,
          'service-confused-deputy',
          `${where(
            s,
          )} trusts "*" for AWS services ("aws:PrincipalIsAWSService" or ` +
            '"aws:PrincipalServiceName") without "aws:SourceAccount", "aws:SourceArn" or ' +
            '"aws:SourceOrgID": any service could be made to use this role on behalf of another account (confused deputy).',
          'Add a condition on aws:SourceAccount, aws:SourceArn or aws:SourceOrgID.',
          s,
          '*',
        );
      }
    }
  }
  return analysis;
}
