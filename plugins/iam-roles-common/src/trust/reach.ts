import { parseRoleArn, roleKeyOfArn } from './arn';
import type { EvaluateOptions } from './caller';
import type { TrustIndexMatch } from './TrustIndex';
import type {
  AssumeDecision,
  ConditionClause,
  PrincipalContext,
} from './types';

/** What a reach query needs from the index: {@link TrustIndex} is one; a linear scan is another. */
export interface ReachSource {
  lookup(
    principal: PrincipalContext,
    options?: EvaluateOptions,
  ): TrustIndexMatch[];
}

/** Options of {@link findReach}. */
export interface ReachOptions {
  /** Most hops on a path (default 5). */
  maxDepth?: number;
  /** Most roles in the answer (default 1,000); the answer says when it stopped there. */
  maxRoles?: number;
  /** ARN of a role by its index key; defaults to the key itself when the key is a role ARN. */
  arnOf?: (key: string) => string | undefined;
  /** Passed to every hop's evaluation (organisations, time). */
  evaluate?: EvaluateOptions;
  /**
   * Final say on each hop after the trust policy, e.g. the role account's resource control policies
   * through `applyResourceControlPolicies`; a hop it turns `denied` or `not-trusted` is dropped.
   */
  refine?: (
    match: TrustIndexMatch,
    caller: PrincipalContext,
    arn: string | undefined,
  ) => AssumeDecision;
}

/** One hop of a path: the role assumed and how. */
export interface ReachHop {
  key: string;
  arn?: string;
  outcome: 'allowed' | 'possible';
  via: string;
  /** Conditions this hop could not settle (empty when `allowed`). */
  conditions: ConditionClause[];
  /** Trust policy statement that lets the caller in. */
  statementIndex?: number;
}

/** A path from the principal to a role; `possible` when any hop is. */
export interface ReachPath {
  outcome: 'allowed' | 'possible';
  hops: ReachHop[];
}

/** A role the principal reaches, with its shortest paths. */
export interface ReachedRole {
  key: string;
  arn?: string;
  /** Hops of the shortest path. */
  depth: number;
  /** `allowed` when some path reported is allowed throughout. */
  outcome: 'allowed' | 'possible';
  /**
   * The shortest path first; when that one is `possible`, also the shortest path that is `allowed`
   * throughout, if there is one within the depth (a longer certain chain matters more than a shorter
   * conditional one, and it is not shown otherwise).
   */
  paths: ReachPath[];
}

/** Answer of {@link findReach}. */
export interface ReachResult {
  /** Shortest first; at equal depth `allowed` before `possible`, then in the order found. */
  roles: ReachedRole[];
  /** Whether `maxRoles` cut the answer short. */
  truncated: boolean;
  maxDepth: number;
  /** Roles whose trusting roles were looked up (each at most once). */
  expanded: number;
}

interface State {
  key: string;
  arn?: string;
  certain: boolean;
  depth: number;
  hops: ReachHop[];
}

function defaultArnOf(key: string): string | undefined {
  return parseRoleArn(key) ? key : undefined;
}

/** The caller a session of this role presents when it assumes the next role. */
function sessionOf(arn: string): PrincipalContext {
  // The engine models a role session by the role's ARN (aws:PrincipalArn of a session is the role ARN,
  // path included), so trust policies that name the role, its account or its path match as in IAM.
  return { type: 'arn', arn };
}

/**
 * What a principal can reach through role chaining, up to `maxDepth` hops: the first hop is what the
 * principal itself can assume, each further hop what a session of the role reached can assume.
 *
 * Breadth-first over (role, certainty): each role is reached at most once with a path that is `allowed`
 * throughout and once with a `possible` one (skipped when an allowed path at most as short exists), so a
 * role never appears twice on a path, cycles end, and each role's trusting roles are looked up once.
 *
 * AWS facts the paths carry but the engine does not check: a session obtained by role chaining lasts at
 * most one hour whatever the role's MaxSessionDuration, and a SourceIdentity set on the first session
 * persists across the chain and cannot be changed (IAM User Guide, "Methods to assume a role",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use.html; STS API reference, AssumeRole
 * `DurationSeconds` and `SourceIdentity`, https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html). Session tags passed as transitive also persist;
 * the engine does not model tags, so a hop conditioned on them stays `possible`.
 */
