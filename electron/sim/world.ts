/**
 * The simulated Proxmox VE datacenter: one in-memory model, driven by a VirtualClock.
 *
 * Who uses what:
 * - The HTTP server (one per node) asks `apiAvailable(node)` before answering, authenticates with
 *   `checkPassword`, reads `clusterName()` for the ticket reply, and dispatches to the handlers of
 *   `simRoutes(world)` (electron/sim/api/index.ts), which work on `world.core`.
 * - `SimHypervisorDriver` (hypervisor.ts) drives the hardware methods below.
 * - The scenario runner builds a formed cluster, injects faults and watches `onTransition`.
 *
 * All methods are synchronous and act "now" on the world time line (`now()`, ms). Time moves only
 * through the clock (`clock.runUntil`, or its realtime/fast modes).
 */
import { createHash } from 'node:crypto';
import { VirtualClock } from './clock/virtual-clock.ts';
import { finishJoin } from './cluster-config.ts';
import { finishDownload } from './downloads.ts';
import { guestLinkUp } from './guest-actions.ts';
import { completeGuestOp } from './guests.ts';
import { crmLoop } from './ha/crm.ts';
import { applyCrmCommand } from './ha/ha-requests.ts';
import { lrmLoop, lrmRestartRequest, lrmWorkerDone, resetLrm } from './ha/lrm.ts';
import { buildHaStatus, buildManagerStatus, type HaStatusEntry } from './ha/status-view.ts';
import { watchdogCheck } from './ha/watchdog.ts';
import * as hw from './hardware.ts';
import {
  isQuorate,
  quorumInfo,
  recomputeMembership,
  setExpectedVotes,
  type QuorumInfo,
} from './membership.ts';
import { canWrite } from './pmxcfs.ts';
import { removeQdevice, setupQdevice } from './qdevice.ts';
import { SimCore } from './sim-core.ts';
import type { NodeState, SimState } from './state.ts';
import { defaultStorage } from './storage.ts';
import type {
  PveMajor,
  ShutdownPolicy,
  SimWorldConfig,
  WorldLogEntry,
  WorldTransition,
} from './world-types.ts';

export type * from './world-types.ts';
export type { QuorumInfo } from './membership.ts';
export type { HaStatusEntry } from './ha/status-view.ts';

/** An opaque checkpoint of the whole world (hardware, cluster, guests, HA, pending timers). */
export interface WorldSnapshot {
  readonly state: SimState;
  readonly worldTime: number;
}

const DEFAULT_EPOCH = Date.UTC(2026, 0, 1);

/** A deterministic stand-in fingerprint until the HTTP server reports the real certificate's. */
export function placeholderFingerprint(node: string): string {
  const hex = createHash('sha256').update(`nestlab-sim:${node}`).digest('hex').toUpperCase();
  return hex.match(/../g)!.join(':');
}

function newNode(name: string, ip: string): NodeState {
  const n: NodeState = {
    name,
    ip,
    fingerprint: placeholderFingerprint(name),
    power: 'on',
    phase: 'up',
    cable: true,
    segment: 'lan',
    bootId: 1,
    upSince: 0,
    crm: { state: 'off', idleRounds: 0 },
    lrm: undefined as never,
    watchdog: {},
  };
  resetLrm(n);
  return n;
}

