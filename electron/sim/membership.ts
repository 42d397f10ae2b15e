/**
 * Corosync membership and votequorum. Nodes that are up, cabled and on the same network segment
 * form one partition. Changes are seen after the totem token timeout, as on a real cluster.
 */
import type { SimCore } from './sim-core.ts';
import type { NodeState } from './state.ts';

/** corosync 3 default token (3000 ms) + token_coefficient per node beyond two. */
export function tokenTimeoutMs(core: SimCore): number {
  const cluster = core.state.cluster;
  const n = cluster ? Object.keys(cluster.nodes).length : 1;
  const coefficient = cluster?.tokenCoefficient ?? 650;
  return 3000 + Math.max(0, n - 2) * coefficient;
}

/** Whether the node's corosync can talk at all (powered, booted, cabled, in the cluster). */
export function corosyncRunning(core: SimCore, node: NodeState): boolean {
  return (
    node.phase !== 'off' && node.phase !== 'booting' && core.state.cluster?.nodes[node.name] !== undefined
  );
}

function reachable(a: NodeState, b: NodeState): boolean {
  return a.name === b.name || (a.cable && b.cable && a.segment === b.segment);
}

/** Schedules a membership update after the token timeout (lost nodes) or quickly (joins). */
export function membershipChanged(core: SimCore, reason: 'loss' | 'join'): void {
  const delay = reason === 'loss' ? tokenTimeoutMs(core) + 1000 : 1500;
  const at = core.now() + delay;
  const pending = core.pending('membership')[0];
  if (pending && pending.at <= at) return;
  core.cancel('membership');
  core.at(at, 'membership', {});
}

/** Recomputes every node's view of the membership now. */
export function recomputeMembership(core: SimCore): void {
  const cluster = core.state.cluster;
  const next: Record<string, string[]> = {};
  if (cluster) {
    const running = Object.values(core.state.nodes).filter((n) => corosyncRunning(core, n));
    for (const node of running) {
      next[node.name] = running
        .filter((other) => reachable(node, other))
        .map((o) => o.name)
        .sort();
    }
  }
  const before = core.state.membership;
  for (const name of new Set([...Object.keys(before), ...Object.keys(next)])) {
    const a = (before[name] ?? []).join(',');
    const b = (next[name] ?? []).join(',');
    if (a !== b && next[name]) {
      core.log(name, 'corosync', `[QUORUM] Members[${next[name].length}]: ${next[name].join(' ')}`);
    }
  }
  core.state.membership = next;
  for (const name of Object.keys(next)) {
    const was = quorateFrom(core, before, name);
    const is = isQuorate(core, name);
    if (was !== is)
      core.log(name, 'pmxcfs', is ? '[status] notice: node has quorum' : '[status] notice: node lost quorum');
  }
}

export interface QuorumInfo {
  /** Nodes in this node's partition. */
  members: string[];
  totalVotes: number;
  expectedVotes: number;
  highestExpected: number;
  quorum: number;
  quorate: boolean;
  /** A configured QDevice: qnetd reachable, and whether it votes for this partition. */
  qdevice?: { alive: boolean; castVote: boolean };
}

function votesOf(core: SimCore, names: string[]): number {
  const cluster = core.state.cluster;
  return names.reduce((sum, n) => sum + (cluster?.nodes[n]?.votes ?? 0), 0);
}

/**
 * Whether corosync-qnetd answers `node`: on the NAS (a third site, reached over any partition
 * while powered and cabled) or on another machine of the lab network.
 */
function qnetdReachable(core: SimCore, node: string): boolean {
  const ip = core.state.cluster?.qdevice?.ip;
  const self = core.state.nodes[node];
  if (!ip || !self?.cable) return false;
  const nas = core.state.nas;
  if (nas?.ip === ip) return nas.power === 'on' && nas.cable;
  const host = Object.values(core.state.nodes).find((n) => n.ip === ip);
  return host !== undefined && host.phase === 'up' && host.cable && host.segment === self.segment;
}

