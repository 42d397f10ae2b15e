/**
 * Builds the formed cluster a scenario starts from: nodes (10.10.10.11…), a NAS exporting the
 * shared `nas` NFS storage, the HA services with their guests, rules or groups, and the initial
 * hardware state.
 */
import type { VirtualClock } from '../clock/virtual-clock.ts';
import * as hw from '../hardware.ts';
import { recomputeMembership } from '../membership.ts';
import { allocateDisk } from '../storage.ts';
import { World } from '../world.ts';
import type { Scenario } from './scenario-schema.ts';

export const SCENARIO_NAS = { name: 'nas', ip: '10.10.10.100', exports: ['/mnt/tank/pve'] };
export const SCENARIO_PASSWORD = 'nestlab';

/** A cross-field problem, with the path of the offending value in the file. */
export interface ScenarioIssue {
  path: (string | number)[];
  message: string;
}

export function checkScenario(s: Scenario): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const nodes = new Set(s.nodes);
  const sids = new Set<string>();
  if (nodes.size !== s.nodes.length) issues.push({ path: ['nodes'], message: 'node names must be unique' });
  if (nodes.has(SCENARIO_NAS.name))
    issues.push({ path: ['nodes'], message: `'${SCENARIO_NAS.name}' is the NAS's name` });
  for (const name of Object.keys(s.hardware)) {
    if (!nodes.has(name) && name !== SCENARIO_NAS.name)
      issues.push({ path: ['hardware', name], message: `unknown node '${name}'` });
  }
  s.services.forEach((svc, i) => {
    if (sids.has(svc.sid))
      issues.push({ path: ['services', i, 'sid'], message: `duplicate service '${svc.sid}'` });
    sids.add(svc.sid);
    if (!nodes.has(svc.node))
      issues.push({ path: ['services', i, 'node'], message: `unknown node '${svc.node}'` });
    if (svc.group !== undefined && s.pve !== 8)
      issues.push({
        path: ['services', i, 'group'],
        message: 'HA groups exist only with pve: 8 (PVE 9 uses rules)',
      });
    if (svc.group !== undefined && !s.groups.some((g) => g.id === svc.group))
      issues.push({ path: ['services', i, 'group'], message: `unknown group '${svc.group}'` });
  });
  const vmids = new Set<string>();
  s.services.forEach((svc, i) => {
    const id = svc.sid.split(':')[1]!;
    if (vmids.has(id)) issues.push({ path: ['services', i, 'sid'], message: `guest id ${id} is used twice` });
    vmids.add(id);
  });
  if (s.rules.length > 0 && s.pve !== 9)
    issues.push({ path: ['rules'], message: 'HA rules need pve: 9 (PVE 8 uses groups)' });
  if (s.groups.length > 0 && s.pve !== 8)
    issues.push({ path: ['groups'], message: 'HA groups need pve: 8 (PVE 9 uses rules)' });
  s.rules.forEach((r, i) => {
    r.resources.forEach((sid, j) => {
      if (!sids.has(sid))
        issues.push({ path: ['rules', i, 'resources', j], message: `unknown service '${sid}'` });
    });
    if (r.type === 'node-affinity')
      for (const n of Object.keys(r.nodes))
        if (!nodes.has(n)) issues.push({ path: ['rules', i, 'nodes', n], message: `unknown node '${n}'` });
  });
  s.groups.forEach((g, i) => {
    for (const n of Object.keys(g.nodes))
      if (!nodes.has(n)) issues.push({ path: ['groups', i, 'nodes', n], message: `unknown node '${n}'` });
  });
  return issues;
}

export function buildScenarioWorld(s: Scenario, clock?: VirtualClock): World {
  const world = new World(
    {
      nodes: s.nodes.map((name, i) => ({ name, ip: `10.10.10.${11 + i}` })),
      rootPassword: SCENARIO_PASSWORD,
      nas: SCENARIO_NAS,
      pveMajor: s.pve,
      initial: { kind: 'cluster', clusterName: 'lab', nfsStorage: 'nas' },
    },
    clock,
  );
  const core = world.core;
  core.state.ha.shutdownPolicy = s.datacenter.shutdown_policy;
  for (const g of s.groups)
    core.state.ha.groups[g.id] = {
      group: g.id,
      nodes: g.nodes,
      restricted: g.restricted,
      nofailback: g.nofailback,
    };
  for (const svc of s.services) {
    const [kind, id] = svc.sid.split(':') as ['vm' | 'ct', string];
    const vmid = Number(id);
    const type = kind === 'vm' ? 'qemu' : 'lxc';
    const storage = svc.storage === 'shared' ? 'nas' : 'local-lvm';
    const volid = allocateDisk(core, storage, svc.node, vmid, kind === 'vm' ? 8 : 4, {
      content: kind === 'vm' ? 'images' : 'rootdir',
    });
    const config: Record<string, string> =
      type === 'qemu'
        ? {
            name: `vm${vmid}`,
            memory: '512',
            cores: '1',
            scsihw: 'virtio-scsi-single',
            scsi0: `${volid},size=8G`,
            net0: 'virtio,bridge=vmbr0',
            ostype: 'l26',
          }
        : { hostname: `ct${vmid}`, memory: '256', cores: '1', rootfs: `${volid},size=4G`, ostype: 'debian' };
    core.state.guests[id] = {
      vmid,
      type,
      node: svc.node,
      config,
      running: false,
      startedAt: 0,
      osUpAt: 0,
      inject: {
        startFails: svc.fail?.start ?? 0,
        migrateFails: svc.fail?.migrate ?? 0,
        stopFails: svc.fail?.stop ?? false,
      },
    };
    core.state.ha.resources[svc.sid] = {
      sid: svc.sid,
      type: kind,
      state: svc.state === 'enabled' ? 'started' : svc.state,
      max_restart: svc.max_restart,
      max_relocate: svc.max_relocate,
      failback: svc.failback,
      ...(svc.group !== undefined ? { group: svc.group } : {}),
    };
  }
  for (const r of s.rules) {
    core.state.ha.rules[r.id] =
      r.type === 'node-affinity'
        ? { type: r.type, rule: r.id, resources: r.resources, nodes: r.nodes, strict: r.strict }
        : { type: r.type, rule: r.id, resources: r.resources, affinity: r.affinity };
  }
  for (const [name, st] of Object.entries(s.hardware)) {
    if (name === SCENARIO_NAS.name) {
      if (st.power === 'off') world.powerOff(name);
      if (st.network === 'off') world.setCable(name, false);
      continue;
    }
    if (st.power === 'off') hw.powerOff(core, name);
    if (st.network === 'off') core.state.nodes[name]!.cable = false;
  }
  recomputeMembership(core);
  core.cancel('membership');
  return world;
}
