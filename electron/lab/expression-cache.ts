/**
 * Compiles each expression/template of a lab once per run (the loader already proved they compile).
 * Evaluations run in a worker thread; with a clock they hold it, so a simulator running as fast as
 * possible does not jump ahead while a check is being answered.
 */
import type { Clock } from '../clock/clock.ts';
import type { ExpressionLimits } from './expression/limits.ts';
import { compileExpression, type CompiledExpression } from './expression/sandbox.ts';
import { hasTemplate, parseTemplate, renderTemplate, type Template } from './expression/template.ts';

export class ExpressionCache {
  private readonly expressions = new Map<string, CompiledExpression>();
  private readonly templates = new Map<string, Template>();

  constructor(
    private readonly limits: Partial<ExpressionLimits> = {},
    private readonly clock?: Pick<Clock, 'hold'>,
  ) {}

  expression(source: string): CompiledExpression {
    let e = this.expressions.get(source);
    if (!e) {
      e = this.held(compileExpression(source, this.limits));
      this.expressions.set(source, e);
    }
    return e;
  }

  private held(expression: CompiledExpression): CompiledExpression {
    const clock = this.clock;
    if (!clock) return expression;
    return {
      source: expression.source,
      async evaluate(input, bindings) {
        const release = clock.hold(`expression ${expression.source.slice(0, 60)}`);
        try {
          return await expression.evaluate(input, bindings);
        } finally {
          release();
        }
      },
    };
  }

  /** Renders `{{ }}` templates in `text`; text without templates comes back unchanged. */
  async render(text: string, context: unknown): Promise<unknown> {
    if (!hasTemplate(text)) return text;
    let t = this.templates.get(text);
    if (!t) {
      t = parseTemplate(text, this.limits);
      this.templates.set(text, t);
    }
    const release = this.clock?.hold('template');
    try {
      return await renderTemplate(t, context);
    } finally {
      release?.();
    }
  }

  async renderText(text: string, context: unknown): Promise<string> {
    const value = await this.render(text, context);
    return typeof value === 'string' ? value : JSON.stringify(value);
  }
}
