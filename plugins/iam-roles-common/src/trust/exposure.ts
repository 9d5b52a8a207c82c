import type { Finding, FindingId } from './types';

/**
 * How far outside its owners a role is open: `public` when anyone can assume it (an AWS `*`
 * principal without a caller-restricting condition, `NotPrincipal` in an Allow, an OIDC provider
 * with any subject, Cognito guests), `unpinned` when an OIDC subject lets in workloads nobody listed
 * (any branch, any repository of an organisation).
 */
export type RoleExposure = 'public' | 'unpinned';

const EXPOSURE: Partial<Record<FindingId, RoleExposure>> = {
  'public-trust': 'public',
  'not-principal': 'public',
  'oidc-unrestricted-subject': 'public',
  'cognito-guest-access': 'public',
  'oidc-broad-subject': 'unpinned',
};

/**
 * A role's exposure from the engine's findings: the one definition of "publicly assumable" that the
 * inventory's preset, the catalog's `trust-public` tag and the findings agree on.
 */
export function roleExposure(
  findings: ReadonlyArray<Pick<Finding, 'id'>>,
): RoleExposure | undefined {
  let exposure: RoleExposure | undefined;
  for (const f of findings) {
    const e = EXPOSURE[f.id];
    if (e === 'public') return e;
    exposure = e ?? exposure;
  }
  return exposure;
}
