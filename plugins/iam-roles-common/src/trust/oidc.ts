import { negateClause, parseOperator } from './conditions';
import { globMatch, hasWildcard } from './glob';
import type { CompiledStatement } from './compiled';
import type { ClassifiedPrincipal } from './principals';
import type { ConditionClause } from './types';

/** A positive string constraint on one claim: the claim must match one of `values`. */
export interface ClaimConstraint {
  claim: string;
  values: string[];
  like: boolean;
  clause: ConditionClause;
}

/**
 * The positive string constraints that a web-identity principal's token must meet, from the Allow
 * statement's conditions and from single-clause Deny statements that refuse everything else.
 */
export function claimConstraints(
  issuer: string,
  principal: ClassifiedPrincipal,
  statement: CompiledStatement,
  all: CompiledStatement[],
): ClaimConstraint[] {
  const prefix = `${issuer.toLowerCase()}:`;
  const out: ClaimConstraint[] = [];
  const take = (clause: ConditionClause) => {
    const key = clause.key.toLowerCase();
    if (!key.startsWith(prefix)) return;
    const op = parseOperator(clause.operator);
    if (!op.info || op.info.family !== 'string' || op.info.negated) return;
    out.push({
      claim: key.slice(prefix.length),
      values: clause.values,
      like: !!op.info.like,
      clause,
    });
  };
  for (const c of statement.statement.conditions) take(c);
  for (const s of all) {
    if (s.statement.effect !== 'Deny' || !s.coversWebIdentity) continue;
    if (s.statement.conditions.length !== 1 || s.notPrincipals) continue;
    if (
      !s.principals.some(
        p => p.kind === 'public' || p.indexKey === principal.indexKey,
      )
    )
      continue;
    for (const negated of negateClause(s.statement.conditions[0]) ?? []) {
      take(negated);
    }
  }
  return out;
}

/** Literal text before the first wildcard (the whole value when it is matched literally). */
function literalPrefix(value: string, like: boolean): string {
  if (!like) return value;
  const i = value.search(/[*?]/);
  return i < 0 ? value : value.slice(0, i);
}

/** What a subject pattern admits, for providers whose subject names a tenant and a project. */
export interface SubjectScope {
  /** Admits one tenant (owner/group/organisation) only. */
  tenantPinned: boolean;
  /** Admits one project (repository) only. */
  projectPinned: boolean;
  /** Admits any branch of the project (or pull requests). */
  anyBranch: boolean;
}

function githubValueScope(value: string, like: boolean): SubjectScope {
  // A subject of only a reusable workflow: any repository allowed to call it gets this subject.
  if (/^job_workflow_ref:[^/:]+\/[^/:]+\//.test(value)) {
    return { tenantPinned: true, projectPinned: false, anyBranch: false };
  }
  if (!like || !hasWildcard(value)) {
    return { tenantPinned: true, projectPinned: true, anyBranch: false };
  }
  const prefix = literalPrefix(value, like);
  const repoMatch = /^repo:([^/:]+)\/([^:]*)/.exec(prefix);
  if (repoMatch) {
    const projectPinned =
      prefix.length > repoMatch[0].length &&
      prefix[repoMatch[0].length] === ':';
    const repo = `repo:${repoMatch[1]}/${repoMatch[2]}`;
    const anyBranch =
      projectPinned &&
      (globMatch(value, `${repo}:ref:refs/heads/zz-any-branch-probe`) ||
        globMatch(value, `${repo}:pull_request`));
    return { tenantPinned: true, projectPinned, anyBranch };
  }
  // Custom subject templates: repository_owner(_id) / repository(_id) claims first.
  if (
    /^(repository_owner|repository_owner_id|enterprise|enterprise_id):[^:]+:/.test(
      prefix,
    )
  ) {
    const projectPinned = /(^|:)(repository|repository_id):[^:]+:/.test(prefix);
    return { tenantPinned: true, projectPinned, anyBranch: false };
  }
  if (
    /^(repository|repository_id):[^:]+:/.test(prefix) ||
    /^repo:[^/:]+\//.test(prefix)
  ) {
    return { tenantPinned: true, projectPinned: true, anyBranch: false };
  }
  return { tenantPinned: false, projectPinned: false, anyBranch: true };
}

