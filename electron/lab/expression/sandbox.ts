/**
 * JSONata for lab files, boxed: the input is copied as plain JSON (so no host object, prototype or
 * function is reachable), evaluation has a time, depth and sequence limit, strings built on the way
 * and the result have a size limit, and every failure is an ExpressionError naming the expression.
 *
 * Evaluation runs in a worker thread with a hard deadline (evaluator.ts): a single regular-expression
 * match cannot be interrupted by JSONata's own time limit, so a runaway one is stopped by ending the
 * worker. Patterns with nested quantifiers are also refused at compile time (regex-guard.ts), and
 * `$eval` (which would build expressions, and regexes, at run time) is refused outright.
 */
import jsonata from 'jsonata';
import { ExpressionError } from './expression-error.ts';
import { DEFAULT_EXPRESSION_LIMITS, type ExpressionLimits } from './limits.ts';
import { hardDeadlineMs, sharedExpressionWorker, type ExpressionWorker } from './evaluator.ts';
import { hasNestedQuantifier, regexSources } from './regex-guard.ts';

export interface CompiledExpression {
  readonly source: string;
  /** Evaluates over `input`; `bindings` become `$name` variables. Rejects with ExpressionError. */
  evaluate(input: unknown, bindings?: Record<string, unknown>): Promise<unknown>;
}

interface JsonataFailure {
  code?: string;
  message?: string;
  position?: number;
  token?: string;
}

const CODE_BY_JSONATA: Record<string, ExpressionError['code']> = {
  D1012: 'timeout',
  D1011: 'too-deep',
  D2015: 'too-long-sequence',
};

function describe(e: unknown): JsonataFailure {
  if (e instanceof ExpressionError) return { message: e.message };
  if (e !== null && typeof e === 'object') return e as JsonataFailure;
  return { message: String(e) };
}

/** Compiles once; throws ExpressionError('syntax') with the position of the problem. */
export function compileExpression(
  source: string,
  limits: Partial<ExpressionLimits> = {},
  worker: ExpressionWorker = sharedExpressionWorker(),
): CompiledExpression {
  const bounds = { ...DEFAULT_EXPRESSION_LIMITS, ...limits };
  let compiled: jsonata.Expression;
  try {
    compiled = jsonata(source, {
      timeout: bounds.timeoutMs,
      stack: bounds.maxDepth,
      sequence: bounds.maxSequence,
    });
  } catch (e) {
    const f = describe(e);
    throw new ExpressionError(
      'syntax',
      `syntax error in "${source}": ${f.message ?? 'unknown'}`,
      source,
      f.position,
    );
  }
  for (const regex of regexSources(compiled.ast())) {
    if (hasNestedQuantifier(regex)) {
      throw new ExpressionError(
        'syntax',
        `regular expression /${regex}/ in "${source}" repeats a repeated group (like (a+)+), which can take forever to match; simplify it`,
        source,
      );
    }
  }
  const evalAt = evalPosition(compiled.ast());
  if (evalAt !== undefined) {
    throw new ExpressionError(
      'syntax',
      `"${source}" uses $eval, which lab files may not use (it builds expressions at run time); write the expression out`,
      source,
      evalAt,
    );
  }
  const workerLimits = {
    timeoutMs: bounds.timeoutMs,
    maxDepth: bounds.maxDepth,
    maxSequence: bounds.maxSequence,
    maxOutputBytes: bounds.maxOutputBytes,
  };

  return {
    source,
    async evaluate(input, bindings = {}) {
      const data = toPlainJson(source, { input, bindings }, bounds.maxInputBytes, 'input-too-large');
      const outcome = await worker.evaluate(source, workerLimits, data);
      if ('deadline' in outcome) {
        throw new ExpressionError(
          'timeout',
          `"${source}" was stopped after ${hardDeadlineMs(bounds.timeoutMs)} ms (a runaway regular expression or loop?)`,
          source,
        );
      }
      if ('failure' in outcome) {
        const f = outcome.failure;
        if (f.code === 'output-too-large') {
          throw new ExpressionError(
            'output-too-large',
            `"${source}" built a string longer than ${bounds.maxOutputBytes} characters`,
            source,
          );
        }
        if (f.code === 'not-data') {
          throw new ExpressionError('not-data', `"${source}" ${f.message}`, source);
        }
        const code: ExpressionError['code'] = (f.code ? CODE_BY_JSONATA[f.code] : undefined) ?? 'evaluation';
        const why =
          code === 'timeout'
            ? `ran longer than ${bounds.timeoutMs} ms (runaway loop?)`
            : code === 'too-deep'
              ? `nested deeper than ${bounds.maxDepth} levels (runaway recursion?)`
              : code === 'too-long-sequence'
                ? `built a sequence longer than ${bounds.maxSequence} items`
                : f.message;
        throw new ExpressionError(code, `"${source}" ${why}`, source, f.position);
      }
      return resultAsData(source, outcome.text, bounds.maxOutputBytes);
    },
  };
}

/** Position of the first `$eval` in the AST (called, or passed on as a value), if any. */
function evalPosition(ast: unknown): number | undefined {
  const seen = new Set<unknown>();
  let found: number | undefined;
  const walk = (node: unknown): void => {
    if (found !== undefined || node === null || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    const { type, value, position } = node as { type?: unknown; value?: unknown; position?: unknown };
    if (type === 'variable' && value === 'eval') {
      found = typeof position === 'number' ? position : 0;
      return;
    }
    for (const child of Object.values(node)) walk(child);
  };
  walk(ast);
  return found;
}

function toPlainJson(
  source: string,
  value: { input: unknown; bindings: Record<string, unknown> },
  maxBytes: number,
  code: 'input-too-large',
): string {
  const text = JSON.stringify(value, (_k, v: unknown) => (v === undefined ? null : v));
  if (text.length > maxBytes) {
    throw new ExpressionError(
      code,
      `input of "${source}" is ${text.length} bytes, over the ${maxBytes} limit`,
      source,
    );
  }
  return text;
}

function resultAsData(source: string, text: string | undefined, maxBytes: number): unknown {
  if (text === undefined) return undefined;
  if (text.length > maxBytes) {
    throw new ExpressionError(
      'output-too-large',
      `result of "${source}" is over the ${maxBytes} byte limit`,
      source,
    );
  }
  // A fresh copy: JSONata sequences carry extra properties we do not hand on.
  return JSON.parse(text) as unknown;
}
