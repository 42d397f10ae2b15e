/**
 * What the simulated shell needs from a node that has no REST API: corosync's votequorum view
 * (`pvecm status|nodes`), `pvecm expected`, HA CRM commands written to pmxcfs, and name
 * resolution of lab addresses. The datacenter implements it with the World's local-node methods.
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
    command: 'enable-node-maintenance' | 'disable-node-maintenance',
    target: string,
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
}
