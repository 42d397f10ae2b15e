/**
 * What the fake needs to know about a VirtualBox WSDL to validate requests the way gSOAP does:
 * which operations exist, the enum value sets, and each request element's fields.
 * Read straight from the served WSDL so 7.0 and 7.1 differ exactly as the real servers do.
 */

export interface RequestField {
  name: string;
  /** Local type name: 'string', 'int', 'boolean', 'long', 'unsignedInt', or an enum name. */
  type: string;
  optional: boolean;
  array: boolean;
}

export interface WsdlSchemaFacts {
  operations: Set<string>;
  enums: Map<string, Set<string>>;
  requests: Map<string, RequestField[]>;
}

const ENUM_RE =
  /<xsd:simpleType name="(\w+)">\s*<xsd:restriction base="xsd:string">([\s\S]*?)<\/xsd:restriction>/g;
const ENUM_VALUE_RE = /<xsd:enumeration value="([^"]*)"\/>/g;
const ELEMENT_RE =
  /<xsd:element name="(\w+)">\s*<xsd:complexType>\s*(?:<xsd:sequence>([\s\S]*?)<\/xsd:sequence>|<xsd:sequence\/>)?\s*<\/xsd:complexType>/g;
const FIELD_RE = /<xsd:element name="(\w+)"([^>]*?)type="(?:\w+:)?(\w+)"\s*\/>/g;
const OPERATION_RE = /<wsdl:operation name="(\w+)">/g;

export function readWsdlSchemaFacts(wsdlText: string): WsdlSchemaFacts {
  const enums = new Map<string, Set<string>>();
  for (const m of wsdlText.matchAll(ENUM_RE)) {
    const values = new Set([...(m[2] ?? '').matchAll(ENUM_VALUE_RE)].map((v) => v[1] ?? ''));
    enums.set(m[1] ?? '', values);
  }
  const operations = new Set([...wsdlText.matchAll(OPERATION_RE)].map((m) => m[1] ?? ''));
  const requests = new Map<string, RequestField[]>();
  for (const m of wsdlText.matchAll(ELEMENT_RE)) {
    const name = m[1] ?? '';
    if (!operations.has(name)) continue;
    const fields: RequestField[] = [...(m[2] ?? '').matchAll(FIELD_RE)].map((f) => ({
      name: f[1] ?? '',
      type: f[3] ?? 'string',
      optional: /minOccurs="0"/.test(f[2] ?? ''),
      array: /maxOccurs="unbounded"/.test(f[2] ?? ''),
    }));
    requests.set(name, fields);
  }
  return { operations, enums, requests };
}

/** The gSOAP-style complaint about one request, or undefined when it is well formed. */
export function findRequestViolation(
  facts: WsdlSchemaFacts,
  operation: string,
  args: Record<string, unknown>,
): string | undefined {
  const fields = facts.requests.get(operation) ?? [];
  for (const field of fields) {
    const raw = args[field.name];
    if (raw === undefined || raw === null) {
      if (field.optional || field.array) continue;
      // gSOAP itself may default a missing element; the fake is stricter on purpose (see docs/virtualbox.md).
      return `Validation constraint violation: missing element '${field.name}' in ${operation}`;
    }
    const values = Array.isArray(raw) ? raw : [raw];
    for (const value of values) {
      if (!valueFitsType(facts, field.type, value)) {
        return `Validation constraint violation: data type mismatch in element '${field.name}'`;
      }
    }
  }
  return undefined;
}

function valueFitsType(facts: WsdlSchemaFacts, type: string, value: unknown): boolean {
  const enumValues = facts.enums.get(type);
  if (enumValues) return typeof value === 'string' && enumValues.has(value);
  const text = String(value);
  switch (type) {
    case 'int':
    case 'long':
    case 'short':
      return /^-?\d+$/.test(text);
    case 'unsignedInt':
    case 'unsignedShort':
    case 'unsignedByte':
      return /^\d+$/.test(text);
    case 'boolean':
      return ['true', 'false', '1', '0'].includes(text);
    default:
      return true;
  }
}