export function initialState(config: SimWorldConfig): SimState {
  const names = new Set<string>();
  for (const n of config.nodes) {
    if (!/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(n.name))
      throw new Error(`invalid node name '${n.name}'`);
    if (names.has(n.name)) throw new Error(`duplicate node name '${n.name}'`);
    names.add(n.name);
  }
  if (config.nodes.length === 0) throw new Error('a simulated datacenter needs at least one node');
  const state: SimState = {
    pveMajor: config.pveMajor ?? 9,
    rootPassword: config.rootPassword,
    nodeBootMs: (config.nodeBootSeconds ?? 40) * 1000,
    guestBootMs: (config.guestBootSeconds ?? 25) * 1000,
    epochMs: config.epochMs ?? DEFAULT_EPOCH,
    nodes: Object.fromEntries(config.nodes.map((n) => [n.name, newNode(n.name, n.ip)])),
    nas: config.nas
      ? { ...config.nas, exports: [...config.nas.exports], power: 'on', cable: true }
      : undefined,
    membership: {},
    storage: defaultStorage(),
    localStorage: {},
    volumes: {},
    guests: {},
    tasks: {},
    nextPid: 0x1a2b0,
    clusterLog: [],
    nextLogUid: 1,
    ha: {
      resources: {},
      rules: {},
      groups: {},
      crmCommands: [],
      manager: { timestamp: 0, node_status: {}, service_status: {}, node_request: {} },
      agentLocks: {},
      lrmModes: {},
      lastOnline: {},
      shutdownPolicy: 'conditional',
      uidCounter: 0,
    },
    agenda: [],
    agendaSeq: 0,
  };
  return state;
}

export class World {
  /**
   * The model's kernel (state, agenda, logs). For the API handlers and the scenario runner in
   * electron/sim; other code should use the methods of World.
   */
  readonly core: SimCore;

  constructor(
    config: SimWorldConfig,
    readonly clock: VirtualClock = new VirtualClock(),
  ) {
    this.core = new SimCore(clock, initialState(config));
    this.registerHandlers();
    const initial = config.initial ?? { kind: 'standalone' };
    if (initial.kind === 'cluster') {
      const pveMajor = this.core.state.pveMajor;
      this.core.state.cluster = {
        name: initial.clusterName ?? 'lab',
        founder: config.nodes[0]!.name,
        nodes: Object.fromEntries(
          config.nodes.map((n, i) => [n.name, { nodeid: i + 1, votes: 1, ip: n.ip }]),
        ),
        configVersion: config.nodes.length,
        tokenCoefficient: pveMajor >= 9 ? 125 : 650,
      };
      recomputeMembership(this.core);
      for (const n of config.nodes) hw.startHaDaemons(this.core, this.core.state.nodes[n.name]!);
      if (config.nas && config.nas.exports[0]) {
        this.core.state.storage[initial.nfsStorage ?? 'nas'] = {
          type: 'nfs',
          server: config.nas.ip,
          export: config.nas.exports[0],
          path: `/mnt/pve/${initial.nfsStorage ?? 'nas'}`,
          content: ['images', 'rootdir', 'iso'],
        };
      }
    }
  }

  private registerHandlers(): void {
    const core = this.core;
    core.on('node-up', ({ node, bootId }) => hw.nodeUp(core, node, bootId));
    core.on('membership', () => recomputeMembership(core));
    core.on('join-done', ({ upid, node, bootId }) => finishJoin(core, upid, node, bootId));
    core.on('crm-loop', ({ node, bootId }) => crmLoop(core, node, bootId));
    core.on('lrm-loop', ({ node, bootId }) => lrmLoop(core, node, bootId));
    core.on('guest-op-done', (done) => completeGuestOp(core, done));
    core.on('lrm-worker-done', ({ node, sid, uid, exitCode }) =>
      lrmWorkerDone(core, node, sid, uid, exitCode),
    );
    core.on('onboot', ({ node, bootId, waited }) => hw.startOnbootGuests(core, node, bootId, waited));
    core.on('download-done', (done) => finishDownload(core, done));
    core.on('shutdown-tick', ({ node, bootId }) => hw.shutdownTick(core, node, bootId));
    core.on('shutdown-final', ({ node, bootId }) => hw.shutdownFinal(core, node, bootId));
    core.on('watchdog', ({ node, bootId }) => {
      if (watchdogCheck(core, node, bootId)) hw.resetNode(core, node);
    });
  }

  // ── time ──────────────────────────────────────────────────────────────────────────────────

