import { describe, expect, it } from 'vitest';

import { TopologyObserver, type TopologyMachine } from '../../../electron/app/topology-observer.ts';
import { realClock } from '../../../electron/clock/clock.ts';
import type { HypervisorDriver, MachineInfo } from '../../../electron/hypervisor/driver.ts';
import type { PveApi, PveRequest } from '../../../electron/pve/api.ts';

const machines: TopologyMachine[] = [
  { name: 'pve1', kind: 'pve', address: '192.168.56.11' },
  { name: 'pve2', kind: 'pve', address: '192.168.56.12' },
  { name: 'pve3', kind: 'pve', address: '192.168.56.13' },
  { name: 'nas', kind: 'nfs', address: '192.168.56.20' },
];

function driver(off: string[] = []): HypervisorDriver {
  const info = (name: string): MachineInfo => ({
    name,
    kind: name === 'nas' ? 'nfs' : 'pve',
    power: off.includes(name) ? 'off' : 'running',
    cableConnected: true,
    addresses: [],
  });
  return { listMachines: async () => machines.map((m) => info(m.name)) } as unknown as HypervisorDriver;
}

function api(answers: (req: PveRequest) => unknown): PveApi & { calls: PveRequest[] } {
  const calls: PveRequest[] = [];
  return {
    calls,
    request: async <T>(req: PveRequest) => {
      calls.push(req);
      return answers(req) as T;
    },
  } as unknown as PveApi & { calls: PveRequest[] };
}

const managerStatus = {
  manager_status: { master_node: 'pve1', node_status: { pve1: 'online', pve2: 'unknown', pve3: 'online' } },
  lrm_status: {
    pve1: { state: 'active' },
    pve2: { state: 'active' },
    pve3: { state: 'wait_for_agent_lock' },
  },
};

const resources = [
  { type: 'qemu', vmid: 100, node: 'pve3', status: 'running', name: 'tinycore', hastate: 'started' },
  { type: 'storage', storage: 'nfs-lab', node: 'pve1', status: 'available' },
  { type: 'storage', storage: 'nfs-lab', node: 'pve3', status: 'available' },
];

describe('topology observer', () => {
  it('shows quorum, the CRM master, LRM states and where each guest runs', async () => {
    const pve = api((req) => {
      switch (req.path) {
        case '/cluster/status':
          return [
            { type: 'cluster', name: 'lab', nodes: 3, quorate: 1 },
            { type: 'node', name: 'pve1', online: 1 },
            { type: 'node', name: 'pve2', online: 0 },
            { type: 'node', name: 'pve3', online: 1 },
          ];
        case '/cluster/resources':
          return resources;
        case '/cluster/ha/status/manager_status':
          return managerStatus;
        case '/storage':
          return [
            { storage: 'local', type: 'dir' },
            { storage: 'nfs-lab', type: 'nfs', server: '192.168.56.20' },
          ];
        default:
          throw new Error(`unexpected ${req.path}`);
      }
    });
    const topology = await new TopologyObserver({
      pve,
      driver: driver(['pve2']),
      machines,
      clock: realClock,
    }).observe();
    expect(topology.clusterName).toBe('lab');
    expect(topology.quorum).toEqual({ quorate: true, votes: 2, expected: 3, needed: 2 });
    const [pve1, pve2, pve3] = topology.nodes;
    expect(pve1).toMatchObject({
      isCrmMaster: true,
      haNodeState: 'online',
      lrmState: 'active',
      online: true,
    });
    expect(pve2).toMatchObject({ power: 'off', online: false, haNodeState: 'unknown' });
    expect(pve3?.guests).toEqual([
      { sid: 'vm:100', vmid: 100, name: 'tinycore', status: 'running', haState: 'started' },
    ]);
    expect(topology.storages).toEqual([
      { id: 'nfs-lab', type: 'nfs', shared: true, server: '192.168.56.20', activeOn: ['pve1', 'pve3'] },
    ]);
    expect(topology.nas).toMatchObject({ name: 'nas', power: 'on', exportAnswering: true });
  });

  it('hides the stale HA view while the cluster has no quorum', async () => {
    const pve = api((req) =>
      req.path === '/cluster/status'
        ? [
            { type: 'cluster', name: 'lab', nodes: 3, quorate: 0 },
            { type: 'node', name: 'pve1', online: 1 },
            { type: 'node', name: 'pve2', online: 0 },
            { type: 'node', name: 'pve3', online: 0 },
          ]
        : req.path === '/cluster/ha/status/manager_status'
          ? managerStatus
          : [],
    );
    const topology = await new TopologyObserver({
      pve,
      driver: driver(['pve2', 'pve3']),
      machines,
      clock: realClock,
    }).observe();
    expect(topology.quorum).toMatchObject({ quorate: false, votes: 1, needed: 2 });
    for (const node of topology.nodes) {
      expect(node).toMatchObject({ isCrmMaster: false, haNodeState: null, lrmState: null });
    }
  });

  it('asks each standalone node about itself before a cluster exists', async () => {
    const pve = api((req) =>
      req.path === '/cluster/status'
        ? [{ type: 'node', name: 'pve1', online: 1 }]
        : req.path === '/cluster/resources'
          ? [{ type: 'qemu', vmid: 100 + Number(req.node?.slice(3)), node: req.node, status: 'stopped' }]
          : [],
    );
    const topology = await new TopologyObserver({
      pve,
      driver: driver(),
      machines,
      clock: realClock,
    }).observe();
    expect(topology.clusterName).toBeNull();
    expect(topology.quorum).toBeNull();
    expect(pve.calls.filter((c) => c.path === '/cluster/resources').map((c) => c.node)).toEqual([
      'pve1',
      'pve2',
      'pve3',
    ]);
    expect(topology.nodes.map((n) => n.guests.map((g) => g.vmid))).toEqual([[101], [102], [103]]);
    expect(topology.nodes.every((n) => !n.inCluster && n.online)).toBe(true);
  });
});
