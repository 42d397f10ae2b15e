/**
 * Guests (QEMU VMs and LXC containers): start/stop/shutdown/migrate as timed operations that run
 * as Proxmox tasks. The LRM uses the same operations, so HA and the API can never disagree.
 */
import { assertWritable } from './pmxcfs.ts';
import type { SimCore } from './sim-core.ts';
import type { AgendaEvents, GuestOp, GuestState, TaskState } from './state.ts';
import { diskUnavailable, guestVolumes, moveLocalVolumes } from './storage.ts';
import { finishTask, startTask, taskLog } from './tasks.ts';

export type { GuestOp } from './state.ts';

const START_MS = { qemu: 1500, lxc: 2500 };
const STOP_MS = 1000;
const SHUTDOWN_MS = { qemu: 6000, lxc: 3000 };
const MIGRATE_ONLINE_MS = 9000;
const MIGRATE_OFFLINE_MS = 2000;

export function guestKind(g: GuestState): 'VM' | 'CT' {
  return g.type === 'qemu' ? 'VM' : 'CT';
}

export function sidOf(g: GuestState): string {
  return `${g.type === 'qemu' ? 'vm' : 'ct'}:${g.vmid}`;
}

export function osAnswering(core: SimCore, g: GuestState): boolean {
  return g.running && core.now() >= g.osUpAt;
}

function taskType(g: GuestState, op: GuestOp): string {
  const prefix = g.type === 'qemu' ? 'qm' : 'vz';
  if (op === 'migrate') return g.type === 'qemu' ? 'qmigrate' : 'vzmigrate';
  return prefix + op;
}

/** Why a start of `g` on its node would fail right now, if it would. */
export function startProblem(core: SimCore, g: GuestState): string | undefined {
  if (g.running) return `${guestKind(g)} ${g.vmid} already running`;
  for (const volid of guestVolumes(g.config)) {
    const problem = diskUnavailable(core, volid, g.node);
    if (problem) return problem;
  }
  return undefined;
}

export interface GuestOpOptions {
  user: string;
  /** For HA workers: report the result to this LRM service uid. */
  lrm?: { sid: string; uid: string };
  /** shutdown: seconds before giving up; forceStop: hard stop after the timeout. */
  timeout?: number;
  forceStop?: boolean;
  target?: string;
  online?: boolean;
  /** HA relocate: stop, move, leave stopped (the target's LRM starts it). */
  relocate?: boolean;
}

/**
 * Begins a guest operation on the guest's current node as a task; returns the task. Problems
 * known at once (no quorum, disk missing) fail the task immediately, as the real worker would.
 */
export function beginGuestOp(core: SimCore, g: GuestState, op: GuestOp, opts: GuestOpOptions): TaskState {
  const node = core.state.nodes[g.node]!;
  const task = startTask(
    core,
    g.node,
    taskType(g, op),
    String(g.vmid),
    opts.user,
    opts.lrm ? 'pve-ha-lrm' : 'pvedaemon',
  );
  let duration = 0;
  let immediateError: string | undefined;
  try {
    assertWritable(core, g.node);
  } catch (e) {
    immediateError = (e as Error).message;
  }
  if (!immediateError) {
    switch (op) {
      case 'start':
        immediateError = startProblem(core, g);
        duration = START_MS[g.type];
        break;
      case 'stop':
        duration = g.running ? STOP_MS : 0;
        break;
      case 'shutdown': {
        const timeout = (opts.timeout ?? 60) * 1000;
        duration = !g.running ? 0 : osAnswering(core, g) ? Math.min(SHUTDOWN_MS[g.type], timeout) : timeout;
        break;
      }
      case 'migrate':
        if (!opts.target) immediateError = 'missing target';
        if (opts.target === g.node) immediateError = `target is local node.`;
        duration =
          g.running && g.type === 'qemu' && !opts.relocate
            ? MIGRATE_ONLINE_MS
            : MIGRATE_OFFLINE_MS + (g.running ? STOP_MS + (opts.relocate ? 0 : START_MS.lxc) : 0);
        break;
    }
  }
  if (immediateError !== undefined) {
    finishTask(core, task, immediateError);
    if (opts.lrm) reportToLrm(core, g.node, opts.lrm, 1);
    return task;
  }
  if (op === 'migrate') {
    taskLog(
      task,
      `starting migration of ${guestKind(g)} ${g.vmid} to node '${opts.target}' (${core.state.nodes[opts.target!]?.ip ?? opts.target})`,
    );
  }
  core.at(core.now() + duration, 'guest-op-done', {
    upid: task.upid,
    op,
    vmid: g.vmid,
    node: g.node,
    bootId: node.bootId,
    lrm: opts.lrm ? { sid: opts.lrm.sid, uid: opts.lrm.uid } : null,
    target: opts.target ?? '',
    forceStop: opts.forceStop !== false,
    timeout: opts.timeout ?? 60,
    relocate: !!opts.relocate,
  });
  g.lock = op === 'migrate' ? 'migrate' : g.lock;
  return task;
}

