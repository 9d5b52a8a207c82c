/**
 * Who can assume an AWS IAM role, request access, approvals inbox and incident lookup.
 *
 * @packageDocumentation
 */

export {
  iamRolesPlugin,
  IamRolesPage,
  EntityIamRoleTrustContent,
  EntityIamRolesContent,
  EntityIamRolesCard,
  EntityIamRoleSummaryCard,
} from './plugin';
export { iamRolesApiRef } from './api/IamRolesApi';
export type {
  IamRolesApi,
  ListFindingsOptions,
  ListGrantsOptions,
  ListRequestsOptions,
} from './api/IamRolesApi';
export { IamRolesClient } from './api/IamRolesClient';
export { isIamRoleEntity } from '@backstage-iam/plugin-iam-roles-common';
