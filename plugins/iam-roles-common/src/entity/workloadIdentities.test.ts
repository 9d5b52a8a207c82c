import { analyzeRole } from '../trust/analyzeRole';
import {
  matchWorkload,
  workloadContexts,
  workloadIdentitiesOf,
  workloadIdentityOfContext,
} from './workloadIdentities';

const GITHUB =
  'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com';
const EKS =
  'arn:aws:iam::111111111111:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC123';

function role(statements: unknown[]) {
  return analyzeRole({
    arn: 'arn:aws:iam::111111111111:role/deploy',
    trustPolicy: { Version: '2012-10-17', Statement: statements },
  });
}

function github(sub: string | string[], op = 'StringLike') {
  return role([
    {
      Effect: 'Allow',
      Principal: { Federated: GITHUB },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        },
        [op]: { 'token.actions.githubusercontent.com:sub': sub },
      },
    },
  ]);
}

const api = { type: 'github', owner: 'acme', repo: 'api' } as const;

describe('workloadIdentitiesOf', () => {
  it('reads GitHub, GitLab and both Kubernetes annotation forms', () => {
    expect(
      workloadIdentitiesOf({
        metadata: {
          annotations: {
            'github.com/project-slug': 'acme/api',
            'gitlab.com/project-slug': 'acme/platform/api',
            'gitlab.com/instance': 'https://gitlab.acme.dev/',
            'iam-roles.backstage-iam.io/kubernetes-service-accounts':
              'payments/api, payments:worker,bad',
          },
        },
      }),
    ).toEqual([
      api,
      {
        type: 'gitlab',
        project: { host: 'gitlab.acme.dev', projectPath: 'acme/platform/api' },
      },
      { type: 'eks', namespace: 'payments', serviceAccount: 'api' },
      { type: 'eks', namespace: 'payments', serviceAccount: 'worker' },
    ]);
    expect(
      workloadIdentitiesOf({
        metadata: {
          annotations: {
            'backstage.io/kubernetes-id': 'billing',
            'backstage.io/kubernetes-namespace': 'finance',
          },
        },
      }),
    ).toEqual([
      { type: 'eks', namespace: 'finance', serviceAccount: 'billing' },
    ]);
  });

  it('ignores malformed annotations', () => {
    expect(
      workloadIdentitiesOf({
        metadata: {
          annotations: {
            'github.com/project-slug': 'acme/api/extra',
            'iam-roles.backstage-iam.io/kubernetes-service-accounts':
              'Bad_NS/x',
          },
        },
      }),
    ).toEqual([]);
  });
});

describe('matchWorkload', () => {
  it('finds a role pinned to an environment, and says which context gets in', () => {
    const m = matchWorkload(
      github('repo:acme/api:environment:production', 'StringEquals'),
      api,
    );
    expect(m?.decision.outcome).toBe('allowed');
    expect(m?.label).toBe('github:acme/api@environment:production');
  });

  it('prefers the default branch when it gets in', () => {
    const m = matchWorkload(github('repo:acme/api:*'), api);
    expect(m?.decision.outcome).toBe('allowed');
    expect(m?.label).toBe('github:acme/api@refs/heads/main');
  });

  it('finds tag patterns and pull requests', () => {
    expect(
      matchWorkload(github('repo:acme/api:ref:refs/tags/v*'), api)?.label,
    ).toBe('github:acme/api@refs/tags/vmain');
    expect(
      matchWorkload(github('repo:acme/api:pull_request', 'StringEquals'), api)
        ?.label,
    ).toBe('github:acme/api@pull_request');
  });

  it('does not let another repository in', () => {
    expect(matchWorkload(github('repo:acme/web:*'), api)).toBeUndefined();
    expect(matchWorkload(github('repo:other/api:*'), api)).toBeUndefined();
  });

  it('answers possible for a subject it cannot settle (a custom template)', () => {
    const m = matchWorkload(github('repo:acme/api:job_workflow_ref:*'), api);
    expect(m?.decision.outcome).toBe('possible');
    expect(m?.label).toBe('github:acme/api');
  });

  it('maps EKS service accounts, leaving the cluster as a condition', () => {
    const r = role([
      {
        Effect: 'Allow',
        Principal: { Federated: EKS },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'oidc.eks.eu-west-1.amazonaws.com/id/ABC123:sub':
              'system:serviceaccount:payments:api',
          },
        },
      },
    ]);
    const m = matchWorkload(r, {
      type: 'eks',
      namespace: 'payments',
      serviceAccount: 'api',
    });
    expect(m?.decision.outcome).toBe('possible');
    expect(m?.decision.conditions.map(c => c.key)).toEqual([
      'aws:FederatedProvider',
    ]);
    expect(
      matchWorkload(r, {
        type: 'eks',
        namespace: 'payments',
        serviceAccount: 'other',
      }),
    ).toBeUndefined();
  });

  it('maps a self-managed GitLab project by its instance', () => {
    const r = role([
      {
        Effect: 'Allow',
        Principal: {
          Federated: 'arn:aws:iam::111111111111:oidc-provider/gitlab.acme.dev',
        },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringLike: {
            'gitlab.acme.dev:sub': 'project_path:acme/api:ref_type:tag:ref:v*',
          },
        },
      },
    ]);
    const project = {
      type: 'gitlab',
      project: { host: 'gitlab.acme.dev', projectPath: 'acme/api' },
    } as const;
    expect(matchWorkload(r, project)?.label).toBe(
      'gitlab:gitlab.acme.dev:acme/api@tags/vmain',
    );
    expect(
      matchWorkload(r, {
        type: 'gitlab',
        project: { host: 'gitlab.com', projectPath: 'acme/api' },
      }),
    ).toBeUndefined();
  });

  it('is undefined for a role without a readable policy', () => {
    expect(
      matchWorkload(
        analyzeRole({ arn: 'arn:aws:iam::1:role/x', trustPolicy: 'nope' }),
        api,
      ),
    ).toBeUndefined();
  });
});

describe('workloadContexts and workloadIdentityOfContext', () => {
  it('asks about the default branch first and any workflow last', () => {
    const labels = workloadContexts(
      api,
      github('repo:acme/api:environment:prod*').principals,
    ).map(c => c.label);
    expect(labels).toEqual([
      'github:acme/api@refs/heads/main',
      'github:acme/api@environment:prodmain',
      'github:acme/api',
    ]);
  });

  it('reads a context without a ref as the workload itself', () => {
    expect(
      workloadIdentityOfContext({ type: 'github', owner: 'acme', repo: 'api' }),
    ).toEqual(api);
    expect(
      workloadIdentityOfContext({
        type: 'github',
        owner: 'acme',
        repo: 'api',
        ref: 'refs/heads/x',
      }),
    ).toBeUndefined();
  });
});
