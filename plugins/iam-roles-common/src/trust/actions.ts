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

const ALL_MASK = (1 << TRUST_ACTIONS.length) - 1;

/** Whether an action pattern (case-insensitive, with wildcards) covers an action. */
export function actionMatches(pattern: string, action: string): boolean {
  return globMatch(pattern, action, true);
}

// Which trust actions one Action pattern covers, as a bit mask. Policies repeat a handful of
// patterns, so this is computed once per distinct pattern.
const masks = new Map<string, number>();

function maskOf(pattern: string): number {
  let mask = masks.get(pattern);
  if (mask === undefined) {
    mask = 0;
    TRUST_ACTIONS.forEach((a, i) => {
      if (actionMatches(pattern, a)) mask! |= 1 << i;
    });
    if (masks.size < 10_000) masks.set(pattern, mask);
  }
  return mask;
}

/** Bit mask of the trust actions a statement enables (bit i = `TRUST_ACTIONS[i]`). */
export function trustActionMask(statement: NormalizedStatement): number {
  if (statement.actions) {
    let mask = 0;
    for (const a of statement.actions) mask |= maskOf(a);
    return mask;
  }
  if (statement.notActions) {
    let excluded = 0;
    for (const a of statement.notActions) excluded |= maskOf(a);
    return ALL_MASK & ~excluded;
  }
  return 0;
}

/** Whether a statement's Action / NotAction covers an action. */
export function statementCoversAction(
  statement: NormalizedStatement,
  action: string,
): boolean {
  const i = (TRUST_ACTIONS as readonly string[]).indexOf(action);
  if (i >= 0) return (trustActionMask(statement) & (1 << i)) !== 0;
  if (statement.actions)
    return statement.actions.some(a => actionMatches(a, action));
  if (statement.notActions)
    return !statement.notActions.some(a => actionMatches(a, action));
  return false;
}

const listCache = new Map<number, string[]>();

/** The trust-relevant actions a statement enables (a shared, frozen array: do not modify). */
export function trustActionsOf(statement: NormalizedStatement): string[] {
  const mask = trustActionMask(statement);
  let list = listCache.get(mask);
  if (!list) {
    list = Object.freeze(
      TRUST_ACTIONS.filter((_, i) => mask & (1 << i)),
    ) as string[];
    listCache.set(mask, list);
  }
  return list;
}

/** How each assume path gets in, as "assume …" and the broker's "Yes, …" read it. */
const ASSUME_WORDS = new Map<string, string>([
  [ASSUME_ROLE, 'with its AWS credentials'],
  [ASSUME_ROLE_WITH_WEB_IDENTITY, 'with an OIDC token'],
  [ASSUME_ROLE_WITH_SAML, 'with a SAML sign-in'],
]);

/** What the session actions let a caller do besides getting in. */
const SESSION_WORDS = new Map<string, string>([
  ['sts:TagSession', 'tag the session'],
  ['sts:SetSourceIdentity', 'set a source identity'],
  ['sts:SetContext', 'pass trusted context'],
]);

function andList(items: string[]): string {
  return items.length <= 1
    ? items.join('')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * A principal's trust actions in words, the one wording of them:
 * `['sts:AssumeRoleWithWebIdentity', 'sts:TagSession']` → "assume with an OIDC token (and tag the
 * session)"; a session action without an assume path reads "tag the session, but not assume";
 * an action the engine does not know is kept as it is.
 */
export function describeTrustActions(actions: readonly string[]): string {
  const paths: string[] = [];
  const extras: string[] = [];
  for (const action of actions) {
    const path = ASSUME_WORDS.get(action);
    if (path) paths.push(path);
    else extras.push(SESSION_WORDS.get(action) ?? action);
  }
  if (paths.length === 0) {
    return extras.length > 0 ? `${andList(extras)}, but not assume` : '';
  }
  const assume = `assume ${paths.join(' or ')}`;
  return extras.length > 0 ? `${assume} (and ${andList(extras)})` : assume;
}
