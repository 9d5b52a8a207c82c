import {
  iamRoleAccessRequestApprovePermission,
  iamRoleAccessRequestCreatePermission,
} from '@backstage-iam/plugin-iam-roles-common';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { DemoPermissionPolicy } from './permissionPolicy';

const user = {
  identity: {
    type: 'user' as const,
    userEntityRef: 'user:default/jane.doe',
    ownershipEntityRefs: ['user:default/jane.doe', 'group:default/payments'],
  },
  info: {
    userEntityRef: 'user:default/jane.doe',
    ownershipEntityRefs: ['user:default/jane.doe', 'group:default/payments'],
  },
  token: 'token',
  credentials: {} as any,
};

describe('DemoPermissionPolicy', () => {
  const policy = new DemoPermissionPolicy();

  it('lets any signed-in user request access', async () => {
    const decision = await policy.handle(
      { permission: iamRoleAccessRequestCreatePermission },
      user,
    );
    expect(decision).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('makes approval conditional on owning the role entity', async () => {
    const decision = await policy.handle(
      { permission: iamRoleAccessRequestApprovePermission },
      user,
    );
    expect(decision).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        params: {
          claims: ['user:default/jane.doe', 'group:default/payments'],
        },
      },
    });
  });

  it('denies callers without a user', async () => {
    const decision = await policy.handle({
      permission: iamRoleAccessRequestCreatePermission,
    });
    expect(decision).toEqual({ result: AuthorizeResult.DENY });
  });
});
