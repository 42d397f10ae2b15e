/**
 * One open lab: its backend environment, the step runner, drills, the live topology and the
 * terminals, all behind the contract's lab.* / topology.* / terminal.* / drill.* / sim.* calls.
 * State goes out as full snapshots through the event hub, so a reloaded renderer loses nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type {
  BackendKind,
  DrillStateInfo,
  Language,
  LabRunInfo,
  MachineAction,
  SimClockInfo,
  SimSpeed,
  TerminalInfo,
  TopologyInfo,
} from '../contract/dto.ts';
import { ApiError } from '../contract/errors.ts';
import { DrillHistory } from '../lab/drill/history.ts';
import { DrillService } from '../lab/drill/drill-service.ts';
import { MemoryProgressStore } from '../lab/memory-progress-store.ts';
import { FileProgressStore, type ProgressStore } from '../lab/progress-store.ts';
import { LabRunner } from '../lab/runner.ts';
import type { LabFile, LabProfile } from '../lab/script/schema.ts';
import { TerminalManager } from '../terminal/manager.ts';
import type { Logger } from './deps.ts';
import type { EventHub } from './event-hub.ts';
import { createLabEnvironment } from '../backends/create-lab-environment.ts';
import type { LabEnvironment, VirtualBoxReach } from '../backends/lab-environment.ts';
import { TopologyObserver } from './topology-observer.ts';
import type { TrustBroker } from './trust-broker.ts';

export interface LabSessionOptions {
  lab: LabFile;
  profile: LabProfile;
  lang: Language;
  backend: BackendKind;
  dataDir: string;
  hub: EventHub;
  log: Logger;
  /** Simulator speed at start. */
  speed?: SimSpeed;
  /** How often the topology is refreshed (wall ms). */
  refreshMs?: number;
  /** Asks the learner to confirm real nodes' fingerprints (VirtualBox backend). */
  trust?: TrustBroker;
  /** VirtualBox only: where VirtualBox and the nodes are reached (tests use stand-ins). */
  virtualBox?: VirtualBoxReach;
}

export class LabSession {
  #speed: SimSpeed;
  #topology: TopologyInfo | null = null;
  #refreshing = false;
  #timer: NodeJS.Timeout | undefined;
  #drillRun: Promise<unknown> | undefined;
  #closed = false;
  readonly #unsubscribe: (() => void)[] = [];

  private constructor(
    readonly lab: LabFile,
    readonly profile: LabProfile,
    private readonly env: LabEnvironment,
    private readonly runner: LabRunner,
    private readonly drills: DrillService,
    private readonly terminals: TerminalManager,
    private readonly topologyObserver: TopologyObserver,
    private readonly options: LabSessionOptions,
  ) {
    this.#speed = options.speed ?? 1;
  }

  static async open(options: LabSessionOptions): Promise<LabSession> {
    const { lab, profile, hub } = options;
    const speed = options.speed ?? 1;
    const broker = options.trust;
    const env = await createLabEnvironment({
      lab,
      profile,
      backend: options.backend,
      // As fast as possible while the solved steps are replayed; then the learner's speed.
      speed: 'unbounded',
      // Real nodes: each certificate and ssh host key is confirmed by the learner in the UI, once.
      ...(broker
        ? {
            trust: (node: string, fingerprint: string, kind: 'tls-certificate' | 'ssh-host-key') =>
              broker.trust(lab.id, node, kind === 'tls-certificate' ? 'tls' : 'ssh', fingerprint),
          }
        : {}),
      ...(options.virtualBox ? { virtualBox: options.virtualBox } : {}),
    });
    try {
      const store = new FileProgressStore(join(options.dataDir, 'progress'));
      // A simulated cluster lives in memory: after a restart, replay what was already done.
      // (A real cluster keeps its state; nothing is replayed there.)
      if (env.replaysSolvedSteps) await rebuildWorld(lab, profile, env, await store.load(lab.id, profile.id));
      env.speed?.setSpeed(speed);

      let lang = options.lang;
      const drills = new DrillService({
        pve: env.pve,
        hypervisor: env.driver,
        clock: env.clock,
        history: new DrillHistory(options.dataDir),
        language: () => lang,
      });
      const runner = new LabRunner({
        lab,
        profile: profile.id,
        pve: env.pve,
        hypervisor: env.driver,
        shell: env.shell,
        clock: env.clock,
        store,
        lang,
        drills,
      });
      const terminals = new TerminalManager(env.ptys, {
        data: (id, data) => hub.emit('terminal.data', { id, data }),
        exit: (id, code) => hub.emit('terminal.exit', { id, code }),
      });
      const observer = new TopologyObserver({
        pve: env.pve,
        driver: env.driver,
        machines: env.machines,
        clock: env.clock,
        startedAt: env.clock.now(),
      });
      const session = new LabSession(lab, profile, env, runner, drills, terminals, observer, { ...options, speed });
      session.#unsubscribe.push(
        runner.onState((state) => {
          lang = state.lang;
          hub.emit('lab.state', session.#explainDown(state));
        }),
        drills.onState((state) => hub.emit('drill.state', state)),
      );
      await runner.start();
      session.#startRefreshing();
      return session;
    } catch (error) {
      await env.close();
      throw error;
    }
  }

