import { createPermission } from '@backstage/plugin-permission-common';

/** Resource type of catalog entities (the role's entity is the resource). */
const CATALOG_ENTITY = 'catalog-entity';

/** Request access to a role; the resource is the role's catalog entity (so `isEntityOwner` and other catalog conditions apply). */
export const iamRoleAccessRequestCreatePermission = createPermission({
  name: 'iam-roles.request.create',
  attributes: { action: 'create' },
  resourceType: CATALOG_ENTITY,
});

/** Read access requests and grants. */
export const iamRoleAccessRequestReadPermission = createPermission({
  name: 'iam-roles.request.read',
  attributes: { action: 'read' },
});

/** Read trust analyses and findings (`/roles/trust`, `/assumable`, `/lookup`, `/findings`), so a policy can restrict who sees findings. */
export const iamRolesTrustReadPermission = createPermission({
  name: 'iam-roles.trust.read',
  attributes: { action: 'read' },
});

/** Approve, deny or revoke access to a role; the resource is the role's catalog entity. */
export const iamRoleAccessRequestApprovePermission = createPermission({
  name: 'iam-roles.request.approve',
  attributes: { action: 'update' },
  resourceType: CATALOG_ENTITY,
});

/** Obtain short-lived credentials during an active grant; the resource is the role's catalog entity. */
export const iamRoleCredentialsIssuePermission = createPermission({
  name: 'iam-roles.credentials.issue',
  attributes: {},
  resourceType: CATALOG_ENTITY,
});

/** Read and export the audit trail. */
export const iamRolesAuditReadPermission = createPermission({
  name: 'iam-roles.audit.read',
  attributes: { action: 'read' },
});

/** Every permission of the IAM roles plugin family. */
export const iamRolesPermissions = [
  iamRoleAccessRequestCreatePermission,
  iamRoleAccessRequestReadPermission,
  iamRoleAccessRequestApprovePermission,
  iamRoleCredentialsIssuePermission,
  iamRolesAuditReadPermission,
  iamRolesTrustReadPermission,
];
