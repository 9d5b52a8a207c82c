import { parseArn } from './arn';
import { Caller, EvaluateOptions, prepareCaller } from './caller';
import { ContextValue } from './conditions';
import { compilePolicy } from './compiled';
import { evaluateCompiled } from './evaluateAssume';
import { globMatch } from './glob';
import {
  decodePolicyDocument,
  normalizeTrustPolicy,
} from './normalizeTrustPolicy';
import type { OrganizationPoliciesData } from './effectiveDocuments';
import type {
  AssumeDecision,
  ConditionClause,
  NormalizedStatement,
  PrincipalContext,
} from './types';

/** An RCP that applies to the role's account (root, OUs on the path, the account itself). */
export interface ResourceControlPolicyInput {
  id: string;
  name: string;
  /** The policy document: JSON object or JSON string. */
  document: unknown;
}

/** What one RCP statement does to the caller. */
export interface RcpVerdict {
  policyId: string;
  policyName: string;
  statementIndex: number;
  sid?: string;
  /** `denied`: the Deny matches; `possible`: it matches unless the listed conditions hold. */
  effect: 'denied' | 'possible';
  /** For `possible`: what must hold for the Deny not to apply (the statement's conditions, negated). */
  conditions: ConditionClause[];
  /** Why, in a sentence a person can act on. */
  message: string;
}

/** A trust decision after the organisation's resource control policies. */
export interface ResourceControlDecision extends AssumeDecision {
  /** The RCP statement that denies, when one does. */
  deniedBy?: RcpVerdict;
  /** RCP statements that deny unless conditions this caller cannot settle hold. */
  unsettled: RcpVerdict[];
  /** RCP documents or statements that could not be read (a statement not read is not applied). */
  errors: string[];
}

// RCPFullAWSAccess: attached everywhere RCPs are enabled and cannot be detached, so every request
// passes unless a Deny matches. Evaluating each Deny next to it is the engine's own Deny-wins rule.
const FULL_ACCESS = normalizeTrustPolicy({
  Version: '2012-10-17',
  Statement: { Effect: 'Allow', Principal: '*', Action: '*' },
}).policy!.statements[0];

function field(obj: Record<string, unknown>, name: string): unknown {
  for (const key of Object.keys(obj)) {
    if (key.toLowerCase() === name.toLowerCase()) return obj[key];
  }
  return undefined;
}

function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every(v => typeof v === 'string'))
    return value as string[];
  return undefined;
}

/**
 * Whether a statement's Resource / NotResource covers the role. Trust policies have no Resource, so
 * the engine's normaliser leaves it out; RCPs name resources (`*`, or e.g. roles under a path).
 */
function coversRole(raw: unknown, roleArn: string): boolean | 'unreadable' {
  if (typeof raw !== 'object' || raw === null) return 'unreadable';
  const obj = raw as Record<string, unknown>;
  const resource = field(obj, 'Resource');
  const notResource = field(obj, 'NotResource');
  if (resource !== undefined) {
    const list = stringList(resource);
    if (!list) return 'unreadable';
    return list.some(pattern => arnPatternMatches(pattern, roleArn));
  }
  if (notResource !== undefined) {
    const list = stringList(notResource);
    if (!list) return 'unreadable';
    return !list.some(pattern => arnPatternMatches(pattern, roleArn));
  }
  // RCP syntax requires Resource; a statement without one is read as `*`, the broader reading for a Deny.
  return true;
}

function arnPatternMatches(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const want = pattern.split(':');
  const got = arn.split(':');
  if (want.length < 6 || got.length < 6) return globMatch(pattern, arn);
  // Each of partition, service, region and account is matched on its own, the resource part as a whole.
  for (let i = 0; i < 5; i++) if (!globMatch(want[i], got[i])) return false;
  return globMatch(want.slice(5).join(':'), got.slice(5).join(':'));
}

function rawStatements(document: Record<string, unknown>): unknown[] {
  const s = field(document, 'Statement');
  if (Array.isArray(s)) return s;
  return s === undefined ? [] : [s];
}

