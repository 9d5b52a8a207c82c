import { lookup } from './arn';
import { globMatch, globPrefixMatch, hasWildcard } from './glob';
import { ipInNetwork, IpNetwork, parseIpNetwork } from './ip';
import type { ConditionClause } from './types';

/** Three-valued result: a condition holds, fails, or cannot be settled from what is known. */
export type Tri = 'true' | 'false' | 'unknown';

/** What is known about one condition key of a request. */
export type ContextValue =
  | { state: 'absent' }
  | { state: 'present'; values: string[] }
  /** Present, starts with `prefix`, the rest unknown (e.g. any ref of one repository). */
  | { state: 'prefix'; prefix: string }
  /** Might be absent or hold any value. */
  | { state: 'unknown' }
  /**
   * As `inner`, or another spelling of the same thing that cannot be written out (a GitHub subject
   * in its immutable `OWNER@ID/REPO@ID` form): a policy value that `otherSpelling` accepts is unknown.
   */
  | {
      state: 'either';
      inner: ContextValue;
      otherSpelling: (policyValue: string) => boolean;
    };

/** Condition keys of one request, by lower-case key. */
export interface RequestContext {
  get(keyLower: string): ContextValue;
}

const ABSENT: ContextValue = { state: 'absent' };
const UNKNOWN: ContextValue = { state: 'unknown' };

/** Builds a request context from known keys; other keys are resolved by `fallback`. */
export function createRequestContext(
  known: Record<string, ContextValue | string | string[]>,
  fallback: (keyLower: string) => ContextValue = () => UNKNOWN,
): RequestContext {
  const map = new Map<string, ContextValue>();
  for (const [k, v] of Object.entries(known)) {
    let value: ContextValue;
    if (typeof v === 'string') value = { state: 'present', values: [v] };
    else if (Array.isArray(v)) value = { state: 'present', values: v };
    else value = v;
    map.set(k.toLowerCase(), value);
  }
  return {
    get(keyLower) {
      return map.get(keyLower) ?? fallback(keyLower);
    },
  };
}

export { ABSENT as ABSENT_VALUE, UNKNOWN as UNKNOWN_VALUE };

type Family =
  | 'string'
  | 'numeric'
  | 'date'
  | 'bool'
  | 'binary'
  | 'ip'
  | 'arn'
  | 'null';

interface OperatorInfo {
  family: Family;
  negated: boolean;
  /** For string: like (wildcards) and ignoreCase; for numeric/date: comparison. */
  like?: boolean;
  ignoreCase?: boolean;
  cmp?: 'eq' | 'lt' | 'le' | 'gt' | 'ge';
}

const OPERATORS: Record<string, OperatorInfo> = {
  stringequals: { family: 'string', negated: false },
  stringnotequals: { family: 'string', negated: true },
  stringequalsignorecase: {
    family: 'string',
    negated: false,
    ignoreCase: true,
  },
  stringnotequalsignorecase: {
    family: 'string',
    negated: true,
    ignoreCase: true,
  },
  stringlike: { family: 'string', negated: false, like: true },
  stringnotlike: { family: 'string', negated: true, like: true },
  numericequals: { family: 'numeric', negated: false, cmp: 'eq' },
  numericnotequals: { family: 'numeric', negated: true, cmp: 'eq' },
  numericlessthan: { family: 'numeric', negated: false, cmp: 'lt' },
  numericlessthanequals: { family: 'numeric', negated: false, cmp: 'le' },
  numericgreaterthan: { family: 'numeric', negated: false, cmp: 'gt' },
  numericgreaterthanequals: { family: 'numeric', negated: false, cmp: 'ge' },
  dateequals: { family: 'date', negated: false, cmp: 'eq' },
  datenotequals: { family: 'date', negated: true, cmp: 'eq' },
  datelessthan: { family: 'date', negated: false, cmp: 'lt' },
  datelessthanequals: { family: 'date', negated: false, cmp: 'le' },
  dategreaterthan: { family: 'date', negated: false, cmp: 'gt' },
  dategreaterthanequals: { family: 'date', negated: false, cmp: 'ge' },
  bool: { family: 'bool', negated: false },
  binaryequals: { family: 'binary', negated: false },
  ipaddress: { family: 'ip', negated: false },
  notipaddress: { family: 'ip', negated: true },
  arnequals: { family: 'arn', negated: false, like: true },
  arnlike: { family: 'arn', negated: false, like: true },
  arnnotequals: { family: 'arn', negated: true, like: true },
  arnnotlike: { family: 'arn', negated: true, like: true },
  null: { family: 'null', negated: false },
};