/**
 * qnetd's `ffsplit` algorithm: of the partitions that reach it, the one with most nodes gets the
 * vote; on a tie, the one with the lowest node id (corosync-qnetd's default tie_breaker).
 */
function qdeviceVoteFor(core: SimCore, membership: Record<string, string[]>, name: string): boolean {
  const cluster = core.state.cluster;
  if (!cluster?.qdevice) return false;
  const partitions = new Map<string, string[]>();
  for (const [node, members] of Object.entries(membership)) {
    if (qnetdReachable(core, node)) partitions.set(members.join(','), members);
  }
  const lowest = (members: string[]): number =>
    Math.min(...members.map((m) => cluster.nodes[m]?.nodeid ?? Infinity));
  const winner = [...partitions.values()].sort((a, b) => b.length - a.length || lowest(a) - lowest(b))[0];
  return winner !== undefined && winner.join(',') === (membership[name] ?? []).join(',');
}

function quorumInfoFrom(
  core: SimCore,
  membership: Record<string, string[]>,
  name: string,
): QuorumInfo | undefined {
  const cluster = core.state.cluster;
  const members = membership[name];
  if (!cluster || !members) return undefined;
  const qdeviceVotes = cluster.qdevice ? 1 : 0;
  const configured = Object.values(cluster.nodes).reduce((s, n) => s + n.votes, 0) + qdeviceVotes;
  const castVote = qdeviceVoteFor(core, membership, name);
  const totalVotes = votesOf(core, members) + (castVote ? 1 : 0);
  // Each member proposes its expected votes; the highest wins, never below the votes present.
  const highestExpected = Math.max(
    ...members.map((m) => core.state.nodes[m]?.expectedOverride ?? configured),
  );
  const expectedVotes = Math.max(highestExpected, totalVotes);
  const quorum = Math.floor(expectedVotes / 2) + 1;
  return {
    members,
    totalVotes,
    expectedVotes,
    highestExpected,
    quorum,
    quorate: totalVotes >= quorum,
    ...(cluster.qdevice ? { qdevice: { alive: qnetdReachable(core, name), castVote } } : {}),
  };
}

export function quorumInfo(core: SimCore, name: string): QuorumInfo | undefined {
  return quorumInfoFrom(core, core.state.membership, name);
}

function quorateFrom(core: SimCore, membership: Record<string, string[]>, name: string): boolean {
  return quorumInfoFrom(core, membership, name)?.quorate ?? false;
}

/** True when the node is a cluster member in a quorate partition. Standalone nodes: see pmxcfs. */
export function isQuorate(core: SimCore, name: string): boolean {
  return quorateFrom(core, core.state.membership, name);
}

/**
 * `pvecm expected <votes>` on `name` (corosync-quorumtool -e). votequorum accepts a value only if
 * the resulting quorum is reachable by the votes present.
 */
export function setExpectedVotes(core: SimCore, name: string, votes: number): void {
  const node = core.state.nodes[name];
  if (!node || !core.state.cluster?.nodes[name])
    throw new Error(
      "Corosync config '/etc/pve/corosync.conf' does not exist - is this node part of a cluster?",
    );
  const info = quorumInfo(core, name);
  if (!info) throw new Error('Cannot initialize CMAP service');
  if (!Number.isInteger(votes) || votes < 1)
    throw new Error(`Unable to set expected votes: CS_ERR_INVALID_PARAM`);
  // corosync >= 3.1 (exec/votequorum.c): below the votes present makes no sense, and a quorate
  // partition may not make itself inquorate.
  const quorum = Math.floor(votes / 2) + 1;
  if (votes < info.totalVotes || (info.quorate && quorum > info.totalVotes))
    throw new Error('Unable to set expected votes: CS_ERR_INVALID_PARAM');
  for (const m of info.members) {
    const member = core.state.nodes[m];
    if (member) member.expectedOverride = votes;
  }
  core.log(name, 'corosync', `[QUORUM] expected votes set to ${votes}`);
  recomputeMembership(core);
}
