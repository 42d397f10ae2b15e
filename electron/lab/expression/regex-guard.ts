/**
 * A single regular-expression match runs to completion inside one JSONata step, so the time limit
 * cannot stop it. Nested unbounded quantifiers — `(a+)+`, `(\w+\s?)*` — are what makes a match take
 * exponential time, so such patterns are refused when the expression is compiled.
 */

/**
 * True when a group that contains an unbounded quantifier or an optional atom (`(a?)*`,
 * `(?:a|a?)*`: many ways to match the same text) is itself repeated without bound. This catches
 * the common shapes early, with a clear message; evaluator.ts stops whatever slips past.
 */
export function hasNestedQuantifier(source: string): boolean {
  const groups: boolean[] = [false];
  const unboundedAt = (i: number): boolean => {
    const c = source[i];
    if (c === '*' || c === '+') return true;
    if (c !== '{') return false;
    const close = source.indexOf('}', i);
    const body = close < 0 ? '' : source.slice(i + 1, close);
    const m = /^(\d+)(,(\d*))?$/.exec(body);
    return m !== null && m[2] !== undefined && (m[3] === '' || Number(m[3]) > 10);
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
    } else if (c === '[') {
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
    } else if (c === '(') {
      groups.push(false);
    } else if (c === ')') {
      const inner = groups.pop() ?? false;
      const repeated = unboundedAt(i + 1);
      if (inner && repeated) return true;
      if (groups.length === 0) groups.push(false);
      groups[groups.length - 1] ||= inner || repeated;
    } else if (unboundedAt(i) || (c === '?' && i > 0 && !'(*+?}'.includes(source[i - 1] ?? ''))) {
      groups[groups.length - 1] = true;
    }
  }
  return false;
}

/** Source of every regex literal in a JSONata AST (the parser stores `{ type: 'regex', value: RegExp }`). */
export function regexSources(ast: unknown): string[] {
  const found: string[] = [];
  const seen = new Set<unknown>();
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    const { type, value } = node as { type?: unknown; value?: unknown };
    // Checked by shape, not instanceof: the AST may come from another realm (test runners).
    if (type === 'regex' && value !== null && typeof value === 'object' && 'source' in value) {
      found.push(String((value as { source: unknown }).source));
      return;
    }
    for (const child of Object.values(node)) walk(child);
  };
  walk(ast);
  return found;
}
