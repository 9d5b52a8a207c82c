import { trustActionsOf } from './actions';
import { EvaluateOptions, prepareCaller } from './caller';
import { CompiledStatement, compilePolicy } from './compiled';
import { evaluateCompiled } from './evaluateAssume';
import { hasWildcard } from './glob';
import { claimConstraints } from './oidc';
import type { ClassifiedPrincipal } from './principals';
import type { AssumeDecision, PrincipalContext, RoleAnalysis } from './types';

/** One answer of {@link TrustIndex.lookup}. */
export interface TrustIndexMatch {
  key: string;
  decision: AssumeDecision;
}

interface Entry {
  key: string;
  statements: CompiledStatement[];
}

const REPO_IN_SUB = /^repo:([^/:*?]+)\/([^:*?]+):/;
const OWNER_IN_SUB = /^repo:([^/:*?]+)\//;

function stripId(name: string): string {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at);
}

function literalPrefix(value: string, like: boolean): string {
  if (!like) return `${value}:`;
  const i = value.search(/[*?]/);
  return i < 0 ? `${value}:` : value.slice(0, i);
}

/** Buckets of a GitHub principal: the repositories or owners its conditions pin, else "any". */
function githubBuckets(
  p: ClassifiedPrincipal,
  s: CompiledStatement,
  all: CompiledStatement[],
): string[] {
  const constraints = claimConstraints(p.issuer ?? p.id, p, s, all);
  let owners: string[] | undefined;
  for (const c of constraints) {
    if (c.values.length === 0) continue;
    const exact = !c.like || !c.values.some(hasWildcard);
    if (c.claim === 'sub') {
      const repos = c.values.map(v =>
        REPO_IN_SUB.exec(literalPrefix(v, c.like)),
      );
      if (repos.every(m => m)) {
        // The immutable form `repo:OWNER@ID/REPO@ID:…` belongs in the bucket of OWNER/REPO.
        return repos.map(
          m =>
            `github-repo:${stripId(m![1]).toLowerCase()}/${stripId(
              m![2],
            ).toLowerCase()}`,
        );
      }
      const os = c.values.map(v => OWNER_IN_SUB.exec(literalPrefix(v, c.like)));
      if (os.every(m => m))
        owners = os.map(m => `github-owner:${stripId(m![1]).toLowerCase()}`);
    } else if (c.claim === 'repository' && exact) {
      return c.values.map(v => `github-repo:${v.toLowerCase()}`);
    } else if (c.claim === 'repository_owner' && exact && !owners) {
      owners = c.values.map(v => `github-owner:${v.toLowerCase()}`);
    }
  }
  return owners ?? ['github-any'];
}

/**
 * A reverse index over many roles: answers "what can this principal assume" by evaluating only the
 * roles whose trust policies name something that could match it.
 */
export class TrustIndex {
  private constructor(
    private readonly entries: Entry[],
    private readonly buckets: Map<string, number[]>,
  ) {}

  /** Builds the index from analysed roles; roles without a readable policy are left out. */
  static build(
    roles: Array<{ key: string; analysis: RoleAnalysis }>,
  ): TrustIndex {
    const entries: Entry[] = [];
    const buckets = new Map<string, number[]>();
    const put = (bucket: string, i: number) => {
      let list = buckets.get(bucket);
      if (!list) buckets.set(bucket, (list = []));
      if (list[list.length - 1] !== i) list.push(i);
    };
    for (const role of roles) {
      const policy = role.analysis.policy;
      if (!policy) continue;
      const statements = compilePolicy(policy);
      const i = entries.length;
      entries.push({ key: role.key, statements });
      for (const s of statements) {
        if (
          s.statement.effect !== 'Allow' ||
          trustActionsOf(s.statement).length === 0
        )
          continue;
        if (s.notPrincipals) {
          put('*', i);
          continue;
        }
        for (const p of s.principals) {
          switch (p.kind) {
            case 'public':
              put('*', i);
              break;
            case 'account':
              put(`account:${p.accountId}`, i);
              break;
            case 'role':
            case 'user':
            case 'assumed-role':
            case 'federated-user':
              put(p.indexKey, i);
              if (p.accountId) put(`in-account:${p.accountId}`, i);
              if (p.kind === 'assumed-role' && p.name)
                put(`sessions-of:${p.accountId}:${p.name.toLowerCase()}`, i);
              break;
            case 'oidc':
              put(p.indexKey, i);
              if (p.provider === 'eks') put('eks-any', i);
              if (p.provider === 'github') {
                for (const b of githubBuckets(p, s, statements)) put(b, i);
              }
              break;
            case 'service':
            case 'saml':
              put(p.indexKey, i);
              break;
            default:
              break;
          }
        }
      }
    }
    return new TrustIndex(entries, buckets);
  }

