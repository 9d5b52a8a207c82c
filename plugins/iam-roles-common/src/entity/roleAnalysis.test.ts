import type { IamRoleEntity } from './IamRoleEntity';
import { analyzeRoleEntity, TrustAnalysisCache } from './roleAnalysis';

function entity(
  findings: IamRoleEntity['spec']['iam']['findings'],
  principal = '*',
): IamRoleEntity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: 'r' },
    spec: {
      type: 'aws-iam-role',
      owner: 'group:default/platform',
      iam: {
        arn: 'arn:aws:iam::111111111111:role/r',
        accountId: '111111111111',
        roleName: 'r',
        path: '/',
        roleId: 'AROAEXAMPLEEXAMPLE1',
        trustPolicy: {
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: principal },
              Action: 'sts:AssumeRole',
            },
          ],
        },
        attachedManagedPolicies: [],
        inlinePolicyNames: [],
        findings,
        risk: 'none',
      },
    },
  };
}

describe('analyzeRoleEntity', () => {
  it('takes the findings the catalog module recorded, and principals from the engine', () => {
    const recorded = [
      {
        id: 'account-root-trust',
        severity: 'low',
        message: 'recorded at ingestion',
      },
    ];
    const analysis = analyzeRoleEntity(
      entity(recorded),
      TrustAnalysisCache.create(),
    );
    expect(analysis.findings).toEqual(recorded);
    expect(analysis.principals.map(p => p.kind)).toEqual(['public']);
  });

  it("falls back to the engine's findings for entities that recorded no messages", () => {
    const analysis = analyzeRoleEntity(
      entity([{ id: 'public-trust', severity: 'critical' }]),
      TrustAnalysisCache.create(),
    );
    expect(analysis.findings.map(f => f.id)).toContain('public-trust');
    expect(analysis.findings[0].message).toEqual(expect.any(String));
  });

  it('analyses each policy version once and bounds what it keeps', () => {
    const cache = TrustAnalysisCache.create({ maxEntries: 10 });
    const first = analyzeRoleEntity(entity([]), cache);
    expect(analyzeRoleEntity(entity([]), cache).principals).toBe(
      first.principals,
    );
    expect(cache.size).toBe(1);
    for (let i = 0; i < 30; i++) {
      analyzeRoleEntity(
        entity([], `1111111111${String(i).padStart(2, '0')}`),
        cache,
      );
    }
    expect(cache.size).toBeLessThanOrEqual(10);
  });
});
