import corpus from './__fixtures__/corpus.json';
import { analyzeRole, evaluateAssume, parsePrincipalSpec } from './index';

interface CorpusCase {
  name: string;
  description?: string;
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
