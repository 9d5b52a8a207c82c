import fc from 'fast-check';
import { analyzeRole, evaluateAssume } from './index';
import type { AssumeDecision, PrincipalContext, RoleAnalysis } from './types';

// analyze ↔ can-assume: what a finding claims about who can get in is what evaluation answers.
// 6,000 generated policies in all (see numRuns below).

const OWN = '111111111111';
const OTHER = '222222222222';
const ROLE = `arn:aws:iam::${OWN}:role/subject`;
const GH = `arn:aws:iam::${OWN}:oidc-provider/token.actions.githubusercontent.com`;

const principal = fc.constantFrom<unknown>(
  '*',
  { AWS: '*' },
  { AWS: OTHER },
  { AWS: `arn:aws:iam::${OTHER}:role/deploy` },
  { AWS: `arn:aws:iam::${OWN}:root` },
  { AWS: ['*', OTHER] },
  { Service: 'sns.amazonaws.com' },
  { Federated: GH },
);

// Keys that say who the caller is (and some that only look as if they did).
const key = fc.constantFrom(
  'aws:PrincipalAccount',
  'aws:PrincipalArn',
  'aws:PrincipalOrgID',
  'aws:PrincipalOrgPaths',
  'aws:PrincipalType',
  'aws:PrincipalTag/team',
  'aws:PrincipalServiceName',
  'aws:PrincipalIsAWSService',
  'aws:username',
  'aws:userid',
  'aws:SourceAccount',
  'aws:SourceIp',
  'sts:ExternalId',
  'token.actions.githubusercontent.com:sub',
);
const value = fc.constantFrom(
  OWN,
  OTHER,
  `arn:aws:iam::*:role/*`,
  `arn:aws:iam::${OTHER}:role/*`,
  `arn:aws:iam::${OTHER}:role/deploy`,
  `arn:aws:iam::*:role/admin-*`,
  'o-abc123',
  'o-abc123/*',
  'User',
  'AssumedRole',
  'platform',
  'sns.amazonaws.com',
  'true',
  'false',
  '*',
  '*:alice',
  'AROAEXAMPLEID1234567:*',
  `${OWN}:*`,
  '10.0.0.0/8',
  'repo:acme/*',
);
const operator = fc.constantFrom(
  'StringEquals',
  'StringLike',
  'StringNotEquals',
  'StringNotLike',
  'StringEqualsIfExists',
  'ArnLike',
  'ArnNotLike',
  'ArnEquals',
  'Bool',
  'Null',
  'IpAddress',
  'ForAnyValue:StringLike',
);
const condition = fc.dictionary(
  operator,
  fc.dictionary(
    key,
    fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 2 })),
    {
      minKeys: 1,
      maxKeys: 2,
    },
  ),
  { maxKeys: 2 },
);
const statement = fc.record(
  {
    Effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
    Principal: principal,
    Action: fc.constantFrom<unknown>(
      'sts:AssumeRole',
      ['sts:AssumeRole', 'sts:TagSession'],
      'sts:AssumeRoleWithWebIdentity',
      'sts:*',
    ),
    Condition: condition,
  },
  { requiredKeys: ['Effect', 'Principal', 'Action'] },
);
const policy = fc.record({
  Version: fc.constant('2012-10-17'),
  Statement: fc.array(statement, { minLength: 1, maxLength: 3 }),
});

/** A 12-digit account that the policy does not mention: "some other account". */
const stranger = fc
  .integer({ min: 300_000_000_000, max: 899_999_999_999 })
  .map(String);
const roleName = fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/);

const admits = (d: AssumeDecision) =>
  d.outcome === 'allowed' || d.outcome === 'possible';

function analyse(doc: unknown): RoleAnalysis {
  return analyzeRole({ arn: ROLE, trustPolicy: doc });
}

describe('analysis agrees with evaluation', () => {
  it('a role flagged public-trust admits a principal of an account nobody named', () => {
    fc.assert(
      fc.property(policy, stranger, (doc, acct) => {
        const a = analyse(doc);
        fc.pre(!!a.policy && !JSON.stringify(doc).includes(acct));
        // Public to AWS callers: a "*" that only web identity or SAML can use is another matter.
        const open = a.findings.some(
          f =>
            f.id === 'public-trust' &&
            a.principals.some(
              p =>
                p.kind === 'public' &&
                p.statementIndex === f.statementIndex &&
                p.actions.includes('sts:AssumeRole'),
            ),
        );
        if (!open) return;
        const d = evaluateAssume(a.policy!, {
          type: 'account',
          accountId: acct,
        });
        expect(admits(d)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('a role not flagged public-trust (nor NotPrincipal) lets no principal of an unnamed account in unconditionally', () => {
    fc.assert(
      fc.property(policy, stranger, roleName, (doc, acct, name) => {
        const a = analyse(doc);
        fc.pre(!!a.policy && !JSON.stringify(doc).includes(acct));
        if (
          a.findings.some(
            f => f.id === 'public-trust' || f.id === 'not-principal',
          )
        )
          return;
        for (const who of [
          { type: 'arn', arn: `arn:aws:iam::${acct}:role/${name}` },
          { type: 'arn', arn: `arn:aws:iam::${acct}:user/${name}` },
          { type: 'arn', arn: `arn:aws:iam::${acct}:root` },
        ] as PrincipalContext[]) {
          expect(evaluateAssume(a.policy!, who).outcome).not.toBe('allowed');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('every finding that names who can assume the role agrees with evaluating that principal', () => {
    fc.assert(
      fc.property(policy, doc => {
        const a = analyse(doc);
        if (!a.policy) return;
        for (const f of a.findings) {
          let who: PrincipalContext | undefined;
          const target = a.principals.find(
            p => p.id === f.principal && p.statementIndex === f.statementIndex,
          );
          switch (f.id) {
            case 'cross-account-no-external-id':
            case 'account-root-trust':
              if (target?.kind === 'account')
                who = { type: 'account', accountId: target.accountId! };
              else if (target) who = { type: 'arn', arn: target.id };
              break;
            case 'service-confused-deputy':
              who = {
                type: 'service',
                service:
                  f.principal === '*'
                    ? 'some-service.amazonaws.com'
                    : f.principal!,
              };
              break;
            case 'oidc-unrestricted-subject':
              // The claim is that some workflow of a stranger's repository gets in, not every one:
              // a Deny may still refuse one ref (e.g. all but an environment the stranger can name),
              // so ask for the repository with its ref and environment left open.
              who = {
                type: 'github',
                owner: 'stranger',
                repo: 'anything',
              };
              break;
            default:
              break;
          }
          if (!who) continue;
          expect({
            finding: f.id,
            admitted: admits(evaluateAssume(a.policy, who)),
          }).toEqual({ finding: f.id, admitted: true });
        }
        // A principal the analysis lists as trusted is one evaluation does not refuse outright.
        for (const p of a.principals) {
          if (p.kind !== 'account' || !p.actions.includes('sts:AssumeRole'))
            continue;
          const d = evaluateAssume(a.policy, {
            type: 'account',
            accountId: p.accountId!,
          });
          expect({ principal: p.id, outcome: d.outcome }).not.toEqual({
            principal: p.id,
            outcome: 'not-trusted',
          });
        }
      }),
      { numRuns: 2000 },
    );
  });
});
