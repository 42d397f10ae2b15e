/** Compiles each expression/template of a lab once per run (the loader already proved they compile). */
import type { ExpressionLimits } from './expression/limits.ts';
import { compileExpression, type CompiledExpression } from './expression/sandbox.ts';
import { hasTemplate, parseTemplate, renderTemplate, type Template } from './expression/template.ts';

export class ExpressionCache {
  private readonly expressions = new Map<string, CompiledExpression>();
  private readonly templates = new Map<string, Template>();

  constructor(private readonly limits: Partial<ExpressionLimits> = {}) {}

  expression(source: string): CompiledExpression {
    let e = this.expressions.get(source);
    if (!e) {
      e = compileExpression(source, this.limits);
      this.expressions.set(source, e);
    }
    return e;
  }

  /** Renders `{{ }}` templates in `text`; text without templates comes back unchanged. */
  async render(text: string, context: unknown): Promise<unknown> {
    if (!hasTemplate(text)) return text;
    let t = this.templates.get(text);
    if (!t) {
      t = parseTemplate(text, this.limits);
      this.templates.set(text, t);
    }
    return renderTemplate(t, context);
  }

  async renderText(text: string, context: unknown): Promise<string> {
    const value = await this.render(text, context);
    return typeof value === 'string' ? value : JSON.stringify(value);
  }
}
