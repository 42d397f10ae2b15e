/**
 * Builds the topology snapshot the UI draws — nodes, quorum, CRM master, LRMs, guests, storage,
 * the NAS — from what any live node's API reports plus the hypervisor's power view.
 * Only the public Proxmox API is used, so it shows a real cluster exactly as a simulated one.
 */
import type { NodePower, TopologyInfo, TopologyNodeInfo, TopologyStorageInfo } from '../contract/dto.ts';
import type { Clock } from '../clock/clock.ts';
import type { HypervisorDriver, MachineInfo, MachineKind } from '../hypervisor/driver.ts';
import type { PveApi } from '../pve/api.ts';
import { isSet, type ClusterResource, type ClusterStatusEntry, type HaManagerStatus } from '../pve/cluster-responses.ts';

export interface TopologyMachine {
  name: string;
  kind: MachineKind;
  address: string;
}

interface StorageConfig {
  storage: string;
  type: string;
  server?: string;
  shared?: number;
}

export function powerOf(machine: MachineInfo | undefined): NodePower {
  switch (machine?.power) {
    case 'running':
      return 'on';
    case 'off':
    case 'absent':
    case 'saved':
      return 'off';
    case 'starting':
      return 'starting';
    case 'stopping':
      return 'stopping';
    default:
      return 'unknown';
  }
}

export function quorumNeeded(expected: number): number {
  return Math.floor(expected / 2) + 1;
}

export class TopologyObserver {
  constructor(
    private readonly deps: {
      pve: PveApi;
      driver: HypervisorDriver;
      machines: TopologyMachine[];
      clock: Clock;
      /** Clock time at which the lab started (the topology shows time since then). */
      startedAt?: number;
    },
  ) {}

  async observe(signal?: AbortSignal): Promise<TopologyInfo> {
    const { pve, driver, machines, clock } = this.deps;
    const hardware = new Map((await driver.listMachines()).map((m) => [m.name, m]));
    const pveMachines = machines.filter((m) => m.kind === 'pve');
    const reachable = pveMachines.filter((m) => {
      const hw = hardware.get(m.name);
      return hw?.power === 'running' && hw.cableConnected;
    });

    const ask = async <T>(path: string, node?: string, params?: Record<string, string>): Promise<T | null> => {
      try {
        return await pve.request<T>({
          method: 'GET',
          path,
          timeoutMs: 1500,
          ...(node ? { node } : {}),
          ...(params ? { params } : {}),
          ...(signal ? { signal } : {}),
        });
      } catch {
        return null;
      }
    };

    // Any reachable node tells us whether a cluster exists; ask one that is up.
    const first = reachable[0]?.name;
    const status = first ? await ask<ClusterStatusEntry[]>('/cluster/status') : null;
    const cluster = status?.find((e) => e.type === 'cluster') ?? null;
    const memberNames = new Set(
      (status ?? []).filter((e) => e.type === 'node' && cluster).map((e) => e.name ?? ''),
    );
    const onlineNames = new Set(
      (status ?? []).filter((e) => e.type === 'node' && isSet(e.online)).map((e) => e.name ?? ''),
    );

    // A cluster answers for all its members; standalone nodes answer only for themselves.
    const resources: ClusterResource[] = [];
    const askedNodes = cluster ? [undefined] : reachable.map((m) => m.name);
    for (const node of askedNodes) resources.push(...((await ask<ClusterResource[]>('/cluster/resources', node)) ?? []));
    const manager = cluster ? await ask<HaManagerStatus>('/cluster/ha/status/manager_status') : null;
    const storageConfig = first ? ((await ask<StorageConfig[]>('/storage')) ?? []) : [];

    // Without quorum no CRM runs and manager_status is whatever the last master wrote: showing
    // it would claim that dead nodes are "online". Show no HA view until quorum is back.
    const haLive = isSet(cluster?.quorate);
    const nodeStatus = haLive ? (manager?.manager_status?.node_status ?? {}) : {};
    const master = haLive ? (manager?.manager_status?.master_node ?? null) : null;
    const nodes: TopologyNodeInfo[] = pveMachines.map((m) => {
      const hw = hardware.get(m.name);
      const inCluster = memberNames.has(m.name);
      const lrm = haLive ? manager?.lrm_status?.[m.name] : undefined;
      return {
        name: m.name,
        address: m.address,
        power: powerOf(hw),
        cable: hw?.cableConnected ?? false,
        online: inCluster ? onlineNames.has(m.name) : reachable.some((r) => r.name === m.name),
        haNodeState: nodeStatus[m.name] ?? null,
        isCrmMaster: master === m.name && Object.keys(nodeStatus).length > 0,
        lrmState: lrm?.state ?? null,
        inCluster,
        guests: resources
          .filter((r) => (r.type === 'qemu' || r.type === 'lxc') && r.node === m.name)
          .map((r) => ({
            sid: `${r.type === 'qemu' ? 'vm' : 'ct'}:${r.vmid ?? 0}`,
            vmid: r.vmid ?? 0,
            name: r.name ?? String(r.vmid ?? ''),
            status: r.status ?? 'unknown',
            haState: r.hastate ?? null,
          })),
      };
    });

    const storages: TopologyStorageInfo[] = storageConfig
      .filter((s) => s.type !== 'dir' || s.storage !== 'local')
      .map((s) => ({
        id: s.storage,
        type: s.type,
        shared: s.type === 'nfs' || isSet(s.shared),
        ...(s.server ? { server: s.server } : {}),
        activeOn: resources
          .filter((r) => r.type === 'storage' && r.storage === s.storage && r.status === 'available')
          .map((r) => r.node ?? '')
          .filter(Boolean),
      }));

    const nasMachine = machines.find((m) => m.kind === 'nfs' || m.kind === 'truenas');
    const nfs = storages.filter((s) => s.type === 'nfs');
    const expected = cluster?.nodes ?? 0;
    return {
      clusterName: cluster?.name ?? null,
      quorum: cluster
        ? {
            quorate: isSet(cluster.quorate),
            votes: onlineNames.size,
            expected,
            needed: quorumNeeded(expected),
          }
        : null,
      nodes,
      nas: nasMachine
        ? {
            name: nasMachine.name,
            address: nasMachine.address,
            power: powerOf(hardware.get(nasMachine.name)),
            exportAnswering:
              nfs.length > 0
                ? nfs.some((s) => s.activeOn.length > 0)
                : powerOf(hardware.get(nasMachine.name)) === 'on',
          }
        : null,
      storages,
      clockMs: Math.max(0, clock.now() - (this.deps.startedAt ?? 0)),
      observedAt: new Date().toISOString(),
    };
  }
}
