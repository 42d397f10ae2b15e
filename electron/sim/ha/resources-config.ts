/**
 * HA configuration in /etc/pve/ha: resources.cfg, rules.cfg (PVE 9) and groups.cfg (PVE 8).
 * Writes go through pmxcfs (quorum); messages follow pve-ha-manager's API.
 */
import { assertWritable } from '../pmxcfs.ts';
import type { SimCore } from '../sim-core.ts';
import type { HaGroup, HaResourceConfig, HaRule } from '../state.ts';
import type { HaRequestState } from '../world-types.ts';
import type { NodeAffinity } from './node-selection.ts';

export const GROUPS_MIGRATED_MESSAGE = 'ha groups have been migrated to rules';

/** `vm:100`, `ct:101` or a bare `100` (a VM or CT found by id). */
export function parseSid(core: SimCore, raw: string): { sid: string; type: 'vm' | 'ct'; vmid: number } {
  const m = /^(?:(vm|ct):)?(\d+)$/.exec(raw.trim());
  if (!m) throw new HaConfigError(`unable to parse service id '${raw}'`, 'sid');
  const vmid = Number(m[2]);
  let type = m[1] as 'vm' | 'ct' | undefined;
  if (!type) {
    const g = core.state.guests[String(vmid)];
    if (!g) throw new HaConfigError(`unable to find VM/CT ${vmid}`);
    type = g.type === 'qemu' ? 'vm' : 'ct';
  }
  return { sid: `${type}:${vmid}`, type, vmid };
}

export class HaConfigError extends Error {
  constructor(
    message: string,
    readonly param?: string,
    readonly status = 500,
  ) {
    super(message);
    this.name = 'HaConfigError';
  }
}

export function groupsMigrated(core: SimCore): boolean {
  return core.state.pveMajor >= 9;
}

export function normalizeRequestState(s: string | undefined): HaRequestState {
  if (s === undefined || s === 'enabled') return 'started';
  if (s === 'started' || s === 'stopped' || s === 'disabled' || s === 'ignored') return s;
  throw new HaConfigError(
    `value '${s}' does not have a value in the enumeration 'started, stopped, enabled, disabled, ignored'`,
    'state',
    400,
  );
}

export interface ResourceInput {
  state?: string;
  max_restart?: number;
  max_relocate?: number;
  failback?: boolean;
  group?: string;
  comment?: string;
}

export function addResource(
  core: SimCore,
  node: string,
  rawSid: string,
  input: ResourceInput,
): HaResourceConfig {
  const { sid, type, vmid } = parseSid(core, rawSid);
  if (input.group !== undefined && groupsMigrated(core))
    throw new HaConfigError(`invalid parameter 'group': ${GROUPS_MIGRATED_MESSAGE}`);
  if (input.group !== undefined && !core.state.ha.groups[input.group])
    throw new HaConfigError(`ha group '${input.group}' does not exist`, 'group', 400);
  assertWritable(core, node);
  const g = core.state.guests[String(vmid)];
  if (!g || (g.type === 'qemu') !== (type === 'vm'))
    throw new HaConfigError(`resource '${sid}' does not exist in cluster`);
  if (core.state.ha.resources[sid])
    throw new HaConfigError(`create resource failed: resource ID '${sid}' already defined`);
  const res: HaResourceConfig = {
    sid,
    type,
    state: normalizeRequestState(input.state),
    max_restart: input.max_restart ?? 1,
    max_relocate: input.max_relocate ?? 1,
    failback: input.failback ?? true,
    ...(input.group !== undefined ? { group: input.group } : {}),
    ...(input.comment !== undefined ? { comment: input.comment } : {}),
  };
  core.state.ha.resources[sid] = res;
  return res;
}

export function updateResource(
  core: SimCore,
  node: string,
  rawSid: string,
  input: ResourceInput & { delete?: string[] },
): HaResourceConfig {
  const { sid } = parseSid(core, rawSid);
  if (input.group !== undefined && groupsMigrated(core))
    throw new HaConfigError(`invalid parameter 'group': ${GROUPS_MIGRATED_MESSAGE}`);
  const res = core.state.ha.resources[sid];
  if (!res) throw new HaConfigError(`update resource failed: no such resource '${sid}'`);
  assertWritable(core, node);
  if (input.state !== undefined) res.state = normalizeRequestState(input.state);
  if (input.max_restart !== undefined) res.max_restart = input.max_restart;
  if (input.max_relocate !== undefined) res.max_relocate = input.max_relocate;
  if (input.failback !== undefined) res.failback = input.failback;
  if (input.group !== undefined) res.group = input.group;
  if (input.comment !== undefined) res.comment = input.comment;
  for (const key of input.delete ?? []) {
    if (key === 'comment') delete res.comment;
    else if (key === 'group') delete res.group;
    else if (key === 'max_restart') res.max_restart = 1;
    else if (key === 'max_relocate') res.max_relocate = 1;
    else if (key === 'failback') res.failback = true;
    else if (key === 'state') res.state = 'started';
  }
  return res;
}