/** The parts of a condition operator as written (`ForAnyValue:StringLikeIfExists`). */
export interface ParsedOperator {
  setOperator?: 'ForAnyValue' | 'ForAllValues';
  base: string;
  ifExists: boolean;
  info?: OperatorInfo;
}

const parsedOperators = new Map<string, ParsedOperator>();

/** Splits an operator into set operator, base operator and `IfExists`; `info` is absent for unknown operators. */
export function parseOperator(operator: string): ParsedOperator {
  let parsed = parsedOperators.get(operator);
  if (!parsed) {
    parsed = parseOperatorUncached(operator);
    // Policies use a handful of operators; bound the cache against adversarial input anyway.
    if (parsedOperators.size < 1000) parsedOperators.set(operator, parsed);
  }
  return parsed;
}

function parseOperatorUncached(operator: string): ParsedOperator {
  let rest = operator.trim();
  let setOperator: ParsedOperator['setOperator'];
  const lower = rest.toLowerCase();
  if (lower.startsWith('foranyvalue:')) {
    setOperator = 'ForAnyValue';
    rest = rest.slice(12);
  } else if (lower.startsWith('forallvalues:')) {
    setOperator = 'ForAllValues';
    rest = rest.slice(13);
  }
  let ifExists = false;
  if (
    rest.toLowerCase().endsWith('ifexists') &&
    rest.toLowerCase() !== 'null'
  ) {
    ifExists = true;
    rest = rest.slice(0, -8);
  }
  return {
    setOperator,
    base: rest,
    ifExists,
    info: lookup(OPERATORS, rest.toLowerCase()),
  };
}

/** Whether an operator is one IAM knows. */
export function isKnownOperator(operator: string): boolean {
  const p = parseOperator(operator);
  return (
    p.info !== undefined &&
    !(p.info.family === 'null' && (p.ifExists || p.setOperator))
  );
}

function parseNumber(text: string): number {
  const t = text.trim();
  return t === '' ? NaN : Number(t);
}

function parseDate(text: string): number {
  const t = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  return Date.parse(t);
}

function compare(cmp: OperatorInfo['cmp'], a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  switch (cmp) {
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    default:
      return a === b;
  }
}

function splitArn(value: string): string[] | undefined {
  const parts = value.split(':');
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/** One policy value, prepared once. */
interface PreparedValue {
  raw: string;
  /** Policy variables (`${aws:username}`) are resolved per request. */
  variables: boolean;
  num?: number;
  net?: IpNetwork;
  arnParts?: string[];
  lower?: string;
}

const VARIABLE = /\$\{([^}]*)\}/g;

function substitute(
  raw: string,
  ctx: RequestContext,
): string | undefined | 'unknown' {
  let unknown = false;
  let missing = false;
  const out = raw.replace(VARIABLE, (_m, inner: string) => {
    const spec = inner.trim();
    if (spec === '*' || spec === '?' || spec === '$') return spec;
    const [keyPart, ...defaultParts] = spec.split(',');
    const v = ctx.get(keyPart.trim().toLowerCase());
    if (v.state === 'present' && v.values.length === 1) return v.values[0];
    if (v.state === 'absent' && defaultParts.length > 0) {
      return defaultParts.join(',').trim().replace(/^'|'$/g, '');
    }
    if (v.state === 'absent') missing = true;
    else unknown = true;
    return '';
  });
  if (unknown) return 'unknown';
  return missing ? undefined : out;
}

/** A clause compiled once and evaluated many times. */
export interface CompiledClause {
  clause: ConditionClause;
  keyLower: string;
  evaluate(ctx: RequestContext): Tri;
}

