import corpus from './__fixtures__/corpus.json';
import {
  analyzeRole,
  describePrincipal,
  evaluateAssume,
  parsePrincipalSpec,
} from './index';

interface CorpusCase {
  name: string;
  description?: string;
  /** The rule of issue #11 the case proves, and the documentation its expectations rest on. */
  rule?: number;
  note?: string;
  /** For a role AWS manages: words every finding's message must contain (who can change it). */
  managedMessage?: string;
  /** Words some finding's message must contain. */
  messageIncludes?: string;
  /** describePrincipal of each principal, in order. */
  describes?: string[];
  roleArn: string;
  internalAccounts?: string[];
  policy: unknown;
  principals: Array<[string, string]>;
  findings: string[];
  assume: Array<{
    principal: string;
    outcome: string;
    conditionKeys?: string[];
    via?: string;
  }>;
}

const cases = (corpus as { cases: CorpusCase[] }).cases;

describe('corpus of real-world-shaped trust policies', () => {
  it('holds at least 40 policies', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map(c => c.name)).size).toBe(cases.length);
  });

  it('proves each rule of issue #11 with cases that cite the documentation', () => {
    for (let rule = 1; rule <= 9; rule++) {
      const proving = cases.filter(c => c.rule === rule);
      expect({ rule, cases: proving.length > 0 }).toEqual({
        rule,
        cases: true,
      });
      for (const c of proving) expect(c.note).toMatch(/https:\/\/\S+/);
    }
  });

  describe.each(cases.map(c => [c.name, c] as const))('%s', (_name, c) => {
    const analysis = analyzeRole(
      { arn: c.roleArn, trustPolicy: c.policy },
      { internalAccounts: c.internalAccounts },
    );

    it('finds the trusted principals', () => {
      expect(analysis.principals.map(p => [p.kind, p.id])).toEqual(
        c.principals,
      );
    });

    it('reports the expected findings', () => {
      expect(analysis.findings.map(f => f.id).sort()).toEqual(
        [...c.findings].sort(),
      );
    });

    if (c.managedMessage) {
      it('says who can change a role AWS manages, not "edit the policy"', () => {
        expect(analysis.findings.length).toBeGreaterThan(0);
        for (const f of analysis.findings) {
          expect(f.message).toContain(c.managedMessage);
          expect(f.message).not.toMatch(/\b(Add|Remove|Restrict|Name the)\b/);
        }
      });
    }

    if (c.messageIncludes) {
      it('says it in true words', () => {
        expect(analysis.findings.map(f => f.message).join('\n')).toContain(
          c.messageIncludes,
        );
      });
    }

    if (c.describes) {
      it('describes the principals in plain words', () => {
        expect(analysis.principals.map(p => describePrincipal(p))).toEqual(
          c.describes,
        );
      });
    }

    if (c.assume.length > 0) {
      it.each(c.assume.map(a => [a.principal, a] as const))(
        'evaluates %s',
        (_p, a) => {
          const decision = evaluateAssume(
            analysis.policy!,
            parsePrincipalSpec(a.principal),
          );
          const keys = [...new Set(decision.conditions.map(k => k.key))].sort();
          // Compare only what the case states (condition keys and via are optional in the corpus).
          expect({
            outcome: decision.outcome,
            conditionKeys: a.conditionKeys && keys,
            via: a.via && decision.via,
          }).toEqual({
            outcome: a.outcome,
            conditionKeys: a.conditionKeys && [...a.conditionKeys].sort(),
            via: a.via,
          });
        },
      );
    }
  });
});
