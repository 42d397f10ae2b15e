/**
 * The official Proxmox VE API schema (pve-docs apidata.js, cleaned; copied from the shared reference)
 * and lookups over it: which endpoints exist in a PVE release, and which parameters they accept there.
 */
import apidoc from './pve-apidoc.json' with { type: 'json' };

export interface ParamSchema {
  type?: 'string' | 'integer' | 'boolean' | 'number' | 'array' | 'object' | 'null';
  optional?: 0 | 1;
  default?: unknown;
  enum?: string[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  /** A named format (`pve-node`) or a property-string sub-schema. */
  format?: string | Record<string, PropertySchema>;
  items?: ParamSchema;
  typetext?: string;
  description?: string;
  requires?: string;
  properties?: Record<string, ParamSchema>;
  [key: string]: unknown;
}

/** A key inside a property-string format: a full schema, or an alias to another key. */
export interface PropertySchema extends ParamSchema {
  alias?: string;
  keyAlias?: string;
  default_key?: 0 | 1;
  format_description?: string;
}

export interface EndpointSchema {
  path: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  name: string;
  description: string;
  protected: 0 | 1;
  allowtoken: 0 | 1;
  parameters: Record<string, ParamSchema>;
  returns: ParamSchema;
  present_in: string[];
  param_changes?: Record<string, { added: string[]; removed: string[] }>;
}

export type PveMajor = 8 | 9;

/** Schema snapshot that stands for each supported major release. */
export const SCHEMA_VERSION_FOR_MAJOR: Record<PveMajor, string> = { 8: '8.4.0', 9: '9.1.3' };
const VERSION_ORDER = ['7.4-2', '8.4.0', '9.0.8', '9.1.3'];

/** Every endpoint of every release (imported as JSON so bundlers carry it along). */
export function allEndpoints(): EndpointSchema[] {
  return (apidoc as unknown as { endpoints: EndpointSchema[] }).endpoints;
}

/** The endpoints of one release, with each endpoint's parameters as that release defines them. */
export class ApiSchema {
  private readonly byKey = new Map<string, EndpointSchema>();
  /** Path templates split in segments, for matching request paths. */
  private readonly templates: { segments: string[]; path: string }[] = [];

  constructor(readonly major: PveMajor) {
    const version = SCHEMA_VERSION_FOR_MAJOR[major];
    const seen = new Set<string>();
    for (const endpoint of allEndpoints()) {
      if (!endpoint.present_in.includes(version)) continue;
      const parameters = { ...endpoint.parameters };
      for (const name of parametersAddedAfter(endpoint, version)) delete parameters[name];
      // Parameters a later release removed have no definition left in the newest schema: the
      // older release still accepts them, so they get a permissive one.
      for (const name of parametersRemovedAfter(endpoint, version)) {
        parameters[name] ??= { type: 'string', optional: 1, description: 'removed in a later release' };
      }
      this.byKey.set(`${endpoint.method} ${endpoint.path}`, { ...endpoint, parameters });
      if (!seen.has(endpoint.path)) {
        seen.add(endpoint.path);
        this.templates.push({ segments: endpoint.path.split('/').slice(1), path: endpoint.path });
      }
    }
  }

  endpoint(method: string, templatePath: string): EndpointSchema | undefined {
    return this.byKey.get(`${method} ${templatePath}`);
  }

  /**
   * Finds the schema path template for a concrete request path (`/nodes/n1/qemu/100` →
   * `/nodes/{node}/qemu/{vmid}`), preferring literal segments over placeholders as PVE's router does.
   */
  matchPath(path: string): { template: string; pathParams: Record<string, string> } | undefined {
    return this.matchSegments(path.split('/').slice(1));
  }

  /** The same on already split and decoded segments (a `%2F` inside a volume id stays in its segment). */
  matchSegments(segments: string[]): { template: string; pathParams: Record<string, string> } | undefined {
    let best: { template: string; pathParams: Record<string, string>; literals: number } | undefined;
    for (const candidate of this.templates) {
      if (candidate.segments.length !== segments.length) continue;
      const pathParams: Record<string, string> = {};
      let literals = 0;
      let ok = true;
      for (let i = 0; i < segments.length; i++) {
        const want = candidate.segments[i]!;
        const got = segments[i]!;
        if (want.startsWith('{') && want.endsWith('}')) {
          if (got === '') {
            ok = false;
            break;
          }
          pathParams[want.slice(1, -1)] = got;
        } else if (want === got) {
          literals++;
        } else {
          ok = false;
          break;
        }
      }
      if (ok && (!best || literals > best.literals))
        best = { template: candidate.path, pathParams, literals };
    }
    return best && { template: best.template, pathParams: best.pathParams };
  }
}

function parametersRemovedAfter(endpoint: EndpointSchema, version: string): string[] {
  const index = VERSION_ORDER.indexOf(version);
  const removed: string[] = [];
  for (const [transition, change] of Object.entries(endpoint.param_changes ?? {})) {
    const from = transition.split('->')[0]!;
    if (VERSION_ORDER.indexOf(from) >= index) removed.push(...change.removed);
  }
  return removed;
}

function parametersAddedAfter(endpoint: EndpointSchema, version: string): string[] {
  const index = VERSION_ORDER.indexOf(version);
  const added: string[] = [];
  for (const [transition, change] of Object.entries(endpoint.param_changes ?? {})) {
    const from = transition.split('->')[0]!;
    if (VERSION_ORDER.indexOf(from) >= index) added.push(...change.added);
  }
  // A parameter removed later and re-added is not our concern: definitions are the newest ones.
  return added;
}
