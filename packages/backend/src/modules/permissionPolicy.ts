import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  iamRoleAccessRequestApprovePermission,
  iamRoleCredentialsIssuePermission,
} from '@backstage-iam/plugin-iam-roles-common';
import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';

/**
 * The demo's permission policy, to show how the IAM roles permissions are meant to be used:
 * anyone signed in may browse and request access; deciding requests and issuing credentials is
 * for the owners of the role's entity (the broker also enforces ownership and no self-approval).
 */
export class DemoPermissionPolicy implements PermissionPolicy {
  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!user) {
      return { result: AuthorizeResult.DENY };
    }
    if (
      isPermission(request.permission, iamRoleAccessRequestApprovePermission)
    ) {
      return createCatalogConditionalDecision(
        iamRoleAccessRequestApprovePermission,
        catalogConditions.isEntityOwner({
          claims: user.info.ownershipEntityRefs,
        }),
      );
    }
    if (isPermission(request.permission, iamRoleCredentialsIssuePermission)) {
      // Credentials go to the grant's requester, which the broker checks; the policy only
      // requires a signed-in user here.
      return { result: AuthorizeResult.ALLOW };
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

/** Installs {@link DemoPermissionPolicy} in the permission backend. */
export const demoPermissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'demo-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new DemoPermissionPolicy());
      },
    });
  },
});
