import fc from 'fast-check';
import {
  canonicalTrustPolicy,
  normalizeTrustPolicy,
} from './normalizeTrustPolicy';

const canonical = (doc: unknown) =>
  canonicalTrustPolicy(normalizeTrustPolicy(doc).policy!);

const statements = [
  {
    Sid: 'Ci',
    Effect: 'Allow',
    Principal: {
      Federated:
        'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com',
    },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: {
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
      },
      StringLike: {
        'token.actions.githubusercontent.com:sub': [
          'repo:acme/api:ref:refs/heads/main',
          'repo:acme/api:environment:production',
        ],
      },
    },
  },
  {
    Effect: 'Allow',
    Principal: {
      AWS: [
        'arn:aws:iam::222222222222:role/deployer',
        'arn:aws:iam::333333333333:root',
      ],
      Service: 'ecs-tasks.amazonaws.com',
    },
    Action: ['sts:AssumeRole', 'sts:TagSession'],
  },
  {
    Effect: 'Deny',
    Principal: '*',
    Action: 'sts:AssumeRole',
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  },
];

function shuffled<T>(items: T[], order: number[]): T[] {
  return items
    .map((item, i) => ({ item, key: order[i % order.length] + i / 100 }))
    .sort((a, b) => a.key - b.key)
    .map(x => x.item);
}

describe('canonicalTrustPolicy', () => {
  it('is the same whatever the order of statements, principals, actions and condition values', () => {
    const base = canonical({ Version: '2012-10-17', Statement: statements });
    fc.assert(
      fc.property(fc.array(fc.nat(10), { minLength: 1 }), order => {
        const reordered = shuffled(statements, order).map(s => {
          const principal = s.Principal as unknown;
          return {
            ...s,
            Principal:
              typeof principal === 'object' && principal !== null
                ? Object.fromEntries(
                    shuffled(Object.entries(principal), order).map(([k, v]) => [
                      k,
                      Array.isArray(v) ? shuffled(v, order) : v,
                    ]),
                  )
                : principal,
            Action: Array.isArray(s.Action)
              ? shuffled(s.Action, order)
              : s.Action,
          };
        });
        // The JSON string and the URL-encoded form read the same too.
        expect(
          canonical(
            JSON.stringify({ Version: '2012-10-17', Statement: reordered }),
          ),
        ).toBe(base);
      }),
    );
  });

  it('changes when a principal, an action, a condition or an effect changes', () => {
    const base = canonical({ Statement: statements });
    const variants: Array<[number, unknown]> = [
      [1, { ...statements[1], Principal: { AWS: '*' } }],
      [1, { ...statements[1], Action: 'sts:AssumeRole' }],
      [0, { ...statements[0], Condition: {} }],
      [2, { ...statements[2], Effect: 'Allow' }],
    ];
    for (const [at, variant] of variants) {
      const changed: unknown[] = [...statements];
      changed[at] = variant;
      expect(canonical({ Statement: changed })).not.toBe(base);
    }
  });

  it('reads a repeated principal as one', () => {
    expect(
      canonical({
        Statement: {
          Effect: 'Allow',
          Principal: { AWS: ['111111111111', '111111111111'] },
          Action: 'sts:AssumeRole',
        },
      }),
    ).toBe(
      canonical({
        Statement: {
          Effect: 'Allow',
          Principal: { AWS: '111111111111' },
          Action: ['sts:AssumeRole'],
        },
      }),
    );
  });
});
