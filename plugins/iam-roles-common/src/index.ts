export const IAM_ROLES_PLUGIN_ID = 'iam-roles';
