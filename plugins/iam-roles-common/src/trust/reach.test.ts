import fc from 'fast-check';
import { analyzeRole } from './analyzeRole';
import { parseArn } from './arn';
import { findReach } from './reach';
import { applyResourceControlPolicies } from './resourceControlPolicies';
import { TrustIndex } from './TrustIndex';
import type { PrincipalContext } from './types';

const CI = '111111111111';
const PROD = '222222222222';
const VENDOR = '999999999999';

const arnOf = (account: string, name: string, path = '/') =>
  `arn:aws:iam::${account}:role${path}${name}`;

function trusts(principal: unknown, condition?: unknown) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: principal,
        Action: 'sts:AssumeRole',
        ...(condition ? { Condition: condition } : {}),
      },
    ],
  };
}

function indexOf(roles: Array<[string, unknown]>): TrustIndex {
  return TrustIndex.build(
    roles.map(([arn, doc]) => ({
      key: arn,
      analysis: analyzeRole({ arn, trustPolicy: doc }),
    })),
  );
}

const GITHUB = `arn:aws:iam::${CI}:oidc-provider/token.actions.githubusercontent.com`;
const ci = arnOf(CI, 'ci');
const deploy = arnOf(CI, 'deploy', '/platform/');
const admin = arnOf(PROD, 'prod-admin');
const reader = arnOf(PROD, 'reader');

const ciPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: GITHUB },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub':
            'repo:acme/api:ref:refs/heads/main',
        },
      },
    },
  ],
};
const leakedToken: PrincipalContext = {
  type: 'github',
  owner: 'acme',
  repo: 'api',
  ref: 'refs/heads/main',
};