function prefixedValueScope(
  value: string,
  like: boolean,
  tenantRe: RegExp,
  projectRe: RegExp,
): SubjectScope {
  if (!like || !hasWildcard(value)) {
    return { tenantPinned: true, projectPinned: true, anyBranch: false };
  }
  const prefix = literalPrefix(value, like);
  return {
    tenantPinned: tenantRe.test(prefix),
    projectPinned: projectRe.test(prefix),
    anyBranch: false,
  };
}

/** Scope of one value of a subject constraint for a provider. */
export function subjectValueScope(
  provider: string | undefined,
  value: string,
  like: boolean,
): SubjectScope {
  switch (provider) {
    case 'github':
      return githubValueScope(value, like);
    case 'gitlab': {
      const scope = prefixedValueScope(
        value,
        like,
        /^project_path:[^:]+\//,
        /^project_path:[^/:]+\/[^:]+:/,
      );
      // `project_path:G/P:*` or `…:ref_type:branch:ref:*`: any branch of the project.
      scope.anyBranch =
        scope.projectPinned &&
        like &&
        hasWildcard(value) &&
        /^project_path:[^:]+:(\*|ref_type:(\*|branch):ref:\*)$/.test(value);
      return scope;
    }
    case 'eks':
      // system:serviceaccount:NAMESPACE:NAME — the namespace is the "tenant", the account the "project".
      return prefixedValueScope(
        value,
        like,
        /^system:serviceaccount:[^:]+:/,
        /^system:serviceaccount:[^:]+:[^:]+/,
      );
    case 'bitbucket':
      // {REPOSITORY_UUID}[:{ENVIRONMENT_UUID}]:{STEP_UUID}: the repository comes first.
      return prefixedValueScope(value, like, /^/, /^\{[^}]+\}/);
    case 'terraform-cloud':
      return prefixedValueScope(
        value,
        like,
        /^organization:[^:]+:/,
        /^organization:[^:]+:project:[^:]+:workspace:[^:]+:/,
      );
    case 'buildkite':
      return prefixedValueScope(
        value,
        like,
        /^organization:[^:]+:/,
        /^organization:[^:]+:pipeline:[^:]+:/,
      );
    case 'circleci':
      return prefixedValueScope(
        value,
        like,
        /^org\/[^/]+\//,
        /^org\/[^/]+\/project\/[^/]+\//,
      );
    default: {
      const pinned = !like || !hasWildcard(value);
      return { tenantPinned: pinned, projectPinned: pinned, anyBranch: false };
    }
  }
}

/** Claims (besides `sub`) whose exact value pins a tenant, per provider. */
const TENANT_CLAIMS: Record<string, string[]> = {
  github: [
    'repository_owner',
    'repository_owner_id',
    'repository',
    'repository_id',
    'enterprise',
    'enterprise_id',
  ],
  gitlab: ['namespace_path', 'namespace_id', 'project_path', 'project_id'],
  'terraform-cloud': [
    'terraform_organization_id',
    'terraform_organization_name',
  ],
  cognito: ['aud'],
  google: ['aud', 'oaud', 'sub', 'azp', 'hd'],
  amazon: ['app_id', 'user_id'],
  facebook: ['app_id', 'id'],
  circleci: ['aud', 'oidc.circleci.com/org-id'],
  bitbucket: ['aud'],
  buildkite: ['organization_slug'],
};

/** Claims whose exact value pins one project. */
const PROJECT_CLAIMS: Record<string, string[]> = {
  github: ['repository', 'repository_id'],
  gitlab: ['project_path', 'project_id'],
  'terraform-cloud': ['terraform_workspace_id', 'terraform_workspace_name'],
  circleci: ['oidc.circleci.com/project-id'],
  buildkite: ['pipeline_slug'],
  bitbucket: ['repositoryuuid'],
};

/**
 * The web identity providers the engine knows, in one table: what a tenant and a project are called,
 * and how the subject reads. A trust that admits any tenant of a shared issuer is unrestricted
 * (critical); one that admits every project of one tenant is broad (high), as for GitHub.
 */
export interface WebIdentityProviderInfo {
  /** Plain name, e.g. "GitHub Actions". */
  name: string;
  /** What one tenant is called: "owner", "group", "organization", "workspace", "cluster". */
  tenant: string;
  /** What one project is called ("repository", "workspace", …); absent when the provider has none. */
  project?: string;
  /** An example subject that pins one project. */
  example?: string;
}

