import type { AssumableRole } from '@backstage-iam/plugin-iam-roles-common';

/** What a roles table says about how an entity got a role beyond its trust policy. */
export type DerivedAccess = 'Identity Center' | 'Pod Identity';

// The broker answers an Identity Center role's relation with the role's SAML provider, which
// Identity Center names AWSSSO_…: the only sign of it when the role entity says nothing more.
const IDENTITY_CENTER_SAML = /:saml-provider\/AWSSSO_/;

/**
 * How the row's holder got the role beyond its trust policy: the broker's `derivedVia` (how the
 * catalog module related them); without it, from the SAML provider the answer names.
 */
export function derivedAccess(
  role: Pick<AssumableRole, 'matchedBy' | 'derivedVia'>,
): DerivedAccess[] {
  const via = role.derivedVia;
  if (via) {
    const out: DerivedAccess[] = [];
    if (
      via.includes('identity-center') ||
      via.includes('identity-center-config')
    ) {
      out.push('Identity Center');
    }
    if (via.includes('pod-identity')) {
      out.push('Pod Identity');
    }
    return out;
  }
  return role.matchedBy && IDENTITY_CENTER_SAML.test(role.matchedBy)
    ? ['Identity Center']
    : [];
}
