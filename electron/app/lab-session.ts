/**
 * One open lab: its backend environment, the step runner, drills, the live topology and the
 * terminals, all behind the contract's lab.* / topology.* / terminal.* / drill.* / sim.* calls.
 * State goes out as full snapshots through the event hub, so a reloaded renderer loses nothing.
 * The one way to open a lab: the desktop app, the browser host and the CLI (`lab run`, `lab test`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type {
  BackendKind,
  DrillStateInfo,
  Language,
  LabBuildInfo,
  LabRunInfo,
  MachineAction,
  SimClockInfo,
  SimSpeed,
  TerminalInfo,
  TopologyInfo,
} from '../contract/dto.ts';
import { ApiError } from '../contract/errors.ts';
import { DrillHistory } from '../lab/drill/history.ts';
import { ExpressionCache } from '../lab/expression-cache.ts';
import { createRunContext } from '../lab/run-context.ts';
import { DrillService } from '../lab/drill/drill-service.ts';
import { testLab, type StepTestResult, type TestVia } from '../lab/lab-test.ts';
import { MemoryProgressStore } from '../lab/memory-progress-store.ts';
import type { ProgressStore } from '../lab/progress-store.ts';
import { LabRunner, type SolveProgress } from '../lab/runner.ts';
import { TaskService } from '../lab/task-service.ts';
import { applyPowerOperation } from '../hypervisor/power-operations.ts';
import type { LabFile, LabProfile } from '../lab/script/schema.ts';
import type { PveApi } from '../pve/api.ts';
import { TerminalManager } from '../terminal/manager.ts';
import type { Logger } from './deps.ts';
import type { EventHub } from './event-hub.ts';
import { createLabEnvironment } from '../backends/create-lab-environment.ts';
import type {
  ClockSpeed,
  LabEnvironment,
  NodeEndpoint,
  TrustCallback,
  VirtualBoxReach,
} from '../backends/lab-environment.ts';
import { taskTitle } from './task-titles.ts';
import { echoText, solveEchoes } from './solve-echo.ts';
import { TopologyObserver } from './topology-observer.ts';

export interface LabSessionOptions {
  lab: LabFile;
  profile: LabProfile;
  lang: Language;
  backend: BackendKind;
  hub: EventHub;
  log: Logger;
  /** Where progress is saved: a file per lab in the data folder (the app), memory (the CLI). */
  store: ProgressStore;
  /** Where drill reports are kept. */
  history: DrillHistory;
  /** Clock speed at start, when the backend has a speed control (default 1: real time). */
  speed?: ClockSpeed;
  /** How often the topology is refreshed (wall ms); null: never on its own (nobody watches it). */
  refreshMs?: number | null;
  /** Confirms real nodes' fingerprints (the learner in the UI, the CLI's prompt). */
  trust?: TrustCallback;
  /** VirtualBox only: where VirtualBox and the nodes are reached (tests use stand-ins). */
  virtualBox?: VirtualBoxReach;
  /** Where long work (solves, drills, restoring) shows as tasks; default: nowhere. */
  tasks?: TaskService;
}

/** A solve that ran and did not pass: its task fails, the caller still gets the state. */
class SolveDidNotPass extends Error {
  constructor(readonly state: LabRunInfo) {
    super(state.error ?? 'the solve did not pass');
  }
}

/** The contract's speed for a clock speed (`lab run --speed 50` has no button of its own). */
function contractSpeed(speed: ClockSpeed): SimSpeed {
  if (typeof speed !== 'number') return 'max';
  return speed >= 10 ? 10 : 1;
}

