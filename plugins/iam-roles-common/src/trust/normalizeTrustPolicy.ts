import type {
  ConditionClause,
  NormalizedPolicy,
  NormalizedStatement,
} from './types';

/** Result of reading a trust policy document. */
export interface NormalizeResult {
  /** Absent when the document could not be read at all. */
  policy?: NormalizedPolicy;
  /** Problems found; when `policy` is present these are statements or elements that were skipped. */
  errors: string[];
}

type Json = Record<string, unknown>;

const PRINCIPAL_TYPES = new Map<string, string>([
  ['AWS', 'AWS'],
  ['Service', 'Service'],
  ['Federated', 'Federated'],
  ['CanonicalUser', 'CanonicalUser'],
  ['aws', 'AWS'],
  ['service', 'Service'],
  ['federated', 'Federated'],
  ['canonicaluser', 'CanonicalUser'],
  ['*', '*'],
]);

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// IAM element names are matched exactly by IAM; documents from tools sometimes vary the case, and
// reading them leniently never makes a policy look safer than IAM would.
function field(obj: Json, name: string): unknown {
  const exact = obj[name];
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  for (const key in obj) {
    if (
      key.length === name.length &&
      key !== name &&
      key.toLowerCase() === lower
    )
      return obj[key];
  }
  return undefined;
}

function hasField(obj: Json, name: string): boolean {
  return field(obj, name) !== undefined;
}

function scalarToString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  return undefined;
}

/**
 * Where an element sits, for error messages: statement index and element path. Passed as primitives
 * and joined only when there is an error (this runs for every role of a snapshot).
 */
function where(i: number, ...path: Array<string | undefined>): string {
  return [`Statement[${i}]`, ...path.filter(p => p !== undefined)].join('.');
}

/** Every element a string; unlike `every`, a hole (a sparse array built in code) is not skipped. */
function allStrings(list: unknown[]): boolean {
  for (let k = 0; k < list.length; k++) {
    if (typeof list[k] !== 'string') return false;
  }
  return true;
}

function toStringList(
  value: unknown,
  errors: string[],
  i: number,
  el: string,
  sub?: string,
  sub2?: string,
): string[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return [value];
  // An array of strings is already normal: share it instead of copying (documents are not mutated).
  if (Array.isArray(value) && allStrings(value)) return value as string[];
  const list = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const item of list) {
    const s = typeof item === 'string' ? item : scalarToString(item);
    if (s === undefined) {
      errors.push(
        `${where(
          i,
          el,
          sub,
          sub2,
        )}: expected a string, found ${describeJsonType(item)}`,
      );
    } else {
      out.push(s);
    }
  }
  return out;
}

function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** Decodes a policy given as a JSON string or a URL-encoded JSON string (the raw IAM API form). */
function decodeDocument(text: string): { value?: unknown; error?: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { error: 'The trust policy document is empty' };
  try {
    return { value: JSON.parse(trimmed) };
  } catch {
    // fall through: maybe URL-encoded
  }
  if (/%[0-9a-fA-F]{2}/.test(trimmed)) {
    for (const candidate of [trimmed, trimmed.replace(/\+/g, '%20')]) {
      try {
        const decoded = decodeURIComponent(candidate);
        return decoded === trimmed
          ? { error: 'not JSON' }
          : decodeDocument(decoded);
      } catch {
        // try the next form
      }
    }
  }
  return {
    error: `The trust policy document is not valid JSON (starts with ${JSON.stringify(
      trimmed.slice(0, 40),
    )})`,
  };
}

/**
 * Decodes a policy document as IAM and its tools hand it out: a JSON object, a JSON string, or a
 * URL-encoded JSON string (the raw IAM API form). `value` is the JSON object; `error` says why there is none.
 */
export function decodePolicyDocument(doc: unknown): {
  value?: Record<string, unknown>;
  error?: string;
} {
  let value = doc;
  if (typeof value === 'string') {
    const decoded = decodeDocument(value);
    if (decoded.error) return { error: decoded.error };
    value = decoded.value;
  }
  if (isObject(value)) return { value };
  return {
    error:
      value === undefined || value === null
        ? 'The trust policy document is missing'
        : `The trust policy must be a JSON object, found ${describeJsonType(
            value,
          )}`,
  };
}

