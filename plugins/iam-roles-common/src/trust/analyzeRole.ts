import { accountOfArn, lastSegment, parseArn } from './arn';
import {
  ASSUME_ROLE,
  ASSUME_ROLE_WITH_SAML,
  ASSUME_ROLE_WITH_WEB_IDENTITY,
  trustActionsOf,
} from './actions';
import { hasWildcard } from './glob';
import { CompiledStatement, compilePolicy } from './compiled';
import { parseOperator } from './conditions';
import { normalizeTrustPolicy } from './normalizeTrustPolicy';
import { claimConstraints, webIdentityScope } from './oidc';
import { isSharedIssuer } from './principals';
import type { ClassifiedPrincipal } from './principals';
import type {
  ConditionClause,
  Finding,
  FindingId,
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

function denyRestrictsCaller(all: CompiledStatement[]): boolean {
  return all.some(
    s =>
      s.statement.effect === 'Deny' &&
      s.coversAssumeRole &&
      s.public &&
      s.statement.conditions.some(c =>
        CALLER_RESTRICTING_KEYS.has(c.key.toLowerCase()),
      ),
  );
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
}

function add(
  ctx: Ctx,
  id: FindingId,
  message: string,
  statement?: CompiledStatement,
  principal?: string,
) {
  const dedupe = `${id}|${principal ?? ''}|${statement?.statement.index ?? ''}`;
  ctx.seen ??= new Set();
  if (ctx.seen.has(dedupe)) return;
  ctx.seen.add(dedupe);
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
    ? `statement ${s.statement.index} (Sid "${s.statement.sid}")`
    : `statement ${s.statement.index}`;
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
  const providerName = p.provider ?? issuer;
  if (isSharedIssuer(issuer, p.provider) && !scope.tenantPinned) {
    const who: Record<string, string> = {
      github: 'any GitHub repository of any owner',
      cognito: 'identities of any Cognito identity pool, in any AWS account',
    };
    const what = who[p.provider ?? ''] ?? `any tenant of ${providerName}`;
    add(
      ctx,
      'oidc-unrestricted-subject',
      `${where(s)} trusts ${
        p.id
      } with no condition that pins one tenant, so ${what} can assume this role. ` +
        `Restrict "${issuer}:${
          p.provider === 'cognito' || p.provider === 'google' ? 'aud' : 'sub'
        }" with StringEquals ` +
        `(or StringLike with a literal owner, e.g. "repo:ORG/REPO:ref:refs/heads/main").`,
      s,
      p.id,
    );
  } else if (p.provider === 'github' || p.provider === 'gitlab') {
    if (!scope.projectPinned) {
      add(
        ctx,
        'oidc-broad-subject',
        `${where(s)} admits every ${
          p.provider === 'github' ? 'repository' : 'project'
        } of the owner through ${p.id}: ` +
          `a workflow in any of them (including new or forked-in ones) can assume this role. ` +
          `Name the repositories in "${issuer}:sub" explicitly.`,
        s,
        p.id,
      );
    } else if (scope.anyBranch) {
      add(
        ctx,
        'oidc-broad-subject',
        `${where(
          s,
        )} admits any branch, pull request or environment of the repository through ${
          p.id
        }: ` +
          `anyone who can push a branch can assume this role and bypass environment protection rules. ` +
          `Pin "${issuer}:sub" to a branch ("…:ref:refs/heads/main") or an environment ("…:environment:production").`,
        s,
        p.id,
      );
    }
  } else if (p.provider === 'eks' && !scope.subjectConstrained) {
    add(
      ctx,
      'oidc-broad-subject',
      `${where(s)} trusts the EKS cluster's OIDC provider ${
        p.id
      } without a "${issuer}:sub" condition: ` +
        `every service account in every namespace of the cluster can assume this role. ` +
        `Add StringEquals "${issuer}:sub": "system:serviceaccount:NAMESPACE:NAME".`,
      s,
      p.id,
    );
  }
  const audienceIsTenant =
    p.provider === 'cognito' ||
    p.provider === 'google' ||
    p.provider === 'amazon' ||
    p.provider === 'facebook';
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
        `audience of that provider are accepted. Add StringEquals "${issuer}:aud" ` +
        `(for GitHub and EKS: "sts.amazonaws.com").`,
      s,
      p.id,
    );
  }
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
  const ctx: Ctx = { findings: analysis.findings };
  let normalized;
  try {
    normalized = normalizeTrustPolicy(role.trustPolicy);
  } catch (e) {
    normalized = { errors: [String(e)] };
  }
  if (!normalized.policy) {
    add(
      ctx,
      'invalid-policy',
      `The trust policy cannot be read (${normalized.errors.join(
        '; ',
      )}), so nobody can tell who may assume ` +
        `this role. Fetch the document again or fix it in IAM.`,
    );
    return analysis;
  }
  if (normalized.errors.length > 0) {
    add(
      ctx,
      'invalid-policy',
      `Parts of the trust policy are not valid IAM and were skipped (${normalized.errors.join(
        '; ',
      )}); the ` + `rest was analysed. Check the document in IAM.`,
    );
  }
  const policy = normalized.policy;
  analysis.policy = policy;
  const compiled = compilePolicy(policy, { cache: false });
  const internal = internalSet(options.internalAccounts);

  const callerRestrictedByDeny = denyRestrictsCaller(compiled);

  for (const s of compiled) {
    if (s.statement.effect !== 'Allow') continue;
    const actions = trustActionsOf(s.statement);
    if (actions.length === 0) continue;
    const conditions = s.statement.conditions;

    if (s.notPrincipals) {
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
        )} — ` +
          `including other accounts and anonymous callers — may assume this role. ` +
          `Name the principals that may assume it in "Principal" instead.`,
        s,
        '*',
      );
      continue;
    }

    for (const p of s.principals) {
      if (unconditionallyDenied(p, actions, compiled)) continue;
      analysis.principals.push(principalOf(p, s, actions));
      switch (p.kind) {
        case 'public':
          if (
            !hasRestriction(conditions, CALLER_RESTRICTING_KEYS) &&
            !callerRestrictedByDeny
          ) {
            add(
              ctx,
              'public-trust',
              `${where(
                s,
              )} trusts "*" with no condition on who the caller is: any AWS principal in any ` +
                `account can assume this role. Name the trusted principals, or add a condition such as ` +
                `"aws:PrincipalOrgID" or "aws:PrincipalArn".`,
              s,
              '*',
            );
          }
          break;
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
                `issued for another service provider could be replayed to assume this role. Add StringEquals ` +
                `"SAML:aud": "https://signin.aws.amazon.com/saml".`,
              s,
              p.id,
            );
          }
          break;
        case 'service':
          if (
            actions.includes(ASSUME_ROLE) &&
            !PASS_ROLE_SERVICES.has(p.id.toLowerCase()) &&
            !hasRestriction(conditions, SOURCE_KEYS)
          ) {
            add(
              ctx,
              'service-confused-deputy',
              `${where(s)} trusts the service ${
                p.id
              } without "aws:SourceAccount" or "aws:SourceArn": the ` +
                `service could be tricked into using this role on behalf of another account (confused ` +
                `deputy). Add a condition on aws:SourceAccount or aws:SourceArn.`,
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
            }, the unique id IAM leaves when the principal it named was deleted. ` +
              `Nobody can use it today, but it hides what the role was meant for. Remove it or name the ` +
              `intended principal again.`,
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
          }, which does not exist in the account's inventory. If it is created ` +
            `again, whoever creates it gets this role. Remove it from the trust policy.`,
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
          }, which is not one of the organisation's accounts, assume ` +
            `this role without "sts:ExternalId": a third party acting for several customers can be tricked ` +
            `into using it (confused deputy). Add StringEquals "sts:ExternalId" with the value agreed with them.`,
          s,
          p.id,
        );
      }
      if (
        p.kind === 'account' &&
        !hasRestriction(conditions, PRINCIPAL_NARROWING_KEYS)
      ) {
        add(
          ctx,
          'account-root-trust',
          `${where(s)} trusts the whole account ${
            p.accountId
          }: any user or role there whose own policy ` +
            `allows sts:AssumeRole on this role can assume it. Name the roles that need it, or add an ` +
            `"aws:PrincipalArn" condition.`,
          s,
          p.id,
        );
      }
    }
  }
  return analysis;
}
