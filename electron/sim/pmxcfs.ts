/**
 * The cluster file system /etc/pve: writable on a standalone node, and on a cluster node only
 * while its partition is quorate. Every config write in the model goes through `assertWritable`.
 */
import { isQuorate } from './membership.ts';
import type { SimCore } from './sim-core.ts';

export const NO_QUORUM_MESSAGE = 'cluster not ready - no quorum?';

export function canWrite(core: SimCore, nodeName: string): boolean {
  const node = core.state.nodes[nodeName];
  if (!node || node.phase === 'off' || node.phase === 'booting') return false;
  if (!core.state.cluster?.nodes[nodeName]) return true;
  return isQuorate(core, nodeName);
}

export class PmxcfsReadOnlyError extends Error {
  constructor() {
    super(NO_QUORUM_MESSAGE);
    this.name = 'PmxcfsReadOnlyError';
  }
}

export function assertWritable(core: SimCore, nodeName: string): void {
  if (!canWrite(core, nodeName)) throw new PmxcfsReadOnlyError();
}