  /** World time in ms (0 = creation, or the time of a restored checkpoint). */
  now(): number {
    return this.core.now();
  }

  /** Runs the model synchronously until world time `ms` (scenarios, tests). Manual clock mode only. */
  runUntil(ms: number): void {
    this.clock.runUntil(this.clock.now() + Math.max(0, ms - this.now()));
  }

  runFor(ms: number): void {
    this.clock.runUntil(this.clock.now() + ms);
  }

  // ── identity and access (HTTP server) ─────────────────────────────────────────────────────

  get pveMajor(): PveMajor {
    return this.core.state.pveMajor;
  }

  nodeNames(): string[] {
    return Object.keys(this.core.state.nodes);
  }

  nodeIp(node: string): string {
    return hw.nodeOrThrow(this.core, node).ip;
  }

  /** The HTTP server reports each node's real certificate fingerprint (`AB:CD:…`) here. */
  setNodeFingerprint(node: string, fingerprint: string): void {
    hw.nodeOrThrow(this.core, node).fingerprint = fingerprint.toUpperCase();
  }

  nodeFingerprint(node: string): string {
    return hw.nodeOrThrow(this.core, node).fingerprint;
  }

  /** root@pam password check (every node has the installer's password). */
  checkPassword(username: string, password: string): boolean {
    return (username === 'root@pam' || username === 'root') && password === this.core.state.rootPassword;
  }

  /** Whether the node's API (pveproxy) answers: powered, booted, cable connected. */
  apiAvailable(node: string): boolean {
    const n = this.core.state.nodes[node];
    return n !== undefined && (n.phase === 'up' || n.phase === 'shutting-down') && n.cable;
  }

  /** Cluster name if `node` is a cluster member (the ticket reply's `clustername`). */
  /**
   * Whose CA signs `node`'s certificate and whose authkey signs its tickets: its own while
   * standalone, the cluster founder's once it is a member (pmxcfs shares pve-root-ca and authkey).
   */
  keyDomain(node: string): string {
    const cluster = this.core.state.cluster;
    if (!cluster?.nodes[node]) return node;
    return cluster.founder ?? Object.keys(cluster.nodes).sort()[0]!;
  }

  clusterName(node?: string): string | undefined {
    const c = this.core.state.cluster;
    if (!c) return undefined;
    return node === undefined || c.nodes[node] ? c.name : undefined;
  }

  version(): { version: string; release: string; repoid: string } {
    return this.pveMajor >= 9
      ? { version: '9.1.1', release: '9.1', repoid: '42db4a6cf33dac83' }
      : { version: '8.4.1', release: '8.4', repoid: '2a5fa54a8503f96d' };
  }

  // ── hardware (SimHypervisorDriver, scenarios, drills) ─────────────────────────────────────

  powerOn(node: string): void {
    if (this.core.state.nas?.name === node) return hw.setNasPower(this.core, true);
    hw.powerOn(this.core, node);
  }

  /** Hard power-off (pull the plug). */
  powerOff(node: string): void {
    if (this.core.state.nas?.name === node) return hw.setNasPower(this.core, false);
    hw.powerOff(this.core, node);
  }

  reset(node: string): void {
    if (this.core.state.nas?.name === node) return;
    hw.resetNode(this.core, node);
  }

  /** Clean shutdown (ACPI button, `shutdown -h`, `POST /nodes/{n}/status command=shutdown`). */
  shutdown(node: string): void {
    if (this.core.state.nas?.name === node) return hw.setNasPower(this.core, false);
    hw.requestShutdown(this.core, node, 'poweroff');
  }

  reboot(node: string): void {
    hw.requestShutdown(this.core, node, 'reboot');
  }

  /** `systemctl restart pve-ha-lrm` on `node`. */
  restartLrm(node: string): void {
    lrmRestartRequest(this.core, hw.nodeOrThrow(this.core, node));
  }

  setCable(machine: string, connected: boolean): void {
    hw.setCable(this.core, machine, connected);
  }

