/**
 * Node and NAS hardware: power (on, hard off, reset), boot time, clean shutdown/reboot through
 * the HA shutdown policy, network cable and partitions (network segments).
 */
import { beginGuestOp, killGuestsOfNode, setRunning, sidOf } from './guests.ts';
import { setCrmState, scheduleCrm, stopCrm } from './ha/crm.ts';
import { lrmShutdownRequest, lrmStopWaitCheck, resetLrm, scheduleLrm, setLrmState } from './ha/lrm.ts';
import { membershipChanged } from './membership.ts';
import type { SimCore } from './sim-core.ts';
import type { NodeState } from './state.ts';
import { canWrite } from './pmxcfs.ts';
import { abortTasksOfNode, finishTask, startTask } from './tasks.ts';

const GUEST_SHUTDOWN_MS = 6000;
const ONBOOT_DELAY_MS = 5000;

export class HardwareError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HardwareError';
  }
}

export function nodeOrThrow(core: SimCore, name: string): NodeState {
  const n = core.state.nodes[name];
  if (!n) throw new HardwareError(`no such node '${name}'`);
  return n;
}

function setPower(core: SimCore, n: NodeState, power: 'on' | 'off'): void {
  const from = n.power;
  n.power = power;
  core.transition(`power:${n.name}`, from, power);
}

export function powerOn(core: SimCore, name: string): void {
  const n = nodeOrThrow(core, name);
  if (n.power === 'on') return;
  setPower(core, n, 'on');
  n.phase = 'booting';
  n.bootId++;
  core.at(core.now() + core.state.nodeBootMs, 'node-up', { node: name, bootId: n.bootId });
}

/** Agenda handler: the node finished booting; its cluster services start. */
export function nodeUp(core: SimCore, name: string, bootId: number): void {
  const n = core.state.nodes[name];
  if (!n || n.bootId !== bootId || n.phase !== 'booting') return;
  n.phase = 'up';
  n.upSince = core.now();
  core.transition(`phase:${name}`, 'booting', 'up');
  n.shutdownRequest = undefined;
  resetLrm(n);
  n.crm = { state: 'off', idleRounds: 0 };
  core.log(name, 'systemd', 'Started pve-cluster.service - The Proxmox VE cluster filesystem.');
  if (core.state.cluster?.nodes[name]) {
    membershipChanged(core, 'join');
    startHaDaemons(core, n);
  }
  core.at(core.now() + ONBOOT_DELAY_MS, 'onboot', { node: name, bootId: n.bootId, waited: 0 });
}

/**
 * Agenda handler: pve-guests starts the guests with `onboot: 1` that HA does not manage, once
 * /etc/pve is writable (it waits for quorum up to 60 s, then gives up as the real service does).
 */
export function startOnbootGuests(core: SimCore, name: string, bootId: number, waited: number): void {
  const n = core.state.nodes[name];
  if (!n || n.bootId !== bootId || n.phase !== 'up') return;
  const guests = Object.values(core.state.guests).filter(
    (g) =>
      g.node === name && !g.running && /^1/.test(g.config.onboot ?? '') && !core.state.ha.resources[sidOf(g)],
  );
  if (guests.length === 0) return;
  if (!canWrite(core, name)) {
    if (waited < 60_000) core.at(core.now() + 5000, 'onboot', { node: name, bootId, waited: waited + 5000 });
    else core.log(name, 'pve-guests', 'start all guests failed: cluster not ready - no quorum?');
    return;
  }
  const task = startTask(core, name, 'startall', '', 'root@pam');
  finishTask(core, task);
  for (const g of guests.sort((a, b) => a.vmid - b.vmid))
    beginGuestOp(core, g, 'start', { user: 'root@pam' });
}

/** Starts pve-ha-crm and pve-ha-lrm (boot, or after a cluster join). */
export function startHaDaemons(core: SimCore, n: NodeState): void {
  setCrmState(core, n, 'startup');
  setLrmState(core, n, 'startup');
  // Stagger daemons a little so nodes do not act in lock-step, deterministically by name.
  const order = Object.keys(core.state.nodes).sort().indexOf(n.name);
  scheduleCrm(core, n, 2000 + order * 300);
  scheduleLrm(core, n, 2500 + order * 300);
}

