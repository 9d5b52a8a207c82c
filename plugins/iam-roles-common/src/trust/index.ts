export {
  canonicalTrustPolicy,
  decodePolicyDocument,
  normalizeTrustPolicy,
  toPolicyDocument,
} from './normalizeTrustPolicy';
export type { NormalizeResult } from './normalizeTrustPolicy';
export { analyzeRole, managedRoleAdvice } from './analyzeRole';
export type { AnalyzeOptions, RoleInput } from './analyzeRole';
export { evaluateAssume } from './evaluateAssume';
export type { EvaluateOptions } from './caller';
export { parsePrincipalSpec } from './parsePrincipalSpec';
export { TrustIndex } from './TrustIndex';
export type { TrustIndexMatch } from './TrustIndex';
export {
  mergeAuthorizationDetails,
  parseAuthorizationDetails,
} from './parseAuthorizationDetails';
export type {
  AuthorizationDetails,
  MergedAuthorizationDetails,
} from './parseAuthorizationDetails';
export {
  describePrincipal,
  describeCondition,
  describeConditionWith,
  describeEksCluster,
  findingTitle,
  githubRepositoriesOf,
  summarizePrincipalConditions,
  highestSeverity,
  compareSeverity,
  isAtLeast,
  severityRank,
  SEVERITIES,
} from './describe';
export type { DescribeOptions } from './describe';
export { parseEksIssuer } from './eksClusters';
export type { EksClusterName, EksIssuer } from './eksClusters';
export {
  ASSUME_ROLE,
  ASSUME_ROLE_WITH_SAML,
  ASSUME_ROLE_WITH_WEB_IDENTITY,
  TRUST_ACTIONS,
  describeTrustActions,
} from './actions';
export { WEB_IDENTITY_PROVIDERS } from './oidc';
export type { WebIdentityProviderInfo } from './oidc';
export { gitlabJobContext, gitlabProjectOf } from './gitlab';
export type { GitLabProject } from './gitlab';
export {
  accountOfArn,
  isAccountId,
  parseArn,
  parseRoleArn,
  policyNameOfArn,
  roleKey,
  roleKeyOfArn,
  principalKeyOfArn,
} from './arn';
export type { ParsedArn, RoleArnParts } from './arn';
export { findReach } from './reach';
export type {
  ReachHop,
  ReachOptions,
  ReachPath,
  ReachResult,
  ReachSource,
  ReachedRole,
} from './reach';
export {
  applyResourceControlPolicies,
  resourceControlPoliciesFor,
} from './resourceControlPolicies';
export type {
  AttachedResourceControlPolicy,
  RcpVerdict,
  ResourceControlDecision,
  ResourceControlPolicyInput,
} from './resourceControlPolicies';
export { podIdentityContext, POD_IDENTITY_SERVICE } from './podIdentity';
export {
  EFFECTIVE_KINDS,
  effectiveKindOf,
  parseEffectiveDocument,
} from './effectiveDocuments';
export type {
  AccountAssignment,
  EffectiveAccessData,
  EksClusterDetails,
  IdentityCenterData,
  IdentityStoreGroup,
  IdentityStoreUser,
  OrganizationPoliciesData,
  PermissionSet,
  PodIdentityAssociation,
  PodIdentityData,
  ResourceControlPolicy,
} from './effectiveDocuments';
export {
  findIdentityCenterPrincipals,
  identityCenterGrants,
  identityCenterReach,
  identityCenterRoles,
  isPermissionSetNamed,
  permissionSetOfRole,
} from './identityCenter';
export type {
  IdentityCenterContext,
  IdentityCenterGrant,
  IdentityCenterPrincipal,
  IdentityCenterRole,
} from './identityCenter';
export { globMatch } from './glob';
export { roleExposure } from './exposure';
export type { RoleExposure } from './exposure';
