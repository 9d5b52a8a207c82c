import { screen } from '@testing-library/react';
import type { Entity } from '@backstage/catalog-model';
import type { AssumableRole } from '@backstage-iam/plugin-iam-roles-common';
import { describeOutcome, OutcomeCell } from './IncidentLookup';
import { renderWithApis } from '../__testUtils__/renderWithApis';
import { IamRolesQueryProvider } from '../hooks/IamRolesQueryProvider';

const ISSUER =
  'oidc.eks.eu-west-1.amazonaws.com/id/8D70EFBA7736795BE8B00B497EE67693';
const PROVIDER = `arn:aws:iam::333333333333:oidc-provider/${ISSUER}`;

const role: AssumableRole = {
  entityRef: 'resource:default/payments-api-production',
  arn: 'arn:aws:iam::333333333333:role/eks/payments-api-production',
  title: 'payments-api-production',
  outcome: 'possible',
  via: 'sts:AssumeRoleWithWebIdentity',
  conditions: [
    { operator: 'ArnEquals', key: 'aws:FederatedProvider', values: [PROVIDER] },
  ],
  findings: [],
  matchedBy: 'eks:payments/payments-api',
};

const production: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'aws-account-333333333333',
    namespace: 'default',
    title: 'AWS account acme-production (333333333333)',
    annotations: { 'amazonaws.com/account-id': '333333333333' },
  },
  spec: {
    type: 'aws-account',
    owner: 'group:default/platform',
    eksClusters: [
      {
        name: 'acme-production',
        region: 'eu-west-1',
        oidcIssuer: `https://${ISSUER}`,
      },
    ],
  },
};

describe('IncidentLookup outcome', () => {
  it('names the EKS cluster a looked-up service account must run on, the provider ARN on hover (#16)', async () => {
    await renderWithApis(
      <IamRolesQueryProvider>
        <OutcomeCell role={role} />
      </IamRolesQueryProvider>,
      {
        catalogEntities: [production],
      },
    );
    expect(
      await screen.findByText(
        'only if the workload runs on cluster acme-production (eu-west-1, acme-production)',
      ),
    ).toHaveAttribute('title', `ArnEquals aws:FederatedProvider ${PROVIDER}`);
  });

  it('keeps the issuer id when no account entity names the cluster', () => {
    expect(describeOutcome(role)).toBe(
      'If the workload runs on cluster 8D70EFBA7736795BE8B00B497EE67693 (eu-west-1)',
    );
  });
});