/** Compiles a condition clause. Unknown operators always evaluate to `unknown`. */
export function compileClause(clause: ConditionClause): CompiledClause {
  const keyLower = clause.key.toLowerCase();
  const op = parseOperator(clause.operator);
  const info = op.info;
  if (!info) {
    return { clause, keyLower, evaluate: () => 'unknown' };
  }
  const prepared: PreparedValue[] = clause.values.map(raw => {
    const p: PreparedValue = { raw, variables: raw.includes('${') };
    if (info.family === 'numeric') p.num = parseNumber(raw);
    else if (info.family === 'date') p.num = parseDate(raw);
    else if (info.family === 'ip') p.net = parseIpNetwork(raw);
    else if (info.family === 'arn') p.arnParts = splitArn(raw);
    else if (info.family === 'bool' || info.ignoreCase)
      p.lower = raw.toLowerCase();
    return p;
  });

  const matchOne = (
    pv: PreparedValue,
    value: string,
    ctx: RequestContext,
  ): Tri => {
    let raw = pv.raw;
    let reparsed = pv;
    if (pv.variables) {
      const s = substitute(raw, ctx);
      if (s === 'unknown') return 'unknown';
      if (s === undefined) return 'false';
      raw = s;
      reparsed = {
        raw,
        variables: false,
        num: info.family === 'date' ? parseDate(raw) : parseNumber(raw),
        net: info.family === 'ip' ? parseIpNetwork(raw) : undefined,
        arnParts: info.family === 'arn' ? splitArn(raw) : undefined,
        lower: raw.toLowerCase(),
      };
    }
    switch (info.family) {
      case 'string':
        if (info.like)
          return globMatch(raw, value, info.ignoreCase) ? 'true' : 'false';
        return (
          info.ignoreCase
            ? reparsed.lower === value.toLowerCase()
            : raw === value
        )
          ? 'true'
          : 'false';
      case 'numeric':
        return compare(info.cmp, parseNumber(value), reparsed.num!)
          ? 'true'
          : 'false';
      case 'date':
        return compare(info.cmp, parseDate(value), reparsed.num!)
          ? 'true'
          : 'false';
      case 'bool':
        return reparsed.lower === value.toLowerCase() ? 'true' : 'false';
      case 'binary':
        return raw === value ? 'true' : 'false';
      case 'ip': {
        const addr = parseIpNetwork(value);
        return addr && reparsed.net && ipInNetwork(addr, reparsed.net)
          ? 'true'
          : 'false';
      }
      case 'arn': {
        const want = reparsed.arnParts;
        const got = splitArn(value);
        if (!want || !got) return 'false';
        for (let i = 0; i < 6; i++) {
          if (!globMatch(want[i], got[i])) return 'false';
        }
        return 'true';
      }
      default:
        return 'false';
    }
  };

  // OR over the policy values for one request value
  const anyPolicyValue = (value: string, ctx: RequestContext): Tri => {
    let unknown = false;
    for (const pv of prepared) {
      const r = matchOne(pv, value, ctx);
      if (r === 'true') return 'true';
      if (r === 'unknown') unknown = true;
    }
    return unknown ? 'unknown' : 'false';
  };

  const NOT: Record<Tri, Tri> = {
    true: 'false',
    false: 'true',
    unknown: 'unknown',
  };
  const not = (t: Tri): Tri => NOT[t];

  const satisfies = (value: string, ctx: RequestContext): Tri => {
    const r = anyPolicyValue(value, ctx);
    return info.negated ? not(r) : r;
  };

  // An ARN known up to its resource (`arn:aws:iam::ACCOUNT:role/`, the name left open): the first five
  // parts compare as usual, the resource as a prefix.
  const arnPrefixMatch = (
    pv: PreparedValue,
    prefix: string,
  ): 'all' | 'some' | 'none' => {
    const want = pv.arnParts;
    const got = prefix.split(':');
    if (!want || got.length !== 6) return 'none';
    for (let i = 0; i < 5; i++) if (!globMatch(want[i], got[i])) return 'none';
    return globPrefixMatch(want[5], got[5]);
  };

  const evaluatePrefix = (prefix: string): Tri => {
    if (info.family === 'bool' || info.family === 'binary') {
      // Compared exactly: only a policy value that starts with the prefix can match.
      const b = info.family === 'bool' ? prefix.toLowerCase() : prefix;
      const some = prepared.some(
        pv => pv.variables || (pv.lower ?? pv.raw).startsWith(b),
      );
      const r: Tri = some ? 'unknown' : 'false';
      return info.negated ? not(r) : r;
    }
    if (
      info.family === 'numeric' ||
      info.family === 'date' ||
      info.family === 'ip'
    ) {
      // Text such as "repo:" begins no number, date or address.
      const r: Tri = /[^0-9a-f.:/+\- TZ]/i.test(prefix) ? 'false' : 'unknown';
      return info.negated ? not(r) : r;
    }
    if (info.family !== 'string' && info.family !== 'arn') return 'unknown';
    let best: 'all' | 'some' | 'none' = 'none';
    for (const pv of prepared) {
      if (pv.variables) return 'unknown';
      let r: 'all' | 'some' | 'none';
      if (info.family === 'arn') r = arnPrefixMatch(pv, prefix);
      else if (info.like) r = globPrefixMatch(pv.raw, prefix, info.ignoreCase);
      else {
        const a = info.ignoreCase ? pv.raw.toLowerCase() : pv.raw;
        const b = info.ignoreCase ? prefix.toLowerCase() : prefix;
        r = a.startsWith(b) ? 'some' : 'none';
      }
      if (r === 'all') {
        best = 'all';
        break;
      }
      if (r === 'some') best = 'some';
    }
    const TO_TRI = { all: 'true', some: 'unknown', none: 'false' } as const;
    const positive: Tri = TO_TRI[best];
    return info.negated ? not(positive) : positive;
  };

  const evaluateValue = (v: ContextValue, ctx: RequestContext): Tri => {
    if (v.state === 'either') {
      const r = evaluateValue(v.inner, ctx);
      if (r === 'true' && !info.negated) return r;
      return prepared.some(pv => v.otherSpelling(pv.raw)) ? 'unknown' : r;
    }
    if (info.family === 'null') {
      if (v.state === 'unknown') return 'unknown';
      const absent =
        v.state === 'absent' ||
        (v.state === 'present' && v.values.length === 0);
      let unknown = false;
      for (const pv of prepared) {
        const want = pv.lower ?? pv.raw.toLowerCase();
        if (want === 'true' && absent) return 'true';
        if (want === 'false' && !absent) return 'true';
        if (want !== 'true' && want !== 'false') unknown = true;
      }
      return unknown ? 'unknown' : 'false';
    }
    if (v.state === 'unknown') return 'unknown';
    if (
      v.state === 'absent' ||
      (v.state === 'present' && v.values.length === 0)
    ) {
      if (op.ifExists) return 'true';
      if (op.setOperator === 'ForAllValues') return 'true';
      if (op.setOperator === 'ForAnyValue') return 'false';
      return info.negated ? 'true' : 'false';
    }
    if (v.state === 'prefix') return evaluatePrefix(v.prefix);
    const values = v.values;
    if (op.setOperator === 'ForAllValues') {
      let unknown = false;
      for (const value of values) {
        const r = satisfies(value, ctx);
        if (r === 'false') return 'false';
        if (r === 'unknown') unknown = true;
      }
      return unknown ? 'unknown' : 'true';
    }
    if (op.setOperator === 'ForAnyValue' || !info.negated) {
      let unknown = false;
      for (const value of values) {
        const r = satisfies(value, ctx);
        if (r === 'true') return 'true';
        if (r === 'unknown') unknown = true;
      }
      return unknown ? 'unknown' : 'false';
    }
    // A negated operator on a multi-valued key without a set operator: no request value may match.
    let unknown = false;
    for (const value of values) {
      const r = anyPolicyValue(value, ctx);
      if (r === 'true') return 'false';
      if (r === 'unknown') unknown = true;
    }
    return unknown ? 'unknown' : 'true';
  };

  const evaluate = (ctx: RequestContext): Tri =>
    evaluateValue(ctx.get(keyLower), ctx);

  return { clause, keyLower, evaluate };
}

