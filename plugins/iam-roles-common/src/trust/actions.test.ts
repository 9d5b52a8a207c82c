import { describeTrustActions, TRUST_ACTIONS } from './index';

describe('describeTrustActions', () => {
  it.each([
    [['sts:AssumeRoleWithWebIdentity'], 'assume with an OIDC token'],
    [
      ['sts:AssumeRole', 'sts:TagSession'],
      'assume with its AWS credentials (and tag the session)',
    ],
    [
      ['sts:AssumeRoleWithSAML', 'sts:TagSession', 'sts:SetSourceIdentity'],
      'assume with a SAML sign-in (and tag the session and set a source identity)',
    ],
    [
      ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity'],
      'assume with its AWS credentials or with an OIDC token',
    ],
    [['sts:TagSession'], 'tag the session, but not assume'],
    [
      ['sts:AssumeRole', 'sts:Unknown'],
      'assume with its AWS credentials (and sts:Unknown)',
    ],
    [[], ''],
  ])('%j reads "%s"', (actions, words) => {
    expect(describeTrustActions(actions)).toBe(words);
  });

  it('has words for every trust action: none is shown raw', () => {
    for (const action of TRUST_ACTIONS) {
      expect(describeTrustActions([action])).not.toContain('sts:');
    }
  });
});
