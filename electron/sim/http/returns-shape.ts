/**
 * Checks a handler's result against the `returns` schema of its endpoint: types, required
 * properties, enums, nested arrays and objects. Used by the route-walk test so the simulator's
 * replies keep the official shape. Extra properties are allowed (real replies carry more).
 */
import type { ParamSchema } from './api-schema.ts';

export function returnShapeProblems(
  schema: ParamSchema | undefined,
  value: unknown,
  path = 'data',
): string[] {
  if (!schema || schema.type === undefined) return [];
  if (value === null || value === undefined) {
    return schema.type === 'null' || schema.optional
      ? []
      : [`${path}: expected ${schema.type}, got ${String(value)}`];
  }
  switch (schema.type) {
    case 'null':
      return [`${path}: expected null, got ${typeof value}`];
    case 'array': {
      if (!Array.isArray(value)) return [`${path}: expected array, got ${typeof value}`];
      return value.flatMap((item, i) => returnShapeProblems(schema.items, item, `${path}[${i}]`));
    }
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value))
        return [`${path}: expected object, got ${describe(value)}`];
      const problems: string[] = [];
      for (const [key, sub] of Object.entries(schema.properties ?? {})) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) {
          if (!sub.optional) problems.push(`${path}.${key}: missing`);
          continue;
        }
        problems.push(...returnShapeProblems(sub, item, `${path}.${key}`));
      }
      return problems;
    }
    // Perl's JSON encoder writes scalars read from config files as strings ("nodeid":"1"), and
    // real nodes answer so; clients have to accept numeric strings where the schema says integer.
    case 'integer':
      return Number.isInteger(value) || (typeof value === 'string' && /^-?\d+$/.test(value))
        ? enumProblem(schema, value, path)
        : [`${path}: expected integer, got ${describe(value)}`];
    case 'number':
      return typeof value === 'number' ||
        (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))
        ? []
        : [`${path}: expected number, got ${describe(value)}`];
    case 'boolean':
      // PVE encodes booleans as 0/1 in JSON replies.
      return typeof value === 'boolean' || value === 0 || value === 1
        ? []
        : [`${path}: expected boolean, got ${describe(value)}`];
    case 'string':
      return typeof value === 'string'
        ? enumProblem(schema, value, path)
        : [`${path}: expected string, got ${describe(value)}`];
    default:
      return [];
  }
}

function enumProblem(schema: ParamSchema, value: unknown, path: string): string[] {
  return schema.enum && !schema.enum.includes(String(value))
    ? [`${path}: '${String(value)}' not in enum ${schema.enum.join('|')}`]
    : [];
}

function describe(value: unknown): string {
  return Array.isArray(value) ? 'array' : `${typeof value} ${JSON.stringify(value)?.slice(0, 40)}`;
}
