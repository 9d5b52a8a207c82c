import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { registerMswTestHooks } from '@backstage/test-utils';
import type { AssumableRolesResponse } from '@backstage-iam/plugin-iam-roles-common';
import { IdentityCenterMembers } from './IdentityCenterMembers';
import { renderWithApis } from '../__testUtils__/renderWithApis';
import { IamRolesQueryProvider } from '../hooks/IamRolesQueryProvider';
import { errorResponse } from '../__testUtils__/handlers';
import { BASE } from '../__testUtils__/fixtures';

const platform = {
  principalType: 'GROUP' as const,
  principalId: 'g-platform',
  name: 'Platform Engineering',
  status: 'matched' as const,
  entityRef: 'group:default/platform',
};
const jane = {
  principalType: 'USER' as const,
  principalId: 'u-jane',
  name: 'jane.doe',
  status: 'matched' as const,
  entityRef: 'user:default/jane.doe',
};
const ext = {
  principalType: 'USER' as const,
  principalId: 'u-ext',
  name: 'ext.auditor',
  status: 'unmatched' as const,
};
const admin = {
  entityRef: 'resource:default/awsreservedsso-administratoraccess-prod',
  title: 'AWSReservedSSO_AdministratorAccess_d30e4baaef3150d0',
  accountId: '333333333333',
  permissionSetName: 'AdministratorAccess',
  permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-1',
};

const answer: AssumableRolesResponse = {
  query: 'identity-center-group:group:default/platform',
  principals: [
    {
      type: 'identity-center',
      principalType: 'GROUP',
      name: 'group:default/platform',
    },
  ],
  roles: [],
  identityCenter: {
    principal: platform,
    grants: [{ ...admin, assignedTo: platform }],
    members: [
      {
        member: jane,
        grants: [
          { ...admin, assignedTo: platform },
          {
            accountId: '444444444444',
            permissionSetName: 'DataEngineer',
            permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-7',
            assignedTo: jane,
          },
        ],
      },
      { member: ext, grants: [] },
    ],
  },
};

describe('IdentityCenterMembers', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it('shows each member of the matched Identity Center group with every role it gets, and whose assignment gives it', async () => {
    let asked: string | null = null;
    server.use(
      http.get(`${BASE}/lookup`, ({ request }) => {
        asked = new URL(request.url).searchParams.get('q');
        return HttpResponse.json(answer);
      }),
    );
    await renderWithApis(
      <IamRolesQueryProvider>
        <IdentityCenterMembers entityRef="group:default/platform" />
      </IamRolesQueryProvider>,
    );
    const region = await screen.findByRole('region', {
      name: 'Roles its members get through Identity Center',
    });
    expect(asked).toBe('identity-center-group:group:default/platform');
    expect(
      await within(region).findByText(
        'Identity Center group Platform Engineering: 2 members',
      ),
    ).toBeInTheDocument();
    const rows = within(region).getAllByRole('row');
    const row = (text: string) =>
      rows.find(r => r.textContent?.includes(text))!;

    const janeRow = row('jane.doe');
    expect(
      within(janeRow).getByRole('link', { name: 'jane.doe' }),
    ).toHaveAttribute('href', '/catalog/default/user/jane.doe');
    expect(
      within(janeRow).getByRole('link', { name: admin.title }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/resource/awsreservedsso-administratoraccess-prod',
    );
    expect(janeRow).toHaveTextContent(
      'AdministratorAccess in 333333333333, through Platform Engineering',
    );
    // A set whose role the catalog does not hold is still listed, and says so.
    expect(janeRow).toHaveTextContent(
      'DataEngineer (no role in the catalog) — DataEngineer in 444444444444, own assignment',
    );

    const extRow = row('ext.auditor');
    expect(extRow).toHaveTextContent('no catalog match');
    expect(extRow).toHaveTextContent('No role');
    expect(within(extRow).queryByRole('link')).not.toBeInTheDocument();
  });

  it('shows nothing when no Identity Center group matches the catalog group', async () => {
    server.use(
      http.get(`${BASE}/lookup`, () =>
        errorResponse(
          400,
          'InputError',
          'No Identity Center group "group:default/mobile" in the Identity Center data the catalog holds',
        ),
      ),
    );
    const { container } = await renderWithApis(
      <IamRolesQueryProvider>
        <IdentityCenterMembers entityRef="group:default/mobile" />
      </IamRolesQueryProvider>,
    );
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(
      screen.queryByRole('region', {
        name: 'Roles its members get through Identity Center',
      }),
    ).not.toBeInTheDocument();
    expect(container).not.toHaveTextContent('Could not read');
  });

  it('says so when the broker fails', async () => {
    server.use(
      http.get(`${BASE}/lookup`, () =>
        errorResponse(500, 'Error', 'The trust index is not available'),
      ),
    );
    await renderWithApis(
      <IamRolesQueryProvider>
        <IdentityCenterMembers entityRef="group:default/platform" />
      </IamRolesQueryProvider>,
    );
    expect(
      await screen.findByText(
        'Could not read what the members get through Identity Center',
      ),
    ).toBeInTheDocument();
  });
});
