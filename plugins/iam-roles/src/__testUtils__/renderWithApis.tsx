import { ReactNode } from 'react';
import { identityApiRef } from '@backstage/core-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  catalogApiRef,
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { iamRolesApiRef } from '../api/IamRolesApi';
import { rootRouteRef } from '../routes';
import { IamRolesClient } from '../api/IamRolesClient';
import {
  createIamRolesQueryClient,
  iamRolesQueryClientApiRef,
} from '../hooks/IamRolesQueryProvider';

/** The real client over msw: every test goes through URL building, fetch and error parsing. */
export function testClient() {
  return IamRolesClient.create({
    discoveryApi: mockApis.discovery(),
    fetchApi: { fetch: (input, init) => fetch(input, init) },
  });
}

export async function renderWithApis(
  element: ReactNode,
  options: {
    entity?: Entity;
    ownershipEntityRefs?: string[];
    catalogEntities?: Entity[];
    routeEntries?: string[];
  } = {},
) {
  const content = options.entity ? (
    <EntityProvider entity={options.entity}>{element}</EntityProvider>
  ) : (
    element
  );
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [iamRolesApiRef, testClient()],
        // One cache per test, shared by every extension it renders, as the plugin's API gives an app.
        [iamRolesQueryClientApiRef, createIamRolesQueryClient()],
        [
          identityApiRef,
          mockApis.identity({
            userEntityRef: 'user:default/dev',
            ownershipEntityRefs: options.ownershipEntityRefs ?? [
              'user:default/dev',
            ],
          }),
        ],
        [
          catalogApiRef,
          catalogApiMock({ entities: options.catalogEntities ?? [] }),
        ],
      ]}
    >
      {content}
    </TestApiProvider>,
    {
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRef,
        '/iam-roles': rootRouteRef,
      },
      routeEntries: options.routeEntries,
    },
  );
}
