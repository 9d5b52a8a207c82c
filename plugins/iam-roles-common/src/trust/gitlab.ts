import type { PrincipalContext } from './types';

/** A GitLab project as the catalog names it: its instance host and path (`group/sub/project`). */
export interface GitLabProject {
  /** `gitlab.com`, or the host of a self-managed instance. */
  host: string;
  projectPath: string;
}

/**
 * What a GitLab CI/CD job of the project presents to AWS: the claims of its ID token for one ref
 * (`sub` is `project_path:G/P:ref_type:branch|tag:ref:R`). The audience is left unknown: each job
 * chooses it, so a role that pins it answers "possible" with that condition.
 */
export function gitlabJobContext(
  project: GitLabProject,
  ref: { refType: 'branch' | 'tag' | string; ref: string } = {
    refType: 'branch',
    ref: 'main',
  },
): PrincipalContext {
  return {
    type: 'oidc',
    provider: project.host,
    claims: {
      sub: `project_path:${project.projectPath}:ref_type:${ref.refType}:ref:${ref.ref}`,
      project_path: project.projectPath,
      namespace_path: project.projectPath.split('/').slice(0, -1).join('/'),
      ref: ref.ref,
      ref_type: ref.refType,
    },
  };
}

/** The GitLab project of a catalog entity's `gitlab.com/project-slug` and `gitlab.com/instance` annotations. */
export function gitlabProjectOf(
  annotations: Record<string, string | undefined>,
): GitLabProject | undefined {
  const projectPath = annotations['gitlab.com/project-slug']?.trim();
  if (!projectPath || !/^[\w.-]+(\/[\w.-]+)+$/.test(projectPath)) {
    return undefined;
  }
  const host = (annotations['gitlab.com/instance']?.trim() || 'gitlab.com')
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '')
    .toLocaleLowerCase('en-US');
  return { host, projectPath };
}
