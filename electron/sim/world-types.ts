/**
 * Configuration and read-only view types of the simulated datacenter. Kept apart from the
 * implementation so the HTTP server, the shell and the scenario runner can import them cheaply.
 */

export type PveMajor = 8 | 9;

export interface SimNodeConfig {
  /** Host name, e.g. `pve1` (pve-node format). */
  name: string;
  /** The node's address on the lab network (what join info reports as `pve_addr`/`ring0_addr`). */
  ip: string;
}

export interface SimNasConfig {
  name: string;
  ip: string;
  /** NFS export paths, e.g. `['/mnt/tank/pve']`. */
  exports: string[];
}

export interface SimWorldConfig {
  nodes: SimNodeConfig[];
  /** root@pam password of every node (as set by the installer). */
  rootPassword: string;
  nas?: SimNasConfig;
  /** 9 = HA rules (default); 8 = HA groups. */
  pveMajor?: PveMajor;
  /**
   * `standalone`: freshly installed nodes, powered on and booted, each its own single-node "cluster"
   * without corosync (labs start here). `cluster`: one formed cluster with every node joined
   * (scenarios start here), with an NFS storage `nas` when a NAS is configured.
   */
  initial?: { kind: 'standalone' } | { kind: 'cluster'; clusterName?: string; nfsStorage?: string };
  /** Seconds from power-on until the node's services (corosync, pmxcfs, API, HA) are up. Default 40. */
  nodeBootSeconds?: number;
  /** Seconds from guest start until its OS answers (ping, guest agent). Default 25. */
  guestBootSeconds?: number;
  /** Epoch milliseconds of virtual time 0 (task start times, logs). Default: 2026-01-01T00:00:00Z. */
  epochMs?: number;
}

/** CRM view of a node (`manager_status.node_status`). */
export type HaNodeState = 'online' | 'maintenance' | 'unknown' | 'fence' | 'gone';
export type CrmDaemonState = 'startup' | 'wait_for_quorum' | 'master' | 'slave' | 'lost_manager_lock' | 'off';
export type LrmDaemonState =
  'startup' | 'wait_for_agent_lock' | 'active' | 'lost_agent_lock' | 'maintenance' | 'off';
export type LrmMode = 'active' | 'shutdown' | 'restart' | 'maintenance';
export type HaServiceState =
  | 'stopped'
  | 'request_stop'
  | 'request_start'
  | 'started'
  | 'fence'
  | 'recovery'
  | 'migrate'
  | 'relocate'
  | 'freeze'
  | 'error';
export type HaRequestState = 'started' | 'stopped' | 'disabled' | 'ignored';
export type ShutdownPolicy = 'conditional' | 'freeze' | 'failover' | 'migrate';

/** A state change the world reports to observers (scenario transitions, UI timelines). */
export interface WorldTransition {
  /** Virtual time in ms. */
  t: number;
  /** `vm:100` (CRM service state), `node:<n>` (CRM view of a node), `crm:<n>`, `lrm:<n>`, `power:<n>`, `guest:<vmid>`. */
  subject: string;
  from: string;
  to: string;
}

export interface WorldLogEntry {
  /** Virtual time in ms. */
  t: number;
  node: string;
  /** Daemon or component: `pve-ha-crm`, `pve-ha-lrm`, `corosync`, `watchdog-mux`, `pvedaemon`, … */
  tag: string;
  msg: string;
}