/** Pull the plug: everything on the node stops at once. */
export function powerOff(core: SimCore, name: string): void {
  const n = nodeOrThrow(core, name);
  if (n.power === 'off') return;
  const wasMember = n.phase === 'up' || n.phase === 'shutting-down';
  killGuestsOfNode(core, name);
  setPower(core, n, 'off');
  n.phase = 'off';
  n.bootId++;
  n.shutdownRequest = undefined;
  n.expectedOverride = undefined;
  n.watchdog = {};
  abortTasksOfNode(core, name);
  setCrmState(core, n, 'off');
  setLrmState(core, n, 'off');
  resetLrm(n);
  if (wasMember) membershipChanged(core, 'loss');
}

/** Hardware reset (watchdog or the reset button): off, then boots again. */
export function resetNode(core: SimCore, name: string): void {
  powerOff(core, name);
  powerOn(core, name);
}

/** ACPI power button or `shutdown`/`reboot` on the node: goes through the HA shutdown policy. */
export function requestShutdown(core: SimCore, name: string, kind: 'reboot' | 'poweroff'): void {
  const n = nodeOrThrow(core, name);
  if (n.power === 'off') throw new HardwareError(`node '${name}' is powered off`);
  if (n.phase === 'booting') {
    // Too early for services: systemd just powers off/reboots.
    powerOff(core, name);
    if (kind === 'reboot') powerOn(core, name);
    return;
  }
  if (n.shutdownRequest) return;
  n.shutdownRequest = kind;
  n.phase = 'shutting-down';
  core.log(
    name,
    'systemd',
    kind === 'reboot'
      ? 'Reached target reboot.target - System Reboot (pending).'
      : 'Stopping pve-guests.service...',
  );
  if (core.state.cluster?.nodes[name] && n.lrm.state !== 'off') lrmShutdownRequest(core, n, kind);
  else n.lrm.exited = true;
  core.at(core.now() + 1000, 'shutdown-tick', { node: name, bootId: n.bootId });
}

/** Agenda handler: waits for the LRM, then stops the CRM and the remaining guests, then powers off. */
export function shutdownTick(core: SimCore, name: string, bootId: number): void {
  const n = core.state.nodes[name];
  if (!n || n.bootId !== bootId || !n.shutdownRequest) return;
  lrmStopWaitCheck(core, n);
  if (!n.lrm.exited) {
    core.at(core.now() + 1000, 'shutdown-tick', { node: name, bootId });
    return;
  }
  // systemd waits for pve-ha-crm to exit: a master releases its lock at its next round first.
  stopCrm(core, n);
  if (n.crm.state !== 'off') {
    core.at(core.now() + 1000, 'shutdown-tick', { node: name, bootId });
    return;
  }
  // pve-guests stops everything still running (frozen HA guests included).
  const running = Object.values(core.state.guests).some((g) => g.node === name && g.running);
  core.at(core.now() + (running ? GUEST_SHUTDOWN_MS : 500), 'shutdown-final', { node: name, bootId });
}

export function shutdownFinal(core: SimCore, name: string, bootId: number): void {
  const n = core.state.nodes[name];
  if (!n || n.bootId !== bootId || !n.shutdownRequest) return;
  const kind = n.shutdownRequest;
  for (const g of Object.values(core.state.guests))
    if (g.running && (g.runningOn ?? g.node) === name) setRunning(core, g, false);
  powerOff(core, name);
  if (kind === 'reboot') powerOn(core, name);
}

export function setCable(core: SimCore, name: string, connected: boolean): void {
  const nas = core.state.nas;
  if (nas && nas.name === name) {
    nas.cable = connected;
    return;
  }
  const n = nodeOrThrow(core, name);
  if (n.cable === connected) return;
  n.cable = connected;
  core.transition(`network:${name}`, connected ? 'off' : 'on', connected ? 'on' : 'off');
  if (n.phase !== 'off' && n.phase !== 'booting') membershipChanged(core, connected ? 'join' : 'loss');
}

/** Splits the lab network: each group is a segment; nodes not listed keep their segment. */
export function setPartitions(core: SimCore, groups: string[][]): void {
  groups.forEach((group, i) => {
    for (const name of group) nodeOrThrow(core, name).segment = `segment-${i}`;
  });
  membershipChanged(core, 'loss');
}

export function healPartitions(core: SimCore): void {
  for (const n of Object.values(core.state.nodes)) n.segment = 'lan';
  membershipChanged(core, 'join');
}

export function setNasPower(core: SimCore, on: boolean): void {
  const nas = core.state.nas;
  if (!nas) throw new HardwareError('this lab has no NAS');
  nas.power = on ? 'on' : 'off';
  core.transition(`power:${nas.name}`, on ? 'off' : 'on', on ? 'on' : 'off');
}
