import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  analyzeRole,
  evaluateAssume,
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
  if (!github && serviceAccounts.length === 0) {
    return undefined;
  }
  return {
    ref: stringifyEntityRef(entity).toLocaleLowerCase('en-US'),
    github,
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

function admits(policy: NormalizedPolicy, context: PrincipalContext): boolean {
  const { outcome } = evaluateAssume(policy, context);
  return outcome === 'allowed' || outcome === 'possible';
}

/**
 * Components that can assume a role: those whose GitHub repository or Kubernetes service account
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
