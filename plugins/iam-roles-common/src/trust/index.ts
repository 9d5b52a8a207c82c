export {
  decodePolicyDocument,
  normalizeTrustPolicy,
  toPolicyDocument,
} from './normalizeTrustPolicy';
export type { NormalizeResult } from './normalizeTrustPolicy';
export { analyzeRole } from './analyzeRole';
export type { AnalyzeOptions, RoleInput } from './analyzeRole';
export { evaluateAssume } from './evaluateAssume';
export type { EvaluateOptions } from './caller';
export { parsePrincipalSpec } from './parsePrincipalSpec';
export { TrustIndex } from './TrustIndex';
export type { TrustIndexMatch } from './TrustIndex';
export { parseAuthorizationDetails } from './parseAuthorizationDetails';
export type { AuthorizationDetails } from './parseAuthorizationDetails';
export {
  describePrincipal,
  describeCondition,
  highestSeverity,
  compareSeverity,
  isAtLeast,
  severityRank,
  SEVERITIES,
} from './describe';
export type { DescribeOptions } from './describe';
export { TRUST_ACTIONS } from './actions';
export { gitlabJobContext, gitlabProjectOf } from './gitlab';
export type { GitLabProject } from './gitlab';
export {
  accountOfArn,
  isAccountId,
  parseArn,
  parseRoleArn,
  roleKey,
  roleKeyOfArn,
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
export { applyResourceControlPolicies } from './resourceControlPolicies';
export type {
  RcpVerdict,
  ResourceControlDecision,
  ResourceControlPolicyInput,
} from './resourceControlPolicies';
