import { screen } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { identityApiRef } from '@backstage/core-plugin-api';
import {
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  catalogApiRef,
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import type { Entity } from '@backstage/catalog-model';
import { QueryClient } from '@tanstack/react-query';
import { IamRolesApi, iamRolesApiRef } from './api/IamRolesApi';
import { iamRolesQueryClientApiRef } from './hooks/IamRolesQueryProvider';
import {
  EntityIamRoleSummaryCard,
  EntityIamRoleTrustContent,
  EntityIamRolesCard,
  EntityIamRolesContent,
  IamRolesPage,
  iamRolesPlugin,
} from './plugin';
import { Route, Routes } from 'react-router-dom';
import { brokerHandlers } from './__testUtils__/handlers';
import { accessRequest, roleEntity } from './__testUtils__/fixtures';
import { http, HttpResponse } from 'msw';
import { BASE } from './__testUtils__/fixtures';

/** The API as a legacy app gets it: from the plugin's own factory, over discovery and fetch. */
function pluginApis() {
  const factory = [...iamRolesPlugin.getApis()].find(
    f => f.api.id === iamRolesApiRef.id,
  );
  if (!factory) {
    throw new Error('iamRolesPlugin registers no iamRolesApiRef factory');
  }
  const client = factory.factory({
    discoveryApi: mockApis.discovery(),
    fetchApi: {
      fetch: (input: RequestInfo | URL, init?: RequestInit) =>
        fetch(input, init),
    },
  });
  const queryClient = [...iamRolesPlugin.getApis()]
    .find(f => f.api.id === iamRolesQueryClientApiRef.id)
    ?.factory({});
  if (!queryClient) {
    throw new Error('iamRolesPlugin registers no query client factory');
  }
  return [
    [iamRolesApiRef, client as IamRolesApi],
    [iamRolesQueryClientApiRef, queryClient as QueryClient],
    [identityApiRef, mockApis.identity({ userEntityRef: 'user:default/dev' })],
    [catalogApiRef, catalogApiMock({ entities: [] })],
  ] as const;
}

function renderLegacy(
  element: JSX.Element,
  entity?: Entity,
  routeEntries?: string[],
) {
  return renderInTestApp(
    <TestApiProvider apis={pluginApis()}>
      {entity ? (
        <EntityProvider entity={entity}>{element}</EntityProvider>
      ) : (
        element
      )}
    </TestApiProvider>,
    {
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      routeEntries,
    },
  );
}

const component: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { type: 'service' },
};

/** `/assumable` for a component no role trusts, from an index that holds roles. */
const noRoles = {
  query: 'component:default/payments-api',
  principals: [],
  roles: [],
  index: { roles: 12, builtAt: '2026-11-29T12:00:00.000Z' },
};

describe('iam-roles (legacy frontend system)', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it('is a plugin with id iam-roles that brings its API client', () => {
    expect(iamRolesPlugin.getId()).toBe('iam-roles');
    expect([...iamRolesPlugin.getApis()].map(f => f.api.id)).toContain(
      iamRolesApiRef.id,
    );
  });

  it('renders the role tab and the summary card from their lazy extensions', async () => {
    server.use(...brokerHandlers());
    await renderLegacy(
      <>
        <EntityIamRoleSummaryCard />
        <EntityIamRoleTrustContent />
      </>,
      roleEntity(),
    );
    expect(
      await screen.findByRole('region', { name: 'Who can assume this role' }),
    ).toBeInTheDocument();
    expect(
      await screen.findAllByRole('button', { name: /Request access/ }),
    ).not.toHaveLength(0);
  });

  it('renders the component tab from its lazy extension', async () => {
    server.use(http.get(`${BASE}/assumable`, () => HttpResponse.json(noRoles)));
    await renderLegacy(<EntityIamRolesContent />, component);
    expect(
      await screen.findByText(/No IAM role trusts this entity/),
    ).toBeInTheDocument();
  });

  it('lets its extensions share one cache: the tab and the card of a component ask once', async () => {
    let asked = 0;
    server.use(
      http.get(`${BASE}/assumable`, () => {
        asked += 1;
        return HttpResponse.json(noRoles);
      }),
    );
    await renderLegacy(
      <>
        <EntityIamRolesCard />
        <EntityIamRolesContent />
      </>,
      component,
    );
    expect(
      await screen.findAllByText(/No IAM role trusts this entity/),
    ).toHaveLength(2);
    expect(asked).toBe(1);
  });

  it('renders the page at its routable extension', async () => {
    server.use(
      ...brokerHandlers({ myRequests: [accessRequest({ status: 'pending' })] }),
    );
    // As an app's App.tsx mounts it.
    await renderLegacy(
      <Routes>
        <Route path="/iam-roles/*" element={<IamRolesPage />} />
      </Routes>,
      undefined,
      ['/iam-roles?tab=access'],
    );
    expect(
      await screen.findByRole('tab', { name: 'Incident lookup' }),
    ).toBeInTheDocument();
    expect(await screen.findByText('pending')).toBeInTheDocument();
  });
});
