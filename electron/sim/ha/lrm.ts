/**
 * The local resource manager (pve-ha-lrm) of one node: agent lock, watchdog, executing the
 * CRM's requests for its services as workers (max 4), restart policy, shutdown policies and
 * maintenance mode. Loops every 10 s while active, 5 s otherwise.
 */
import { beginGuestOp } from '../guests.ts';
import { canWrite } from '../pmxcfs.ts';
import type { SimCore } from '../sim-core.ts';
import type { NodeState } from '../state.ts';
import type { HaServiceState, LrmDaemonState } from '../world-types.ts';
import { releaseAgentLock, tryAgentLock } from './locks.ts';
import { serviceIndex } from './service-index.ts';
import { closeWatchdog, feedWatchdog, openWatchdog } from './watchdog.ts';

const LRM = 'pve-ha-lrm';
const ACTIVE_LOOP_MS = 10_000;
const WAIT_LOOP_MS = 5_000;
const MAX_WORKERS = 4;
const MAX_IDLE_ROUNDS = 60;

export function setLrmState(core: SimCore, n: NodeState, state: LrmDaemonState): void {
  const old = n.lrm.state;
  if (old === state) return;
  n.lrm.state = state;
  if (old !== 'off' && state !== 'off') core.log(n.name, LRM, `status change ${old} => ${state}`);
  core.transition(`lrm:${n.name}`, old, state);
}

export function activeServiceCount(core: SimCore, node: string): number {
  return serviceIndex(core).active.get(node) ?? 0;
}

function fenceRequested(core: SimCore, node: string): boolean {
  return core.state.ha.manager.node_status[node] === 'fence' || serviceIndex(core).fenced.has(node);
}

function maintenanceRequested(core: SimCore, n: NodeState): boolean {
  if (n.shutdownRequest && n.lrm.mode === 'maintenance') return true;
  return core.state.ha.manager.node_request[n.name]?.maintenance === true;
}

function busy(n: NodeState): boolean {
  return Object.keys(n.lrm.workers).length > 0 || n.lrm.queue.length > 0;
}

/** Queues the CRM's current request for each of this node's services (each uid once). */
function manageResources(core: SimCore, n: NodeState): void {
  const ss = core.state.ha.manager.service_status;
  const lrm = n.lrm;
  for (const sid of Object.keys(lrm.restartTries)) if (!ss[sid]) delete lrm.restartTries[sid];
  for (const sid of serviceIndex(core).byNode.get(n.name) ?? []) {
    const sd = ss[sid]!;
    if (sd.node !== n.name) continue;
    if (
      sd.state === 'recovery' ||
      sd.state === 'freeze' ||
      sd.state === 'fence' ||
      sd.state === 'request_start'
    )
      continue;
    if (lrm.processed[sid] === sd.uid) continue;
    if (lrm.workers[sid]) continue; // wait for the running worker
    lrm.processed[sid] = sd.uid;
    lrm.queue = lrm.queue.filter((j) => j.sid !== sid);
    lrm.queue.push({ sid, uid: sd.uid, state: sd.state, target: sd.target, timeout: sd.timeout });
  }
  runWorkers(core, n);
}

