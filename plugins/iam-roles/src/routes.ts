import { createRouteRef } from '@backstage/core-plugin-api';

/** Route of the `/iam-roles` page (legacy frontend system). */
export const rootRouteRef = createRouteRef({ id: 'iam-roles' });
