/**
 * JSONata for lab files, boxed: the input is copied as plain JSON (so no host object, prototype or
 * function is reachable), evaluation has a time, depth and sequence limit, strings built on the way
 * and the result have a size limit, and every failure is an ExpressionError naming the expression.
 *
 * A single regular-expression match cannot be interrupted, so patterns with nested unbounded
 * quantifiers (the catastrophic-backtracking kind) are refused at compile time (regex-guard.ts).
 */
import jsonata from 'jsonata';
import { ExpressionError } from './expression-error.ts';
import { DEFAULT_EXPRESSION_LIMITS, type ExpressionLimits } from './limits.ts';
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

const EXIT_HOOK = Symbol.for('jsonata.__evaluate_exit');

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
  // Long strings are built in one step ($pad, &): stop them as soon as they appear.
  compiled.assign(
    EXIT_HOOK as unknown as string,
    (_expr: unknown, _input: unknown, _env: unknown, result: unknown) => {
      if (typeof result === 'string' && result.length > bounds.maxOutputBytes) {
        throw new ExpressionError(
          'output-too-large',
          `"${source}" built a string longer than ${bounds.maxOutputBytes} characters`,
          source,
        );
      }
    },
  );

  return {
    source,
    async evaluate(input, bindings = {}) {
      const data = toPlainJson(source, { input, bindings }, bounds.maxInputBytes, 'input-too-large');
      let result: unknown;
      try {
        result = await compiled.evaluate(data.input, data.bindings as Record<string, unknown>);
      } catch (e) {
        if (e instanceof ExpressionError) throw e;
        const f = describe(e);
        const code: ExpressionError['code'] = (f.code ? CODE_BY_JSONATA[f.code] : undefined) ?? 'evaluation';
        const why =
          code === 'timeout'
            ? `ran longer than ${bounds.timeoutMs} ms (runaway loop?)`
            : code === 'too-deep'
              ? `nested deeper than ${bounds.maxDepth} levels (runaway recursion?)`
              : code === 'too-long-sequence'
                ? `built a sequence longer than ${bounds.maxSequence} items`
                : (f.message ?? 'failed');
        throw new ExpressionError(code, `"${source}" ${why}`, source, f.position);
      }
      return resultAsData(source, result, bounds.maxOutputBytes);
    },
  };
}

function toPlainJson(
  source: string,
  value: { input: unknown; bindings: Record<string, unknown> },
  maxBytes: number,
  code: 'input-too-large',
): { input: unknown; bindings: unknown } {
  const text = JSON.stringify(value, (_k, v: unknown) => (v === undefined ? null : v));
  if (text.length > maxBytes) {
    throw new ExpressionError(
      code,
      `input of "${source}" is ${text.length} bytes, over the ${maxBytes} limit`,
      source,
    );
  }
  return JSON.parse(text) as { input: unknown; bindings: unknown };
}

function resultAsData(source: string, result: unknown, maxBytes: number): unknown {
  if (result === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(result, (_k, v: unknown) => {
      if (typeof v === 'function')
        throw new ExpressionError('not-data', `"${source}" returned a function`, source);
      return v;
    });
  } catch (e) {
    if (e instanceof ExpressionError) throw e;
    throw new ExpressionError('not-data', `"${source}" returned something that is not JSON data`, source);
  }
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
