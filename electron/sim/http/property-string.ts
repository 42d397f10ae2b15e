/**
 * Property strings (`virtio,bridge=vmbr0,firewall=1`) parsed against a schema's format object,
 * as PVE::JSONSchema::parse_property_string does: a default key for a bare value, key aliases
 * (`virtio=<mac>` means model=virtio,macaddr=<mac>), plain aliases, then each key validated.
 */
import type { PropertySchema } from './api-schema.ts';

export interface PropertyStringResult {
  values: Record<string, string>;
  /** `name.key` → message, or `name` → message for a structural error. */
  errors: Record<string, string>;
}

export function parsePropertyString(
  name: string,
  format: Record<string, PropertySchema>,
  text: string,
  checkValue: (path: string, schema: PropertySchema, value: string) => string | undefined,
): PropertyStringResult {
  const values: Record<string, string> = {};
  const defaultKey = Object.entries(format).find(([, s]) => s.default_key)?.[0];
  for (const part of text.split(',')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    let key: string;
    let value: string;
    if (eq === -1) {
      if (!defaultKey) return structural(name, 'value without key, but schema does not define a default key');
      if (values[defaultKey] !== undefined)
        return structural(name, `duplicate key in comma-separated list property: ${defaultKey}`);
      key = defaultKey;
      value = part;
    } else {
      key = part.slice(0, eq);
      value = part.slice(eq + 1);
    }
    const schema = format[key];
    if (!schema) return structural(name, `invalid key in comma-separated list property: ${key}`);
    if (schema.keyAlias && schema.alias) {
      values[schema.keyAlias] = key;
      key = schema.alias;
    } else if (schema.alias) {
      key = schema.alias;
    }
    if (values[key] !== undefined)
      return structural(name, `duplicate key in comma-separated list property: ${key}`);
    values[key] = value;
  }
  const errors: Record<string, string> = {};
  for (const [key, schema] of Object.entries(format)) {
    if (schema.alias) continue;
    const value = values[key];
    if (value === undefined) {
      if (!schema.optional) errors[`${name}.${key}`] = 'property is missing and it is not optional';
      continue;
    }
    const error = checkValue(`${name}.${key}`, schema, value);
    if (error) errors[`${name}.${key}`] = error;
  }
  return { values, errors };
}

function structural(name: string, message: string): PropertyStringResult {
  return { values: {}, errors: { [name]: message } };
}
