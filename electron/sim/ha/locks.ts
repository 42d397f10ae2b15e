/**
 * pmxcfs cluster locks used by HA: `ha_manager_lock` (the CRM master) and `ha_agent_<node>_lock`
 * (each active LRM). A lock stays valid for 120 s after its last renewal; only its holder can
 * renew it, anyone can take it once it expired. Locks need a writable (quorate) /etc/pve.
 */
import { canWrite } from '../pmxcfs.ts';
import type { SimCore } from '../sim-core.ts';

export const LOCK_LIFETIME_MS = 120_000;

function expired(core: SimCore, renewed: number): boolean {
  return core.now() - renewed > LOCK_LIFETIME_MS;
}

export function tryManagerLock(core: SimCore, node: string): boolean {
  if (!canWrite(core, node)) return false;
  const lock = core.state.ha.managerLock;
  if (lock && lock.holder !== node && !expired(core, lock.renewed)) return false;
  core.state.ha.managerLock = { holder: node, renewed: core.now() };
  return true;
}

export function releaseManagerLock(core: SimCore, node: string): void {
  if (core.state.ha.managerLock?.holder === node && canWrite(core, node))
    core.state.ha.managerLock = undefined;
}

/** `by` takes or renews the agent lock of `lockNode` (the LRM itself, or the master when fencing). */
export function tryAgentLock(core: SimCore, lockNode: string, by: string): boolean {
  if (!canWrite(core, by)) return false;
  const lock = core.state.ha.agentLocks[lockNode];
  if (lock && lock.holder !== by && !expired(core, lock.renewed)) return false;
  core.state.ha.agentLocks[lockNode] = { holder: by, renewed: core.now() };
  return true;
}

export function releaseAgentLock(core: SimCore, node: string): void {
  if (core.state.ha.agentLocks[node]?.holder === node && canWrite(core, node))
    core.state.ha.agentLocks[node] = undefined;
}