/** Result of evaluating the conditions of one statement (ANDed clauses). */
export interface ConditionsResult {
  result: Tri;
  /** Clauses that could not be settled (when `result` is `unknown`). */
  unsettled: ConditionClause[];
}

/** Evaluates compiled clauses: all must hold. */
export function evaluateClauses(
  clauses: CompiledClause[],
  ctx: RequestContext,
): ConditionsResult {
  let unsettled: ConditionClause[] | undefined;
  for (const c of clauses) {
    const r = c.evaluate(ctx);
    if (r === 'false') return { result: 'false', unsettled: [] };
    if (r === 'unknown') (unsettled ??= []).push(c.clause);
  }
  return unsettled
    ? { result: 'unknown', unsettled }
    : { result: 'true', unsettled: [] };
}

const INVERSE_OPERATORS: Array<[string, string]> = [
  ['StringEquals', 'StringNotEquals'],
  ['StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase'],
  ['StringLike', 'StringNotLike'],
  ['NumericEquals', 'NumericNotEquals'],
  ['NumericLessThan', 'NumericGreaterThanEquals'],
  ['NumericGreaterThan', 'NumericLessThanEquals'],
  ['DateEquals', 'DateNotEquals'],
  ['DateLessThan', 'DateGreaterThanEquals'],
  ['DateGreaterThan', 'DateLessThanEquals'],
  ['IpAddress', 'NotIpAddress'],
  ['ArnEquals', 'ArnNotEquals'],
  ['ArnLike', 'ArnNotLike'],
  ['Bool', 'Bool'],
];

