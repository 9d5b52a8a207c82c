import { derivedAccess } from './accessDerivation';

const SAML =
  'arn:aws:iam::222222222222:saml-provider/AWSSSO_0123_DO_NOT_DELETE';

describe('derivedAccess', () => {
  it("tags the row by the broker's derivedVia", () => {
    expect(derivedAccess({ derivedVia: ['identity-center'] })).toEqual([
      'Identity Center',
    ]);
    expect(derivedAccess({ derivedVia: ['identity-center-config'] })).toEqual([
      'Identity Center',
    ]);
    expect(
      derivedAccess({ derivedVia: ['identity-center', 'pod-identity'] }),
    ).toEqual(['Identity Center', 'Pod Identity']);
  });

  it('says nothing for a trust-policy holder, even when the broker names an Identity Center provider', () => {
    expect(
      derivedAccess({ derivedVia: ['trust-policy'], matchedBy: SAML }),
    ).toEqual([]);
  });

  it('falls back to the SAML provider the broker names when the row carries no derivation', () => {
    expect(derivedAccess({ matchedBy: SAML })).toEqual(['Identity Center']);
    expect(
      derivedAccess({
        matchedBy: 'arn:aws:iam::222222222222:saml-provider/okta',
      }),
    ).toEqual([]);
  });
});