/** The providers whose subjects the engine reads, by provider name. */
export const WEB_IDENTITY_PROVIDERS: Readonly<
  Record<string, WebIdentityProviderInfo>
> = Object.freeze({
  github: {
    name: 'GitHub Actions',
    tenant: 'owner',
    project: 'repository',
    example: 'repo:OWNER/REPO:ref:refs/heads/main',
  },
  gitlab: {
    name: 'GitLab CI/CD',
    tenant: 'group',
    project: 'project',
    example: 'project_path:GROUP/PROJECT:ref_type:branch:ref:main',
  },
  'terraform-cloud': {
    name: 'HCP Terraform',
    tenant: 'organization',
    project: 'workspace',
    example:
      'organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:apply',
  },
  circleci: {
    name: 'CircleCI',
    tenant: 'organization',
    project: 'project',
    example: 'org/ORG_ID/project/PROJECT_ID/user/USER_ID',
  },
  bitbucket: {
    name: 'Bitbucket Pipelines',
    tenant: 'workspace',
    project: 'repository',
    example: '{REPOSITORY_UUID}:{STEP_UUID}',
  },
  buildkite: {
    name: 'Buildkite',
    tenant: 'organization',
    project: 'pipeline',
    example:
      'organization:ORG:pipeline:PIPELINE:ref:refs/heads/main:commit:*:step:*',
  },
  eks: {
    name: 'EKS service accounts',
    tenant: 'cluster',
    project: 'service account',
    example: 'system:serviceaccount:NAMESPACE:NAME',
  },
  cognito: {
    name: 'Cognito identity pool identities',
    tenant: 'identity pool',
  },
  google: { name: 'Google accounts', tenant: 'OAuth client' },
  amazon: { name: 'Login with Amazon users', tenant: 'application' },
  facebook: { name: 'Facebook users', tenant: 'application' },
  'azure-devops': { name: 'Azure DevOps pipelines', tenant: 'organization' },
  spacelift: { name: 'Spacelift runs', tenant: 'account' },
});

/** Claims that narrow the branch / environment. */
const BRANCH_CLAIMS: Record<string, string[]> = {
  github: ['ref', 'environment', 'job_workflow_ref', 'workflow_ref', 'sha'],
  gitlab: ['ref', 'environment'],
};

/** Audience claims per provider. */
export function audienceClaims(provider: string | undefined): string[] {
  if (provider === 'amazon' || provider === 'facebook') return ['app_id'];
  if (provider === 'google') return ['aud', 'oaud'];
  return ['aud'];
}

/** The combined scope of a web-identity trust: all constraints hold (AND), values of one constraint are alternatives (OR). */
export function webIdentityScope(
  provider: string | undefined,
  constraints: ClaimConstraint[],
): SubjectScope & {
  subjectConstrained: boolean;
  audienceConstrained: boolean;
} {
  let tenantPinned = false;
  let projectPinned = false;
  let branchPinned = false;
  let subjectConstrained = false;
  let audienceConstrained = false;
  const audClaims = audienceClaims(provider);
  const p = provider ?? '';
  for (const c of constraints) {
    if (c.values.length === 0) continue;
    if (audClaims.includes(c.claim)) audienceConstrained = true;
    if (c.claim === 'sub') {
      subjectConstrained = true;
      const scopes = c.values.map(v => subjectValueScope(provider, v, c.like));
      if (scopes.every(s => s.tenantPinned)) tenantPinned = true;
      if (scopes.every(s => s.projectPinned)) projectPinned = true;
      if (scopes.every(s => !s.anyBranch)) branchPinned = true;
      continue;
    }
    const exact = c.values.every(v => !c.like || !hasWildcard(v));
    if (!exact) continue;
    if ((TENANT_CLAIMS[p] ?? []).includes(c.claim)) tenantPinned = true;
    if ((PROJECT_CLAIMS[p] ?? []).includes(c.claim)) {
      tenantPinned = true;
      projectPinned = true;
    }
    if ((BRANCH_CLAIMS[p] ?? []).includes(c.claim)) branchPinned = true;
  }
  return {
    tenantPinned,
    projectPinned,
    anyBranch: !branchPinned,
    subjectConstrained,
    audienceConstrained,
  };
}
