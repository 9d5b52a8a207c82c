import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  analyzeRole,
  evaluateAssume,
  gitlabJobContext,
  gitlabProjectOf,
  GitLabProject,
  NormalizedPolicy,
  PrincipalContext,
  TrustedPrincipal,
} from '@backstage-iam/plugin-iam-roles-common';

/** Annotation on components: the Kubernetes service accounts they run as, `ns/sa[,ns/sa…]`. */
export const ANNOTATION_KUBERNETES_SERVICE_ACCOUNTS =
  'iam-roles.backstage-iam.io/kubernetes-service-accounts';
const ANNOTATION_PROJECT_SLUG = 'github.com/project-slug';
const ANNOTATION_KUBERNETES_ID = 'backstage.io/kubernetes-id';
const ANNOTATION_KUBERNETES_NAMESPACE = 'backstage.io/kubernetes-namespace';

/** A component as far as trust mapping cares. */
export interface WorkloadComponent {
  ref: string;
  github?: { owner: string; repo: string };
  gitlab?: GitLabProject;
  serviceAccounts: Array<{ namespace: string; serviceAccount: string }>;
}

/** Reads the annotations that tie a component to a GitHub repository or Kubernetes service accounts. */
export function toWorkloadComponent(
  entity: Entity,
): WorkloadComponent | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const slug = annotations[ANNOTATION_PROJECT_SLUG]?.trim();
  const [owner, repo, ...rest] = slug ? slug.split('/') : [];
  const github =
    owner && repo && rest.length === 0 ? { owner, repo } : undefined;

  const gitlab = gitlabProjectOf(annotations);

  const serviceAccounts: WorkloadComponent['serviceAccounts'] = [];
  for (const item of (
    annotations[ANNOTATION_KUBERNETES_SERVICE_ACCOUNTS] ?? ''
  ).split(',')) {
    const [namespace, serviceAccount, ...extra] = item.trim().split(/[/:]/);
    if (namespace && serviceAccount && extra.length === 0) {
      serviceAccounts.push({ namespace, serviceAccount });
    }
  }
  const k8sId = annotations[ANNOTATION_KUBERNETES_ID]?.trim();
  const k8sNamespace = annotations[ANNOTATION_KUBERNETES_NAMESPACE]?.trim();
  if (serviceAccounts.length === 0 && k8sId && k8sNamespace) {
    // Without an explicit list, the common convention: the service account is named after the app.
    serviceAccounts.push({ namespace: k8sNamespace, serviceAccount: k8sId });
  }
  if (!github && !gitlab && serviceAccounts.length === 0) {
    return undefined;
  }
  return {
    ref: stringifyEntityRef(entity).toLocaleLowerCase('en-US'),
    github,
    gitlab,
    serviceAccounts,
  };
}

function concretize(pattern: string): string {
  return pattern.replace(/\*/g, 'main').replace(/\?/g, 'x');
}

/**
 * The GitHub Actions contexts worth asking the engine about for this principal: any workflow of the
 * repository, the default branch, plus each ref, environment and pull_request subject its `sub`
 * conditions name (wildcards filled in), so a role pinned to `environment:production`,
 * `ref:refs/tags/v*` or `pull_request` is found too.
 */
function githubVariants(
  principal: TrustedPrincipal,
): Array<{ ref?: string; environment?: string; pullRequest?: boolean }> {
  const variants = new Map<
    string,
    { ref?: string; environment?: string; pullRequest?: boolean }
  >();
  // Any workflow of the repository (the engine treats the subject as unknown beyond the repo).
  variants.set('any', {});
  variants.set('ref:refs/heads/main', { ref: 'refs/heads/main' });
  for (const condition of principal.conditions) {
    if (!condition.key.toLocaleLowerCase('en-US').endsWith(':sub')) {
      continue;
    }
    for (const value of condition.values) {
      if (/^repo:[^:]+:pull_request$/.test(value)) {
        variants.set('pull_request', { pullRequest: true });
        continue;
      }
      const match = /^repo:[^:]+:(ref|environment):(.+)$/.exec(value);
      if (!match) {
        continue;
      }
      const concrete = concretize(match[2]);
      variants.set(
        `${match[1]}:${concrete}`,
        match[1] === 'ref' ? { ref: concrete } : { environment: concrete },
      );
    }
  }
  return [...variants.values()];
}

