/**
 * What the simulated shell needs from a node that has no REST API: corosync's votequorum view
 * (`pvecm status|nodes`), `pvecm expected`, HA CRM commands written to pmxcfs, name resolution
 * of lab addresses, the node's files, its journal, its services and power, and which machines
 * answer over the lab network (ssh, ping). `electron/sim/local-node-access.ts` implements it.
 */
import type { PveNodeEndpoint } from '../../pve/api.ts';

export interface VotequorumMember {
  nodeid: number;
  votes: number;
  name: string;
  ip: string;
  local: boolean;
}

export interface VotequorumStatus {
  clusterName: string;
  configVersion: number;
  nodeId: number;
  /** corosync ring id, e.g. `1.2d`. */
  ringId: string;
  quorate: boolean;
  expectedVotes: number;
  highestExpected: number;
  totalVotes: number;
  quorum: number;
  /** Members of the local node's current partition. */
  members: VotequorumMember[];
  /** A configured QDevice: whether qnetd answers and whether it gives its vote to this partition. */
  qdevice?: { alive: boolean; castVote: boolean };
}

export interface LocalNodeAccess {
  /** Undefined while the node is not part of a cluster (no corosync.conf). */
  votequorum(node: string): VotequorumStatus | undefined;
  /** `pvecm expected <votes>`; throws with corosync-quorumtool's message when refused. */
  setExpectedVotes(node: string, votes: number): void;
  /**
   * `ha-manager crm-command …`: queues a CRM command; throws when /etc/pve is read-only, or (with
   * `param` and `status: 400` on the error) when an argument is wrong.
   */
  crmCommand(
    node: string,
    command: 'enable-node-maintenance' | 'disable-node-maintenance' | 'stop',
    args: string,
  ): void;
  /** The node's address on the lab network. */
  nodeIp(node: string): string;
  /** The certificate a peer presents over the network (`pvecm add` shows its fingerprint). */
  probeCertificate(url: string, timeoutMs: number, signal?: AbortSignal): Promise<{ fingerprint: string }>;
  /** The API endpoint behind a host name or lab address (`pvecm add 192.168.56.11`). */
  resolveHost(host: string): PveNodeEndpoint | undefined;
  /** Wall-clock epoch milliseconds of the node's current time (for printed dates). */
  epochMs(): number;
  /** Waits on the datacenter's clock (commands that poll, like `waiting for quorum...`). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** `pvecm qdevice setup <ip>` / `remove`; throws with pvecm's message when refused. */
  qdevice(node: string, action: 'setup' | 'remove', ip?: string): void;
  /** The node's files the shell shows read-only (`/etc/pve/…`, `/etc/hosts`, …): path → content. */
  files(node: string): Record<string, string>;
  /** A token of the host's current boot; undefined while it is off, booting or unknown. */
  bootToken(host: string): number | undefined;
  /** Fires when any machine changes (power, boot, cable, partition). */
  onMachinesChange(listener: () => void): () => void;
  /** Whether `from` reaches `to` (a node or the NAS, by name or address) over the lab network. */
  reach(
    from: string,
    to: string,
  ): { name: string; ip: string; kind: 'node' | 'nas'; reachable: boolean } | undefined;
  /** The installer's root password check (ssh password logins). */
  checkRootPassword(password: string): boolean;
  /** Whether both nodes are members of the same cluster (ssh keys are shared then). */
  sameCluster(a: string, b: string): boolean;
  /** The node's journal, oldest first (epoch ms, syslog identifier, message). */
  journal(node: string): JournalLine[];
  /** `reboot`, `shutdown -h now`/`poweroff` (clean, through the HA shutdown policy). */
  power(node: string, action: 'reboot' | 'poweroff'): void;
  /** systemd's view of one of the node's Proxmox units; undefined for a unit the node lacks. */
  unit(node: string, unit: string): UnitStatus | undefined;
  /** `systemctl restart <unit>`; throws with systemd's message when it cannot. */
  restartUnit(node: string, unit: string): void;
  /** corosync's knet links from this node to every other configured node. */
  links(node: string): { nodeid: number; name: string; ip: string; connected: boolean; local: boolean }[];
}

export interface JournalLine {
  epochMs: number;
  tag: string;
  pid: number;
  msg: string;
}

export interface UnitStatus {
  unit: string;
  description: string;
  active: boolean;
  /** Epoch ms of the last start (or stop). */
  since: number;
  mainPid: number;
  /** The command line systemd shows as Main PID's. */
  command: string;
}
