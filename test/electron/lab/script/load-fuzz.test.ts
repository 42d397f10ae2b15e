/**
 * Fuzz: mutated lab files (text edits and structural edits of the parsed tree) must never crash
 * the loader, and every failure must come with a position inside the file.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify, parse } from 'yaml';
import { loadLabText, type LoadResult } from '../../../../electron/lab/script/load.ts';

const read = (name: string): string =>
  readFileSync(
    fileURLToPath(new URL(`../../../fixtures/labs/good/${name}/lab.yaml`, import.meta.url)),
    'utf8',
  );
/** The richer file first: every kind of field gets mutated. */
const goodText = read('all-kinds');
const miniText = read('mini-cluster');

function expectPositioned(result: LoadResult, text: string): void {
  if (result.ok) return;
  expect(result.errors.length).toBeGreaterThan(0);
  const lines = text.split('\n').length;
  for (const e of result.errors) {
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.line).toBeLessThanOrEqual(Math.max(lines, 1));
    expect(e.column).toBeGreaterThanOrEqual(1);
    expect(e.message.length).toBeGreaterThan(0);
    expect(e.message).not.toMatch(/internal error/);
  }
}

/** Every path to a value in a JSON-like tree. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  }
  return out;
}

function setAt(root: unknown, path: (string | number)[], replacement: unknown | typeof DELETE): unknown {
  if (path.length === 0) return replacement === DELETE ? null : replacement;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (replacement === DELETE) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else node[last] = replacement;
  return copy;
}

const DELETE = Symbol('delete');
const tree = parse(goodText) as unknown;
const allPaths = paths(tree).filter((p) => p.length > 0);

const replacementValue = fc.oneof(
  fc.constant(DELETE),
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -5, max: 100000 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.constantFrom('pvee', 'apii', '{{ results.', '$count(', 'pve9', 'GETT', '/x y', 'vm:abc'),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
);

describe('loader fuzz', () => {
  it('structural mutations: no crash, always positioned errors', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...allPaths), replacementValue), { minLength: 1, maxLength: 4 }),
        (edits) => {
          let data = tree;
          for (const [path, value] of edits) {
            try {
              data = setAt(data, path, value);
            } catch {
              // the path vanished through an earlier edit: skip this edit
            }
          }
          const text = stringify(data);
          expectPositioned(loadLabText(text, 'fuzz.yaml'), text);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('text mutations: no crash, always positioned errors', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.nat({ max: goodText.length }),
            fc.nat({ max: 20 }),
            fc.oneof(
              fc.string({ maxLength: 8 }),
              fc.constantFrom(':', '- ', '{', '}', '  ', '\n', '&a', '*a', '"', "'", '\t'),
            ),
          ),
          { minLength: 1, maxLength: 5 },
        ),
        (edits) => {
          let text = goodText;
          for (const [at, remove, insert] of edits) {
            const pos = Math.min(at, text.length);
            text = text.slice(0, pos) + insert + text.slice(pos + remove);
          }
          expectPositioned(loadLabText(text, 'fuzz.yaml'), text);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('the unmutated files load (so mutations start from a valid lab)', () => {
    expect(loadLabText(goodText, 'all-kinds/lab.yaml').ok).toBe(true);
    expect(loadLabText(miniText, 'mini-cluster/lab.yaml').ok).toBe(true);
  });
});
