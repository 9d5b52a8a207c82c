import {
  coreExtensionData,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { registerMswTestHooks } from '@backstage/test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { brokerHandlers } from '../__testUtils__/handlers';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import type { Entity } from '@backstage/catalog-model';
import { accessRequest, roleEntity } from '../__testUtils__/fixtures';
import iamRolesPlugin from '../alpha';
import { ApiBlueprint } from '@backstage/frontend-plugin-api';
import { QueryClient } from '@tanstack/react-query';
import { rootRouteRef } from '../routes';
import { iamRolesQueryClientApiRef } from '../hooks/IamRolesQueryProvider';
import {
  iamRolesQueryClientApi,
  iamRoleSummaryEntityCard,
  iamRoleTrustEntityContent,
  iamRolesEntityCard,
  iamRolesEntityContent,
  iamRolesPage,
} from './plugin';

const component: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api' },
  spec: { type: 'service', owner: 'payments' },
};
const group: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'payments' },
  spec: { type: 'team', children: [] },
};

describe('iam-roles (new frontend system)', () => {
  it('is the default export with id iam-roles', () => {
    expect(iamRolesPlugin.pluginId).toBe('iam-roles');
  });

  it('uses the legacy route ref, so links of both systems resolve to the same page', () => {
    expect(iamRolesPlugin.routes.root).toBe(rootRouteRef);
    const tester = createExtensionTester(iamRolesPage);
    expect(tester.get(coreExtensionData.routeRef)).toBe(rootRouteRef);
  });

  it('provides the one QueryClient its extensions share, as an API', () => {
    const factory = createExtensionTester(iamRolesQueryClientApi).get(
      ApiBlueprint.dataRefs.factory,
    );
    expect(factory.api.id).toBe(iamRolesQueryClientApiRef.id);
    expect(factory.factory({})).toBeInstanceOf(QueryClient);
  });

  it('mounts the page at /iam-roles with a title for the nav', () => {
    const tester = createExtensionTester(iamRolesPage);
    expect(tester.get(coreExtensionData.routePath)).toBe('/iam-roles');
    expect(tester.get(coreExtensionData.title)).toBe('IAM roles');
  });

  it('shows the trust tab and the summary card on role entities only', () => {
    const tester = createExtensionTester(iamRoleTrustEntityContent);
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction)!;
    expect(tester.get(coreExtensionData.routePath)).toBe('/trust');
    expect(filter(roleEntity())).toBe(true);
    expect(filter(component)).toBe(false);
    const card = createExtensionTester(iamRoleSummaryEntityCard);
    const cardFilter = card.get(EntityCardBlueprint.dataRefs.filterFunction)!;
    expect([roleEntity(), component, group].map(e => cardFilter(e))).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('shows the roles tab and card on components and groups, not on roles', () => {
    const content = createExtensionTester(iamRolesEntityContent);
    const card = createExtensionTester(iamRolesEntityCard);
    expect(content.get(EntityContentBlueprint.dataRefs.title)).toBe(
      'IAM roles',
    );
    const entities = [component, group, roleEntity()];
    const contentFilter = content.get(
      EntityContentBlueprint.dataRefs.filterFunction,
    )!;
    const cardFilter = card.get(EntityCardBlueprint.dataRefs.filterFunction)!;
    expect(entities.map(e => contentFilter(e))).toEqual([true, true, false]);
    expect(entities.map(e => cardFilter(e))).toEqual([true, true, false]);
  });
});

describe('iam-roles page in a new-frontend-system app', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it('installs the page and the API client as an app feature', async () => {
    server.use(
      ...brokerHandlers({ myRequests: [accessRequest({ status: 'pending' })] }),
    );
    renderTestApp({
      features: [iamRolesPlugin],
      initialRouteEntries: ['/iam-roles?tab=access'],
      apis: [
        [discoveryApiRef, mockApis.discovery()],
        [
          fetchApiRef,
          {
            fetch: (input: RequestInfo | URL, init?: RequestInit) =>
              fetch(input, init),
          },
        ],
      ],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    });
    expect(
      await screen.findByRole(
        'tab',
        { name: 'Incident lookup' },
        { timeout: 15_000 },
      ),
    ).toBeInTheDocument();
    // The list came through the plugin's own API extension over fetch.
    expect(
      await screen.findByText('pending', {}, { timeout: 10_000 }),
    ).toBeInTheDocument();
  });
});
