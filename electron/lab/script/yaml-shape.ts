/**
 * Limits on what a lab file may contain, checked in one linear pass over the parsed YAML before
 * anything else looks at it: how many nodes (keys, values, list items), how deep, and that no
 * mapping repeats a key. Documented for teachers in labs/README.md ("Limits").
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';

/** The biggest seed lab has about 1 600 nodes; twelve times that is still a plausible lab. */
export const MAX_LAB_NODES = 20_000;
/** Seed labs nest 7 levels deep. */
export const MAX_LAB_DEPTH = 32;

/**
 * Before parsing: a linear scan counting what could start a node (`key: `, `- `, `,`). It over-counts
 * (a colon in a sentence), so its bound is four times the node limit; a flood of keys is refused in
 * milliseconds instead of after the parser has built it. Returns the offset where the bound was passed.
 */
export function floodOffset(text: string): number | undefined {
  const indicator = /:[ \t\r\n]|^[ \t]*- |,/gm;
  let count = 0;
  for (const match of text.matchAll(indicator)) {
    if (++count > 4 * MAX_LAB_NODES) return match.index;
  }
  return undefined;
}

export interface ShapeProblem {
  /** Character offset in the file. */
  offset: number;
  message: string;
}

export function checkShape(doc: Document): ShapeProblem[] {
  const problems: ShapeProblem[] = [];
  let nodes = 0;
  // An explicit stack: a hostile file must not be able to overflow ours either.
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (node === null || node === undefined || isAlias(node)) continue;
    nodes++;
    const offset = (node as Node).range?.[0] ?? 0;
    if (nodes > MAX_LAB_NODES) {
      return [
        {
          offset,
          message: `too many YAML nodes (expected at most ${MAX_LAB_NODES} keys, values and list items)`,
        },
      ];
    }
    if (depth > MAX_LAB_DEPTH) {
      return [{ offset, message: `nested too deep (expected at most ${MAX_LAB_DEPTH} levels)` }];
    }
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = pair.key;
        // Keys become object properties, so 1 and "1" are the same key.
        const name = isScalar(key) ? String(key.value) : undefined;
        if (name !== undefined) {
          nodes++;
          if (seen.has(name)) {
            problems.push({
              offset: (key as Node).range?.[0] ?? offset,
              message: `YAML: Map keys must be unique ("${String((key as { value: unknown }).value)}" appears twice)`,
            });
          }
          seen.add(name);
        }
        if (key !== null && !isScalar(key)) stack.push({ node: key, depth: depth + 1 });
        stack.push({ node: pair.value, depth: depth + 1 });
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
    }
  }
  return problems;
}