function runWorkers(core: SimCore, n: NodeState): void {
  const lrm = n.lrm;
  while (lrm.queue.length > 0 && Object.keys(lrm.workers).length < MAX_WORKERS) {
    const job = lrm.queue.shift()!;
    const guest = core.state.guests[job.sid.split(':')[1] ?? ''];
    lrm.workers[job.sid] = {
      sid: job.sid,
      uid: job.uid,
      state: job.state,
      target: job.target,
      doneAt: core.now(),
    };
    if (!guest || guest.node !== n.name) {
      lrmWorkerDone(core, n.name, job.sid, job.uid, guest ? 7 : 1);
      continue;
    }
    const user = 'root@pam';
    const lrmRef = { sid: job.sid, uid: job.uid };
    switch (job.state) {
      case 'started':
        if (guest.running) {
          lrm.workers[job.sid]!.noop = true;
          lrmWorkerDone(core, n.name, job.sid, job.uid, 0);
        } else {
          core.log(n.name, LRM, `starting service ${job.sid}`);
          beginGuestOp(core, guest, 'start', { user, lrm: lrmRef });
        }
        break;
      case 'request_stop':
      case 'stopped':
        if (!guest.running) lrmWorkerDone(core, n.name, job.sid, job.uid, 0);
        else {
          core.log(n.name, LRM, `stopping service ${job.sid}`);
          const timeout = job.timeout ?? 60;
          if (timeout === 0) beginGuestOp(core, guest, 'stop', { user, lrm: lrmRef });
          else beginGuestOp(core, guest, 'shutdown', { user, lrm: lrmRef, timeout, forceStop: true });
        }
        break;
      case 'migrate':
      case 'relocate':
        core.log(n.name, LRM, `service ${job.sid} - start ${job.state} to node '${job.target}'`);
        beginGuestOp(core, guest, 'migrate', {
          user,
          lrm: lrmRef,
          target: job.target,
          online: job.state === 'migrate',
          relocate: job.state === 'relocate',
        });
        break;
      case 'error':
        core.log(
          n.name,
          LRM,
          guest.running
            ? `service ${job.sid} is in an error state while running`
            : `service ${job.sid} is not running and in an error state`,
        );
        lrmWorkerDone(core, n.name, job.sid, job.uid, 0);
        break;
      default:
        lrmWorkerDone(core, n.name, job.sid, job.uid, 0);
    }
  }
}

/** A worker finished (called by the guest operation or synchronously for no-ops). */
export function lrmWorkerDone(core: SimCore, node: string, sid: string, uid: string, exitCode: number): void {
  const n = core.state.nodes[node];
  if (!n) return;
  const lrm = n.lrm;
  const worker = lrm.workers[sid];
  if (!worker || worker.uid !== uid) return;
  delete lrm.workers[sid];
  const cfg = core.state.ha.resources[sid];
  if (worker.state === 'started' && cfg) {
    if (exitCode === 0) lrm.restartTries[sid] = 0;
    else if (exitCode === 1) {
      const tries = (lrm.restartTries[sid] ?? 0) + 1;
      if (tries <= cfg.max_restart) {
        lrm.restartTries[sid] = tries;
        core.log(node, LRM, `restart policy: retry number ${tries} for service '${sid}'`);
        delete lrm.processed[sid]; // ETRY_AGAIN: run again next round, the CRM is not told
        runWorkers(core, n);
        return;
      }
      lrm.restartTries[sid] = 0;
      core.log(node, LRM, `unable to start service ${sid}`);
    }
  }
  if (uid.startsWith('shutdown:')) {
    runWorkers(core, n);
    return;
  }
  lrm.results[uid] = { exitCode };
  if (exitCode === 0 && worker.state === 'started' && !worker.noop)
    core.log(node, LRM, `service status ${sid} started`);
  runWorkers(core, n);
}

function exitLrm(core: SimCore, n: NodeState, releaseLock: boolean): void {
  if (canWrite(core, n.name)) core.state.ha.lrmModes[n.name] = n.lrm.mode;
  closeWatchdog(core, n.name, 'lrm');
  if (releaseLock) releaseAgentLock(core, n.name);
  core.log(n.name, LRM, 'server stopped');
  if (n.lrm.restarting) {
    // `systemctl restart pve-ha-lrm`: a fresh daemon starts right away.
    const old = n.lrm.state;
    resetLrm(n);
    n.lrm.state = old;
    setLrmState(core, n, 'startup');
    scheduleLrm(core, n, 1000);
    return;
  }
  n.lrm.exited = true;
}

/** `systemctl restart pve-ha-lrm` (e.g. a package update): services are frozen, not moved. */
export function lrmRestartRequest(core: SimCore, n: NodeState): void {
  if (n.lrm.state === 'off' || n.lrm.exited || n.shutdownRequest) return;
  core.log(n.name, LRM, 'restart LRM, freeze all services');
  n.lrm.mode = 'restart';
  n.lrm.restarting = true;
  if (n.lrm.state !== 'active' && n.lrm.state !== 'maintenance' && !busy(n)) exitLrm(core, n, false);
}

/**
 * Called when a clean shutdown/reboot of the node starts. As pve-ha-manager's LRM.pm
 * (`shutdown_request`): the policy picks the mode, and unless the node goes into maintenance a
 * stop job is queued for every service on the node, reboot or not — a frozen guest is a stopped one.
 */