/**
 * The LRM learns how its worker's operation ended through the agenda, at this same instant
 * (ha/lrm.ts handles `lrm-worker-done`), so guests never call into the LRM.
 */
function reportToLrm(
  core: SimCore,
  node: string,
  worker: { sid: string; uid: string },
  exitCode: number,
): void {
  core.at(core.now(), 'lrm-worker-done', { node, sid: worker.sid, uid: worker.uid, exitCode });
}

/** Agenda handler: the operation's worker finished. */
export function completeGuestOp(core: SimCore, done: AgendaEvents['guest-op-done']): void {
  const { upid, op, vmid, node: nodeName, bootId, lrm, target, forceStop, relocate } = done;
  const node = core.state.nodes[nodeName];
  const task = (core.state.tasks[nodeName] ?? []).find((t) => t.upid === upid);
  const g = core.state.guests[String(vmid)];
  // The node died meanwhile: its workers died with it.
  if (!node || node.bootId !== bootId || node.phase === 'off' || !task || task.status !== 'running') return;
  const report = (code: number): void => {
    if (lrm) reportToLrm(core, nodeName, lrm, code);
  };
  if (!g || g.node !== nodeName) {
    finishTask(core, task, `Configuration file 'nodes/${nodeName}/qemu-server/${vmid}.conf' does not exist`);
    return report(1);
  }
  switch (op) {
    case 'start': {
      const problem = startProblem(core, g);
      if (problem) {
        finishTask(core, task, problem);
        return report(1);
      }
      if (g.inject.startFails > 0) {
        g.inject.startFails--;
        finishTask(core, task, `start failed: QEMU exited with code 1`);
        return report(1);
      }
      setRunning(core, g, true);
      finishTask(core, task);
      return report(0);
    }
    case 'stop':
      if (g.inject.stopFails) {
        finishTask(core, task, `VM ${vmid} qmp command 'quit' failed - got timeout`);
        return report(1);
      }
      setRunning(core, g, false);
      finishTask(core, task);
      return report(0);
    case 'shutdown': {
      if (g.running && !osAnswering(core, g) && !forceStop) {
        finishTask(core, task, 'VM quit/powerdown failed - got timeout');
        return report(1);
      }
      if (g.inject.stopFails) {
        finishTask(core, task, `VM ${vmid} qmp command 'quit' failed - got timeout`);
        return report(1);
      }
      if (g.running && !osAnswering(core, g))
        taskLog(task, `VM still running - terminating now with SIGTERM`);
      setRunning(core, g, false);
      finishTask(core, task);
      return report(0);
    }
    case 'migrate': {
      const dest = core.state.nodes[target];
      g.lock = undefined;
      if (!dest || dest.phase !== 'up') {
        finishTask(core, task, `migration aborted: target node '${target}' is not online`);
        return report(1);
      }
      if (g.inject.migrateFails > 0) {
        g.inject.migrateFails--;
        finishTask(core, task, `migration problems`);
        return report(1);
      }
      const wasRunning = g.running;
      moveLocalVolumes(core, g.config, nodeName, target);
      g.node = target;
      if (g.running) g.runningOn = target;
      if (relocate && wasRunning) setRunning(core, g, false);
      else if (g.type === 'lxc' && wasRunning) {
        // A container migration in restart mode is stop, move, start.
        setRunning(core, g, false);
        setRunning(core, g, true);
      }
      taskLog(
        task,
        `migration finished successfully (duration ${formatDuration(core.epochSeconds() - task.starttime)})`,
      );
      finishTask(core, task);
      return report(0);
    }
  }
}

function formatDuration(s: number): string {
  const p = (n: number): string => String(Math.floor(n)).padStart(2, '0');
  return `${p(s / 3600)}:${p((s % 3600) / 60)}:${p(s % 60)}`;
}

export function setRunning(core: SimCore, g: GuestState, running: boolean): void {
  if (g.running === running && !running) return;
  const from = g.running ? 'running' : 'stopped';
  g.running = running;
  g.runningOn = running ? g.node : undefined;
  if (running) {
    g.startedAt = core.now();
    g.osUpAt =
      core.now() + (g.type === 'qemu' ? core.state.guestBootMs : Math.min(5000, core.state.guestBootMs));
  }
  core.transition(`guest:${g.vmid}`, from, running ? 'running' : 'stopped');
}

/** Power loss of a node: its guests are gone at once. */
export function killGuestsOfNode(core: SimCore, node: string): void {
  for (const g of Object.values(core.state.guests)) {
    // The process dies with the node it runs on, wherever its config has moved meanwhile.
    if (g.running && (g.runningOn ?? g.node) === node) setRunning(core, g, false);
    if (g.node === node) g.lock = undefined;
  }
}
