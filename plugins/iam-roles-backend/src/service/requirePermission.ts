import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';

/**
 * Asks the permission policy about one permission (on one role entity for a resource permission)
 * and throws a NotAllowedError that names it unless the answer is ALLOW: the one check of the HTTP
 * routes and the actions alike.
 */
export async function requirePermission(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
  permission: BasicPermission | ResourcePermission,
  resourceRef?: string,
): Promise<void> {
  const [decision] = await permissions.authorize(
    [
      resourceRef
        ? { permission: permission as ResourcePermission, resourceRef }
        : { permission: permission as BasicPermission },
    ],
    { credentials },
  );
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(
      `The permission policy does not allow ${permission.name}${
        resourceRef ? ` on ${resourceRef}` : ''
      }.`,
    );
  }
}
