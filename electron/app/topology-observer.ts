/**
 * Builds the topology snapshot the UI draws — nodes, quorum, CRM master, LRMs, guests, storage,
 * the NAS — from what any live node's API reports plus the hypervisor's power view.
 * Only the public Proxmox API is used, so it shows a real cluster exactly as a simulated one.
 */
import type {
  NodeDownReason,
  NodePower,
  TopologyInfo,
  TopologyNodeInfo,
  TopologyStorageInfo,
} from '../contract/dto.ts';
import type { Clock } from '../clock/clock.ts';
import type { HypervisorDriver, MachineInfo, MachineKind } from '../hypervisor/driver.ts';
import type { PveApi } from '../pve/api.ts';
import {
  isSet,
  type ClusterResource,
  type ClusterStatusEntry,
  type HaManagerStatus,
} from '../pve/cluster-responses.ts';

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

/**
 * The quorum as votequorum computes it now. The API reports only the configured node count and
 * whether the partition is quorate; a partition quorate with fewer votes than a majority of the
 * configuration means someone lowered the expected votes (`pvecm expected N`, which corosync never
 * lets drop below the votes present): votequorum then uses N = the votes present.
 */
export function runtimeQuorum(
  quorate: boolean,
  votes: number,
  configured: number,
): NonNullable<TopologyInfo['quorum']> {
  if (quorate && votes < quorumNeeded(configured)) {
    return { quorate, votes, expected: votes, needed: quorumNeeded(votes), expectedLoweredFrom: configured };
  }
  return { quorate, votes, expected: configured, needed: quorumNeeded(configured) };
}

export class TopologyObserver {
  /** The last cluster seen, kept while no node answers (a self-fence reboots the only survivor). */
  #lastCluster: { name: string; members: Set<string> } | null = null;
  /** Nodes that were up without quorum at the last look: their watchdog resets them within ~70 s. */
  #withoutQuorum = new Set<string>();
  #downReasons = new Map<string, NodeDownReason>();

  /** Why `node` does not answer, as of the last observation (null: it should answer). */
  downReason(node: string): NodeDownReason | null {
    return this.#downReasons.get(node) ?? null;
  }

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

  /**
   * Nodes that do not answer, and why: off; booting; or reset by their watchdog — a node that was
   * up without quorum, then goes down or stops answering without being powered off (self-fence).
   */
  #nodesDown(
    pveMachines: TopologyMachine[],
    hardware: Map<string, MachineInfo>,
    onlineNames: Set<string>,
    anyAnswered: boolean,
  ): Map<string, NodeDownReason> {
    const down = new Map<string, NodeDownReason>();
    for (const m of pveMachines) {
      const power = powerOf(hardware.get(m.name));
      if (power === 'on' && (onlineNames.has(m.name) || (!anyAnswered && !this.#withoutQuorum.has(m.name))))
        continue;
      const wasFencing = this.#withoutQuorum.has(m.name) || this.#downReasons.get(m.name) === 'watchdog';
      if (wasFencing && power !== 'stopping') down.set(m.name, 'watchdog');
      else if (power === 'starting') down.set(m.name, 'booting');
      else if (power === 'off') down.set(m.name, 'off');
    }
    return down;
  }

  async observe(signal?: AbortSignal): Promise<TopologyInfo> {
    const { pve, driver, machines, clock } = this.deps;
    const hardware = new Map((await driver.listMachines()).map((m) => [m.name, m]));
    const pveMachines = machines.filter((m) => m.kind === 'pve');
    const reachable = pveMachines.filter((m) => {
      const hw = hardware.get(m.name);
      return hw?.power === 'running' && hw.cableConnected;
    });

    const ask = async <T>(
      path: string,
      node?: string,
      params?: Record<string, string>,
    ): Promise<T | null> => {
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

    // Any reachable node tells us whether a cluster exists; ask each that is up until one answers.
    let status: ClusterStatusEntry[] | null = null;
    const answered = new Set<string>();
    for (const m of reachable) {
      status = await ask<ClusterStatusEntry[]>('/cluster/status', m.name);
      if (status) {
        answered.add(m.name);
        break;
      }
    }
    const first = [...answered][0];
    const cluster = status?.find((e) => e.type === 'cluster') ?? null;
    const stale = !status && this.#lastCluster !== null;
    const memberNames = stale
      ? new Set(this.#lastCluster?.members)
      : new Set((status ?? []).filter((e) => e.type === 'node' && cluster).map((e) => e.name ?? ''));
    const onlineNames = new Set(
      (status ?? []).filter((e) => e.type === 'node' && isSet(e.online)).map((e) => e.name ?? ''),
    );

    // A cluster answers for all its members; standalone nodes answer only for themselves.
    const resources: ClusterResource[] = [];
    const askedNodes = cluster ? [first] : status ? reachable.map((m) => m.name) : [];
    for (const node of askedNodes)
      resources.push(...((await ask<ClusterResource[]>('/cluster/resources', node)) ?? []));
    const manager = cluster ? await ask<HaManagerStatus>('/cluster/ha/status/manager_status') : null;
    const storageConfig = first ? ((await ask<StorageConfig[]>('/storage')) ?? []) : [];

    // Without quorum no CRM runs and manager_status is whatever the last master wrote: showing
    // it would claim that dead nodes are "online". Show no HA view until quorum is back.
    const haLive = isSet(cluster?.quorate);
    const nodeStatus = haLive ? (manager?.manager_status?.node_status ?? {}) : {};
    const master = haLive ? (manager?.manager_status?.master_node ?? null) : null;
    const down = this.#nodesDown(pveMachines, hardware, onlineNames, status !== null);
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
        ...(down.has(m.name) ? { down: down.get(m.name) } : {}),
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
    if (cluster?.name) this.#lastCluster = { name: cluster.name, members: memberNames };
    else if (status) this.#lastCluster = null;
    this.#withoutQuorum =
      cluster && !isSet(cluster.quorate)
        ? new Set([...onlineNames].filter((n) => memberNames.has(n)))
        : new Set();
    this.#downReasons = down;
    return {
      clusterName: cluster?.name ?? (stale ? (this.#lastCluster?.name ?? null) : null),
      ...(stale ? { stale: true } : {}),
      quorum: cluster ? runtimeQuorum(isSet(cluster.quorate), onlineNames.size, cluster.nodes ?? 0) : null,
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
