import type { TrustVersion } from '@backstage-iam/plugin-iam-roles-common';

const noChanges: TrustVersion['changes'] = {
  changed: [],
  principalsAdded: [],
  principalsRemoved: [],
  findingsAppeared: [],
  findingsGone: [],
  policiesAttached: [],
  policiesDetached: [],
  identityCenterAdded: [],
  identityCenterRemoved: [],
};

const github = {
  kind: 'oidc',
  id: 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com',
  description: 'GitHub Actions in acme/payments-api on branch main',
};
const anyRepo = {
  kind: 'oidc',
  id: 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com',
  description: 'GitHub Actions in any repository of any owner',
};
const unrestricted = {
  id: 'oidc-unrestricted-subject',
  severity: 'critical',
  title: 'Any tenant of the identity provider can assume the role',
};

/** A version of a role's trust, as the broker answers it. */
export function trustVersion(
  extra: Partial<TrustVersion> & Pick<TrustVersion, 'version'>,
): TrustVersion {
  return {
    roleRef: 'resource:default/payments-deploy',
    kind: 'changed',
    seenAt: '2026-11-20T10:00:00.000Z',
    arn: 'arn:aws:iam::111111111111:role/payments-deploy',
    accountId: '111111111111',
    ownerRef: 'group:default/payments',
    policyHash: `hash-${extra.version}`,
    introducedSeverity: 'none',
    summary: '',
    facts: {
      policyHash: `hash-${extra.version}`,
      policy: '{}',
      principals: [github],
      findings: [],
      ownerRef: 'group:default/payments',
      policies: [],
      identityCenter: [],
    },
    changes: noChanges,
    ...extra,
  };
}

/** payments-deploy: first recorded, then widened to any repository (critical), then its owner changed. */
export const paymentsDeployHistory: TrustVersion[] = [
  trustVersion({
    version: 3,
    seenAt: '2026-11-27T09:00:00.000Z',
    changes: {
      ...noChanges,
      changed: ['owner'],
      owner: { from: 'group:default/payments', to: 'group:default/platform' },
    },
  }),
  trustVersion({
    version: 2,
    seenAt: '2026-11-25T09:00:00.000Z',
    introducedSeverity: 'critical',
    changes: {
      ...noChanges,
      changed: ['trust-policy', 'findings'],
      principalsAdded: [anyRepo],
      principalsRemoved: [github],
      findingsAppeared: [unrestricted],
    },
  }),
  trustVersion({ version: 1, kind: 'baseline' }),
];
