import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import VpnKeyOutlined from '@mui/icons-material/VpnKeyOutlined';
import { isIamRoleEntity } from '@backstage-iam/plugin-iam-roles-common';
import { iamRolesApiRef } from '../api/IamRolesApi';
import { IamRolesClient } from '../api/IamRolesClient';
import {
  createIamRolesQueryClient,
  iamRolesQueryClientApiRef,
} from '../hooks/IamRolesQueryProvider';
import { rootRouteRef } from '../routes';

const componentsAndGroups = { kind: { $in: ['component', 'group'] } };

/** The API client. */
export const iamRolesApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: iamRolesApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        IamRolesClient.create({ discoveryApi, fetchApi }),
    }),
});

/** The one QueryClient every extension of the plugin shares. */
export const iamRolesQueryClientApi = ApiBlueprint.make({
  name: 'query-client',
  params: defineParams =>
    defineParams({
      api: iamRolesQueryClientApiRef,
      deps: {},
      factory: () => createIamRolesQueryClient(),
    }),
});

/** `/iam-roles`: your access, approvals, incident lookup and findings. */
export const iamRolesPage = PageBlueprint.make({
  params: {
    path: '/iam-roles',
    title: 'IAM roles',
    icon: <VpnKeyOutlined fontSize="inherit" />,
    routeRef: rootRouteRef,
    loader: () =>
      import('../components/IamRolesPage').then(m => <m.IamRolesPage />),
  },
});

/** "Trust & access" tab of role entities. */
export const iamRoleTrustEntityContent = EntityContentBlueprint.make({
  name: 'role-trust',
  params: {
    path: '/trust',
    title: 'Trust & access',
    filter: entity => isIamRoleEntity(entity),
    loader: () =>
      import('../components/RoleTrustContent').then(m => (
        <m.RoleTrustContent />
      )),
  },
});

/** "IAM roles" tab of components (roles they can assume) and groups (roles they own). */
export const iamRolesEntityContent = EntityContentBlueprint.make({
  name: 'roles',
  params: {
    path: '/iam-roles',
    title: 'IAM roles',
    filter: componentsAndGroups,
    loader: () =>
      import('../components/EntityIamRolesContent').then(m => (
        <m.EntityIamRolesContent />
      )),
  },
});

/** Overview card with the same roles. */
export const iamRolesEntityCard = EntityCardBlueprint.make({
  name: 'roles',
  params: {
    filter: componentsAndGroups,
    loader: () =>
      import('../components/EntityIamRolesContent').then(m => (
        <m.EntityIamRolesCard />
      )),
  },
});

/** Overview card of role entities: risk, findings, last use, request access. */
export const iamRoleSummaryEntityCard = EntityCardBlueprint.make({
  name: 'role-summary',
  params: {
    filter: entity => isIamRoleEntity(entity),
    loader: () =>
      import('../components/RoleSummaryCard').then(m => <m.RoleSummaryCard />),
  },
});

/** The IAM roles plugin for the new frontend system. */
export const iamRolesFrontendPlugin = createFrontendPlugin({
  pluginId: 'iam-roles',
  title: 'IAM roles',
  icon: <VpnKeyOutlined fontSize="inherit" />,
  routes: { root: rootRouteRef },
  extensions: [
    iamRolesApi,
    iamRolesQueryClientApi,
    iamRolesPage,
    iamRoleTrustEntityContent,
    iamRolesEntityContent,
    iamRolesEntityCard,
    iamRoleSummaryEntityCard,
  ],
});