export function lrmShutdownRequest(core: SimCore, n: NodeState, kind: 'reboot' | 'poweroff'): void {
  const policy = core.state.ha.shutdownPolicy;
  const lrm = n.lrm;
  lrm.shutdownRequestedAt = core.now();
  core.log(n.name, LRM, `got shutdown request with shutdown policy '${policy}'`);
  const maintenance = policy === 'migrate';
  const freezeAll = policy === 'freeze' || (policy === 'conditional' && kind === 'reboot');
  if (!maintenance) {
    const ss = core.state.ha.manager.service_status;
    for (const sid of Object.keys(ss).sort()) {
      if (ss[sid]!.node !== n.name || lrm.workers[sid]) continue;
      // The stop job replaces a command queued but not started (LRM.pm queue_resource_command).
      lrm.queue = lrm.queue.filter((j) => j.sid !== sid);
      lrm.queue.push({ sid, uid: `shutdown:${sid}:${core.now()}`, state: 'request_stop' });
    }
  }
  const type = kind === 'reboot' ? 'reboot' : 'shutdown';
  if (core.state.ha.manager.node_request[n.name]?.maintenance === true) {
    core.log(
      n.name,
      LRM,
      maintenance
        ? `${type} LRM, ignore maintenance policy, already in maintenance mode`
        : `${type} LRM, ignore ${policy} policy as manual maintenance mode is enabled`,
    );
  } else if (maintenance) {
    core.log(n.name, LRM, `${type} LRM, doing maintenance, removing this node from active list`);
    lrm.mode = 'maintenance';
  } else if (freezeAll) {
    core.log(n.name, LRM, `${type} LRM, stop and freeze all services`);
    lrm.mode = 'restart';
  } else {
    core.log(n.name, LRM, 'shutdown LRM, stop all services');
    lrm.mode = 'shutdown';
  }
  // The CRM learns the new mode at its next round (LRM.pm writes lrm_status right away).
  if (canWrite(core, n.name)) writeLrmStatus(core, n);
  runWorkers(core, n);
  // Without the agent lock there is nothing to hand over.
  if (lrm.state !== 'active' && lrm.state !== 'maintenance' && !busy(n)) exitLrm(core, n, false);
}

/**
 * systemd's wait for pve-ha-lrm to stop (`stop_wait_time` of one hour in pve_ha_lrm.pm): an LRM still
 * waiting then — e.g. for a migration the CRM ordered just before the reboot, which the LRM no longer
 * starts — is killed with its watchdog still open, so watchdog-mux resets the node if the reboot is slower.
 */
export const LRM_STOP_WAIT_MS = 3_600_000;

/** Called by the shutdown sequence each second while it waits for the LRM. */
export function lrmStopWaitCheck(core: SimCore, n: NodeState): void {
  const since = n.lrm.shutdownRequestedAt;
  if (n.lrm.exited || since === undefined || core.now() - since < LRM_STOP_WAIT_MS) return;
  core.log(n.name, 'systemd', 'pve-ha-lrm.service: Stopping timed out. Killing.');
  core.log(n.name, 'systemd', 'pve-ha-lrm.service: Killing process with signal SIGKILL.');
  n.lrm.exited = true;
}

/** lrm_status lives in /etc/pve: written only while quorate (the callers check). */
function writeLrmStatus(core: SimCore, n: NodeState): void {
  const lrm = n.lrm;
  lrm.timestamp = core.now();
  core.state.ha.lrmModes[n.name] = lrm.mode;
  (core.state.ha.lrmWritten ??= {})[n.name] = { state: lrm.state, timestamp: lrm.timestamp };
  const { uids } = serviceIndex(core);
  for (const uid in lrm.results) if (!uids.has(uid)) delete lrm.results[uid];
}

export function scheduleLrm(core: SimCore, n: NodeState, delayMs: number): void {
  core.at(core.now() + delayMs, 'lrm-loop', { node: n.name, bootId: n.bootId });
}

