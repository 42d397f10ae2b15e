/**
 * A corosync QDevice (`pvecm qdevice setup|remove`): one extra vote from corosync-qnetd on a third
 * machine, given by its `ffsplit` algorithm to one partition only (see membership.ts) — so a
 * two-node cluster survives the loss of either node, and a split never gives two quorate halves.
 */
import { membershipChanged, recomputeMembership } from './membership.ts';
import { canWrite, NO_QUORUM_MESSAGE } from './pmxcfs.ts';
import type { SimCore } from './sim-core.ts';

export class QdeviceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QdeviceError';
  }
}

export function setupQdevice(core: SimCore, node: string, ip: string): void {
  const cluster = core.state.cluster;
  if (!cluster?.nodes[node])
    throw new QdeviceError(
      "Error: Corosync config '/etc/pve/corosync.conf' does not exist - is this node part of a cluster?",
    );
  if (cluster.qdevice) throw new QdeviceError('QDevice already configured!');
  if (!canWrite(core, node)) throw new QdeviceError(NO_QUORUM_MESSAGE);
  cluster.qdevice = { ip };
  cluster.configVersion++;
  core.clusterLog(
    node,
    'pmxcfs',
    `[dcdb] notice: wrote new corosync config '/etc/corosync/corosync.conf' (version = ${cluster.configVersion})`,
  );
  recomputeMembership(core);
}

export function removeQdevice(core: SimCore, node: string): void {
  const cluster = core.state.cluster;
  if (!cluster?.nodes[node])
    throw new QdeviceError(
      "Error: Corosync config '/etc/pve/corosync.conf' does not exist - is this node part of a cluster?",
    );
  if (!cluster.qdevice) throw new QdeviceError('No QDevice configured!');
  if (!canWrite(core, node)) throw new QdeviceError(NO_QUORUM_MESSAGE);
  delete cluster.qdevice;
  cluster.configVersion++;
  core.clusterLog(
    node,
    'pmxcfs',
    `[dcdb] notice: wrote new corosync config '/etc/corosync/corosync.conf' (version = ${cluster.configVersion})`,
  );
  membershipChanged(core, 'join');
  recomputeMembership(core);
}
