/**
 * The cluster resource manager daemon (pve-ha-crm) of one node: wait_for_quorum → slave/master
 * through `ha_manager_lock`, the master's 10 s rounds, lost_manager_lock with the watchdog still
 * armed, going idle without services, and a clean stop on node shutdown.
 */
import { canWrite } from '../pmxcfs.ts';
import type { SimCore } from '../sim-core.ts';
import type { NodeState } from '../state.ts';
import type { CrmDaemonState } from '../world-types.ts';
import { releaseManagerLock, tryManagerLock } from './locks.ts';
import { manage } from './manager.ts';
import { serviceIndex } from './service-index.ts';
import { closeWatchdog, feedWatchdog, openWatchdog } from './watchdog.ts';

const CRM = 'pve-ha-crm';
const MASTER_LOOP_MS = 10_000;
const OTHER_LOOP_MS = 5_000;
const MAX_IDLE_ROUNDS = 90;

export function setCrmState(core: SimCore, n: NodeState, state: CrmDaemonState): void {
  const old = n.crm.state;
  if (old === state) return;
  n.crm.state = state;
  if (old !== 'off' && state !== 'off') core.log(n.name, CRM, `status change ${old} => ${state}`);
  core.transition(`crm:${n.name}`, old, state);
}

function canGetActive(core: SimCore, n: NodeState, allowNoService = false): boolean {
  if (!core.state.cluster?.nodes[n.name] || !canWrite(core, n.name)) return false;
  if (serviceIndex(core).fenced.has(n.name)) return false;
  if (allowNoService) return true;
  const ha = core.state.ha;
  return hasKeys(ha.resources) || hasKeys(ha.manager.service_status) || ha.crmCommands.length > 0;
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

export function scheduleCrm(core: SimCore, n: NodeState, delayMs: number): void {
  core.at(core.now() + delayMs, 'crm-loop', { node: n.name, bootId: n.bootId });
}

function becomeMaster(core: SimCore, n: NodeState): void {
  core.log(n.name, CRM, `successfully acquired lock 'ha_manager_lock'`);
  openWatchdog(core, n.name, 'crm');
  n.crm.idleRounds = 0;
  // A new master does not know when nodes were last online: the fence delay starts anew.
  core.state.ha.lastOnline = {};
  setCrmState(core, n, 'master');
}

/** Agenda handler: one CRM iteration. */
export function crmLoop(core: SimCore, nodeName: string, bootId: number): void {
  const n = core.state.nodes[nodeName];
  if (!n || n.bootId !== bootId || n.phase === 'off' || n.phase === 'booting' || n.crm.state === 'off')
    return;
  let next = OTHER_LOOP_MS;
  if (n.crm.shutdownRequest) {
    // CRM.pm work(): a master gives up its watchdog and releases the lock voluntarily, then exits.
    if (n.crm.state === 'master') {
      closeWatchdog(core, nodeName, 'crm');
      core.log(nodeName, CRM, 'voluntary release CRM lock');
      releaseManagerLock(core, nodeName);
    }
    finishCrmStop(core, n);
    return;
  }
  switch (n.crm.state) {
    case 'startup':
      setCrmState(core, n, 'wait_for_quorum');
      break;
    case 'wait_for_quorum':
      if (canGetActive(core, n)) {
        if (tryManagerLock(core, nodeName)) becomeMaster(core, n);
        else setCrmState(core, n, 'slave');
      }
      break;
    case 'slave':
      if (!canGetActive(core, n)) setCrmState(core, n, 'wait_for_quorum');
      else if (tryManagerLock(core, nodeName)) becomeMaster(core, n);
      break;
    case 'lost_manager_lock':
      if (canGetActive(core, n, true) && tryManagerLock(core, nodeName)) {
        feedWatchdog(core, nodeName, 'crm');
        setCrmState(core, n, 'master');
      }
      break;
    case 'master':
      if (!tryManagerLock(core, nodeName)) {
        core.log(nodeName, CRM, `lost lock 'ha_manager_lock - cfs lock update failed - Permission denied'`);
        setCrmState(core, n, 'lost_manager_lock');
        break;
      }
      break;
  }
  if (n.crm.state === 'master') {
    feedWatchdog(core, nodeName, 'crm');
    manage(core, nodeName);
    if (
      Object.keys(core.state.ha.resources).length === 0 &&
      Object.keys(core.state.ha.manager.service_status).length === 0
    ) {
      if (++n.crm.idleRounds > MAX_IDLE_ROUNDS) {
        core.log(
          nodeName,
          CRM,
          `cluster had no service configured for ${MAX_IDLE_ROUNDS} rounds, going idle.`,
        );
        releaseManagerLock(core, nodeName);
        closeWatchdog(core, nodeName, 'crm');
        n.crm.idleRounds = 0;
        setCrmState(core, n, 'wait_for_quorum');
      }
    } else n.crm.idleRounds = 0;
    next = MASTER_LOOP_MS;
  }
  scheduleCrm(core, n, next);
}

/**
 * `systemctl stop pve-ha-crm` (node shutdown): CRM.pm's shutdown_request. A master finishes its
 * round and releases the manager lock at the next one; other states exit at once.
 */
export function stopCrm(core: SimCore, n: NodeState): void {
  if (n.crm.state === 'off') return;
  if (!n.crm.shutdownRequest) core.log(n.name, CRM, 'server received shutdown request');
  n.crm.shutdownRequest = true;
  if (n.crm.state !== 'master') finishCrmStop(core, n);
}

function finishCrmStop(core: SimCore, n: NodeState): void {
  closeWatchdog(core, n.name, 'crm');
  n.crm.shutdownRequest = false;
  setCrmState(core, n, 'off');
}