export function findReach(
  source: ReachSource,
  principal: PrincipalContext,
  options: ReachOptions = {},
): ReachResult {
  const maxDepth = options.maxDepth ?? 5;
  const maxRoles = options.maxRoles ?? 1000;
  const arnOf = options.arnOf ?? defaultArnOf;
  const startRole =
    principal.type === 'arn' ? roleKeyOfArn(principal.arn) : undefined;

  const certainAt = new Map<string, State>();
  const possibleAt = new Map<string, State>();
  const lookups = new Map<string, TrustIndexMatch[]>();
  const order: string[] = [];
  let truncated = false;

  const refine = options.refine;
  const lookupAs = (caller: PrincipalContext): TrustIndexMatch[] => {
    const matches = source.lookup(caller, options.evaluate);
    if (!refine) return matches;
    const out: TrustIndexMatch[] = [];
    for (const m of matches) {
      const decision = refine(m, caller, arnOf(m.key));
      if (decision.outcome === 'allowed' || decision.outcome === 'possible')
        out.push({ key: m.key, decision });
    }
    return out;
  };
  const matchesOf = (state: State | undefined): TrustIndexMatch[] => {
    if (!state) return lookupAs(principal);
    if (!state.arn) return [];
    let matches = lookups.get(state.key);
    if (!matches) {
      matches = lookupAs(sessionOf(state.arn));
      lookups.set(state.key, matches);
    }
    return matches;
  };

  let frontier: Array<State | undefined> = [undefined];
  for (let depth = 1; depth <= maxDepth && frontier.length > 0; depth++) {
    const next: State[] = [];
    for (const from of frontier) {
      for (const m of matchesOf(from)) {
        const arn = arnOf(m.key);
        // The principal's own role is where the chain starts, not somewhere it reaches.
        if (startRole && arn && roleKeyOfArn(arn) === startRole) continue;
        const certain =
          (from?.certain ?? true) && m.decision.outcome === 'allowed';
        if (certainAt.has(m.key)) continue;
        if (!certain && possibleAt.has(m.key)) continue;
        const isNew = !possibleAt.has(m.key);
        if (isNew && order.length >= maxRoles) {
          truncated = true;
          continue;
        }
        const hop: ReachHop = {
          key: m.key,
          arn,
          outcome: m.decision.outcome === 'allowed' ? 'allowed' : 'possible',
          via: m.decision.via ?? 'sts:AssumeRole',
          conditions: m.decision.conditions,
          statementIndex: m.decision.statementIndex,
        };
        const state: State = {
          key: m.key,
          arn,
          certain,
          depth,
          hops: [...(from?.hops ?? []), hop],
        };
        if (isNew) order.push(m.key);
        (certain ? certainAt : possibleAt).set(m.key, state);
        next.push(state);
      }
    }
    frontier = next;
  }

  const roles: ReachedRole[] = [];
  for (const key of order) {
    const certain = certainAt.get(key);
    const possible = possibleAt.get(key);
    const paths: ReachPath[] = [];
    if (possible && (!certain || possible.depth < certain.depth))
      paths.push({ outcome: 'possible', hops: possible.hops });
    if (certain) paths.push({ outcome: 'allowed', hops: certain.hops });
    const first = paths[0].outcome === 'possible' ? possible! : certain!;
    roles.push({
      key,
      arn: first.arn,
      depth: first.depth,
      outcome: certain ? 'allowed' : 'possible',
      paths,
    });
  }
  const rank = (r: ReachedRole) =>
    r.depth * 2 + (r.outcome === 'allowed' ? 0 : 1);
  const position = new Map(order.map((k, i) => [k, i]));
  roles.sort(
    (a, b) => rank(a) - rank(b) || position.get(a.key)! - position.get(b.key)!,
  );
  return { roles, truncated, maxDepth, expanded: lookups.size };
}
