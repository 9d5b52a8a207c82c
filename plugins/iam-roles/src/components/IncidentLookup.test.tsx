import { screen } from '@testing-library/react';
import type { AssumableRole } from '@backstage-iam/plugin-iam-roles-common';
import { describeOutcome, OutcomeCell } from './IncidentLookup';
import { renderWithApis } from '../__testUtils__/renderWithApis';
import { IamRolesQueryProvider } from '../hooks/IamRolesQueryProvider';
import { EKS_PROVIDER, productionAccount } from '../__testUtils__/fixtures';

const role: AssumableRole = {
  entityRef: 'resource:default/payments-api-production',
  arn: 'arn:aws:iam::333333333333:role/eks/payments-api-production',
  title: 'payments-api-production',
  outcome: 'possible',
  via: 'sts:AssumeRoleWithWebIdentity',
  conditions: [
    {
      operator: 'ArnEquals',
      key: 'aws:FederatedProvider',
      values: [EKS_PROVIDER],
    },
  ],
  findings: [],
  matchedBy: 'eks:payments/payments-api',
};

describe('IncidentLookup outcome', () => {
  it('names the EKS cluster a looked-up service account must run on, the provider ARN on hover (#16)', async () => {
    await renderWithApis(
      <IamRolesQueryProvider>
        <OutcomeCell role={role} />
      </IamRolesQueryProvider>,
      {
        catalogEntities: [productionAccount],
      },
    );
    expect(
      await screen.findByText(
        'only if the workload runs on cluster acme-production (eu-west-1, acme-production)',
      ),
    ).toHaveAttribute(
      'title',
      `ArnEquals aws:FederatedProvider ${EKS_PROVIDER}`,
    );
  });

  it('keeps the issuer id when no account entity names the cluster', () => {
    expect(describeOutcome(role)).toBe(
      'If the workload runs on cluster 8D70EFBA7736795BE8B00B497EE67693 (eu-west-1)',
    );
  });
});
