import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { iamRolesApiRef } from './api/IamRolesApi';
import { IamRolesClient } from './api/IamRolesClient';
import { rootRouteRef } from './routes';
import {
  createIamRolesQueryClient,
  iamRolesQueryClientApiRef,
} from './hooks/IamRolesQueryProvider';

/** The IAM roles plugin for the legacy frontend system. */
export const iamRolesPlugin = createPlugin({
  id: 'iam-roles',
  apis: [
    createApiFactory({
      api: iamRolesApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        IamRolesClient.create({ discoveryApi, fetchApi }),
    }),
    createApiFactory({
      api: iamRolesQueryClientApiRef,
      deps: {},
      factory: () => createIamRolesQueryClient(),
    }),
  ],
  routes: { root: rootRouteRef },
});

/** The `/iam-roles` page: your access, approvals, incident lookup and findings. */
export const IamRolesPage = iamRolesPlugin.provide(
  createRoutableExtension({
    name: 'IamRolesPage',
    component: () =>
      import('./components/IamRolesPage').then(m => m.IamRolesLegacyPage),
    mountPoint: rootRouteRef,
  }),
);

/** The "Trust & access" tab of a role entity. */
export const EntityIamRoleTrustContent = iamRolesPlugin.provide(
  createComponentExtension({
    name: 'EntityIamRoleTrustContent',
    component: {
      lazy: () =>
        import('./components/RoleTrustContent').then(m => m.RoleTrustContent),
    },
  }),
);

/** The "IAM roles" tab of a component (roles it can assume) or a group (roles it owns). */
export const EntityIamRolesContent = iamRolesPlugin.provide(
  createComponentExtension({
    name: 'EntityIamRolesContent',
    component: {
      lazy: () =>
        import('./components/EntityIamRolesContent').then(
          m => m.EntityIamRolesContent,
        ),
    },
  }),
);

/** The roles of a component or a group as a card for the overview tab. */
export const EntityIamRolesCard = iamRolesPlugin.provide(
  createComponentExtension({
    name: 'EntityIamRolesCard',
    component: {
      lazy: () =>
        import('./components/EntityIamRolesContent').then(
          m => m.EntityIamRolesCard,
        ),
    },
  }),
);

/** Overview card of an IAM role: risk, findings, last use and a request-access button. */
export const EntityIamRoleSummaryCard = iamRolesPlugin.provide(
  createComponentExtension({
    name: 'EntityIamRoleSummaryCard',
    component: {
      lazy: () =>
        import('./components/RoleSummaryCard').then(m => m.RoleSummaryCard),
    },
  }),
);