export function removeResource(core: SimCore, node: string, rawSid: string): void {
  const { sid } = parseSid(core, rawSid);
  if (!core.state.ha.resources[sid])
    throw new HaConfigError(`cannot delete service '${sid}', not HA managed!`);
  assertWritable(core, node);
  delete core.state.ha.resources[sid];
  // Rules keep referring to it in PVE 9.1 only with purge=0; we purge (the default).
  for (const rule of Object.values(core.state.ha.rules)) {
    rule.resources = rule.resources.filter((r) => r !== sid);
    if (rule.resources.length === 0) delete core.state.ha.rules[rule.rule];
  }
}

/** Parses `node1:2,node2,node3:1` into a priority map (no priority = 0). */
export function parseNodeList(raw: string, param = 'nodes'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of raw.split(/[,;\s]+/).filter(Boolean)) {
    const m = /^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)(?::(\d+))?$/.exec(part);
    if (!m)
      throw new HaConfigError(
        `invalid format - value does not look like a valid node name or priority: '${part}'`,
        param,
        400,
      );
    out[m[1]!] = m[3] === undefined ? 0 : Number(m[3]);
  }
  return out;
}

export function formatNodeList(nodes: Record<string, number>): string {
  return Object.entries(nodes)
    .map(([n, p]) => (p ? `${n}:${p}` : n))
    .join(',');
}

export function assertRulesSupported(core: SimCore): void {
  if (core.state.pveMajor < 9)
    throw new HaConfigError(`Method 'GET /cluster/ha/rules' not implemented`, undefined, 501);
}

export function putRule(core: SimCore, node: string, rule: HaRule, create: boolean): void {
  assertWritable(core, node);
  const failed = create ? 'create ha rule failed' : 'update HA rules failed';
  if (create && core.state.ha.rules[rule.rule])
    throw new HaConfigError(`${failed}: HA rule '${rule.rule}' already defined`);
  if (!create && !core.state.ha.rules[rule.rule])
    throw new HaConfigError(`${failed}: HA rule '${rule.rule}' does not exist`);
  const unmanaged = [...rule.resources].sort().filter((sid) => !core.state.ha.resources[sid]);
  if (unmanaged.length > 0)
    throw new HaConfigError(`${failed}: cannot use unmanaged resource(s) ${unmanaged.join(', ')}.`);
  if (rule.type === 'node-affinity') {
    const missing = Object.keys(rule.nodes)
      .sort()
      .filter((n) => !core.state.cluster?.nodes[n] && n !== node);
    if (missing.length > 0)
      throw new HaConfigError(`${failed}: cannot use non-existant node(s) ${missing.join(', ')}.`);
  }
  if (rule.type === 'resource-affinity' && rule.resources.length < 2)
    throw new HaConfigError(`Rule '${rule.rule}' is invalid.`, 'resources', 400);
  core.state.ha.rules[rule.rule] = rule;
}

/** PVE 9 refuses every groups call; `action` as in the upstream message ("cannot index groups: …"). */
export function assertGroupsAllowed(core: SimCore, action: string): void {
  if (groupsMigrated(core)) throw new HaConfigError(`cannot ${action}: ${GROUPS_MIGRATED_MESSAGE}`);
}

export function putGroup(core: SimCore, node: string, group: HaGroup, create: boolean): void {
  assertGroupsAllowed(core, create ? 'create group' : 'update group');
  if (create && core.state.ha.groups[group.group])
    throw new HaConfigError(`ha group '${group.group}' already defined`);
  if (!create && !core.state.ha.groups[group.group])
    throw new HaConfigError(`no such ha group '${group.group}'`);
  assertWritable(core, node);
  core.state.ha.groups[group.group] = group;
}

/** The node-affinity that applies to a service (its enabled rule, or its PVE 8 group). */
export function nodeAffinityOf(core: SimCore, sid: string): NodeAffinity | undefined {
  const res = core.state.ha.resources[sid];
  if (core.state.pveMajor < 9) {
    const group = res?.group ? core.state.ha.groups[res.group] : undefined;
    return group ? { nodes: group.nodes, strict: group.restricted } : undefined;
  }
  for (const rule of Object.values(core.state.ha.rules)) {
    if (rule.type === 'node-affinity' && !rule.disable && rule.resources.includes(sid))
      return { nodes: rule.nodes, strict: rule.strict };
  }
  return undefined;
}

export function failbackOf(core: SimCore, sid: string): boolean {
  const res = core.state.ha.resources[sid];
  if (!res) return true;
  if (core.state.pveMajor < 9) {
    const group = res.group ? core.state.ha.groups[res.group] : undefined;
    return group ? !group.nofailback : true;
  }
  return res.failback;
}

/** Services that must run with / apart from `sid` (PVE 9 resource-affinity rules). */
export function resourceAffinityOf(core: SimCore, sid: string): { positive: string[]; negative: string[] } {
  const positive: string[] = [];
  const negative: string[] = [];
  if (core.state.pveMajor < 9) return { positive, negative };
  for (const rule of Object.values(core.state.ha.rules)) {
    if (rule.type !== 'resource-affinity' || rule.disable || !rule.resources.includes(sid)) continue;
    for (const other of rule.resources)
      if (other !== sid) (rule.affinity === 'positive' ? positive : negative).push(other);
  }
  return { positive, negative };
}
