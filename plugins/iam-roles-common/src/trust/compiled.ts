import {
  ASSUME_ROLE,
  ASSUME_ROLE_WITH_SAML,
  ASSUME_ROLE_WITH_WEB_IDENTITY,
  statementCoversAction,
} from './actions';
import { CompiledClause, compileClause } from './conditions';
import { ClassifiedPrincipal, classifyPrincipal } from './principals';
import type { NormalizedPolicy, NormalizedStatement } from './types';

/** A statement prepared once for repeated evaluation. */
export interface CompiledStatement {
  statement: NormalizedStatement;
  clauses: CompiledClause[];
  /** Principals of `Principal`, classified (empty when the statement uses NotPrincipal). */
  principals: ClassifiedPrincipal[];
  /** Principals of `NotPrincipal`, classified, when present. */
  notPrincipals?: ClassifiedPrincipal[];
  /** Whether `Principal` (or, for NotPrincipal, everyone) includes `*`. */
  public: boolean;
  coversAssumeRole: boolean;
  coversWebIdentity: boolean;
  coversSaml: boolean;
}

const cache = new WeakMap<NormalizedPolicy, CompiledStatement[]>();

function classifyBlock(block: Record<string, string[]>): ClassifiedPrincipal[] {
  const out: ClassifiedPrincipal[] = [];
  for (const [type, values] of Object.entries(block)) {
    for (const value of values) out.push(classifyPrincipal(type, value));
  }
  return out;
}

/** Compiles a normalised policy (cached per policy object). */
export function compilePolicy(policy: NormalizedPolicy): CompiledStatement[] {
  let compiled = cache.get(policy);
  if (compiled) return compiled;
  compiled = policy.statements.map(statement => {
    const principals = statement.principal ? classifyBlock(statement.principal) : [];
    const notPrincipals = statement.notPrincipal
      ? classifyBlock(statement.notPrincipal)
      : undefined;
    return {
      statement,
      clauses: statement.conditions.map(compileClause),
      principals,
      notPrincipals,
      public: notPrincipals !== undefined || principals.some(p => p.kind === 'public'),
      coversAssumeRole: statementCoversAction(statement, ASSUME_ROLE),
      coversWebIdentity: statementCoversAction(statement, ASSUME_ROLE_WITH_WEB_IDENTITY),
      coversSaml: statementCoversAction(statement, ASSUME_ROLE_WITH_SAML),
    };
  });
  cache.set(policy, compiled);
  return compiled;
}
