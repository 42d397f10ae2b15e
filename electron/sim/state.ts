/**
 * The whole simulated datacenter as plain data. Everything timed is in `agenda` as data too, so
 * a checkpoint is one structuredClone and a restore re-arms a single clock timer.
 */
import type { AccessState } from './access.ts';
import type {
  CrmDaemonState,
  HaNodeState,
  HaRequestState,
  HaServiceState,
  LrmDaemonState,
  LrmMode,
  PveMajor,
  ShutdownPolicy,
} from './world-types.ts';

export type NodePhase = 'off' | 'booting' | 'up' | 'shutting-down';

export interface NodeState {
  name: string;
  ip: string;
  fingerprint: string;
  power: 'on' | 'off';
  phase: NodePhase;
  /** Network cable to the lab switch. */
  cable: boolean;
  /** Network segment; nodes reach each other only within the same segment (partitions). */
  segment: string;
  /** Increments on every power-on; timed events of an older boot are ignored. */
  bootId: number;
  upSince: number;
  /** `pvecm expected N` issued on this node (runtime only, lost on reboot). */
  expectedOverride?: number;
  /** A clean shutdown/reboot in progress, waiting for the LRM to stop its services. */
  shutdownRequest?: 'reboot' | 'poweroff';
  /** `shutdownRequest`: systemd asked the CRM to stop; a master acts on it at its next round (CRM.pm). */
  crm: { state: CrmDaemonState; idleRounds: number; shutdownRequest?: boolean };
  lrm: LrmState;
  /** watchdog-mux clients: last update time of each open client (undefined = closed). */
  watchdog: { crm?: number; lrm?: number };
}

export interface LrmResult {
  exitCode: number;
}

export interface LrmWorker {
  sid: string;
  uid: string;
  state: HaServiceState;
  target?: string;
  /** When the guest operation finishes. */
  doneAt: number;
  /** Nothing to do (already in the requested state). */
  noop?: boolean;
}

export interface LrmState {
  state: LrmDaemonState;
  mode: LrmMode;
  /** Results by CRM uid, as in lrm_status. */
  results: Record<string, LrmResult>;
  /** Last time lrm_status was written (pmxcfs, so only while quorate). */
  timestamp: number;
  idleRounds: number;
  workers: Record<string, LrmWorker>;
  /** Failed local start attempts per sid (max_restart accounting). */
  restartTries: Record<string, number>;
  /** The uid each service was last processed with, so a (uid, state) runs once. */
  processed: Record<string, string>;
  /** Worker jobs queued but not yet running (max_workers). */
  queue: { sid: string; uid: string; state: HaServiceState; target?: string; timeout?: number }[];
  /** The LRM finished its shutdown work and exited (node shutdown/reboot in progress). */
  exited: boolean;
  /** A daemon restart (not a node shutdown) is in progress. */
  restarting: boolean;
  /** When the node's shutdown asked the LRM to stop (systemd kills it an hour later). */
  shutdownRequestedAt?: number | undefined;
}

export interface ClusterConfig {
  name: string;
  /** The node that created the cluster: its CA and authkey became the cluster's. */
  founder?: string;
  nodes: Record<string, { nodeid: number; votes: number; ip: string }>;
  configVersion: number;
  tokenCoefficient: number;
  /** `pvecm qdevice setup <ip>`: corosync-qnetd on that machine adds one vote (algorithm ffsplit). */
  qdevice?: { ip: string };
}

export interface StorageConfig {
  type: 'dir' | 'lvmthin' | 'nfs';
  content: string[];
  path?: string;
  server?: string;
  export?: string;
  vgname?: string;
  thinpool?: string;
  options?: string;
  nodes?: string[];
  disable?: boolean;
}

export interface Volume {
  volid: string;
  content: string;
  format: string;
  size: number;
  vmid?: number;
  ctime: number;
  notes?: string;
  protected?: boolean;
}

export interface GuestState {
  vmid: number;
  type: 'qemu' | 'lxc';
  node: string;
  config: Record<string, string>;
  running: boolean;
  /** Node whose QEMU/LXC process runs it (normally `node`; differs only in a split brain). */
  runningOn?: string;
  startedAt: number;
  /** When the guest OS answers (ping, agent). */
  osUpAt: number;
  lock?: string;
  /** Paused (`status/suspend`): still running, but its OS answers nothing. */
  paused?: boolean;
  /** Snapshots by name, in creation order (`qm snapshot`). */
  snapshots?: Record<string, GuestSnapshot>;
  /** The snapshot the current state derives from (`parent` in the config). */
  parent?: string;
  inject: { startFails: number; migrateFails: number; stopFails: boolean };
}

export interface GuestSnapshot {
  name: string;
  description?: string;
  snaptime: number;
  /** Saved with the RAM (`vmstate=1`), so a rollback resumes the guest running. */
  vmstate: boolean;
  parent?: string;
  config: Record<string, string>;
}

export interface TaskState {
  upid: string;
  node: string;
  pid: number;
  pstart: number;
  starttime: number;
  type: string;
  id: string;
  user: string;
  status: 'running' | 'stopped';
  exitstatus?: string;
  endtime?: number;
  log: string[];
  /** Daemon that runs it (cluster log tag): pvedaemon, pve-ha-lrm. */
  daemon?: string;
}

export interface ClusterLogEntry {
  uid: number;
  time: number;
  pri: number;
  tag: string;
  pid: number;
  node: string;
  user: string;
  msg: string;
}

export interface HaResourceConfig {
  sid: string;
  type: 'vm' | 'ct';
  state: HaRequestState;
  max_restart: number;
  max_relocate: number;
  failback: boolean;
  group?: string;
  comment?: string;
}

