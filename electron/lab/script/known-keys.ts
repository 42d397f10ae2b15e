/**
 * Which keys the schema allows at a path of the data, for "did you mean" on unknown keys.
 * Walks zod's public definition objects (`_zod.def`); discriminated unions are resolved with the
 * data's own discriminator value.
 */
import type { z } from 'zod';

interface Def {
  type: string;
  shape?: Record<string, Schema>;
  innerType?: Schema;
  element?: Schema;
  valueType?: Schema;
  keyType?: Schema;
  options?: Schema[];
  discriminator?: string;
  in?: Schema;
  entries?: Record<string, string>;
}
interface Schema {
  _zod: { def: Def };
}

const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'nonoptional']);

function unwrap(schema: Schema): Schema {
  let s = schema;
  for (;;) {
    const def = s._zod.def;
    if (WRAPPERS.has(def.type) && def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else return s;
  }
}

function pickOption(schema: Schema, data: unknown): Schema[] {
  const def = schema._zod.def;
  const options = def.options ?? [];
  if (def.discriminator && data !== null && typeof data === 'object') {
    const value = (data as Record<string, unknown>)[def.discriminator];
    const match = options.find((o) => {
      const lit = unwrap(o)._zod.def.shape?.[def.discriminator as string];
      const values = (lit?._zod.def as { values?: unknown[] } | undefined)?.values;
      return values?.includes(value);
    });
    if (match) return [match];
  }
  return options;
}

function childOf(schema: Schema, key: PropertyKey, data: unknown): Schema | undefined {
  const s = unwrap(schema);
  const def = s._zod.def;
  if (def.type === 'object') return def.shape?.[String(key)];
  if (def.type === 'array') return def.element;
  if (def.type === 'record') return def.valueType;
  if (def.type === 'union') {
    for (const option of pickOption(s, data)) {
      const child = childOf(option, key, data);
      if (child) return child;
    }
  }
  return undefined;
}

/** Allowed keys of the object at `path` (empty if the path is not an object in the schema). */
export function knownKeysAt(root: z.ZodType, path: readonly PropertyKey[], data: unknown): string[] {
  let schema: Schema | undefined = root as unknown as Schema;
  let value: unknown = data;
  for (const key of path) {
    if (!schema) return [];
    schema = childOf(schema, key, value);
    value =
      value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  }
  if (!schema) return [];
  const s = unwrap(schema);
  const def = s._zod.def;
  if (def.type === 'object') return Object.keys(def.shape ?? {});
  if (def.type === 'record' && def.keyType) {
    const entries = unwrap(def.keyType)._zod.def.entries;
    return entries ? Object.values(entries) : [];
  }
  if (def.type === 'union') {
    return [...new Set(pickOption(s, value).flatMap((o) => Object.keys(unwrap(o)._zod.def.shape ?? {})))];
  }
  return [];
}