export class LabSession {
  #speed: ClockSpeed;
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
    private readonly tasks: TaskService,
    private readonly options: LabSessionOptions,
  ) {
    this.#speed = options.speed ?? 1;
  }

  static async open(options: LabSessionOptions): Promise<LabSession> {
    const { lab, profile, hub } = options;
    const tasks = options.tasks ?? new TaskService(() => undefined);
    const speed = options.speed ?? 1;
    const env = await createLabEnvironment({
      lab,
      profile,
      backend: options.backend,
      // As fast as possible while the solved steps are replayed; then the learner's speed.
      speed: 'unbounded',
      ...(options.trust ? { trust: options.trust } : {}),
      ...(options.virtualBox ? { virtualBox: options.virtualBox } : {}),
    });
    try {
      const store = options.store;
      // A backend that forgets its cluster (the simulator): replay what was already done.
      // (A real cluster keeps its state; nothing is replayed there.)
      const saved = await store.load(lab.id, profile.id);
      if (
        env.replaysSolvedSteps &&
        saved &&
        saved.labVersion === lab.version &&
        Object.keys(saved.steps).length > 0
      ) {
        await tasks.withTask(taskTitle('restore', options.lang), (task) =>
          rebuildWorld(lab, profile, env, saved, (fraction, message) => task.progress(fraction, message)),
        );
      }
      env.speed?.setSpeed(speed);

      let lang = options.lang;
      const drills = new DrillService({
        pve: env.pve,
        hypervisor: env.driver,
        clock: env.clock,
        history: options.history,
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
        canBuild: env.build !== null,
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
      const session = new LabSession(lab, profile, env, runner, drills, terminals, observer, tasks, {
        ...options,
        speed,
      });
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
          c.unreachable
            ? { ...c, unreachable: { node: c.unreachable.node, reason: reasonOf(c.unreachable.node) } }
            : c,
        ),
      })),
    };
  }

  get topology(): TopologyInfo | null {
    return this.#topology;
  }

  /** Whether the lab's nodes serve Proxmox's own web interface (to open it in a pinned window). */
  get nodeWebInterfaces(): boolean {
    return this.env.nodeWebInterfaces;
  }

  /** The open lab's Proxmox API (the Datacenter view's calls go here). */
  get pve(): PveApi {
    return this.env.pve;
  }

  /** The root@pam password the lab's nodes were installed with (the simulator's, if the lab names none). */
  get rootPassword(): string | null {
    const fromLab = this.lab.vars.rootPassword;
    if (typeof fromLab === 'string') return fromLab;
    return this.env.login.password || null;
  }

  check = async (): Promise<LabRunInfo> => this.#explainDown(await this.runner.check());
  /** NestLab does the step, shown as a task with its progress. */
  solveStep = async (stepId: string): Promise<LabRunInfo> =>
    this.#explainDown(
      await this.#afterSolve(() =>
        this.#solveTask('solveStep', stepId, (progress) => this.runner.solveStep(stepId, progress)),
      ),
    );
  /** Solves the steps that rebuild an earlier lab's end state (course.startsFrom), in the background. */
  applyStartingPoint(): void {
    // On every backend, as a task the learner sees (on VirtualBox it may install the nodes).
    const through = this.runner.pendingStartingPoint();
    if (!through) return;
    void this.solveUpTo(through).catch((error: unknown) =>
      this.options.log.warn(`starting point: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  /** NestLab does every step up to `stepId`, shown as one task. */
  solveUpTo = async (stepId: string): Promise<LabRunInfo> =>
    this.#explainDown(
      await this.#afterSolve(() =>
        this.#solveTask('solveUpTo', stepId, (progress) => this.runner.solveUpTo(stepId, progress)),
      ),
    );
  showHint = async (stepId: string): Promise<LabRunInfo> =>
    this.#explainDown(await this.runner.showHint(stepId));
  setLanguage = (lang: Language): LabRunInfo => this.#explainDown(this.runner.setLanguage(lang));

  /**
   * Puts the machines back to their installed state when the backend can (VirtualBox checkpoints);
   * null when it has nothing to do (the simulator rebuilds its cluster when the lab reopens).
   */
  async resetMachines(): Promise<string | null> {
    if (!this.env.resetMachines) return null;
    return (await this.env.resetMachines.reset()).restored;
  }

  /** Builds the lab's machines (a task per machine in the tray), then checks the steps again. */
  async build(): Promise<LabBuildInfo> {
    const builder = this.env.build;
    if (!builder) {
      throw new ApiError(
        'conflict',
        `Lab "${this.lab.id}" has nothing to build: its machines exist as soon as it opens.`,
      );
    }
    const outcome = await builder.build(this.tasks);
    void this.refresh();
    await this.runner.check();
    return { installed: outcome.installed, skipped: outcome.skipped };
  }

  async act(machine: string, action: MachineAction): Promise<{ at: number }> {
    const known = this.profile.machines.find((m) => m.name === machine);
    if (!known) throw new ApiError('not-found', `This lab has no machine "${machine}".`);
    const now = (): number => this.env.clock.now();
    const done = await (async () => {
      if (action !== 'reboot') return applyPowerOperation(this.env.driver, machine, action, now);
      // Rebooting needs a running machine; on a powered-off one it is the caller's mistake.
      if ((await this.env.driver.machine(machine)).power === 'off') {
        throw new ApiError(
          'conflict',
          `Machine "${machine}" is powered off; power it on instead of rebooting it.`,
        );
      }
      if (known.kind === 'pve') {
        // A clean reboot goes through Proxmox (and its HA shutdown policy), as `reboot` on the node would.
        await this.env.pve.request({
          method: 'POST',
          path: `/nodes/${machine}/status`,
          node: machine,
          params: { command: 'reboot' },
        });
        return { at: now() };
      }
      // Anything else has no OS to ask: the reset button.
      return applyPowerOperation(this.env.driver, machine, 'reset', now);
    })();
    void this.refresh();
    return done;
  }

  clockInfo(): SimClockInfo {
    return { ms: this.env.clock.now(), speed: contractSpeed(this.#speed) };
  }

  /** The Proxmox nodes reached so far and their login (`lab run` prints them). */
  nodes(): { endpoints: NodeEndpoint[]; login: { username: string; password: string } } {
    return { endpoints: this.env.nodeEndpoints(), login: this.env.login };
  }

  /** True when the clock can change speed (the simulator). */
  get hasSpeedControl(): boolean {
    return this.env.speed !== null;
  }

  /**
   * A teacher's CI on this lab: for every step the checks fail first, the solve runs, the checks
   * pass (`lab test`). Meant for a fresh session with nothing done yet.
   */
  test(onStep?: (result: StepTestResult) => void, via: TestVia = 'solve'): Promise<StepTestResult[]> {
    return testLab({
      lab: this.lab,
      profile: this.profile.id,
      pve: this.env.pve,
      hypervisor: this.env.driver,
      shell: this.env.shell,
      clock: this.env.clock,
      runner: this.runner,
      via,
      ...(onStep ? { onStep } : {}),
    });
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
    const title = taskTitle('drill', this.state.lang, this.#stepTitle(step.id));
    this.#drillRun = this.tasks
      .withTask(
        title,
        async (task) => {
          // A drill's length depends on the cluster: the bar is indeterminate, the phase its message.
          const off = this.drills.onState((s) => {
            if (s.running) task.progress(null, s.phase ? s.phase[this.state.lang] || s.phase.en : null);
          });
          try {
            return await this.drills.runDrill(
              this.lab.id,
              step.drill!,
              task.signal,
              guessSeconds === undefined ? undefined : guessSeconds * 1000,
            );
          } finally {
            off();
          }
        },
        { fraction: null },
      )
      .catch((error: unknown) =>
        this.options.log.warn(`drill failed: ${error instanceof Error ? error.message : String(error)}`),
      )
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
    if (this.options.refreshMs === null) return;
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), this.options.refreshMs ?? 500);
    this.#timer.unref();
  }

  #stepTitle(stepId: string): string {
    return this.runner.getState().steps.find((s) => s.id === stepId)?.title ?? stepId;
  }

  async #solveTask(
    kind: 'solveStep' | 'solveUpTo',
    stepId: string,
    solve: (progress: SolveProgress) => Promise<LabRunInfo>,
  ): Promise<LabRunInfo> {
    const title = taskTitle(kind, this.state.lang, this.#stepTitle(stepId));
    try {
      return await this.tasks.withTask(title, async (task) => {
        const state = await solve((fraction, message) => task.progress(fraction, message));
        if (state.error) throw new SolveDidNotPass(state);
        return state;
      });
    } catch (error) {
      if (error instanceof SolveDidNotPass) return error.state;
      throw error;
    }
  }

  /** A solve, then what it did written into the nodes' terminals (dimmed, marked as NestLab's). */
  async #afterSolve(solve: () => Promise<LabRunInfo>): Promise<LabRunInfo> {
    const before = new Set(
      this.runner
        .getState()
        .steps.filter((s) => s.status === 'passed')
        .map((s) => s.id),
    );
    const after = await this.#afterAction(solve());
    const solved = after.steps.filter(
      (s) => !before.has(s.id) && s.status === 'passed' && s.solvedBy === 'nestlab',
    );
    for (const info of solved) {
      const step = this.lab.steps.find((s) => s.id === info.id);
      if (step)
        await this.#echoSolve(step, info.title).catch((e: unknown) =>
          this.options.log.warn(`solve echo: ${String(e)}`),
        );
    }
    return after;
  }

  async #echoSolve(step: LabFile['steps'][number], title: string): Promise<void> {
    const firstNode = this.profile.machines.find((m) => m.kind === 'pve')?.name;
    if (!firstNode) return;
    const cache = new ExpressionCache();
    const context = createRunContext(this.lab, this.profile);
    for (const { node, commands } of solveEchoes(step, firstNode)) {
      const rendered: string[] = [];
      for (const command of commands)
        rendered.push(await cache.renderText(command, context).catch(() => command));
      // Where a shell costs nothing, open it so the learner finds the note later; real nodes get
      // the note only in a terminal already open (no ssh session just for it).
      const session = this.env.shellsAreLocal ? await this.terminals.open(node) : this.terminals.find(node);
      session?.note(echoText(title, rendered));
    }
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
  progress?: SolveProgress,
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
    const state = await replay.solveUpTo(last.id, progress);
    if (state.error)
      throw new ApiError('internal', `Could not restore the simulated cluster: ${state.error}`);
  } finally {
    await replay.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}
