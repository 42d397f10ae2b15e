/** Maps a field path of the parsed data back to a line and column of the YAML source. */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export interface SourcePosition {
  line: number;
  column: number;
}

type Target = 'value' | 'key';

/**
 * Position of the node at `path`; with target 'key', of the key of the last path element.
 * When the path does not exist (a missing field) it falls back to the deepest existing ancestor.
 */
export function positionOf(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
  target: Target = 'value',
): SourcePosition {
  let node: unknown = doc.contents;
  let found: Node | undefined = isNodeLike(node) ? node : undefined;
  for (let i = 0; i < path.length; i++) {
    const part = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? p.key.value : p.key) === part);
      if (!pair) break;
      if (last && target === 'key' && isNodeLike(pair.key)) return at(lineCounter, pair.key);
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      node = node.items[part];
    } else {
      break;
    }
    if (!isNodeLike(node)) break;
    found = node;
  }
  return found ? at(lineCounter, found) : { line: 1, column: 1 };
}

/** Position of the key `key` inside the map at `path` (for unknown keys). */
export function keyPositionOf(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
  key: string,
): SourcePosition {
  return positionOf(doc, lineCounter, [...path, key], 'key');
}

function isNodeLike(v: unknown): v is Node {
  return v !== null && typeof v === 'object' && 'range' in v && Array.isArray((v as Node).range);
}

function at(lineCounter: LineCounter, node: Node): SourcePosition {
  const offset = node.range?.[0] ?? 0;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}
