import { analyzeRole } from '../trust/analyzeRole';
import type { Finding, RoleAnalysis } from '../trust/types';
import type { IamRoleEntity } from './IamRoleEntity';

/**
 * Analyses of trust policies by policy version, bounded: a process that reads the same role entities
 * again and again (the catalog's processing loop, the broker's index refresh) analyses each version
 * of a policy once.
 */
export class TrustAnalysisCache {
  private readonly entries = new Map<string, RoleAnalysis>();

  private constructor(private readonly maxEntries: number) {}

  /** A cache holding at most `maxEntries` analyses (default 200,000); the oldest go first. */
  static create(options: { maxEntries?: number } = {}): TrustAnalysisCache {
    return new TrustAnalysisCache(options.maxEntries ?? 200_000);
  }

  /** Number of analyses held. */
  get size(): number {
    return this.entries.size;
  }

  /** The analysis under `key`, computed with `analyze` when not held. */
  get(key: string, analyze: () => RoleAnalysis): RoleAnalysis {
    const held = this.entries.get(key);
    if (held) {
      return held;
    }
    const analysis = analyze();
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: drop the oldest tenth at once rather than one per call.
      let drop = Math.max(1, Math.floor(this.maxEntries / 10));
      for (const k of this.entries.keys()) {
        this.entries.delete(k);
        if (--drop === 0) break;
      }
    }
    this.entries.set(key, analysis);
    return analysis;
  }
}

const defaultCache = TrustAnalysisCache.create();

function hasFullFindings(
  findings: IamRoleEntity['spec']['iam']['findings'],
): findings is Finding[] {
  return findings.every(f => typeof f.message === 'string');
}

/**
 * The analysis of a role entity: who it trusts (principals, policy) from the trust engine, computed
 * once per version of the policy, and the findings the catalog module recorded in `spec.iam` — so the
 * summary card, the role tab, the broker and the relations all show one risk. Entities from older
 * versions of the module, which recorded no finding messages, get the engine's own findings.
 */
export function analyzeRoleEntity(
  entity: IamRoleEntity,
  cache: TrustAnalysisCache = defaultCache,
): RoleAnalysis {
  const iam = entity.spec.iam;
  const document = iam.trustPolicy ?? iam.trustPolicyRaw;
  const key = `${iam.arn}\n${iam.path}\n${
    typeof document === 'string' ? document : JSON.stringify(document)
  }`;
  const analysis = cache.get(key, () =>
    analyzeRole({
      arn: iam.arn,
      trustPolicy: document,
      name: iam.roleName,
      path: iam.path,
    }),
  );
  const recorded = iam.findings ?? [];
  if (!hasFullFindings(recorded)) {
    return analysis;
  }
  return { ...analysis, findings: recorded };
}
