import {
  describeConditionWith,
  describeTrustActions,
  type ConditionClause,
  type DescribeOptions,
} from '@backstage-iam/plugin-iam-roles-common';

/** How a role is assumed, in words (`sts:AssumeRoleWithWebIdentity` → "with an OIDC token"); the action itself when unknown. */
export function describeAction(action: string | undefined): string {
  if (!action) {
    return '';
  }
  // The engine's wording ("assume with an OIDC token") without its verb: "Yes, with an OIDC token".
  const words = describeTrustActions([action]);
  return words.startsWith('assume ') ? words.slice('assume '.length) : action;
}

/**
 * Which of an entity's identities got in, in words: `github:acme/api@environment:production` →
 * "environment production of acme/api"; `github:acme/api@refs/heads/main` → "branch main of acme/api".
 */
export function describeMatchedBy(matchedBy: string | undefined): string {
  if (!matchedBy) {
    return '';
  }
  const m = /^(github|gitlab):([^@]+)(?:@(.+))?$/.exec(matchedBy);
  if (m) {
    const [, , where, ref] = m;
    if (!ref) {
      return `any workflow of ${where}`;
    }
    if (ref === 'pull_request') {
      return `pull requests of ${where}`;
    }
    const env = /^environment:(.+)$/.exec(ref);
    if (env) {
      return `environment ${env[1]} of ${where}`;
    }
    const branch = /^(?:refs\/heads\/)(.+)$/.exec(ref);
    if (branch) {
      return `branch ${branch[1]} of ${where}`;
    }
    const tag = /^(?:refs\/tags\/|tags\/)(.+)$/.exec(ref);
    if (tag) {
      return `tag ${tag[1]} of ${where}`;
    }
    return `${ref} of ${where}`;
  }
  const eks = /^eks:(.+)$/.exec(matchedBy);
  if (eks) {
    return `Kubernetes service account ${eks[1]}`;
  }
  return matchedBy;
}

/**
 * A role's conditions as a short tag: the first condition in words and how many more, with what
 * `options` name (an EKS workload's open condition reads "only if the workload runs on cluster
 * acme-production (eu-west-1, acme-production)").
 */
export function summarizeConditions(
  conditions: ConditionClause[],
  options: DescribeOptions = {},
): string {
  if (conditions.length === 0) {
    return '';
  }
  const words = conditions.map(describeConditionWith(options));
  const first = words[0];
  return conditions.length === 1
    ? `only if ${first}`
    : `only if ${first} (and ${conditions.length - 1} more)`;
}

/** Conditions as the policy writes them, one per line (`ArnEquals aws:FederatedProvider arn:…`): the raw form behind the words. */
export function rawConditions(conditions: ConditionClause[]): string {
  return conditions
    .map(c => `${c.operator} ${c.key} ${c.values.join(', ')}`)
    .join('\n');
}