function normalizePrincipalBlock(
  value: unknown,
  errors: string[],
  i: number,
  el: string,
): Record<string, string[]> | undefined {
  if (typeof value === 'string') {
    return value === '*' ? { '*': ['*'] } : { AWS: [value] };
  }
  if (Array.isArray(value)) {
    const list = toStringList(value, errors, i, el) ?? [];
    return list.includes('*') ? { '*': ['*'] } : { AWS: list };
  }
  if (!isObject(value)) {
    errors.push(
      `${where(i, el)}: expected "*" or an object, found ${describeJsonType(
        value,
      )}`,
    );
    return undefined;
  }
  const out: Record<string, string[]> = {};
  for (const [rawType, rawValues] of Object.entries(value)) {
    const type =
      PRINCIPAL_TYPES.get(rawType) ??
      PRINCIPAL_TYPES.get(rawType.toLowerCase());
    if (!type) {
      errors.push(
        `${where(i, el)}: unknown principal type ${JSON.stringify(
          rawType,
        )} (expected AWS, Service, Federated or CanonicalUser)`,
      );
      continue;
    }
    const values = toStringList(rawValues, errors, i, el, rawType);
    if (values) out[type] = [...(out[type] ?? []), ...values];
  }
  return out;
}

function normalizeConditions(
  value: unknown,
  errors: string[],
  i: number,
): ConditionClause[] {
  const el = 'Condition';
  if (value === undefined) return [];
  if (Array.isArray(value)) {
    // Already normalised clauses (idempotent input)
    const out: ConditionClause[] = [];
    for (const c of value) {
      if (
        isObject(c) &&
        typeof c.operator === 'string' &&
        typeof c.key === 'string' &&
        Array.isArray(c.values) &&
        c.key !== '__proto__' &&
        c.operator !== '__proto__'
      ) {
        out.push({
          operator: c.operator,
          key: c.key,
          values: toStringList(c.values, errors, i, el, c.key) ?? [],
        });
      } else {
        errors.push(`${where(i, el)}: unreadable condition clause`);
      }
    }
    return out;
  }
  if (!isObject(value)) {
    errors.push(
      `${where(i, el)}: expected an object, found ${describeJsonType(value)}`,
    );
    return [];
  }
  const out: ConditionClause[] = [];
  for (const [operator, block] of Object.entries(value)) {
    if (!isObject(block)) {
      errors.push(
        `${where(
          i,
          el,
          operator,
        )}: expected an object of keys, found ${describeJsonType(block)}`,
      );
      continue;
    }
    for (const [key, raw] of Object.entries(block)) {
      if (key === '__proto__' || operator === '__proto__') {
        errors.push(
          `${where(i, el)}: invalid condition key ${JSON.stringify(key)}`,
        );
        continue;
      }
      const values = toStringList(raw, errors, i, el, operator, key);
      if (values) out.push({ operator, key, values });
    }
  }
  return out;
}

function normalizeStatement(
  raw: unknown,
  index: number,
  errors: string[],
): NormalizedStatement | undefined {
  if (!isObject(raw)) {
    errors.push(
      `${where(index)}: expected an object, found ${describeJsonType(raw)}`,
    );
    return undefined;
  }
  const effectRaw = field(raw, 'Effect');
  let effect: 'Allow' | 'Deny' | undefined;
  if (typeof effectRaw === 'string') {
    const e = effectRaw.toLowerCase();
    if (e === 'allow') effect = 'Allow';
    else if (e === 'deny') effect = 'Deny';
  }
  if (!effect) {
    errors.push(
      `${where(index)}: Effect must be "Allow" or "Deny", found ${
        JSON.stringify(effectRaw) ?? 'nothing'
      }`,
    );
    return undefined;
  }
  const givenIndex = raw.index;
  const statement: NormalizedStatement = {
    index:
      typeof givenIndex === 'number' && Number.isInteger(givenIndex)
        ? givenIndex
        : index,
    effect,
    conditions: [],
  };
  const sid = scalarToString(field(raw, 'Sid'));
  if (sid !== undefined && sid !== '') statement.sid = sid;

  const p = field(raw, 'Principal');
  const np = field(raw, 'NotPrincipal');
  if (p !== undefined) {
    const block = normalizePrincipalBlock(p, errors, index, 'Principal');
    if (block) statement.principal = block;
  }
  if (np !== undefined) {
    const block = normalizePrincipalBlock(np, errors, index, 'NotPrincipal');
    if (block) statement.notPrincipal = block;
  }
  if (!statement.principal && !statement.notPrincipal) {
    errors.push(
      `${where(
        index,
      )}: a trust policy statement needs a Principal or NotPrincipal`,
    );
    return undefined;
  }
  const actions = toStringList(
    field(raw, 'Action') ?? field(raw, 'actions'),
    errors,
    index,
    'Action',
  );
  const notActions = toStringList(
    field(raw, 'NotAction') ?? field(raw, 'notActions'),
    errors,
    index,
    'NotAction',
  );
  if (actions) statement.actions = actions;
  if (notActions) statement.notActions = notActions;
  if (!actions && !notActions) {
    errors.push(`${where(index)}: a statement needs an Action or NotAction`);
    return undefined;
  }
  statement.conditions = normalizeConditions(
    hasField(raw, 'Condition')
      ? field(raw, 'Condition')
      : field(raw, 'conditions'),
    errors,
    index,
  );
  return statement;
}

