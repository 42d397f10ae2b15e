/**
 * `{{ JSONata }}` templates inside lab strings (solve parameters, commands, prompt answers).
 * A string that is exactly one template yields the expression's value with its type (a number
 * stays a number); otherwise the parts are joined as text.
 */
import { ExpressionError } from './expression-error.ts';
import type { ExpressionLimits } from './limits.ts';
import { compileExpression, type CompiledExpression } from './sandbox.ts';

export type TemplatePart = { text: string } | { expression: CompiledExpression; offset: number };

export interface Template {
  readonly source: string;
  readonly parts: TemplatePart[];
}

const OPEN = '{{';
const CLOSE = '}}';

/** Splits and compiles; throws ExpressionError whose position is the offset in `source`. */
export function parseTemplate(source: string, limits?: Partial<ExpressionLimits>): Template {
  const parts: TemplatePart[] = [];
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf(OPEN, at);
    if (open < 0) {
      parts.push({ text: source.slice(at) });
      break;
    }
    if (open > at) parts.push({ text: source.slice(at, open) });
    const close = source.indexOf(CLOSE, open + OPEN.length);
    if (close < 0)
      throw new ExpressionError('syntax', `"{{" at offset ${open} is never closed by "}}"`, source, open);
    const inner = source.slice(open + OPEN.length, close);
    if (inner.trim() === '')
      throw new ExpressionError('syntax', `empty "{{ }}" at offset ${open}`, source, open);
    try {
      parts.push({ expression: compileExpression(inner.trim(), limits), offset: open });
    } catch (e) {
      if (e instanceof ExpressionError) {
        throw new ExpressionError('syntax', e.message, source, open + OPEN.length + (e.position ?? 0));
      }
      throw e;
    }
    at = close + CLOSE.length;
  }
  return { source, parts };
}

export function hasTemplate(source: string): boolean {
  return source.includes(OPEN);
}

/** Evaluates the template over `context`; a template that yields nothing is an error, never "". */
export async function renderTemplate(template: Template, context: unknown): Promise<unknown> {
  const values: unknown[] = [];
  for (const part of template.parts) {
    if ('text' in part) {
      values.push(part.text);
      continue;
    }
    const value = await part.expression.evaluate(context);
    if (value === undefined || value === null) {
      throw new ExpressionError(
        'evaluation',
        `{{ ${part.expression.source} }} gave no value (is a saved result or var missing?)`,
        template.source,
        part.offset,
      );
    }
    values.push(value);
  }
  if (values.length === 1 && !('text' in (template.parts[0] ?? { text: '' }))) return values[0];
  return values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('');
}
