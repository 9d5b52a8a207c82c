import { derivedAccess, indexDerivations } from './accessDerivation';

const SAML =
  'arn:aws:iam::222222222222:saml-provider/AWSSSO_0123_DO_NOT_DELETE';

describe('derivedAccess', () => {
  const derivations = indexDerivations([
    { entityRef: 'group:default/platform', via: ['identity-center-config'] },
    { entityRef: 'Component:default/Karpenter', via: ['trust-policy'] },
    { entityRef: 'component:default/karpenter', via: ['pod-identity'] },
    { entityRef: 'component:default/payments-api', via: ['trust-policy'] },
  ]);

  it('reads the holder from the role entity: the queried entity, or the one it owns that got in', () => {
    expect(derivedAccess({}, 'group:default/platform', derivations)).toEqual([
      'Identity Center',
    ]);
    expect(
      derivedAccess(
        { through: 'component:default/karpenter' },
        'group:default/platform',
        derivations,
      ),
    ).toEqual(['Pod Identity']);
  });

  it("takes the broker's derivedVia when the row carries it, without the catalog's answer", () => {
    expect(
      derivedAccess(
        { derivedVia: ['identity-center', 'pod-identity'] },
        'group:default/platform',
        undefined,
      ),
    ).toEqual(['Identity Center', 'Pod Identity']);
    // The broker's word wins over the entity's: a trust-policy row says nothing more.
    expect(
      derivedAccess(
        { derivedVia: ['trust-policy'] },
        'group:default/platform',
        derivations,
      ),
    ).toEqual([]);
  });

  it('compares refs as the catalog does, merging the entries of one holder', () => {
    expect(
      derivedAccess({}, 'component:default/KARPENTER', derivations),
    ).toEqual(['Pod Identity']);
  });

  it('says nothing for a trust-policy holder, even when the broker names an Identity Center provider', () => {
    expect(
      derivedAccess(
        { matchedBy: SAML },
        'component:default/payments-api',
        derivations,
      ),
    ).toEqual([]);
  });

  it('falls back to the SAML provider the broker names when the role entity says nothing of the holder', () => {
    expect(
      derivedAccess({ matchedBy: SAML }, 'group:default/sre', derivations),
    ).toEqual(['Identity Center']);
    expect(
      derivedAccess({ matchedBy: SAML }, 'group:default/sre', undefined),
    ).toEqual(['Identity Center']);
    expect(
      derivedAccess(
        {
          matchedBy: 'arn:aws:iam::222222222222:saml-provider/okta',
        },
        'group:default/sre',
        undefined,
      ),
    ).toEqual([]);
  });
});