function principalAccount(principal: PrincipalContext): string | undefined {
  if (principal.type === 'account') return principal.accountId;
  if (principal.type === 'arn') return parseArn(principal.arn)?.accountId;
  return undefined;
}

/**
 * The caller with what is known of the role as a resource: its account, its organisation and its tags
 * (data perimeter RCPs exempt resources by tag, e.g. `aws:ResourceTag/dp:exclude:identity`).
 */
function withResource(
  caller: Caller,
  roleArn: string,
  roleTags: Record<string, string> | undefined,
  options: EvaluateOptions | undefined,
): Caller {
  const known = new Map<string, ContextValue>();
  const account = parseArn(roleArn)?.accountId;
  if (account) {
    known.set('aws:resourceaccount', { state: 'present', values: [account] });
    const org = options?.organizationOf?.(account);
    if (org)
      known.set('aws:resourceorgid', { state: 'present', values: [org] });
  }
  const tags = new Map<string, string>();
  for (const [k, v] of Object.entries(roleTags ?? {}))
    tags.set(k.toLowerCase(), v);
  const resolve = (keyLower: string): ContextValue | undefined => {
    const fixed = known.get(keyLower);
    if (fixed) return fixed;
    if (roleTags && keyLower.startsWith('aws:resourcetag/')) {
      const tag = tags.get(keyLower.slice(16));
      return tag === undefined
        ? { state: 'absent' }
        : { state: 'present', values: [tag] };
    }
    return undefined;
  };
  return {
    ...caller,
    context: issuer => {
      const base = caller.context(issuer);
      return { get: keyLower => resolve(keyLower) ?? base.get(keyLower) };
    },
  };
}

function explainUnsettled(
  policy: ResourceControlPolicyInput,
  statement: NormalizedStatement,
  conditions: ConditionClause[],
  principal: PrincipalContext,
): string {
  const label = `RCP ${policy.name} (${policy.id}) statement ${
    statement.sid ?? statement.index
  }`;
  const keys = [...new Set(conditions.map(c => c.key))];
  const orgKey = keys.find(k => k.toLowerCase() === 'aws:principalorgid');
  const account = principalAccount(principal);
  if (orgKey && account) {
    return `${label} denies sts:AssumeRole* to principals outside the organisation; the organisation of account ${account} is not known, so aws:PrincipalOrgID cannot be settled: the role may be closed to this caller.`;
  }
  return `${label} denies this caller unless ${keys.join(
    ', ',
  )} hold as listed; they cannot be settled from the caller's context.`;
}

/**
 * Applies the resource control policies of the role's account to a trust decision: RCPs restrict
 * `sts:AssumeRole*` on the role whatever the trust policy allows, also for principals outside the
 * organisation. `RCPFullAWSAccess` is attached at every level and cannot be detached, and RCPs never
 * grant, so only Deny statements change anything; any RCP from the root through each OU to the account
 * can deny ("RCP evaluation", https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html).
 * Which RCPs apply (the root's, the OUs' on the path, the account's) is for the caller to pass.
 * Pass the role's tags too: data perimeter RCPs exempt roles by tag, and without the tags such a
 * statement cannot be settled and the answer stays `possible`.
 *
 * A matching Deny makes the decision `denied`, naming the policy and statement; a Deny whose conditions
 * the caller's context cannot settle (e.g. `aws:PrincipalOrgID` of an external account whose
 * organisation is unknown) makes an `allowed` decision `possible`; otherwise the decision is unchanged.
 * A decision that is already `denied` or `not-trusted` is returned as it is.
 */
