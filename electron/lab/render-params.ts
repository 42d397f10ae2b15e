import type { PveParams } from '../pve/api.ts';
import type { ExpressionCache } from './expression-cache.ts';

/** Fills `{{ }}` templates of API parameters; a value must come out as a string, number or boolean. */
export async function renderParams(
  params: Record<string, string | number | boolean> | undefined,
  cache: ExpressionCache,
  context: unknown,
): Promise<PveParams> {
  const out: PveParams = {};
  for (const [key, raw] of Object.entries(params ?? {})) {
    const value = typeof raw === 'string' ? await cache.render(raw, context) : raw;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new Error(
        `parameter "${key}" must be text, a number or a boolean, but its template gave ${JSON.stringify(value)}`,
      );
    }
    out[key] = value;
  }
  return out;
}