/**
 * The GitLab CI/CD refs worth asking about for this principal: the default branch, plus each ref its
 * `sub` conditions name (`project_path:G/P:ref_type:branch|tag:ref:R`, wildcards filled in).
 */
function gitlabVariants(
  principal: TrustedPrincipal,
): Array<{ refType: string; ref: string }> {
  const variants = new Map<string, { refType: string; ref: string }>([
    ['branch:main', { refType: 'branch', ref: 'main' }],
  ]);
  for (const condition of principal.conditions) {
    if (!condition.key.toLocaleLowerCase('en-US').endsWith(':sub')) {
      continue;
    }
    for (const value of condition.values) {
      const match = /^project_path:[^:]+:ref_type:([^:]+):ref:(.+)$/.exec(
        value,
      );
      if (match) {
        // A wildcard ref type (`ref_type:*`) is asked about as a branch.
        const refType = /[*?]/.test(match[1]) ? 'branch' : match[1];
        const ref = concretize(match[2]);
        variants.set(`${refType}:${ref}`, { refType, ref });
      }
    }
  }
  return [...variants.values()];
}

function issuerHost(principal: TrustedPrincipal): string {
  // `arn:aws:iam::123:oidc-provider/gitlab.example.com` or the bare host
  return principal.id
    .replace(/^arn:[^:]+:iam::\d{12}:oidc-provider\//, '')
    .replace(/^https?:\/\//, '')
    .toLocaleLowerCase('en-US');
}

function admits(policy: NormalizedPolicy, context: PrincipalContext): boolean {
  const { outcome } = evaluateAssume(policy, context);
  return outcome === 'allowed' || outcome === 'possible';
}

/**
 * Components that can assume a role: those whose GitHub repository, GitLab project or Kubernetes service account
 * the trust engine lets in (allowed, or possible under conditions it cannot settle).
 */
export function workloadRefs(
  role: { arn: string; trustPolicy: unknown },
  components: WorkloadComponent[],
): string[] {
  const analysis = analyzeRole({
    arn: role.arn,
    trustPolicy: role.trustPolicy,
  });
  const policy = analysis.policy;
  if (!policy) {
    return [];
  }
  const refs = new Set<string>();
  for (const principal of analysis.principals) {
    if (principal.kind !== 'oidc') {
      continue;
    }
    if (principal.provider === 'github') {
      const variants = githubVariants(principal);
      for (const component of components) {
        if (!component.github || refs.has(component.ref)) {
          continue;
        }
        const { owner, repo } = component.github;
        if (
          variants.some(v =>
            admits(policy, { type: 'github', owner, repo, ...v }),
          )
        ) {
          refs.add(component.ref);
        }
      }
    } else if (
      principal.provider === 'gitlab' ||
      components.some(c => c.gitlab && c.gitlab.host === issuerHost(principal))
    ) {
      // gitlab.com, or a self-managed instance named by a component's gitlab.com/instance
      const host = issuerHost(principal);
      const variants = gitlabVariants(principal);
      for (const component of components) {
        if (
          !component.gitlab ||
          component.gitlab.host !== host ||
          refs.has(component.ref)
        ) {
          continue;
        }
        const gitlab = component.gitlab;
        if (variants.some(v => admits(policy, gitlabJobContext(gitlab, v)))) {
          refs.add(component.ref);
        }
      }
    } else if (principal.provider === 'eks') {
      for (const component of components) {
        if (refs.has(component.ref)) {
          continue;
        }
        const ok = component.serviceAccounts.some(sa =>
          admits(policy, {
            type: 'eks',
            provider: principal.id,
            namespace: sa.namespace,
            serviceAccount: sa.serviceAccount,
          }),
        );
        if (ok) {
          refs.add(component.ref);
        }
      }
    }
  }
  return [...refs].sort();
}
