/**
 * The shapes of the cluster-wide answers several parts of NestLab read (the topology, drills,
 * drill target selection), declared once. Fields follow pve-apidoc.json (`returns`); Proxmox
 * writes its booleans as 0/1, so flags are read with `isSet`. Only what NestLab reads is listed.
 */

/** One entry of `GET /cluster/status`: the cluster itself, or one node. */
export interface ClusterStatusEntry {
  type: 'cluster' | 'node';
  id?: string;
  name?: string;
  /** type cluster: how many nodes the cluster has. */
  nodes?: number;
  /** type cluster: whether this partition has quorum. */
  quorate?: number | boolean;
  /** type node: whether the node is a member of this partition now. */
  online?: number | boolean;
  ip?: string;
  nodeid?: number;
  local?: number | boolean;
  version?: number;
}

/** One entry of `GET /cluster/resources`. */
export interface ClusterResource {
  type: 'node' | 'storage' | 'pool' | 'qemu' | 'lxc' | 'openvz' | 'sdn' | 'network';
  /** e.g. `qemu/100`, `storage/pve1/local`, `node/pve1`. */
  id?: string;
  node?: string;
  status?: string;
  vmid?: number;
  name?: string;
  /** The HA state of a guest under HA (`started`, `stopped`, `fence`, …). */
  hastate?: string;
  storage?: string;
  plugintype?: string;
  shared?: number | boolean;
}

/**
 * `GET /cluster/ha/status/manager_status`: what the CRM master last wrote (pve-ha-manager's
 * manager_status) and each node's LRM status.
 */
export interface HaManagerStatus {
  manager_status?: {
    master_node?: string;
    timestamp?: number;
    /** node → `online`, `unknown`, `fence`, `maintenance`, … */
    node_status?: Record<string, string>;
    service_status?: Record<string, { state?: string; node?: string }>;
  };
  lrm_status?: Record<string, { state?: string; mode?: string }>;
}

/** A Proxmox boolean, sent as 0/1 (or true/false by some clients): true when set. */
export function isSet(flag: number | boolean | undefined): boolean {
  return flag === true || flag === 1;
}
