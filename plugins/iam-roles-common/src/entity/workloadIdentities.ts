import { evaluateAssume } from '../trust/evaluateAssume';
import {
  GitLabProject,
  gitlabJobContext,
  gitlabProjectOf,
} from '../trust/gitlab';
import type {
  AssumeDecision,
  NormalizedPolicy,
  PrincipalContext,
  TrustedPrincipal,
} from '../trust/types';

/** Annotation of a component: its GitHub repository, `OWNER/REPO`. */
export const ANNOTATION_GITHUB_PROJECT_SLUG = 'github.com/project-slug';
/** Annotation of a component: its GitLab project path, `GROUP[/SUBGROUP…]/PROJECT`. */
export const ANNOTATION_GITLAB_PROJECT_SLUG = 'gitlab.com/project-slug';
/** Annotation of a component: the host of its self-managed GitLab (default `gitlab.com`). */
export const ANNOTATION_GITLAB_INSTANCE = 'gitlab.com/instance';
/** Annotation of a component: the Kubernetes service accounts it runs as, `ns/sa[,ns/sa…]` (`ns:sa` also read). */
export const ANNOTATION_KUBERNETES_SERVICE_ACCOUNTS =
  'iam-roles.backstage-iam.io/kubernetes-service-accounts';
/** Backstage's Kubernetes annotation: the workload id (taken as the service account name when no list is given). */
export const ANNOTATION_KUBERNETES_ID = 'backstage.io/kubernetes-id';
/** Backstage's Kubernetes annotation: the namespace of the workload. */
export const ANNOTATION_KUBERNETES_NAMESPACE =
  'backstage.io/kubernetes-namespace';

/** An identity a catalog entity's workloads present to AWS, read from its annotations. */
export type WorkloadIdentity =
  | { type: 'github'; owner: string; repo: string }
  | { type: 'gitlab'; project: GitLabProject }
  | { type: 'eks'; namespace: string; serviceAccount: string };

/** One context to ask the trust engine about, with the principal spec that names it. */
export interface WorkloadContext {
  context: PrincipalContext;
  /** e.g. `github:acme/api`, `github:acme/api@environment:production`, `eks:payments/api`. */
  label: string;
}

/** The best answer of one role for one workload identity. */
export interface WorkloadMatch extends WorkloadContext {
  identity: WorkloadIdentity;
  decision: AssumeDecision;
}

const GITHUB_NAME = /^[A-Za-z0-9_.-]+$/;
const K8S_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
/** The default branch, as far as the catalog can tell (it does not record one). */
const DEFAULT_BRANCH = 'main';

/**
 * The identities an entity's workloads present, from its annotations: its GitHub repository
 * (`github.com/project-slug`), GitLab project (`gitlab.com/project-slug`, `gitlab.com/instance`) and
 * Kubernetes service accounts (the explicit list, else `backstage.io/kubernetes-namespace` +
 * `backstage.io/kubernetes-id`). The one mapping every package uses: the catalog's relations, the
 * broker's answers and the CLI cannot disagree about who an entity is.
 */
export function workloadIdentitiesOf(entity: {
  metadata: { annotations?: Record<string, string> };
}): WorkloadIdentity[] {
  const annotations = entity.metadata.annotations ?? {};
  const out: WorkloadIdentity[] = [];
  const slug = annotations[ANNOTATION_GITHUB_PROJECT_SLUG]?.trim();
  if (slug) {
    const [owner, repo, ...rest] = slug.split('/');
    if (
      owner &&
      repo &&
      rest.length === 0 &&
      GITHUB_NAME.test(owner) &&
      GITHUB_NAME.test(repo)
    ) {
      out.push({ type: 'github', owner, repo });
    }
  }
  const gitlab = gitlabProjectOf(annotations);
  if (gitlab) out.push({ type: 'gitlab', project: gitlab });

  const seen = new Set<string>();
  const addServiceAccount = (namespace: string, serviceAccount: string) => {
    const key = `${namespace}/${serviceAccount}`;
    if (
      K8S_NAME.test(namespace) &&
      K8S_NAME.test(serviceAccount) &&
      !seen.has(key)
    ) {
      seen.add(key);
      out.push({ type: 'eks', namespace, serviceAccount });
    }
  };
  for (const item of (
    annotations[ANNOTATION_KUBERNETES_SERVICE_ACCOUNTS] ?? ''
  ).split(',')) {
    const [namespace, serviceAccount, ...extra] = item.trim().split(/[/:]/);
    if (namespace && serviceAccount && extra.length === 0) {
      addServiceAccount(namespace, serviceAccount);
    }
  }
  const k8sId = annotations[ANNOTATION_KUBERNETES_ID]?.trim();
  const k8sNamespace = annotations[ANNOTATION_KUBERNETES_NAMESPACE]?.trim();
  if (seen.size === 0 && k8sId && k8sNamespace) {
    // Without an explicit list, the common convention: the service account is named after the app.
    addServiceAccount(k8sNamespace, k8sId);
  }
  return out;
}

/** The principal spec of an identity, as `parsePrincipalSpec` and the incident lookup read it. */
export function workloadLabel(identity: WorkloadIdentity): string {
  switch (identity.type) {
    case 'github':
      return `github:${identity.owner}/${identity.repo}`;
    case 'gitlab':
      return `gitlab:${
        identity.project.host === 'gitlab.com'
          ? ''
          : `${identity.project.host}:`
      }${identity.project.projectPath}`;
    default:
      return `eks:${identity.namespace}/${identity.serviceAccount}`;
  }
}