/**
 * Reads a trust policy as IAM does: an object, a JSON string or a URL-encoded JSON string;
 * `Statement` as object or array; principals, actions and condition values as strings or arrays.
 * Also accepts an already normalised policy (normalising is idempotent).
 */
export function normalizeTrustPolicy(doc: unknown): NormalizeResult {
  const errors: string[] = [];
  const decoded = decodePolicyDocument(doc);
  if (!decoded.value) return { errors: [decoded.error!] };
  const value = decoded.value;
  const rawStatements = hasField(value, 'Statement')
    ? field(value, 'Statement')
    : field(value, 'statements');
  if (rawStatements === undefined) {
    return { errors: ['The trust policy has no Statement'] };
  }
  const list = Array.isArray(rawStatements) ? rawStatements : [rawStatements];
  const statements: NormalizedStatement[] = [];
  list.forEach((raw, i) => {
    const s = normalizeStatement(raw, i, errors);
    if (s) statements.push(s);
  });
  const policy: NormalizedPolicy = { statements };
  const version = scalarToString(field(value, 'Version'));
  if (version !== undefined) policy.version = version;
  return { policy, errors };
}

function renderPrincipal(block: Record<string, string[]>): unknown {
  const keys = Object.keys(block);
  return keys.length === 1 &&
    keys[0] === '*' &&
    block['*'].length === 1 &&
    block['*'][0] === '*'
    ? '*'
    : block;
}

/** Renders a normalised policy back as an IAM JSON policy document. */
export function toPolicyDocument(
  policy: NormalizedPolicy,
): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  if (policy.version !== undefined) doc.Version = policy.version;
  doc.Statement = policy.statements.map(s => {
    const out: Record<string, unknown> = {};
    if (s.sid !== undefined) out.Sid = s.sid;
    out.Effect = s.effect;
    if (s.principal) out.Principal = renderPrincipal(s.principal);
    if (s.notPrincipal) out.NotPrincipal = renderPrincipal(s.notPrincipal);
    if (s.actions) out.Action = s.actions;
    if (s.notActions) out.NotAction = s.notActions;
    if (s.conditions.length > 0) {
      const cond: Record<string, Record<string, string[]>> = {};
      for (const c of s.conditions) {
        (cond[c.operator] ??= {})[c.key] = [
          ...((cond[c.operator] ?? {})[c.key] ?? []),
          ...c.values,
        ];
      }
      out.Condition = cond;
    }
    return out;
  });
  return doc;
}

// Code-unit order, not locale order: the canonical text must not depend on the machine's locale.
function byText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function sortedBlock(
  block: Record<string, string[]> | undefined,
): Record<string, string[]> | undefined {
  if (!block) return undefined;
  const out: Record<string, string[]> = {};
  for (const type of Object.keys(block).sort(byText)) {
    out[type] = [...new Set(block[type])].sort(byText);
  }
  return out;
}

/**
 * The canonical text of a normalised trust policy: statements, principals, actions, condition clauses
 * and values sorted and de-duplicated, statement positions left out. Two documents IAM reads the same
 * way up to order (statements or principals reordered, a value repeated) give the same text, so a hash
 * of it says whether a policy really changed.
 */
export function canonicalTrustPolicy(policy: NormalizedPolicy): string {
  const statements = policy.statements.map(s =>
    JSON.stringify([
      s.sid ?? '',
      s.effect,
      sortedBlock(s.principal) ?? null,
      sortedBlock(s.notPrincipal) ?? null,
      s.actions ? [...new Set(s.actions)].sort(byText) : null,
      s.notActions ? [...new Set(s.notActions)].sort(byText) : null,
      s.conditions
        .map(c =>
          JSON.stringify([
            c.operator,
            c.key,
            [...new Set(c.values)].sort(byText),
          ]),
        )
        .sort(byText),
    ]),
  );
  return `{"version":${JSON.stringify(policy.version ?? '')},"statements":[${[
    ...new Set(statements),
  ]
    .sort(byText)
    .join(',')}]}`;
}
