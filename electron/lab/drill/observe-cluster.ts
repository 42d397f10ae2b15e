import type { PveApi } from '../../pve/api.ts';
import { guestPath } from './guest-path.ts';
import type { DrillObservation } from './observation.ts';
import {
  isSet,
  type ClusterResource,
  type ClusterStatusEntry,
  type HaManagerStatus,
} from '../../pve/cluster-responses.ts';

export interface ObserveRequest {
  pve: PveApi;
  sid: string;
  /** Nodes to ask, in order of preference. The drilled node is never among them. */
  survivors: string[];
  /** Also read the guest's status (and agent) on this node, once HA has started it there. */
  guestNode?: string;
  /** Read storage state (NAS drills). */
  watchStorage: boolean;
  /** Per-request timeout: a dead survivor must not stall a 1 s polling loop for long. */
  requestTimeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Takes one observation through the first survivor that answers `/cluster/status`, then reads
 * HA state through that same node. Every call names its node, so the client never wanders
 * to the dead one. Failed reads leave their part of the observation out.
 */
export async function observeCluster(req: ObserveRequest, at: number): Promise<DrillObservation> {
  const { pve, signal, requestTimeoutMs: timeoutMs } = req;
  for (const via of req.survivors) {
    let cluster: ClusterStatusEntry[];
    try {
      cluster = await pve.request<ClusterStatusEntry[]>({
        method: 'GET',
        path: '/cluster/status',
        node: via,
        signal,
        timeoutMs,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      continue;
    }
    const obs: DrillObservation = { at, via, cluster: parseClusterStatus(cluster) };
    const manager = await optional(() =>
      pve.request<HaManagerStatus>({
        method: 'GET',
        path: '/cluster/ha/status/manager_status',
        node: via,
        signal,
        timeoutMs,
      }),
    );
    if (manager?.manager_status) {
      const m = manager.manager_status;
      const service = m.service_status?.[req.sid];
      obs.ha = {
        ...(m.master_node ? { master: m.master_node } : {}),
        nodeStatus: { ...(m.node_status ?? {}) },
        ...(service?.state && service.node ? { service: { state: service.state, node: service.node } } : {}),
      };
    }
    if (req.watchStorage) {
      const storage = await optional(() =>
        pve.request<ClusterResource[]>({
          method: 'GET',
          path: '/cluster/resources',
          params: { type: 'storage' },
          node: via,
          signal,
          timeoutMs,
        }),
      );
      if (storage) obs.storage = parseSharedStorage(storage);
    }
    if (req.guestNode) {
      const guest = guestPath(req.sid);
      const node = req.guestNode;
      const current = await optional(() =>
        pve.request<{ status?: string }>({
          method: 'GET',
          path: `/nodes/${node}/${guest.path}/status/current`,
          node,
          signal,
          timeoutMs,
        }),
      );
      if (current?.status) obs.guest = { node, status: current.status };
      if (current?.status === 'running') {
        if (guest.type === 'qemu') {
          const pinged = await optional(async () => {
            await pve.request({
              method: 'POST',
              path: `/nodes/${node}/${guest.path}/agent/ping`,
              node,
              signal,
              timeoutMs,
            });
            return true;
          });
          obs.agentPing = { node, ok: pinged === true };
        } else {
          // Containers have no guest agent: running is as far as the API can tell.
          obs.agentPing = { node, ok: true };
        }
      }
    }
    return obs;
  }
  return { at, via: '' };

  async function optional<T>(read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      if (signal?.aborted) throw error;
      return undefined;
    }
  }
}

export function parseClusterStatus(entries: ClusterStatusEntry[]): NonNullable<DrillObservation['cluster']> {
  const clusterEntry = entries.find((e) => e.type === 'cluster');
  const nodes: Record<string, boolean> = {};
  for (const e of entries) if (e.type === 'node' && e.name) nodes[e.name] = isSet(e.online);
  // A standalone node has no cluster entry and is trivially quorate.
  return { quorate: clusterEntry ? isSet(clusterEntry.quorate) : true, nodes };
}

/** Shared storages (NFS and the like): available only if every node that reports it sees it. */
export function parseSharedStorage(entries: ClusterResource[]): Record<string, boolean> {
  const result: Record<string, boolean> = {};
  for (const e of entries) {
    if (!e.storage || !(isSet(e.shared) || e.plugintype === 'nfs')) continue;
    result[e.storage] = (result[e.storage] ?? true) && e.status === 'available';
  }
  return result;
}
