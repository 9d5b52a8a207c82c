import { Caller, EvaluateOptions, prepareCaller } from './caller';
import type { CompiledStatement } from './compiled';
import { compilePolicy } from './compiled';
import { evaluateClauses, negateClause } from './conditions';
import type {
  AssumeDecision,
  ConditionClause,
  NormalizedPolicy,
  PrincipalContext,
} from './types';

export type { EvaluateOptions } from './caller';

function covers(s: CompiledStatement, via: string): boolean {
  if (via === 'sts:AssumeRoleWithWebIdentity') return s.coversWebIdentity;
  if (via === 'sts:AssumeRoleWithSAML') return s.coversSaml;
  return s.coversAssumeRole;
}

interface StatementVerdict {
  result: 'true' | 'false' | 'unknown';
  unsettled: ConditionClause[];
}

function judge(s: CompiledStatement, caller: Caller): StatementVerdict {
  let best: StatementVerdict = { result: 'false', unsettled: [] };
  if (s.notPrincipals) {
    // Applies to every caller but the listed ones.
    let excluded = false;
    let partial: ConditionClause[] | undefined;
    for (const n of s.notPrincipals) {
      const m = caller.match(n);
      if (m.kind === 'yes' && n.kind !== 'public') excluded = true;
      if (m.kind === 'partial') partial = negateClause(m.clause) ?? [m.clause];
    }
    if (excluded) return best;
    const r = evaluateClauses(s.clauses, caller.context());
    if (r.result === 'false') return best;
    if (partial)
      return { result: 'unknown', unsettled: [...r.unsettled, ...partial] };
    return r;
  }
  for (const p of s.principals) {
    const m = caller.match(p);
    if (m.kind === 'no') continue;
    const r = evaluateClauses(s.clauses, caller.context(m.issuer));
    if (r.result === 'false') continue;
    const verdict: StatementVerdict =
      m.kind === 'partial'
        ? { result: 'unknown', unsettled: [m.clause, ...r.unsettled] }
        : r;
    if (verdict.result === 'true') return verdict;
    if (
      best.result === 'false' ||
      verdict.unsettled.length < best.unsettled.length
    )
      best = verdict;
  }
  return best;
}

/** Evaluates a compiled policy for a prepared caller (the index's hot path). */
export function evaluateCompiled(
  statements: CompiledStatement[],
  caller: Caller,
): AssumeDecision {
  let allow: { index: number; unsettled: ConditionClause[] } | undefined;
  const denyUnless: ConditionClause[] = [];
  for (const s of statements) {
    if (!covers(s, caller.via)) continue;
    const v = judge(s, caller);
    if (v.result === 'false') continue;
    if (s.statement.effect === 'Deny') {
      if (v.result === 'true') {
        return {
          outcome: 'denied',
          via: caller.via,
          conditions: [],
          statementIndex: s.statement.index,
        };
      }
      for (const c of v.unsettled) denyUnless.push(...(negateClause(c) ?? [c]));
    } else if (
      !allow ||
      (allow.unsettled.length > 0 &&
        v.unsettled.length < allow.unsettled.length)
    ) {
      allow = { index: s.statement.index, unsettled: v.unsettled };
    }
  }
  if (!allow) return { outcome: 'not-trusted', conditions: [] };
  const conditions = [...allow.unsettled, ...denyUnless];
  return {
    outcome: conditions.length > 0 ? 'possible' : 'allowed',
    via: caller.via,
    conditions,
    statementIndex: allow.index,
  };
}

/**
 * Whether a principal can assume a role with this trust policy. Deny wins; conditions the principal's
 * context cannot settle (an ExternalId, an unknown organisation, a source IP) make the outcome
 * `possible`, with those conditions listed (conditions of a Deny are listed negated).
 */
export function evaluateAssume(
  policy: NormalizedPolicy,
  principal: PrincipalContext,
  options: EvaluateOptions = {},
): AssumeDecision {
  return evaluateCompiled(
    compilePolicy(policy),
    prepareCaller(principal, options),
  );
}