/** The identity a principal context stands for when it names a workload without pinning a ref; else undefined. */
export function workloadIdentityOfContext(
  context: PrincipalContext,
): WorkloadIdentity | undefined {
  if (
    context.type === 'github' &&
    !context.ref &&
    !context.environment &&
    !context.pullRequest &&
    !context.audience
  ) {
    return { type: 'github', owner: context.owner, repo: context.repo };
  }
  if (context.type === 'eks' && !context.provider) {
    return {
      type: 'eks',
      namespace: context.namespace,
      serviceAccount: context.serviceAccount,
    };
  }
  return undefined;
}

function concretize(pattern: string): string {
  return pattern.replace(/\*/g, DEFAULT_BRANCH).replace(/\?/g, 'x');
}

function subjectValues(principals: TrustedPrincipal[]): string[] {
  const out: string[] = [];
  for (const p of principals) {
    if (p.kind !== 'oidc') continue;
    for (const c of p.conditions) {
      if (c.key.toLowerCase().endsWith(':sub')) out.push(...c.values);
    }
  }
  return out;
}

/**
 * The contexts worth asking about for an identity against one role: any workflow of the
 * repository, its default branch, and each ref, environment and pull-request subject the role's
 * `sub` conditions name (wildcards filled in) — so a role pinned to `environment:production`,
 * `ref:refs/tags/v*` or `pull_request` is found, and shown with the context that gets in.
 */
export function workloadContexts(
  identity: WorkloadIdentity,
  principals: TrustedPrincipal[],
): WorkloadContext[] {
  const base = workloadLabel(identity);
  if (identity.type === 'github') {
    const { owner, repo } = identity;
    const variants = new Map<string, WorkloadContext>();
    const add = (
      suffix: string,
      extra: { ref?: string; environment?: string; pullRequest?: boolean },
    ) => {
      if (!variants.has(suffix)) {
        variants.set(suffix, {
          context: { type: 'github', owner, repo, ...extra },
          label: suffix ? `${base}@${suffix}` : base,
        });
      }
    };
    add(`refs/heads/${DEFAULT_BRANCH}`, {
      ref: `refs/heads/${DEFAULT_BRANCH}`,
    });
    for (const value of subjectValues(principals)) {
      if (/^repo:[^:]+:pull_request$/.test(value)) {
        add('pull_request', { pullRequest: true });
        continue;
      }
      const m = /^repo:[^:]+:(ref|environment):(.+)$/.exec(value);
      if (!m) continue;
      const concrete = concretize(m[2]);
      if (m[1] === 'ref') add(concrete, { ref: concrete });
      else add(`environment:${concrete}`, { environment: concrete });
    }
    // Any workflow of the repository (the subject beyond the repository left open): last, so that
    // a concrete context that gets in unconditionally is preferred over "possible, if the subject…".
    add('', {});
    return [...variants.values()];
  }
  if (identity.type === 'gitlab') {
    const variants = new Map<string, WorkloadContext>();
    const add = (refType: string, ref: string) => {
      const key = `${refType}:${ref}`;
      if (!variants.has(key)) {
        variants.set(key, {
          context: gitlabJobContext(identity.project, { refType, ref }),
          label: `${base}@${refType === 'tag' ? 'tags/' : ''}${ref}`,
        });
      }
    };
    add('branch', DEFAULT_BRANCH);
    for (const value of subjectValues(principals)) {
      const m = /^project_path:[^:]+:ref_type:([^:]+):ref:(.+)$/.exec(value);
      if (m) {
        // A wildcard ref type (`ref_type:*`) is asked about as a branch.
        add(/[*?]/.test(m[1]) ? 'branch' : m[1], concretize(m[2]));
      }
    }
    return [...variants.values()];
  }
  return [
    {
      context: {
        type: 'eks',
        namespace: identity.namespace,
        serviceAccount: identity.serviceAccount,
      },
      label: base,
    },
  ];
}

const RANK: Record<string, number> = { allowed: 2, possible: 1 };

/** Whether a principal of the role could be this kind of workload at all (skips evaluation for the rest). */
function mayMatch(
  identity: WorkloadIdentity,
  principals: TrustedPrincipal[],
): boolean {
  return principals.some(p => {
    if (p.kind === 'public') return true;
    if (p.kind !== 'oidc') return false;
    if (identity.type === 'github') return p.provider === 'github';
    if (identity.type === 'eks') return p.provider === 'eks';
    const host = identity.project.host;
    return (
      p.provider === 'gitlab' ||
      p.id.toLowerCase().endsWith(`oidc-provider/${host}`) ||
      p.id.toLowerCase() === host
    );
  });
}

/**
 * The best answer of a role for a workload identity, or `undefined` when the role does not let it in:
 * every context of {@link workloadContexts} is evaluated; `allowed` beats `possible`, and among
 * `possible` answers the one with fewer unsettled conditions wins.
 */
export function matchWorkload(
  role: { policy?: NormalizedPolicy; principals: TrustedPrincipal[] },
  identity: WorkloadIdentity,
): WorkloadMatch | undefined {
  if (!role.policy || !mayMatch(identity, role.principals)) return undefined;
  let best: WorkloadMatch | undefined;
  for (const candidate of workloadContexts(identity, role.principals)) {
    const decision = evaluateAssume(role.policy, candidate.context);
    const rank = RANK[decision.outcome] ?? 0;
    if (rank === 0) continue;
    const bestRank = best ? RANK[best.decision.outcome] : 0;
    if (
      rank > bestRank ||
      (rank === bestRank &&
        decision.conditions.length < best!.decision.conditions.length)
    ) {
      best = { ...candidate, identity, decision };
      if (rank === 2) break;
    }
  }
  return best;
}