export interface NodeAffinityRule {
  type: 'node-affinity';
  rule: string;
  resources: string[];
  nodes: Record<string, number>;
  strict: boolean;
  disable?: boolean;
  comment?: string;
}

export interface ResourceAffinityRule {
  type: 'resource-affinity';
  rule: string;
  resources: string[];
  affinity: 'positive' | 'negative';
  disable?: boolean;
  comment?: string;
}

export type HaRule = NodeAffinityRule | ResourceAffinityRule;

export interface HaGroup {
  group: string;
  nodes: Record<string, number>;
  restricted: boolean;
  nofailback: boolean;
  comment?: string;
}

export interface ServiceStatus {
  state: HaServiceState;
  node: string;
  uid: string;
  running?: boolean;
  target?: string;
  failed_nodes?: string[];
  maintenance_node?: string;
  /** Timeout of a queued `stop <timeout>` command. */
  timeout?: number;
  /** A pending admin command (`migrate`/`relocate` to a node). */
  cmd?: { cmd: 'migrate' | 'relocate'; target: string };
}

export interface ManagerStatus {
  master_node?: string;
  timestamp: number;
  node_status: Record<string, HaNodeState>;
  service_status: Record<string, ServiceStatus>;
  node_request: Record<string, { maintenance?: boolean }>;
}

export type GuestOp = 'start' | 'stop' | 'shutdown' | 'migrate';

/**
 * Every timed event of the model by kind, with its payload as named fields. A `bootId` makes an
 * event scheduled before a node's reboot a no-op after it.
 */
export interface AgendaEvents {
  'node-up': { node: string; bootId: number };
  membership: Record<string, never>;
  'join-done': { upid: string; node: string; bootId: number };
  'crm-loop': { node: string; bootId: number };
  'lrm-loop': { node: string; bootId: number };
  /** A guest operation's worker finished (guests.ts). */
  'guest-op-done': {
    upid: string;
    op: GuestOp;
    vmid: number;
    node: string;
    bootId: number;
    /** The LRM worker that asked for it, if any. */
    lrm: { sid: string; uid: string } | null;
    target: string;
    forceStop: boolean;
    timeout: number;
    relocate: boolean;
  };
  /** An LRM worker's guest operation ended with `exitCode` (how guests.ts reports to ha/lrm.ts). */
  'lrm-worker-done': { node: string; sid: string; uid: string; exitCode: number };
  onboot: { node: string; bootId: number; waited: number };
  'download-done': {
    upid: string;
    node: string;
    storeid: string;
    content: 'iso' | 'vztmpl' | 'import';
    filename: string;
    url: string;
    target: string;
  };
  'shutdown-tick': { node: string; bootId: number };
  'shutdown-final': { node: string; bootId: number };
  watchdog: { node: string; bootId: number };
}

export type AgendaKind = keyof AgendaEvents;

/** One scheduled event, as data (checkpoints copy the agenda with the rest of the state). */
export type AgendaItem = {
  [K in AgendaKind]: { at: number; seq: number; kind: K; data: AgendaEvents[K] };
}[AgendaKind];

export interface SimState {
  pveMajor: PveMajor;
  rootPassword: string;
  nodeBootMs: number;
  guestBootMs: number;
  epochMs: number;
  nodes: Record<string, NodeState>;
  nas?: { name: string; ip: string; exports: string[]; power: 'on' | 'off'; cable: boolean };
  cluster?: ClusterConfig;
  /** Corosync membership as each up cluster node currently sees it. */
  membership: Record<string, string[]>;
  /** The cluster's storage.cfg (/etc/pve of the cluster). */
  storage: Record<string, StorageConfig>;
  /** storage.cfg of each standalone (not yet clustered) node, created on first use. */
  localStorage: Record<string, Record<string, StorageConfig>>;
  /** Volumes by storage id, then by location (node name for local storage, `shared` for NFS). */
  volumes: Record<string, Record<string, Volume[]>>;
  guests: Record<string, GuestState>;
  /** `/etc/pve/user.cfg`: users, groups, tokens, pools, ACLs (root@pam is built in). */
  access?: AccessState;
  /** Custom roles (`pveum role add`), by name. */
  roles?: Record<string, string[]>;
  /** `/etc/pve/datacenter.cfg` options that were set (`console`, `mac_prefix`, `keyboard`, …). */
  datacenterConfig?: Record<string, string>;
  tasks: Record<string, TaskState[]>;
  nextPid: number;
  clusterLog: ClusterLogEntry[];
  nextLogUid: number;
  ha: {
    resources: Record<string, HaResourceConfig>;
    rules: Record<string, HaRule>;
    groups: Record<string, HaGroup>;
    /** Queued CRM commands (`migrate vm:100 node2`, `stop vm:100 0`, maintenance requests). */
    crmCommands: string[];
    manager: ManagerStatus;
    /** pmxcfs lock directories: holder and last renewal (ms). */
    managerLock?: { holder: string; renewed: number };
    agentLocks: Record<string, { holder: string; renewed: number } | undefined>;
    /** The `mode` each LRM last wrote to its lrm_status in /etc/pve (survives the node's death). */
    lrmModes: Record<string, LrmMode>;
    /** The `state` and `timestamp` each LRM last wrote to its lrm_status (kept after it dies). */
    lrmWritten?: Record<string, { state: LrmDaemonState; timestamp: number }>;
    /** The master's memory of when it last saw each node online (not persisted across masters). */
    lastOnline: Record<string, number>;
    shutdownPolicy: ShutdownPolicy;
    uidCounter: number;
  };
  agenda: AgendaItem[];
  agendaSeq: number;
}