  /** Splits the network into groups of nodes that can only reach each other. */
  partition(groups: string[][]): void {
    hw.setPartitions(this.core, groups);
  }

  healPartitions(): void {
    hw.healPartitions(this.core);
  }

  machineState(name: string): { power: 'on' | 'off'; cable: boolean; phase: string } {
    const nas = this.core.state.nas;
    if (nas?.name === name)
      return { power: nas.power, cable: nas.cable, phase: nas.power === 'on' ? 'up' : 'off' };
    const n = hw.nodeOrThrow(this.core, name);
    return { power: n.power, cable: n.cable, phase: n.phase };
  }

  nasName(): string | undefined {
    return this.core.state.nas?.name;
  }

  // ── cluster ───────────────────────────────────────────────────────────────────────────────

  quorum(node: string): QuorumInfo | undefined {
    return quorumInfo(this.core, node);
  }

  isQuorate(node: string): boolean {
    return isQuorate(this.core, node);
  }

  /** Whether /etc/pve on `node` accepts writes. */
  pmxcfsWritable(node: string): boolean {
    return canWrite(this.core, node);
  }

  /** `pvecm expected <votes>` on `node`; throws with corosync's message when refused. */
  setExpectedVotes(node: string, votes: number): void {
    setExpectedVotes(this.core, node, votes);
  }

  /**
   * `ha-manager crm-command …` issued on `node`: `migrate <sid> <node>`, `relocate <sid> <node>`,
   * `stop <sid> <timeout>`, `enable-node-maintenance <node>`, `disable-node-maintenance <node>`.
   * Validated and queued for the CRM master; throws with the upstream message when refused.
   */
  crmCommand(node: string, command: string): void {
    applyCrmCommand(this.core, node, command);
  }

  /** `pvecm qdevice setup <ip>` (ip given) or `pvecm qdevice remove`, issued on `node`. */
  setQdevice(node: string, ip: string | undefined): void {
    if (ip === undefined) removeQdevice(this.core, node);
    else setupQdevice(this.core, node, ip);
  }

  setShutdownPolicy(policy: ShutdownPolicy): void {
    this.core.state.ha.shutdownPolicy = policy;
  }

  // ── guests ────────────────────────────────────────────────────────────────────────────────

  /** True once the guest OS answers (ping, QEMU guest agent). */
  guestAnswering(vmid: number): boolean {
    const g = this.core.state.guests[String(vmid)];
    return g !== undefined && g.running && !g.paused && this.now() >= g.osUpAt && guestLinkUp(g);
  }

  guestLocation(vmid: number): { node: string; running: boolean } | undefined {
    const g = this.core.state.guests[String(vmid)];
    return g ? { node: g.node, running: g.running } : undefined;
  }

  // ── HA ────────────────────────────────────────────────────────────────────────────────────

  /** `/cluster/ha/status/current` as seen from `node`. */
  haStatus(node: string): HaStatusEntry[] {
    return buildHaStatus(this.core, node);
  }

  managerStatus(node: string): Record<string, unknown> {
    return buildManagerStatus(this.core, node);
  }

  // ── observation and checkpoints ───────────────────────────────────────────────────────────

  onTransition(listener: (t: WorldTransition) => void): () => void {
    return this.core.onTransition(listener);
  }

  onLog(listener: (e: WorldLogEntry) => void): () => void {
    return this.core.onLog(listener);
  }

  /** Recent journal lines of all nodes (newest last). */
  journal(node?: string): WorldLogEntry[] {
    return node ? this.core.syslog.filter((e) => e.node === node) : [...this.core.syslog];
  }

  snapshot(): WorldSnapshot {
    return { state: structuredClone(this.core.state), worldTime: this.now() };
  }

  restore(snapshot: WorldSnapshot): void {
    this.core.replaceState(structuredClone(snapshot.state), snapshot.worldTime);
  }
}