  get state(): LabRunInfo {
    return this.#explainDown(this.runner.getState());
  }

  /** A check that could not reach a node says why, when the topology knows (watchdog, booting, off). */
  #explainDown(state: LabRunInfo): LabRunInfo {
    const reasonOf = (node: string) => this.topologyObserver.downReason(node);
    return {
      ...state,
      steps: state.steps.map((step) => ({
        ...step,
        checks: step.checks.map((c) =>
          c.unreachable ? { ...c, unreachable: { node: c.unreachable.node, reason: reasonOf(c.unreachable.node) } } : c,
        ),
      })),
    };
  }

  get topology(): TopologyInfo | null {
    return this.#topology;
  }

  check = async (): Promise<LabRunInfo> => this.#explainDown(await this.runner.check());
  solveStep = async (stepId: string): Promise<LabRunInfo> =>
    this.#explainDown(await this.#afterAction(this.runner.solveStep(stepId)));
  /** Solves the steps that rebuild an earlier lab's end state (course.startsFrom), in the background. */
  applyStartingPoint(): void {
    // On the simulator only: on real machines the prefix may install nodes, which the learner starts.
    const through = this.runner.backend === 'sim' ? this.runner.pendingStartingPoint() : null;
    if (!through) return;
    void this.solveUpTo(through).catch((error: unknown) =>
      this.options.log.warn(`starting point: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  solveUpTo = async (stepId: string): Promise<LabRunInfo> =>
    this.#explainDown(await this.#afterAction(this.runner.solveUpTo(stepId)));
  showHint = async (stepId: string): Promise<LabRunInfo> => this.#explainDown(await this.runner.showHint(stepId));
  setLanguage = (lang: Language): LabRunInfo => this.#explainDown(this.runner.setLanguage(lang));

  async act(machine: string, action: MachineAction): Promise<{ at: number }> {
    const known = this.profile.machines.find((m) => m.name === machine);
    if (!known) throw new ApiError('not-found', `This lab has no machine "${machine}".`);
    const driver = this.env.driver;
    const done = await (async () => {
      switch (action) {
        case 'power-off':
          return driver.powerOff(machine);
        case 'power-on':
          await driver.powerOn(machine);
          return { at: this.env.clock.now() };
        case 'acpi-shutdown':
          return driver.acpiShutdown(machine);
        case 'reboot':
          if (known.kind === 'pve') {
            // A clean reboot goes through Proxmox (and its HA shutdown policy), as `reboot` on the node would.
            await this.env.pve.request({ method: 'POST', path: `/nodes/${machine}/status`, node: machine, params: { command: 'reboot' } });
            return { at: this.env.clock.now() };
          }
          return driver.reset(machine);
        case 'cable-out':
          return driver.setCable(machine, false);
        case 'cable-in':
          return driver.setCable(machine, true);
      }
    })();
    void this.refresh();
    return done;
  }

  clockInfo(): SimClockInfo {
    return { ms: this.env.clock.now(), speed: this.#speed };
  }

  setSpeed(speed: SimSpeed): SimClockInfo {
    if (!this.env.speed) throw new ApiError('conflict', 'Only the simulator has a speed control.');
    this.env.speed.setSpeed(speed);
    this.#speed = speed;
    const info = this.clockInfo();
    this.options.hub.emit('sim.clock', info);
    return info;
  }

  async openTerminal(node: string): Promise<TerminalInfo> {
    if (!this.profile.machines.some((m) => m.name === node && m.kind === 'pve')) {
      throw new ApiError('not-found', `This lab has no Proxmox node "${node}".`);
    }
    const session = await this.terminals.open(node);
    return { id: session.id, node, scrollback: session.scrollback };
  }

  terminal(id: string) {
    const session = this.terminals.get(id);
    if (!session) throw new ApiError('not-found', `No terminal "${id}" (it may have been closed).`);
    return session;
  }

  closeTerminal(id: string): void {
    this.terminals.close(id);
  }

  drillState(): DrillStateInfo {
    return this.drills.getState();
  }

  /** Starts the drill of `stepId` (default: the active step) in the background. */
  startDrill(stepId?: string, guessSeconds?: number): DrillStateInfo {
    if (this.#drillRun) throw new ApiError('conflict', 'A drill is already running.');
    const id = stepId ?? this.runner.getState().activeStepId;
    const step = this.lab.steps.find((s) => s.id === id);
    if (!step?.drill) throw new ApiError('conflict', `Step "${id ?? '—'}" has no drill.`);
    this.#drillRun = this.drills
      .runDrill(this.lab.id, step.drill, undefined, guessSeconds === undefined ? undefined : guessSeconds * 1000)
      .catch((error: unknown) => this.options.log.warn(`drill failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        this.#drillRun = undefined;
        void this.refresh();
      });
    return this.drills.getState();
  }

  /** Observes the cluster now and sends the snapshot to every renderer. */
  async refresh(): Promise<TopologyInfo | null> {
    if (this.#refreshing || this.#closed) return this.#topology;
    this.#refreshing = true;
    try {
      this.#topology = await this.topologyObserver.observe();
      this.options.hub.emit('topology.state', this.#topology);
      this.options.hub.emit('sim.clock', this.clockInfo());
    } catch (error) {
      this.options.log.warn(`topology: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.#refreshing = false;
    }
    return this.#topology;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    for (const off of this.#unsubscribe) off();
    await this.runner.stop();
    this.terminals.closeAll();
    await this.env.close();
  }

  #startRefreshing(): void {
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), this.options.refreshMs ?? 500);
    this.#timer.unref();
  }

  async #afterAction(result: Promise<LabRunInfo>): Promise<LabRunInfo> {
    try {
      return await result;
    } finally {
      void this.refresh();
    }
  }
}

/**
 * Replays the solves of the steps saved as passed, at full speed, so the simulated cluster is
 * where the learner left it. Progress itself is untouched (a throwaway store is used).
 */
async function rebuildWorld(
  lab: LabFile,
  profile: LabProfile,
  env: LabEnvironment,
  saved: Awaited<ReturnType<ProgressStore['load']>>,
): Promise<void> {
  if (!saved || saved.labVersion !== lab.version) return;
  const passed = lab.steps.filter((s) => saved.steps[s.id]);
  const last = passed.at(-1);
  if (!last) return;
  const scratch = await mkdtemp(join(tmpdir(), 'nestlab-rebuild-'));
  const replay = new LabRunner({
    lab,
    profile: profile.id,
    pve: env.pve,
    hypervisor: env.driver,
    shell: env.shell,
    clock: env.clock,
    store: new MemoryProgressStore(),
    lang: 'en',
    drills: new DrillService({
      pve: env.pve,
      hypervisor: env.driver,
      clock: env.clock,
      history: new DrillHistory(scratch),
      language: () => 'en',
    }),
  });
  try {
    await replay.start();
    const state = await replay.solveUpTo(last.id);
    if (state.error) throw new ApiError('internal', `Could not restore the simulated cluster: ${state.error}`);
  } finally {
    await replay.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}