export function applyResourceControlPolicies(input: {
  decision: AssumeDecision;
  principal: PrincipalContext;
  /** ARN of the role being assumed (RCP statements may name resources). */
  roleArn: string;
  /** The role's tags, when known (settles `aws:ResourceTag/…`). */
  roleTags?: Record<string, string>;
  policies: ResourceControlPolicyInput[];
  options?: EvaluateOptions;
}): ResourceControlDecision {
  const { decision, principal, roleArn, policies } = input;
  const errors: string[] = [];
  const unsettled: RcpVerdict[] = [];
  if (decision.outcome === 'denied' || decision.outcome === 'not-trusted')
    return { ...decision, unsettled, errors };
  const caller = withResource(
    prepareCaller(principal, input.options),
    roleArn,
    input.roleTags,
    input.options,
  );

  for (const policy of policies) {
    const decoded = decodePolicyDocument(policy.document);
    if (!decoded.value) {
      errors.push(`RCP ${policy.name} (${policy.id}): ${decoded.error}`);
      continue;
    }
    const normalized = normalizeTrustPolicy(decoded.value);
    for (const e of normalized.errors)
      errors.push(`RCP ${policy.name} (${policy.id}): ${e}`);
    const raws = rawStatements(decoded.value);
    for (const statement of normalized.policy?.statements ?? []) {
      if (statement.effect !== 'Deny') continue;
      const covered = coversRole(raws[statement.index], roleArn);
      if (covered === 'unreadable') {
        errors.push(
          `RCP ${policy.name} (${policy.id}): Statement[${statement.index}].Resource is not a string or a list of strings; the statement is not applied`,
        );
        continue;
      }
      if (!covered) continue;
      const verdict = evaluateCompiled(
        compilePolicy(
          { statements: [FULL_ACCESS, statement] },
          { cache: false },
        ),
        caller,
      );
      if (verdict.outcome === 'denied') {
        const deniedBy: RcpVerdict = {
          policyId: policy.id,
          policyName: policy.name,
          statementIndex: statement.index,
          sid: statement.sid,
          effect: 'denied',
          conditions: [],
          message: `RCP ${policy.name} (${policy.id}) statement ${
            statement.sid ?? statement.index
          } denies ${
            caller.via
          } on this role to this caller, whatever the trust policy allows.`,
        };
        return {
          outcome: 'denied',
          via: decision.via,
          conditions: [],
          deniedBy,
          unsettled,
          errors,
        };
      }
      if (verdict.outcome === 'possible') {
        unsettled.push({
          policyId: policy.id,
          policyName: policy.name,
          statementIndex: statement.index,
          sid: statement.sid,
          effect: 'possible',
          conditions: verdict.conditions,
          message: explainUnsettled(
            policy,
            statement,
            verdict.conditions,
            principal,
          ),
        });
      }
    }
  }
  if (unsettled.length === 0) return { ...decision, unsettled, errors };
  return {
    ...decision,
    outcome: 'possible',
    conditions: [
      ...decision.conditions,
      ...unsettled.flatMap(u => u.conditions),
    ],
    unsettled,
    errors,
  };
}

/** An RCP that applies to an account, and where on the account's path it is attached. */
export interface AttachedResourceControlPolicy
  extends ResourceControlPolicyInput {
  arn?: string;
  organizationId?: string;
  awsManaged?: boolean;
  /** Root (`r-…`), OUs (`ou-…`) or the account, in the order the policy is inherited along. */
  attachedTo: string[];
}

/**
 * The RCPs of an organisation that apply to an account: those attached to its root, to an OU on its
 * path or to the account itself (sorted by id). An account the document does not place gets only
 * what is attached to it directly.
 */
export function resourceControlPoliciesFor(
  org: OrganizationPoliciesData,
  accountId: string,
): AttachedResourceControlPolicy[] {
  const onPath = [...(org.accountParents[accountId] ?? []), accountId];
  const out: AttachedResourceControlPolicy[] = [];
  for (const policy of org.policies) {
    const targets = new Set(policy.targets);
    const attachedTo = onPath.filter(t => targets.has(t));
    if (attachedTo.length === 0) continue;
    out.push({
      id: policy.id,
      name: policy.name,
      ...(policy.arn ? { arn: policy.arn } : {}),
      ...(org.organizationId ? { organizationId: org.organizationId } : {}),
      ...(policy.awsManaged !== undefined
        ? { awsManaged: policy.awsManaged }
        : {}),
      attachedTo,
      document: policy.document ?? null,
    });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
