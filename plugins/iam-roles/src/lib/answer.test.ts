import {
  assumableAnswer,
  lookupAnswer,
  ownedAnswer,
  tallyRoles,
} from './answer';
import {
  describeAction,
  describeMatchedBy,
  summarizeConditions,
} from './words';

const arn = (account: string, name: string) =>
  `arn:aws:iam::${account}:role/${name}`;

describe('the one-line answers', () => {
  const tally = tallyRoles([
    { arn: arn('111111111111', 'a'), risk: 'critical' },
    { arn: arn('111111111111', 'b'), risk: 'critical' },
    { arn: arn('222222222222', 'c'), risk: 'high', conditional: true },
    { arn: arn('333333333333', 'd'), risk: 'low' },
    { arn: arn('333333333333', 'e'), risk: 'none' },
  ]);

  it('counts roles, accounts, risks and conditional roles', () => {
    expect(tally).toEqual({
      roles: 5,
      accounts: 3,
      risks: [
        { severity: 'critical', roles: 2 },
        { severity: 'high', roles: 1 },
        { severity: 'low', roles: 1 },
      ],
      conditional: 1,
      worst: 'critical',
    });
  });

  it('says the answer with the serious risks only', () => {
    expect(lookupAnswer(tally, 'acme/payments-api')).toBe(
      '5 roles in 3 accounts (1 only under conditions) trust acme/payments-api — 2 critical, 1 high',
    );
    expect(assumableAnswer(tally, 'payments-api')).toBe(
      'payments-api can assume 5 roles in 3 accounts (1 only under conditions) — 2 critical, 1 high',
    );
  });

  it('says "none" and the singular plainly', () => {
    expect(lookupAnswer(tallyRoles([]), 'account 1')).toBe(
      'No role trusts account 1',
    );
    expect(
      lookupAnswer(
        tallyRoles([{ arn: arn('111111111111', 'a'), risk: 'low' }]),
        'x',
      ),
    ).toBe('1 role in 1 account trusts x — no high risk');
    expect(
      ownedAnswer(
        tallyRoles([{ arn: arn('111111111111', 'a'), risk: 'none' }]),
        'Payments',
      ),
    ).toBe('Payments owns 1 role in 1 account — no findings');
  });
});

describe('words for raw identifiers', () => {
  it('names the workflow context that matched', () => {
    expect(describeMatchedBy('github:acme/api@refs/heads/main')).toBe(
      'branch main of acme/api',
    );
    expect(describeMatchedBy('github:acme/api@environment:production')).toBe(
      'environment production of acme/api',
    );
    expect(describeMatchedBy('github:acme/api@refs/tags/v1')).toBe(
      'tag v1 of acme/api',
    );
    expect(describeMatchedBy('github:acme/api@pull_request')).toBe(
      'pull requests of acme/api',
    );
    expect(describeMatchedBy('github:acme/api')).toBe(
      'any workflow of acme/api',
    );
    expect(describeMatchedBy('eks:payments/api')).toBe(
      'Kubernetes service account payments/api',
    );
    expect(describeMatchedBy('111111111111')).toBe('111111111111');
  });

  it('says how a role is assumed instead of the STS action', () => {
    expect(describeAction('sts:AssumeRoleWithWebIdentity')).toBe(
      'with an OIDC token',
    );
    expect(describeAction('sts:AssumeRoleWithSAML')).toBe(
      'with a SAML sign-in',
    );
    expect(describeAction('sts:TagSession')).toBe('sts:TagSession');
  });

  it('summarises conditions as a short tag', () => {
    expect(summarizeConditions([])).toBe('');
    const clause = {
      operator: 'StringEquals',
      key: 'sts:ExternalId',
      values: ['x1'],
    };
    expect(summarizeConditions([clause])).toBe(
      'only if the ExternalId is "x1"',
    );
    expect(summarizeConditions([clause, clause])).toBe(
      'only if the ExternalId is "x1" (and 1 more)',
    );
  });
});