/**
 * Negates a clause for "possible, unless…" answers from a Deny statement, as clauses that must all
 * hold; `undefined` when IAM has no inverse operator (set operators, unknown operators).
 *
 * The inverse must also flip what the clause does on a missing key: a negated operator
 * (`StringNotEquals`, `NotIpAddress`…) and any `…IfExists` hold when the key is absent, the others do
 * not. So `not NumericLessThan` is `NumericGreaterThanEqualsIfExists`, `not StringNotEqualsIfExists` is
 * `StringEquals`, and `not StringEqualsIfExists` ("present and different") is two clauses:
 * `Null: false` and `StringNotEquals`.
 */
export function negateClause(
  clause: ConditionClause,
): ConditionClause[] | undefined {
  const op = parseOperator(clause.operator);
  if (!op.info || op.setOperator) return undefined;
  if (op.info.family === 'null') {
    return [{ ...clause, values: clause.values.map(flipBool) }];
  }
  const base = op.base.toLowerCase();
  const pair = INVERSE_OPERATORS.find(
    ([a, b]) => a.toLowerCase() === base || b.toLowerCase() === base,
  );
  if (!pair) return undefined;
  const inverse = pair[0].toLowerCase() === base ? pair[1] : pair[0];
  const inverseInfo = parseOperator(inverse).info!;
  const holdsWhenAbsent = op.info.negated || op.ifExists;
  const ifExists = !inverseInfo.negated && !holdsWhenAbsent;
  const negated: ConditionClause = {
    ...clause,
    operator: `${inverse}${ifExists ? 'IfExists' : ''}`,
    values:
      op.info.family === 'bool' ? clause.values.map(flipBool) : clause.values,
  };
  // The inverse must hold on a missing key exactly when the clause does not: a negated inverse
  // holds there too, so the key must also be present.
  if (inverseInfo.negated && holdsWhenAbsent) {
    return [{ operator: 'Null', key: clause.key, values: ['false'] }, negated];
  }
  return [negated];
}

function flipBool(v: string): string {
  return v.toLowerCase() === 'true' ? 'false' : 'true';
}

/** Whether a clause's values contain an IAM wildcard that its operator honours. */
export function clauseUsesWildcards(clause: ConditionClause): boolean {
  const info = parseOperator(clause.operator).info;
  return !!info?.like && clause.values.some(hasWildcard);
}
