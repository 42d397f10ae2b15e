import type { PveApi } from '../../pve/api.ts';
import { canonicalSid } from './guest-path.ts';
import type { ClusterResource, ClusterStatusEntry } from '../../pve/cluster-responses.ts';

export interface SelectedTarget {
  sid: string;
  /** Node the HA service runs on now; undefined only when the service was optional and absent. */
  node: string | undefined;
  /** Current CRM master, if HA reports one. */
  master?: string;
  /** Every node of the cluster, online or not. */
  members: string[];
}

interface HaStatusEntry {
  type?: string;
  sid?: string;
  node?: string;
  id?: string;
  status?: string;
}

/**
 * Finds the node running an HA service: `/cluster/ha/status/current` first (what HA believes),
 * then `/cluster/resources` (where the guest's config lives). The master comes from the former.
 */
export async function selectDrillTarget(
  pve: PveApi,
  sidInput: string,
  options: { signal?: AbortSignal; serviceRequired?: boolean } = {},
): Promise<SelectedTarget> {
  const { signal, serviceRequired = true } = options;
  const sid = canonicalSid(sidInput);
  const status = await pve.request<HaStatusEntry[]>({
    method: 'GET',
    path: '/cluster/ha/status/current',
    signal,
  });
  const service = status.find((e) => e.type === 'service' && e.sid === sid);
  const masterEntry = status.find((e) => e.type === 'master');
  const master = masterEntry?.node ?? /^(\S+)/.exec(masterEntry?.status ?? '')?.[1];
  let node = service?.node;
  if (!node) {
    const resources = await pve.request<ClusterResource[]>({
      method: 'GET',
      path: '/cluster/resources',
      params: { type: 'vm' },
      signal,
    });
    const [kind, vmid] = sid.split(':');
    node = resources.find((r) => r.id === `${kind === 'ct' ? 'lxc' : 'qemu'}/${vmid}`)?.node;
  }
  if (!node && serviceRequired) {
    throw new Error(
      `drill: no node runs ${sid} (not in GET /cluster/ha/status/current nor /cluster/resources)`,
    );
  }
  const cluster = await pve.request<ClusterStatusEntry[]>({ method: 'GET', path: '/cluster/status', signal });
  const members = cluster.filter((e) => e.type === 'node' && e.name).map((e) => e.name as string);
  return { sid, node, members, ...(master && master !== 'idle' ? { master } : {}) };
}
