import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type {
  AssumableRole,
  IamAccessDerivation,
} from '@backstage-iam/plugin-iam-roles-common';

/** What a roles table says about how an entity got a role beyond its trust policy. */
export type DerivedAccess = 'Identity Center' | 'Pod Identity';

/** `spec.iam.assumableByVia` of a role entity, by holder ref (normalised). */
export type AccessDerivations = Map<string, IamAccessDerivation[]>;

function normalize(ref: string): string {
  try {
    return stringifyEntityRef(parseEntityRef(ref));
  } catch {
    return ref.toLocaleLowerCase('en-US');
  }
}

/** Indexes a role entity's `assumableByVia` by holder. */
export function indexDerivations(
  entries: Array<{ entityRef: string; via: IamAccessDerivation[] }> = [],
): AccessDerivations {
  const index: AccessDerivations = new Map();
  for (const entry of entries) {
    const ref = normalize(entry.entityRef);
    index.set(ref, [...(index.get(ref) ?? []), ...entry.via]);
  }
  return index;
}

// The broker answers an Identity Center role's relation with the role's SAML provider, which
// Identity Center names AWSSSO_…: the only sign of it when the role entity says nothing more.
const IDENTITY_CENTER_SAML = /:saml-provider\/AWSSSO_/;

/**
 * How `holderRef` (the queried entity, or the one it owns that got in) reaches the role: the broker's
 * `derivedVia`, else the role entity's `assumableByVia`; without either, from what the answer names.
 */
export function derivedAccess(
  role: Pick<AssumableRole, 'matchedBy' | 'through' | 'derivedVia'>,
  queriedRef: string,
  derivations: AccessDerivations | undefined,
): DerivedAccess[] {
  // The broker says how it derived the row (derivedVia): the catalog's answer is then not needed.
  const via =
    role.derivedVia ?? derivations?.get(normalize(role.through ?? queriedRef));
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