  private byKey?: Map<string, number>;

  private entryOf(key: string): Entry | undefined {
    if (!this.byKey) {
      this.byKey = new Map(this.entries.map((e, i) => [e.key, i]));
    }
    const i = this.byKey.get(key);
    return i === undefined ? undefined : this.entries[i];
  }

  /** The decision of one indexed role for a principal: the evaluation {@link lookup} makes. */
  evaluate(
    key: string,
    principal: PrincipalContext,
    options: EvaluateOptions = {},
  ): AssumeDecision | undefined {
    const entry = this.entryOf(key);
    return entry
      ? evaluateCompiled(entry.statements, prepareCaller(principal, options))
      : undefined;
  }

  /**
   * Which accounts' role sessions the indexed role `key` could admit, for role chains read
   * backwards: `any` (a public principal, NotPrincipal, a role or session principal of unknown
   * account), else the accounts its Allow statements name by account, role or session. Each
   * candidate is then judged by {@link evaluate}.
   */
  sessionAccounts(key: string): 'any' | Set<string> {
    const accounts = new Set<string>();
    for (const s of this.entryOf(key)?.statements ?? []) {
      if (
        s.statement.effect !== 'Allow' ||
        trustActionsOf(s.statement).length === 0
      )
        continue;
      if (s.notPrincipals) return 'any';
      for (const p of s.principals) {
        if (p.kind === 'public') return 'any';
        // The buckets lookup finds a role session's targets by: an account, or a principal in it.
        if (
          p.kind === 'account' ||
          p.kind === 'role' ||
          p.kind === 'assumed-role' ||
          p.kind === 'user' ||
          p.kind === 'federated-user'
        ) {
          if (!p.accountId) return 'any';
          accounts.add(p.accountId);
        }
      }
    }
    return accounts;
  }

  /** Number of roles in the index. */
  get size(): number {
    return this.entries.length;
  }

  /** Roles the principal can assume (`allowed`) or may assume under conditions (`possible`), in build order. */
  lookup(
    principal: PrincipalContext,
    options: EvaluateOptions = {},
  ): TrustIndexMatch[] {
    const caller = prepareCaller(principal, options);
    const candidates = new Set<number>();
    for (const k of caller.indexKeys()) {
      const list = this.buckets.get(k);
      if (list) for (const i of list) candidates.add(i);
    }
    const ordered = [...candidates].sort((a, b) => a - b);
    const out: TrustIndexMatch[] = [];
    for (const i of ordered) {
      const entry = this.entries[i];
      const decision = evaluateCompiled(entry.statements, caller);
      if (decision.outcome === 'allowed' || decision.outcome === 'possible') {
        out.push({ key: entry.key, decision });
      }
    }
    return out;
  }

  /** The same answer by evaluating every role (for checks and benchmarks). */
  scan(
    principal: PrincipalContext,
    options: EvaluateOptions = {},
  ): TrustIndexMatch[] {
    const caller = prepareCaller(principal, options);
    const out: TrustIndexMatch[] = [];
    for (const entry of this.entries) {
      const decision = evaluateCompiled(entry.statements, caller);
      if (decision.outcome === 'allowed' || decision.outcome === 'possible') {
        out.push({ key: entry.key, decision });
      }
    }
    return out;
  }
}
