/**
 * Validates and coerces request parameters against an endpoint's schema the way PVE's
 * JSONSchema does for API calls: form values arrive as strings and are coerced to the declared
 * type; every failure lands in an `errors` map keyed by parameter, with PVE's wording.
 */
import type { EndpointSchema, ParamSchema, PropertySchema } from './api-schema.ts';
import { checkNamedFormat } from './param-formats.ts';
import { parsePropertyString } from './property-string.ts';

export interface ValidationResult {
  params: Record<string, unknown>;
  errors: Record<string, string>;
}

const BOOLEAN_TRUE = /^(?:1|true|yes|on)$/i;
const BOOLEAN_FALSE = /^(?:0|false|no|off)$/i;

/** Finds the schema of a parameter name, resolving indexed names (`net0` → `net[n]`). */
export function parameterSchema(endpoint: EndpointSchema, name: string): ParamSchema | undefined {
  const own = (key: string): ParamSchema | undefined =>
    Object.hasOwn(endpoint.parameters, key) ? endpoint.parameters[key] : undefined;
  const exact = own(name);
  if (exact) return exact;
  const indexed = /^(.*?)(\d+)$/.exec(name);
  if (indexed) return own(`${indexed[1]}[n]`);
  return undefined;
}

export function validateParams(endpoint: EndpointSchema, raw: Record<string, unknown>): ValidationResult {
  const params: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const schema = parameterSchema(endpoint, name);
    if (!schema) {
      errors[name] = 'property is not defined in schema and the schema does not allow additional properties';
      continue;
    }
    const checked = checkValue(name, schema, value, errors);
    if (checked !== undefined) params[name] = checked;
  }
  for (const [name, schema] of Object.entries(endpoint.parameters)) {
    if (name.endsWith('[n]') || schema.optional) continue;
    if (raw[name] === undefined && errors[name] === undefined) {
      errors[name] = 'property is missing and it is not optional';
    }
  }
  for (const name of Object.keys(params)) {
    const requires = parameterSchema(endpoint, name)?.requires;
    if (requires && params[requires] === undefined && errors[requires] === undefined) {
      errors[requires] = `missing property - '${name}' requires this property`;
    }
  }
  return { params, errors };
}

/** Returns the coerced value, or undefined after recording an error. */
function checkValue(
  path: string,
  schema: ParamSchema,
  value: unknown,
  errors: Record<string, string>,
): unknown {
  if (schema.type === 'array') {
    const list = Array.isArray(value) ? value : [value];
    const out: unknown[] = [];
    for (const [i, item] of list.entries()) {
      const checked = schema.items ? checkValue(path, schema.items, item, errors) : item;
      if (errors[path] !== undefined) return undefined;
      out[i] = checked;
    }
    return out;
  }
  if (Array.isArray(value)) {
    if (value.length !== 1) {
      errors[path] = `type check ('${schema.type ?? 'string'}') failed - got ARRAY`;
      return undefined;
    }
    value = value[0];
  }
  const result = checkScalar(path, schema, value);
  if (typeof result === 'object' && result !== null && 'error' in result) {
    Object.assign(errors, result.error);
    return undefined;
  }
  return result;
}

type ScalarResult =
  string | number | boolean | Record<string, unknown> | null | { error: Record<string, string> };

function checkScalar(path: string, schema: ParamSchema, value: unknown): ScalarResult {
  const fail = (message: string): ScalarResult => ({ error: { [path]: message } });
  const text = typeof value === 'string' ? value : typeof value === 'object' ? undefined : String(value);
  switch (schema.type) {
    case 'integer': {
      if (text === undefined || !/^-?\d+$/.test(text.trim()))
        return fail(`type check ('integer') failed - got '${show(value)}'`);
      const n = Number(text);
      return checkRange(schema, n) ?? n;
    }
    case 'number': {
      if (text === undefined || !/^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(text.trim())) {
        return fail(`type check ('number') failed - got '${show(value)}'`);
      }
      const n = Number(text);
      return checkRange(schema, n) ?? n;
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (text !== undefined && BOOLEAN_TRUE.test(text)) return true;
      if (text !== undefined && BOOLEAN_FALSE.test(text)) return false;
      return fail(`type check ('boolean') failed - got '${show(value)}'`);
    }
    case 'object':
      if (typeof value === 'object' && value !== null) return value as Record<string, unknown>;
      return fail(`type check ('object') failed - got '${show(value)}'`);
    case 'null':
      return null;
    default: {
      if (text === undefined) return fail(`type check ('string') failed - got '${show(value)}'`);
      const error = checkString(path, schema, text);
      return error ? { error } : text;
    }
  }

  function checkRange(s: ParamSchema, n: number): ScalarResult | undefined {
    if (s.minimum !== undefined && n < s.minimum)
      return fail(`value must have a minimum value of ${s.minimum}`);
    if (s.maximum !== undefined && n > s.maximum)
      return fail(`value must have a maximum value of ${s.maximum}`);
    if (s.enum && !s.enum.includes(String(n))) return fail(enumMessage(String(n), s.enum));
    return undefined;
  }
}

function checkString(path: string, schema: ParamSchema, text: string): Record<string, string> | undefined {
  const fail = (message: string): Record<string, string> => ({ [path]: message });
  if (schema.maxLength !== undefined && text.length > schema.maxLength) {
    return fail(`value may only be ${schema.maxLength} characters long`);
  }
  if (schema.minLength !== undefined && text.length < schema.minLength) {
    return fail(`value must be at least ${schema.minLength} characters long`);
  }
  if (schema.enum && !schema.enum.includes(text)) return fail(enumMessage(text, schema.enum));
  if (schema.pattern !== undefined && !perlPattern(schema.pattern).test(text)) {
    return fail('value does not match the regex pattern');
  }
  if (typeof schema.format === 'string') {
    const error = checkNamedFormat(schema.format, text);
    if (error) return fail(error);
  } else if (schema.format && typeof schema.format === 'object') {
    const parsed = parsePropertyString(
      path,
      schema.format,
      text,
      (subPath, sub: PropertySchema, subValue) => {
        const result = checkScalar(subPath, sub, subValue);
        if (typeof result === 'object' && result !== null && 'error' in result) {
          return Object.values(result.error as Record<string, string>)[0];
        }
        return undefined;
      },
    );
    const problems = Object.entries(parsed.errors);
    if (problems.length > 0) {
      const lines = problems.map(([key, message]) => (key === path ? message : `${key}: ${message}`));
      return fail(
        `invalid format - ${lines.length === 1 && problems[0]![0] === path ? lines[0] : `format error\n${lines.join('\n')}`}`,
      );
    }
  }
  return undefined;
}

function enumMessage(value: string, values: string[]): string {
  return `value '${value}' does not have a value in the enumeration '${values.join(', ')}'`;
}

function show(value: unknown): string {
  return typeof value === 'object' ? (Array.isArray(value) ? 'ARRAY' : 'HASH') : String(value);
}

const patternCache = new Map<string, RegExp>();

/** PVE patterns are Perl regexes matched against the whole value. */
function perlPattern(pattern: string): RegExp {
  let regex = patternCache.get(pattern);
  if (!regex) {
    const body = pattern.replaceAll('(?^:', '(?:').replace(/^\^/, '').replace(/\$$/, '');
    try {
      regex = new RegExp(`^(?:${body})$`);
    } catch {
      regex = /[\s\S]*/; // a Perl-only construct we cannot translate: accept rather than refuse
    }
    patternCache.set(pattern, regex);
  }
  return regex;
}
