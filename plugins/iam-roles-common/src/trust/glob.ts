/**
 * IAM wildcard matching (`*` any run of characters, `?` exactly one), without building a RegExp:
 * trust policies are evaluated in hot loops and a two-pointer matcher needs no compilation.
 */
export function globMatch(
  pattern: string,
  value: string,
  ignoreCase = false,
): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  if (p.indexOf('*') < 0 && p.indexOf('?') < 0) return p === v;
  let pi = 0;
  let vi = 0;
  let starP = -1;
  let starV = 0;
  const pl = p.length;
  const vl = v.length;
  while (vi < vl) {
    const pc = p.charCodeAt(pi);
    if (pi < pl && (pc === 63 /* ? */ || pc === v.charCodeAt(vi))) {
      pi++;
      vi++;
    } else if (pi < pl && pc === 42 /* * */) {
      starP = pi++;
      starV = vi;
    } else if (starP >= 0) {
      pi = starP + 1;
      vi = ++starV;
    } else {
      return false;
    }
  }
  while (pi < pl && p.charCodeAt(pi) === 42) pi++;
  return pi === pl;
}

/** Whether a pattern contains IAM wildcards. */
export function hasWildcard(pattern: string): boolean {
  return pattern.indexOf('*') >= 0 || pattern.indexOf('?') >= 0;
}

/**
 * What a pattern says about the strings that start with `prefix` (and continue arbitrarily):
 * `all` when it matches every such string, `some` when it matches at least one, `none` otherwise.
 * Used when a caller is only partly known (a GitHub repository without a ref).
 */
export function globPrefixMatch(
  pattern: string,
  prefix: string,
  ignoreCase = false,
): 'all' | 'some' | 'none' {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const x = ignoreCase ? prefix.toLowerCase() : prefix;
  // NFA simulation: the set of pattern positions reachable after consuming the prefix.
  let states = new Set<number>([0]);
  const closure = (s: Set<number>) => {
    for (const i of [...s]) {
      let j = i;
      while (j < p.length && p[j] === '*') {
        j++;
        s.add(j);
      }
    }
    return s;
  };
  closure(states);
  for (let k = 0; k < x.length && states.size > 0; k++) {
    const next = new Set<number>();
    for (const i of states) {
      if (i >= p.length) continue;
      const c = p[i];
      if (c === '*') next.add(i);
      else if (c === '?' || c === x[k]) next.add(i + 1);
    }
    states = closure(next);
  }
  if (states.size === 0) return 'none';
  for (const i of states) {
    const rest = p.slice(i);
    if (rest.length > 0 && /^\*+$/.test(rest)) return 'all';
  }
  return 'some';
}
