/**
 * Reads a scenario file (YAML or JSON) and validates it. Every error names the file, the line
 * and the field, using the YAML parser's source positions.
 */
import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { scenarioSchema, type Scenario } from './scenario-schema.ts';
import { checkScenario } from './scenario-world.ts';
import { parseEvents, ScenarioEventError } from './scenario-runner.ts';

export class ScenarioFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioFileError';
  }
}

function lineOf(doc: Document, counter: LineCounter, path: (string | number)[]): number | undefined {
  // Walk as deep as the path exists; report the deepest node found.
  let node: unknown = doc.contents;
  let found: Node | undefined = doc.contents ?? undefined;
  for (const [i, key] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        const k = p.key as { value?: unknown } | null;
        return k !== null && typeof k === 'object' && String(k.value) === String(key);
      });
      if (!pair) break;
      node = pair.value;
      // The last step reports the key's line (a block value starts on the next line).
      found =
        i === path.length - 1 ? (pair.key as Node) : ((pair.value as Node | null) ?? (pair.key as Node));
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      if (!node) break;
      found = node as Node;
    } else break;
  }
  const range = found?.range;
  return range ? counter.linePos(range[0]).line : undefined;
}

function where(file: string, line: number | undefined, path: (string | number)[]): string {
  const field = path.length > 0 ? path.join('.') : '(top level)';
  return `${file}${line !== undefined ? `:${line}` : ''}: ${field}`;
}

export function parseScenario(text: string, file: string): Scenario {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const line = counter.linePos(err.pos[0]).line;
    throw new ScenarioFileError(`${file}:${line}: ${err.message.split('\n')[0]}`);
  }
  const raw: unknown = doc.toJS();
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 5).map((issue) => {
      let path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) path = [...path, issue.keys[0]!];
      return `${where(file, lineOf(doc, counter, path), path)}: ${issue.message}`;
    });
    throw new ScenarioFileError(lines.join('\n'));
  }
  const scenario = parsed.data;
  const issues = checkScenario(scenario);
  if (issues.length > 0) {
    throw new ScenarioFileError(
      issues
        .slice(0, 5)
        .map((i) => `${where(file, lineOf(doc, counter, i.path), i.path)}: ${i.message}`)
        .join('\n'),
    );
  }
  try {
    parseEvents(scenario);
  } catch (e) {
    if (e instanceof ScenarioEventError) {
      const path = ['events', e.index, 'do'];
      throw new ScenarioFileError(`${where(file, lineOf(doc, counter, path), path)}: ${e.message}`);
    }
    throw e;
  }
  return scenario;
}

export function loadScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioFileError(`${file}: cannot read scenario file (${code ?? (e as Error).message})`);
  }
  return parseScenario(text, file);
}
