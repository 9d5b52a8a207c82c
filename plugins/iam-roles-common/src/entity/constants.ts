/** `spec.type` of the Resource entities that represent IAM roles. */
export const AWS_IAM_ROLE_RESOURCE_TYPE = 'aws-iam-role';
/** `spec.type` of the Resource entities that represent AWS accounts. */
export const AWS_ACCOUNT_RESOURCE_TYPE = 'aws-account';

/** Annotation: the role's (or account's) ARN. */
export const ANNOTATION_AWS_ARN = 'amazonaws.com/arn';
/** Annotation: the 12-digit account id. */
export const ANNOTATION_AWS_ACCOUNT_ID = 'amazonaws.com/account-id';
/** Annotation: the role's unique id (AROA…). */
export const ANNOTATION_AWS_ROLE_ID = 'amazonaws.com/iam-role-id';
/** Annotation: number of distinct approvals a request for this role needs (default 1). */
export const ANNOTATION_IAM_APPROVAL_QUORUM =
  'iam-roles.backstage-iam.io/approval-quorum';

/** Relation from a role to an entity that can assume it. */
export const RELATION_ASSUMABLE_BY = 'assumableBy';
/** Relation from an entity to a role it can assume. */
export const RELATION_CAN_ASSUME = 'canAssume';
/** Annotation: the id of the catalog module provider that emitted the entity. */
export const ANNOTATION_IAM_PROVIDER = 'iam-roles.backstage-iam.io/provider';
/** Location types of the entities the catalog module emits (`aws-iam-account:ID`, `aws-iam-snapshot:PATH`). */
export const IAM_ROLE_LOCATION_TYPES = [
  'aws-iam-account',
  'aws-iam-snapshot',
] as const;
/** Annotation: the groups whose members decide requests for this role (comma-separated refs; default the owner). */
export const ANNOTATION_IAM_APPROVER_GROUPS =
  'iam-roles.backstage-iam.io/approver-groups';
/** Annotation: the groups whose members may request this role (comma-separated refs; default everyone). */
export const ANNOTATION_IAM_ELIGIBLE_GROUPS =
  'iam-roles.backstage-iam.io/eligible-groups';
/** Annotation: `"true"` lets people take this role at once in an emergency (break-glass), reviewed afterwards. */
export const ANNOTATION_IAM_BREAK_GLASS =
  'iam-roles.backstage-iam.io/break-glass';
/**
 * Annotation: the revision of a role entity as the catalog module's processor last produced it,
 * `<entity ref>@<hash>` (see `roleRevision`). The broker's trust index reads every role's revision
 * at once from the catalog's search table (a facet) and reads in full only the roles whose revision
 * changed.
 */
export const ANNOTATION_IAM_ROLE_REVISION =
  'iam-roles.backstage-iam.io/revision';
