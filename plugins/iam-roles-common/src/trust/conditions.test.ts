import {
  ContextValue,
  compileClause,
  createRequestContext,
  evaluateClauses,
  negateClause,
  Tri,
} from './conditions';

const ABSENT: ContextValue = { state: 'absent' };
const UNKNOWN: ContextValue = { state: 'unknown' };

function check(
  operator: string,
  values: string[],
  request: ContextValue | string | string[],
  key = 'k:key',
): Tri {
  const clause = compileClause({ operator, key, values });
  return clause.evaluate(
    createRequestContext({ [key]: request }, () => ABSENT),
  );
}

describe('condition operators', () => {
  it.each<[string, string[], ContextValue | string | string[], Tri]>([
    // String
    ['StringEquals', ['a', 'b'], 'b', 'true'],
    ['StringEquals', ['a'], 'A', 'false'],
    ['StringEquals', ['a*'], 'abc', 'false'],
    ['StringEquals', ['a*'], 'a*', 'true'],
    ['StringNotEquals', ['a', 'b'], 'c', 'true'],
    ['StringNotEquals', ['a', 'b'], 'a', 'false'],
    ['StringEqualsIgnoreCase', ['Hello'], 'hELLO', 'true'],
    ['StringNotEqualsIgnoreCase', ['Hello'], 'hello', 'false'],
    [
      'StringLike',
      ['repo:acme/*'],
      'repo:acme/api:ref:refs/heads/main',
      'true',
    ],
    ['StringLike', ['repo:acme/*'], 'repo:acme-evil/api', 'false'],
    ['StringLike', ['v?.0'], 'v2.0', 'true'],
    ['StringLike', ['v?.0'], 'v10.0', 'false'],
    ['StringLike', ['*'], '', 'true'],
    ['StringLike', ['a*b*c'], 'axxbyyc', 'true'],
    ['StringLike', ['a*b*c'], 'axxbyy', 'false'],
    ['StringLike', ['ABC'], 'abc', 'false'],
    ['StringNotLike', ['repo:acme/*'], 'repo:evil/x', 'true'],
    ['StringNotLike', ['repo:acme/*'], 'repo:acme/x', 'false'],
    // Numeric
    ['NumericEquals', ['10'], '10.0', 'true'],
    ['NumericNotEquals', ['10'], '11', 'true'],
    ['NumericLessThan', ['3600'], '3599', 'true'],
    ['NumericLessThan', ['3600'], '3600', 'false'],
    ['NumericLessThanEquals', ['3600'], '3600', 'true'],
    ['NumericGreaterThan', ['5'], '6', 'true'],
    ['NumericGreaterThanEquals', ['5'], '4', 'false'],
    ['NumericEquals', ['10'], 'ten', 'false'],
    // Date
    [
      'DateGreaterThan',
      ['2024-01-01T00:00:00Z'],
      '2024-06-01T00:00:00Z',
      'true',
    ],
    ['DateLessThan', ['2024-01-01T00:00:00Z'], '2024-06-01T00:00:00Z', 'false'],
    ['DateLessThanEquals', ['2024-01-01T00:00:00Z'], '1704067200', 'true'],
    ['DateGreaterThanEquals', ['1704067200'], '2024-01-01T00:00:00Z', 'true'],
    [
      'DateEquals',
      ['2024-01-01T00:00:00Z'],
      '2024-01-01T00:00:00.000Z',
      'true',
    ],
    ['DateNotEquals', ['2024-01-01T00:00:00Z'], '2024-01-02T00:00:00Z', 'true'],
    // Bool, Binary
    ['Bool', ['true'], 'TRUE', 'true'],
    ['Bool', ['true'], 'false', 'false'],
    ['BinaryEquals', ['QmluYXJ5VmFsdWU='], 'QmluYXJ5VmFsdWU=', 'true'],
    // IP
    ['IpAddress', ['10.0.0.0/8'], '10.20.30.40', 'true'],
    ['IpAddress', ['10.0.0.0/8'], '11.0.0.1', 'false'],
    ['IpAddress', ['203.0.113.7'], '203.0.113.7', 'true'],
    ['IpAddress', ['2001:db8::/32'], '2001:db8:1234::1', 'true'],
    ['IpAddress', ['2001:db8::/32'], '2001:db9::1', 'false'],
    ['IpAddress', ['10.0.0.0/8'], 'not-an-ip', 'false'],
    ['NotIpAddress', ['192.168.0.0/16'], '10.1.1.1', 'true'],
    ['NotIpAddress', ['192.168.0.0/16'], '192.168.1.1', 'false'],
    // ARN: each of the six parts compared separately, wildcards in both operators
    [
      'ArnLike',
      ['arn:aws:iam::123456789012:role/deploy-*'],
      'arn:aws:iam::123456789012:role/deploy-api',
      'true',
    ],
    [
      'ArnLike',
      ['arn:aws:iam::*:role/deploy'],
      'arn:aws:iam::210987654321:role/deploy',
      'true',
    ],
    [
      'ArnLike',
      ['arn:aws:iam::123456789012:role/*'],
      'arn:aws:iam::123456789012:user/x',
      'false',
    ],
    [
      'ArnEquals',
      ['arn:aws:sns:*:123456789012:topic'],
      'arn:aws:sns:eu-west-1:123456789012:topic',
      'true',
    ],
    [
      'ArnEquals',
      ['arn:aws:sns:eu-west-1:123456789012:a:b'],
      'arn:aws:sns:eu-west-1:123456789012:a:b',
      'true',
    ],
    [
      'ArnNotLike',
      ['arn:aws:iam::123456789012:role/*'],
      'arn:aws:iam::123456789012:role/x',
      'false',
    ],
    [
      'ArnNotEquals',
      ['arn:aws:iam::123456789012:role/x'],
      'arn:aws:iam::123456789012:role/y',
      'true',
    ],
    ['ArnLike', ['arn:aws:iam::123456789012:role/x'], 'not-an-arn', 'false'],
    // Null
    ['Null', ['true'], ABSENT, 'true'],
    ['Null', ['true'], 'x', 'false'],
    ['Null', ['false'], 'x', 'true'],
    ['Null', ['false'], ABSENT, 'false'],
    ['Null', ['true'], UNKNOWN, 'unknown'],
    // Absent keys: positive operators fail, negated ones hold, IfExists holds
    ['StringEquals', ['a'], ABSENT, 'false'],
    ['StringNotEquals', ['a'], ABSENT, 'true'],
    ['StringNotLike', ['a*'], ABSENT, 'true'],
    ['NotIpAddress', ['10.0.0.0/8'], ABSENT, 'true'],
    ['ArnNotEquals', ['arn:aws:iam::1:role/x'], ABSENT, 'true'],
    ['NumericLessThan', ['5'], ABSENT, 'false'],
    ['StringEqualsIfExists', ['a'], ABSENT, 'true'],
    ['StringEqualsIfExists', ['a'], 'b', 'false'],
    ['StringEqualsIfExists', ['a'], 'a', 'true'],
    ['NumericLessThanIfExists', ['5'], '6', 'false'],
    ['BoolIfExists', ['true'], ABSENT, 'true'],
    // Unknown values stay unknown
    ['StringEquals', ['a'], UNKNOWN, 'unknown'],
    ['StringNotEquals', ['a'], UNKNOWN, 'unknown'],
    ['StringEqualsIfExists', ['a'], UNKNOWN, 'unknown'],
    // Multi-valued request keys and set operators
    ['ForAnyValue:StringEquals', ['a', 'b'], ['x', 'b'], 'true'],
    ['ForAnyValue:StringEquals', ['a', 'b'], ['x', 'y'], 'false'],
    ['ForAnyValue:StringEquals', ['a'], ABSENT, 'false'],
    ['ForAllValues:StringEquals', ['a', 'b'], ['a', 'b'], 'true'],
    ['ForAllValues:StringEquals', ['a', 'b'], ['a', 'c'], 'false'],
    ['ForAllValues:StringEquals', ['a'], ABSENT, 'true'],
    ['ForAllValues:StringEquals', ['a'], [], 'true'],
    [
      'ForAnyValue:StringLike',
      ['authenticated'],
      ['authenticated', 'graph.facebook.com'],
      'true',
    ],
    ['ForAnyValue:StringNotEquals', ['a'], ['a', 'b'], 'true'],
    ['ForAllValues:StringNotEquals', ['a'], ['a', 'b'], 'false'],
    ['StringNotEquals', ['a'], ['b', 'a'], 'false'],
    ['StringEquals', ['a'], ['b', 'a'], 'true'],
    ['ForAnyValue:StringEqualsIfExists', ['a'], ABSENT, 'true'],
    // Operators are matched case-insensitively; unknown operators cannot be settled
    ['stringequals', ['a'], 'a', 'true'],
    ['StringSortOf', ['a'], 'a', 'unknown'],
  ])('%s %j against %j → %s', (operator, values, request, expected) => {
    expect(check(operator, values, request)).toBe(expected);
  });

  it('compares keys case-insensitively', () => {
    const clause = compileClause({
      operator: 'StringEquals',
      key: 'STS:ExternalID',
      values: ['x'],
    });
    expect(
      clause.evaluate(createRequestContext({ 'sts:externalid': 'x' })),
    ).toBe('true');
  });

  it('answers partly known values (any ref of one repository)', () => {
    const prefix: ContextValue = { state: 'prefix', prefix: 'repo:acme/api:' };
    expect(check('StringLike', ['repo:acme/api:*'], prefix)).toBe('true');
    expect(check('StringLike', ['repo:acme/*'], prefix)).toBe('true');
    expect(
      check('StringLike', ['repo:acme/api:ref:refs/heads/main'], prefix),
    ).toBe('unknown');
    expect(
      check('StringEquals', ['repo:acme/api:ref:refs/heads/main'], prefix),
    ).toBe('unknown');
    expect(
      check('StringEquals', ['repo:acme/web:ref:refs/heads/main'], prefix),
    ).toBe('false');
    expect(check('StringNotLike', ['repo:acme/*'], prefix)).toBe('false');
    expect(check('StringNotLike', ['repo:evil/*'], prefix)).toBe('true');
  });

  it('substitutes policy variables from the request, and leaves unknown ones unsettled', () => {
    const clause = compileClause({
      operator: 'StringEquals',
      key: 'aws:PrincipalTag/team',
      values: ['${aws:RequestTag/team}'],
    });
    const known = createRequestContext({
      'aws:PrincipalTag/team': 'payments',
      'aws:RequestTag/team': 'payments',
    });
    expect(clause.evaluate(known)).toBe('true');
    const other = createRequestContext({
      'aws:PrincipalTag/team': 'payments',
      'aws:RequestTag/team': 'search',
    });
    expect(clause.evaluate(other)).toBe('false');
    const unknown = createRequestContext({
      'aws:PrincipalTag/team': 'payments',
    });
    expect(clause.evaluate(unknown)).toBe('unknown');
    const escaped = compileClause({
      operator: 'StringEquals',
      key: 'k',
      values: ['a${*}b'],
    });
    expect(escaped.evaluate(createRequestContext({ k: 'a*b' }))).toBe('true');
  });

  it('ANDs clauses and lists the ones it cannot settle', () => {
    const clauses = [
      compileClause({ operator: 'StringEquals', key: 'a', values: ['1'] }),
      compileClause({
        operator: 'StringEquals',
        key: 'sts:ExternalId',
        values: ['x'],
      }),
    ];
    expect(evaluateClauses(clauses, createRequestContext({ a: '1' }))).toEqual({
      result: 'unknown',
      unsettled: [
        { operator: 'StringEquals', key: 'sts:ExternalId', values: ['x'] },
      ],
    });
    expect(
      evaluateClauses(clauses, createRequestContext({ a: '2' })).result,
    ).toBe('false');
    expect(
      evaluateClauses(
        clauses,
        createRequestContext({ a: '1', 'sts:ExternalId': 'x' }),
      ).result,
    ).toBe('true');
    expect(evaluateClauses([], createRequestContext({})).result).toBe('true');
  });

  it('negates clauses for "possible unless" answers', () => {
    expect(
      negateClause({ operator: 'StringNotEquals', key: 'k', values: ['a'] }),
    ).toEqual([{ operator: 'StringEquals', key: 'k', values: ['a'] }]);
    expect(
      negateClause({ operator: 'Bool', key: 'k', values: ['true'] }),
    ).toEqual([{ operator: 'BoolIfExists', key: 'k', values: ['false'] }]);
    expect(
      negateClause({ operator: 'BoolIfExists', key: 'k', values: ['true'] }),
    ).toEqual([{ operator: 'Bool', key: 'k', values: ['false'] }]);
    expect(
      negateClause({ operator: 'NumericLessThan', key: 'k', values: ['1'] }),
    ).toEqual([
      { operator: 'NumericGreaterThanEqualsIfExists', key: 'k', values: ['1'] },
    ]);
    expect(
      negateClause({
        operator: 'StringNotEqualsIfExists',
        key: 'k',
        values: ['a'],
      }),
    ).toEqual([{ operator: 'StringEquals', key: 'k', values: ['a'] }]);
    expect(
      negateClause({
        operator: 'StringEqualsIfExists',
        key: 'k',
        values: ['a'],
      }),
    ).toEqual([
      { operator: 'Null', key: 'k', values: ['false'] },
      { operator: 'StringNotEquals', key: 'k', values: ['a'] },
    ]);
    expect(
      negateClause({ operator: 'Null', key: 'k', values: ['true'] }),
    ).toEqual([{ operator: 'Null', key: 'k', values: ['false'] }]);
    expect(
      negateClause({
        operator: 'ForAnyValue:StringEquals',
        key: 'k',
        values: ['a'],
      }),
    ).toBeUndefined();
  });

  it('negates every operator into its exact complement, a missing key included', () => {
    const operators = [
      'StringEquals',
      'StringNotEquals',
      'StringEqualsIgnoreCase',
      'StringLike',
      'StringNotLike',
      'NumericEquals',
      'NumericNotEquals',
      'NumericLessThan',
      'NumericGreaterThanEquals',
      'DateLessThan',
      'DateGreaterThan',
      'IpAddress',
      'NotIpAddress',
      'ArnLike',
      'ArnNotEquals',
      'Bool',
      'Null',
    ];
    const valueOf: Record<string, string[]> = {
      Numeric: ['5', '4', '6'],
      Date: [
        '2026-01-02T00:00:00Z',
        '2026-01-01T00:00:00Z',
        '2026-01-03T00:00:00Z',
      ],
      Ip: ['10.0.0.1', '192.168.0.1'],
      Arn: [
        'arn:aws:iam::111122223333:role/a',
        'arn:aws:iam::111122223333:role/b',
      ],
      Bool: ['true', 'false'],
      Null: ['true', 'false'],
      String: ['a', 'b', 'A'],
    };
    const family = (op: string) =>
      Object.keys(valueOf).find(f => op.replace(/^Not/, '').startsWith(f)) ??
      'String';
    for (const base of operators) {
      const ops = base === 'Null' ? [base] : [base, `${base}IfExists`];
      for (const operator of ops) {
        const values = valueOf[family(base)];
        const policyValue =
          base.startsWith('Ip') || base === 'NotIpAddress'
            ? ['10.0.0.0/8']
            : [values[0]];
        const clause = { operator, key: 'k', values: policyValue };
        const inverse = negateClause(clause)!;
        const contexts = [
          createRequestContext({ k: ABSENT }),
          ...values.map(v => createRequestContext({ k: v })),
        ];
        for (const ctx of contexts) {
          const original = evaluateClauses([compileClause(clause)], ctx).result;
          const negated = evaluateClauses(
            inverse.map(compileClause),
            ctx,
          ).result;
          expect({ operator, ctx: ctx.get('k'), negated }).toEqual({
            operator,
            ctx: ctx.get('k'),
            negated: original === 'true' ? 'false' : 'true',
          });
        }
      }
    }
  });
});
