import { globMatch } from './glob';
import type { NormalizedStatement } from './types';

/** The ways into a role. */
export const ASSUME_ROLE = 'sts:AssumeRole';
/** Web identity (OIDC) path. */
export const ASSUME_ROLE_WITH_WEB_IDENTITY = 'sts:AssumeRoleWithWebIdentity';
/** SAML path. */
export const ASSUME_ROLE_WITH_SAML = 'sts:AssumeRoleWithSAML';

/** The assume paths and the session actions that travel with them, in a stable order. */
export const TRUST_ACTIONS = [
  ASSUME_ROLE,
  ASSUME_ROLE_WITH_WEB_IDENTITY,
  ASSUME_ROLE_WITH_SAML,
  'sts:TagSession',
  'sts:SetSourceIdentity',
  'sts:SetContext',
] as const;

/** Whether an action pattern (case-insensitive, with wildcards) covers an action. */
export function actionMatches(pattern: string, action: string): boolean {
  return globMatch(pattern, action, true);
}

/** Whether a statement's Action / NotAction covers an action. */
export function statementCoversAction(
  statement: NormalizedStatement,
  action: string,
): boolean {
  if (statement.actions) {
    for (const a of statement.actions) if (actionMatches(a, action)) return true;
    return false;
  }
  if (statement.notActions) {
    for (const a of statement.notActions) if (actionMatches(a, action)) return false;
    return true;
  }
  return false;
}

/** The trust-relevant actions a statement enables. */
export function trustActionsOf(statement: NormalizedStatement): string[] {
  return TRUST_ACTIONS.filter(a => statementCoversAction(statement, a));
}