/** Agenda handler: one LRM iteration. */
export function lrmLoop(core: SimCore, nodeName: string, bootId: number): void {
  const n = core.state.nodes[nodeName];
  if (!n || n.bootId !== bootId || n.phase === 'off' || n.phase === 'booting' || n.lrm.exited) return;
  const lrm = n.lrm;
  const quorate = canWrite(core, nodeName) && core.state.cluster?.nodes[nodeName] !== undefined;
  let next = WAIT_LOOP_MS;

  switch (lrm.state) {
    case 'off':
    case 'startup':
      if (core.state.ha.manager.node_request[nodeName]?.maintenance) lrm.mode = 'maintenance';
      setLrmState(core, n, 'wait_for_agent_lock');
      break;
    case 'wait_for_agent_lock': {
      if (n.shutdownRequest || lrm.restarting) {
        if (!busy(n)) exitLrm(core, n, false);
        break;
      }
      const wanted = activeServiceCount(core, nodeName) > 0 || maintenanceRequested(core, n);
      if (quorate && wanted && !fenceRequested(core, nodeName) && tryAgentLock(core, nodeName, nodeName)) {
        core.log(nodeName, LRM, `successfully acquired lock 'ha_agent_${nodeName}_lock'`);
        openWatchdog(core, nodeName, 'lrm');
        lrm.idleRounds = 0;
        setLrmState(core, n, 'active');
        return lrmLoop(core, nodeName, bootId);
      }
      break;
    }
    case 'lost_agent_lock':
      if (quorate && !fenceRequested(core, nodeName) && tryAgentLock(core, nodeName, nodeName)) {
        feedWatchdog(core, nodeName, 'lrm');
        setLrmState(core, n, 'active');
      }
      break;
    case 'active':
    case 'maintenance': {
      if (!quorate || !tryAgentLock(core, nodeName, nodeName)) {
        core.log(
          nodeName,
          LRM,
          `lost lock 'ha_agent_${nodeName}_lock - cfs lock update failed - Permission denied'`,
        );
        setLrmState(core, n, 'lost_agent_lock');
        break;
      }
      if (fenceRequested(core, nodeName)) {
        setLrmState(core, n, 'lost_agent_lock');
        break;
      }
      feedWatchdog(core, nodeName, 'lrm');
      if (maintenanceRequested(core, n)) {
        if (lrm.mode !== 'maintenance')
          core.log(nodeName, LRM, 'maintenance requested, switching to maintenance mode');
        lrm.mode = 'maintenance';
        setLrmState(core, n, 'maintenance');
      } else if (lrm.state === 'maintenance' && !n.shutdownRequest) {
        lrm.mode = 'active';
        setLrmState(core, n, 'active');
      }
      const count = activeServiceCount(core, nodeName);
      if (n.shutdownRequest || lrm.restarting) {
        if (lrm.mode === 'restart' || lrm.mode === 'maintenance') {
          runWorkers(core, n); // queued stop jobs run; finished ones are collected
          if (count === 0 && !busy(n)) {
            exitLrm(core, n, true);
            break;
          }
          if (lrm.mode === 'maintenance') manageResources(core, n);
        } else if (!busy(n)) {
          exitLrm(core, n, true);
          break;
        }
      } else {
        manageResources(core, n);
        if (count === 0 && !busy(n) && lrm.state === 'active') {
          if (++lrm.idleRounds > MAX_IDLE_ROUNDS) {
            core.log(
              nodeName,
              LRM,
              `node had no service configured for ${MAX_IDLE_ROUNDS} rounds, going idle.`,
            );
            closeWatchdog(core, nodeName, 'lrm');
            releaseAgentLock(core, nodeName);
            lrm.idleRounds = 0;
            setLrmState(core, n, 'wait_for_agent_lock');
            break;
          }
        } else lrm.idleRounds = 0;
      }
      next = lrm.state === 'active' ? ACTIVE_LOOP_MS : WAIT_LOOP_MS;
      break;
    }
  }
  if (quorate) writeLrmStatus(core, n);
  if (!lrm.exited && !core.hasPending('lrm-loop', (e) => e.node === nodeName && e.bootId === n.bootId))
    scheduleLrm(core, n, next);
}

export function resetLrm(n: NodeState): void {
  n.lrm = {
    state: 'off',
    mode: 'active',
    results: {},
    timestamp: 0,
    idleRounds: 0,
    workers: {},
    restartTries: {},
    processed: {},
    queue: [],
    exited: false,
    restarting: false,
    shutdownRequestedAt: undefined,
  };
}

export type { HaServiceState };
