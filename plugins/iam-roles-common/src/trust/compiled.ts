import { trustActionMask } from './actions';
import { CompiledClause, compileClause } from './conditions';
import { ClassifiedPrincipal, classifyPrincipal } from './principals';
import type { NormalizedPolicy, NormalizedStatement } from './types';

/** A statement prepared once for repeated evaluation. */
export interface CompiledStatement {
  statement: NormalizedStatement;
  /** Compiled on first use: analysis needs principals and actions, only evaluation needs clauses. */
  readonly clauses: CompiledClause[];
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

class Compiled implements CompiledStatement {
  readonly principals: ClassifiedPrincipal[];
  readonly notPrincipals?: ClassifiedPrincipal[];
  readonly public: boolean;
  readonly coversAssumeRole: boolean;
  readonly coversWebIdentity: boolean;
  readonly coversSaml: boolean;
  private compiledClauses?: CompiledClause[];

  readonly statement: NormalizedStatement;

  constructor(given: NormalizedStatement) {
    // Policies read back from JSON (e.g. stored in an entity) may lack an empty condition list.
    const statement = given.conditions ? given : { ...given, conditions: [] };
    this.statement = statement;
    this.principals = statement.principal
      ? classifyBlock(statement.principal)
      : [];
    this.notPrincipals = statement.notPrincipal
      ? classifyBlock(statement.notPrincipal)
      : undefined;
    this.public =
      this.notPrincipals !== undefined ||
      this.principals.some(p => p.kind === 'public');
    const mask = trustActionMask(statement);
    this.coversAssumeRole = (mask & 1) !== 0;
    this.coversWebIdentity = (mask & 2) !== 0;
    this.coversSaml = (mask & 4) !== 0;
  }

  get clauses(): CompiledClause[] {
    this.compiledClauses ??= this.statement.conditions.map(compileClause);
    return this.compiledClauses;
  }
}

const cache = new WeakMap<NormalizedPolicy, CompiledStatement[]>();

// Roles repeat the same principals (a service, an account's GitHub provider, a SAML provider):
// classify each distinct one once. Classified principals are never modified.
const classified = new Map<string, Map<string, ClassifiedPrincipal>>();
let classifiedCount = 0;

function classifyCached(type: string, value: string): ClassifiedPrincipal {
  let byValue = classified.get(type);
  if (!byValue) {
    byValue = new Map();
    classified.set(type, byValue);
  }
  let p = byValue.get(value);
  if (!p) {
    p = classifyPrincipal(type, value);
    if (classifiedCount > 100_000) {
      classified.clear();
      classifiedCount = 0;
    }
    byValue.set(value, p);
    classifiedCount++;
  }
  return p;
}

function classifyBlock(block: Record<string, string[]>): ClassifiedPrincipal[] {
  const out: ClassifiedPrincipal[] = [];
  for (const type in block) {
    if (!Object.prototype.hasOwnProperty.call(block, type)) continue;
    for (const value of block[type]) out.push(classifyCached(type, value));
  }
  return out;
}

/**
 * Compiles a normalised policy. Cached per policy object for repeated evaluation; analysis of a
 * snapshot passes `cache: false` so that the compiled form dies young instead of being kept with
 * every role (which would burden the garbage collector for nothing).
 */
export function compilePolicy(
  policy: NormalizedPolicy,
  options: { cache?: boolean } = {},
): CompiledStatement[] {
  let compiled = cache.get(policy);
  if (compiled) return compiled;
  compiled = policy.statements.map(statement => new Compiled(statement));
  if (options.cache !== false) cache.set(policy, compiled);
  return compiled;
}