describe('findReach', () => {
  it('follows a leaked CI token through a deploy role to production admin', () => {
    const index = indexOf([
      [ci, ciPolicy],
      [deploy, trusts({ AWS: ci })],
      [admin, trusts({ AWS: deploy })],
      [arnOf(PROD, 'unrelated'), trusts({ AWS: arnOf(PROD, 'someone') })],
    ]);
    const result = findReach(index, leakedToken);
    expect(result.truncated).toBe(false);
    expect(
      result.roles.map(r => [r.key, r.depth, r.outcome, r.paths.length]),
    ).toEqual([
      [ci, 1, 'allowed', 1],
      [deploy, 2, 'allowed', 1],
      [admin, 3, 'allowed', 1],
    ]);
    const hops = result.roles[2].paths[0].hops;
    expect(hops.map(h => [h.key, h.via, h.outcome])).toEqual([
      [ci, 'sts:AssumeRoleWithWebIdentity', 'allowed'],
      [deploy, 'sts:AssumeRole', 'allowed'],
      [admin, 'sts:AssumeRole', 'allowed'],
    ]);
    expect(hops.every(h => h.conditions.length === 0)).toBe(true);
  });

  it('ends cycles and never reports the starting role as reached', () => {
    const a = arnOf(CI, 'a');
    const b = arnOf(CI, 'b');
    const c = arnOf(CI, 'c');
    const index = indexOf([
      [a, trusts({ AWS: [b, c] })],
      [b, trusts({ AWS: a })],
      [c, trusts({ AWS: b })],
    ]);
    const result = findReach(index, { type: 'arn', arn: a });
    expect(result.roles.map(r => [r.key, r.depth])).toEqual([
      [b, 1],
      [c, 2],
    ]);
    for (const role of result.roles) {
      for (const path of role.paths) {
        const keys = path.hops.map(h => h.key);
        expect(new Set(keys).size).toBe(keys.length);
        expect(keys).not.toContain(a);
      }
    }
    // From outside the cycle every member is reached exactly once.
    const outside = findReach(
      indexOf([
        [a, trusts({ AWS: [b, ci] })],
        [b, trusts({ AWS: a })],
      ]),
      { type: 'arn', arn: ci },
    );
    expect(outside.roles.map(r => [r.key, r.depth])).toEqual([
      [a, 1],
      [b, 2],
    ]);
    expect(outside.expanded).toBe(2);
  });

  it('stops at the configured depth', () => {
    const chain = Array.from({ length: 8 }, (_, i) => arnOf(CI, `r${i}`));
    const index = indexOf(
      chain.slice(1).map((arn, i) => [arn, trusts({ AWS: chain[i] })]),
    );
    const start: PrincipalContext = { type: 'arn', arn: chain[0] };
    expect(findReach(index, start).roles.map(r => r.key)).toEqual(
      chain.slice(1, 6),
    );
    const two = findReach(index, start, { maxDepth: 2 });
    expect(two.maxDepth).toBe(2);
    expect(two.roles.map(r => r.depth)).toEqual([1, 2]);
    expect(findReach(index, start, { maxDepth: 10 }).roles).toHaveLength(7);
  });

  it('caps the number of roles and says so', () => {
    const fan = Array.from({ length: 5 }, (_, i) => arnOf(CI, `f${i}`));
    const index = indexOf(fan.map(arn => [arn, trusts({ AWS: ci })]));
    const capped = findReach(index, { type: 'arn', arn: ci }, { maxRoles: 3 });
    expect(capped.roles.map(r => r.key)).toEqual(fan.slice(0, 3));
    expect(capped.truncated).toBe(true);
    expect(
      findReach(index, { type: 'arn', arn: ci }, { maxRoles: 5 }).truncated,
    ).toBe(false);
  });

  it('makes a path possible when one hop has conditions it cannot settle', () => {
    const index = indexOf([
      [
        deploy,
        trusts({ AWS: ci }, { StringEquals: { 'sts:ExternalId': 'x' } }),
      ],
      [admin, trusts({ AWS: deploy })],
    ]);
    const result = findReach(index, { type: 'arn', arn: ci });
    expect(result.roles.map(r => [r.key, r.outcome])).toEqual([
      [deploy, 'possible'],
      [admin, 'possible'],
    ]);
    const [first, second] = result.roles[1].paths[0].hops;
    expect(result.roles[1].paths[0].outcome).toBe('possible');
    expect(first.outcome).toBe('possible');
    expect(first.conditions).toEqual([
      { operator: 'StringEquals', key: 'sts:ExternalId', values: ['x'] },
    ]);
    expect(second.outcome).toBe('allowed');
  });

  it('crosses into another account and reports who the hop trusts', () => {
    const vendorRole = arnOf(VENDOR, 'vendor-integration');
    const index = indexOf([
      [
        arnOf(PROD, 'vendor-access'),
        trusts({ AWS: VENDOR }, { StringEquals: { 'sts:ExternalId': 'e1' } }),
      ],
      [reader, trusts({ AWS: arnOf(PROD, 'vendor-access') })],
    ]);
    const result = findReach(index, { type: 'arn', arn: vendorRole });
    expect(result.roles.map(r => [r.key, r.depth, r.outcome])).toEqual([
      [arnOf(PROD, 'vendor-access'), 1, 'possible'],
      [reader, 2, 'possible'],
    ]);
    expect(result.roles[1].paths[0].hops[0].conditions[0].key).toBe(
      'sts:ExternalId',
    );
    // Without the account trust nothing in PROD is reached from the vendor.
    const closed = indexOf([[reader, trusts({ AWS: arnOf(PROD, 'x') })]]);
    expect(findReach(closed, { type: 'arn', arn: vendorRole }).roles).toEqual(
      [],
    );
  });

  it('keeps the shortest of two paths, and the shortest certain one when the shortest is conditional', () => {
    const short = arnOf(CI, 'short');
    const long1 = arnOf(CI, 'long1');
    const long2 = arnOf(CI, 'long2');
    const base: Array<[string, unknown]> = [
      [short, trusts({ AWS: ci })],
      [long1, trusts({ AWS: ci })],
      [long2, trusts({ AWS: long1 })],
    ];
    const both = findReach(
      indexOf([...base, [admin, trusts({ AWS: [long2, short] })]]),
      { type: 'arn', arn: ci },
    );
    const target = both.roles.find(r => r.key === admin)!;
    expect(target.depth).toBe(2);
    expect(target.paths).toHaveLength(1);
    expect(target.paths[0].hops.map(h => h.key)).toEqual([short, admin]);

    const conditional = findReach(
      indexOf([
        ...base,
        [
          admin,
          {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: short },
                Action: 'sts:AssumeRole',
                Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
              },
              {
                Effect: 'Allow',
                Principal: { AWS: long2 },
                Action: 'sts:AssumeRole',
              },
            ],
          },
        ],
      ]),
      { type: 'arn', arn: ci },
    );
    const t = conditional.roles.find(r => r.key === admin)!;
    expect([t.depth, t.outcome]).toEqual([2, 'allowed']);
    expect(t.paths.map(p => [p.outcome, p.hops.map(h => h.key)])).toEqual([
      ['possible', [short, admin]],
      ['allowed', [long1, long2, admin]],
    ]);
  });

  it('orders roles shortest first and allowed before possible at equal depth', () => {
    const p = arnOf(CI, 'p');
    const q = arnOf(CI, 'q');
    const index = indexOf([
      [p, trusts({ AWS: ci }, { StringEquals: { 'sts:ExternalId': 'x' } })],
      [q, trusts({ AWS: ci })],
      [admin, trusts({ AWS: q })],
    ]);
    expect(
      findReach(index, { type: 'arn', arn: ci }).roles.map(r => r.key),
    ).toEqual([q, p, admin]);
  });

  it('matches a hop that trusts the reached role by its path-qualified ARN or by PrincipalArn', () => {
    const index = indexOf([
      [deploy, trusts({ AWS: ci })],
      [
        admin,
        trusts(
          { AWS: CI },
          {
            ArnLike: {
              'aws:PrincipalArn': `arn:aws:iam::${CI}:role/platform/*`,
            },
          },
        ),
      ],
    ]);
    const result = findReach(index, { type: 'arn', arn: ci });
    const target = result.roles.find(r => r.key === admin)!;
    expect(target.outcome).toBe('allowed');
    expect(target.paths[0].hops.map(h => h.key)).toEqual([deploy, admin]);
  });

  it('gives the same answer over a linear scan', () => {
    const index = indexOf([
      [ci, ciPolicy],
      [deploy, trusts({ AWS: ci })],
      [admin, trusts({ AWS: deploy })],
    ]);
    const scan = { lookup: index.scan.bind(index) };
    expect(findReach(scan, leakedToken)).toEqual(findReach(index, leakedToken));
  });

  it('drops a hop that the resource control policies of the role account close', () => {
    const vendorRole = arnOf(VENDOR, 'vendor-integration');
    const access = arnOf(PROD, 'vendor-access');
    const index = indexOf([
      [access, trusts({ AWS: VENDOR })],
      [reader, trusts({ AWS: access })],
    ]);
    const rcp = {
      id: 'p-8xw0ea2k',
      name: 'data-perimeter',
      document: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'EnforceOrgIdentities',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sts:AssumeRole',
            Resource: '*',
            Condition: {
              StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-acme' },
              BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
            },
          },
        ],
      },
    };
    const orgs: Record<string, string> = {
      [PROD]: 'o-acme',
      [VENDOR]: 'o-other',
    };
    const evaluate = { organizationOf: (account: string) => orgs[account] };
    const seen: string[] = [];
    const closed = findReach(
      index,
      { type: 'arn', arn: vendorRole },
      {
        evaluate,
        refine: (match, caller, arn) => {
          seen.push(match.key);
          return applyResourceControlPolicies({
            decision: match.decision,
            principal: caller,
            roleArn: arn!,
            policies: parseArn(arn!)!.accountId === PROD ? [rcp] : [],
            options: evaluate,
          });
        },
      },
    );
    expect(closed.roles).toEqual([]);
    expect(seen).toEqual([access]);
    // Without the RCP the vendor gets in and on to the reader.
    expect(
      findReach(
        index,
        { type: 'arn', arn: vendorRole },
        { evaluate },
      ).roles.map(r => r.key),
    ).toEqual([access, reader]);
  });

  it('agrees with a breadth-first search over the trust graph itself', () => {
    const N = 9;
    const names = Array.from({ length: N }, (_, i) => arnOf(CI, `n${i}`));
    // edges[to] lists [from, conditional]: role `to` trusts role `from`.
    const graph = fc.array(
      fc.array(fc.tuple(fc.nat({ max: N - 1 }), fc.boolean()), {
        maxLength: 3,
      }),
      { minLength: N, maxLength: N },
    );
    fc.assert(
      fc.property(
        graph,
        fc.nat({ max: N - 1 }),
        fc.integer({ min: 1, max: 4 }),
        (edges, start, maxDepth) => {
          const index = indexOf(
            edges.map((trusted, to) => [
              names[to],
              {
                Version: '2012-10-17',
                Statement: trusted.map(([from, conditional]) => ({
                  Effect: 'Allow',
                  Principal: { AWS: names[from] },
                  Action: 'sts:AssumeRole',
                  ...(conditional
                    ? { Condition: { StringEquals: { 'sts:ExternalId': 'x' } } }
                    : {}),
                })),
              },
            ]),
          );
          const distance = (certainOnly: boolean) => {
            const d = new Map<number, number>([[start, 0]]);
            let frontier = [start];
            for (let depth = 1; depth <= maxDepth; depth++) {
              const next: number[] = [];
              for (const from of frontier) {
                edges.forEach((trusted, to) => {
                  const ok = trusted.some(
                    ([f, conditional]) =>
                      f === from && (!certainOnly || !conditional),
                  );
                  if (ok && !d.has(to)) {
                    d.set(to, depth);
                    next.push(to);
                  }
                });
              }
              frontier = next;
            }
            d.delete(start);
            return d;
          };
          const any = distance(false);
          const certain = distance(true);
          const result = findReach(
            index,
            { type: 'arn', arn: names[start] },
            { maxDepth },
          );
          expect(result).toEqual(
            findReach(
              { lookup: index.scan.bind(index) },
              { type: 'arn', arn: names[start] },
              { maxDepth },
            ),
          );
          expect(
            new Map(result.roles.map(r => [names.indexOf(r.key), r.depth])),
          ).toEqual(any);
          for (const r of result.roles) {
            const i = names.indexOf(r.key);
            expect(r.outcome).toBe(certain.has(i) ? 'allowed' : 'possible');
            const allowedPath = r.paths.find(p => p.outcome === 'allowed');
            expect(allowedPath?.hops.length).toBe(certain.get(i));
            for (const path of r.paths) {
              const keys = path.hops.map(h => h.key);
              expect(new Set(keys).size).toBe(keys.length);
              expect(keys[keys.length - 1]).toBe(r.key);
              expect(path.outcome).toBe(
                path.hops.every(h => h.outcome === 'allowed')
                  ? 'allowed'
                  : 'possible',
              );
            }
            expect(r.paths[0].hops).toHaveLength(r.depth);
          }
          const ranks = result.roles.map(
            r => r.depth * 2 + (r.outcome === 'allowed' ? 0 : 1),
          );
          expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
        },
      ),
      { numRuns: 200 },
    );
  });
});
