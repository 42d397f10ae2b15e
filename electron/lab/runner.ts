/**
 * The lab engine's step runner: one lab, one profile, one backend. Steps go locked → active →
 * (checking) → passed, or failed after an explicit check or a solve that did not work. The active
 * step is checked on an interval of the Clock; "solve this step" and "solve up to here" run the
 * lab's solve actions; progress is saved atomically after every change and resumed on start.
 * State leaves as LabRunInfo snapshots (the `lab.state` event), never as live objects.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock/clock.ts';
import type { BackendKind, DataNotice, Language, LabRunInfo, StepInfo, StepStatus } from '../contract/dto.ts';
import { ApiError } from '../contract/errors.ts';
import type { HypervisorDriver } from '../hypervisor/driver.ts';
import type { PveApi } from '../pve/api.ts';
import type { DrillRunner } from './drill-runner.ts';
import type { ExpressionLimits } from './expression/limits.ts';
import { ExpressionCache } from './expression-cache.ts';
import { localize } from './localize.ts';
import type { ProgressStore, SavedProgress } from './progress-store.ts';
import { createRunContext, type RunContext } from './run-context.ts';
import { checkMessage, errorText, runChecks, type CheckOutcome } from './run-checks.ts';
import { stepApplies } from './script/applicability.ts';
import type { LabFile, LabProfile, LabStep } from './script/schema.ts';
import type { ShellRunner } from './shell-runner.ts';
import { runSolve } from './solve/run-solve.ts';

/** How far a solve is: a fraction 0..1 of the whole call and what it does now. */
export type SolveProgress = (fraction: number, message: string) => void;

export const LAB_STATE_EVENT = 'lab.state';

export interface LabRunnerOptions {
  lab: LabFile;
  /** Profile id of the lab. */
  profile: string;
  pve: PveApi;
  hypervisor: HypervisorDriver;
  shell: ShellRunner;
  clock: Clock;
  store: ProgressStore;
  lang: Language;
  /** Default: the hypervisor's kind. */
  backend?: BackendKind;
  runId?: string;
  /** How often the active step is checked (default 3 s of the clock). */
  autoCheckIntervalMs?: number;
  /** After a solve, how long the checks may take to turn green (default 30 s of the clock). */
  solveSettleMs?: number;
  requestTimeoutMs?: number;
  expressionLimits?: Partial<ExpressionLimits>;
  drills?: DrillRunner;
  /** Wall clock for "passed at" timestamps. */
  now?: () => Date;
  /** The backend can build the lab's machines (said in the state as `canBuild`). */
  canBuild?: boolean;
}

interface StepRuntime {
  step: LabStep;
  status: StepStatus;
  solvedBy: 'learner' | 'nestlab' | null;
  passedAt: string | null;
  checks: CheckOutcome[];
  hintsShown: number;
}

export class LabRunner {
  readonly runId: string;
  readonly backend: BackendKind;
  private readonly lab: LabFile;
  private readonly profile: LabProfile;
  private readonly steps: StepRuntime[];
  private readonly cache: ExpressionCache;
  private readonly now: () => Date;
  private lang: Language;
  private busy: string | null = null;
  private error: string | null = null;
  /** Damaged saved progress kept aside at start; stays in the state so every view can say it. */
  private notice: DataNotice | null = null;
  private readonly listeners = new Set<(state: LabRunInfo) => void>();
  private queue: Promise<unknown> = Promise.resolve();
  private queued = 0;
  private lifetime = new AbortController();
  private autoLoop: Promise<void> | undefined;

  constructor(private readonly o: LabRunnerOptions) {
    this.lab = o.lab;
    const profile = o.lab.profiles.find((p) => p.id === o.profile);
    if (!profile) {
      throw new Error(
        `lab "${o.lab.id}" has no profile "${o.profile}" (profiles: ${o.lab.profiles.map((p) => p.id).join(', ')})`,
      );
    }
    this.profile = profile;
    this.backend = o.backend ?? o.hypervisor.kind;
    if (!profile.backends.includes(this.backend)) {
      throw new Error(
        `profile "${profile.id}" of lab "${o.lab.id}" does not run on the ${this.backend} backend`,
      );
    }
    this.runId = o.runId ?? randomUUID();
    this.lang = o.lang;
    this.cache = new ExpressionCache(o.expressionLimits, o.clock);
    this.now = o.now ?? (() => new Date());
    this.steps = o.lab.steps
      .filter((step) => stepApplies(step, profile, this.backend))
      .map((step) => ({ step, status: 'locked', solvedBy: null, passedAt: null, checks: [], hintsShown: 0 }));
    this.activate();
  }

  // ------------------------------------------------------------------ lifecycle

  /** Resumes saved progress, then checks the active step every interval until stop(). */
  async start(): Promise<LabRunInfo> {
    await this.enqueue(async () => {
      const saved = await this.o.store.load(this.lab.id, this.profile.id);
      if (saved && saved.labVersion === this.lab.version) this.restore(saved);
      const keptAt = this.o.store.takeSetAside?.(this.lab.id, this.profile.id);
      if (keptAt) this.notice = { kind: 'progress-damaged', file: keptAt };
      this.activate();
    });
    this.autoLoop ??= this.runAutoChecks(this.lifetime.signal);
    return this.getState();
  }

  /** Stops auto-checks and aborts a solve in progress; resolves when nothing runs any more. */
  async stop(): Promise<void> {
    this.lifetime.abort(new Error('the lab run was stopped'));
    await this.autoLoop;
    await this.queue.catch(() => undefined);
    this.autoLoop = undefined;
    this.lifetime = new AbortController();
  }

  getState(): LabRunInfo {
    const steps: StepInfo[] = this.steps.map(({ step, status, solvedBy, checks, hintsShown }) => ({
      id: step.id,
      title: localize(step.title, this.lang),
      status,
      solvedBy,
      instructions: localize(step.instructions, this.lang),
      checks: step.checks.map((check) => {
        const outcome = checks.find((c) => c.id === check.id);
        return {
          id: check.id,
          ok: outcome?.ok ?? false,
          message: checkMessage(check, outcome, this.lang),
          ...(outcome?.error ? { error: outcome.error } : {}),
          ...(outcome?.unreachableNode
            ? { unreachable: { node: outcome.unreachableNode, reason: null } }
            : {}),
        };
      }),
      hintsShown: step.hints.slice(0, hintsShown).map((h) => localize(h, this.lang)),
      hintsTotal: step.hints.length,
      hasDrill: step.drill !== undefined,
      ...(this.startingPoint(step.id) ? { startingPoint: true } : {}),
    }));
    return {
      runId: this.runId,
      labId: this.lab.id,
      title: localize(this.lab.title, this.lang),
      profile: this.profile.id,
      backend: this.backend,
      lang: this.lang,
      steps,
      activeStepId: this.active()?.step.id ?? null,
      progress: { passed: this.steps.filter((s) => s.status === 'passed').length, total: this.steps.length },
      busy: this.busy,
      error: this.error,
      notice: this.notice,
      ...(this.o.canBuild ? { canBuild: true } : {}),
    };
  }

  /** Snapshots after every change; returns the unsubscribe function. */
  onState(listener: (state: LabRunInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ------------------------------------------------------------------ learner actions

  /** Checks the active step now; if it does not pass, the step shows as failed with the reasons. */
  check(): Promise<LabRunInfo> {
    return this.enqueue(() => this.checkActive('explicit'));
  }

  /** NestLab does the active step (or `stepId`, which must be the active one). */
  solveStep(stepId?: string, progress?: SolveProgress): Promise<LabRunInfo> {
    return this.enqueue(async () => {
      const active = this.active();
      if (!active) return;
      if (stepId !== undefined && stepId !== active.step.id) {
        this.requireStep(stepId);
        throw new ApiError('conflict', `Step "${stepId}" is not the active step ("${active.step.id}").`);
      }
      await this.solve(active, progress);
    });
  }

  /** Solves every step from the active one up to and including `stepId`; stops at the first failure. */
  /** Steps up to the course's `startsFrom.throughStep`: they rebuild where an earlier lab ended. */
  private startingPoint(stepId: string): boolean {
    const through = this.lab.course?.startsFrom?.throughStep;
    if (!through) return false;
    const ids = this.steps.map((s) => s.step.id);
    const end = ids.indexOf(through);
    return end >= 0 && ids.indexOf(stepId) <= end;
  }

  /** The step to solve on open so the lab starts where the earlier one ended, if not passed yet. */
  pendingStartingPoint(): string | null {
    const through = this.lab.course?.startsFrom?.throughStep;
    const step = through ? this.steps.find((s) => s.step.id === through) : undefined;
    return step && step.status !== 'passed' ? step.step.id : null;
  }

  solveUpTo(stepId: string, progress?: SolveProgress): Promise<LabRunInfo> {
    return this.enqueue(async () => {
      const target = this.requireStep(stepId);
      const targetIndex = this.steps.indexOf(target);
      const first = this.active();
      const firstIndex = first ? this.steps.indexOf(first) : targetIndex;
      const count = Math.max(1, targetIndex - firstIndex + 1);
      for (;;) {
        const active = this.active();
        if (!active || this.steps.indexOf(active) > targetIndex) return;
        const done = this.steps.indexOf(active) - firstIndex;
        // Each step is one part of the bar; its own progress fills that part.
        const part: SolveProgress | undefined = progress
          ? (fraction, message) => progress((done + fraction) / count, `${active.step.id}: ${message}`)
          : undefined;
        if (!(await this.solve(active, part))) return;
      }
    });
  }

  /** Forgets all progress (not the cluster): every step back to the start. */
  reset(): Promise<LabRunInfo> {
    return this.enqueue(async () => {
      for (const s of this.steps)
        Object.assign(s, { status: 'locked', solvedBy: null, passedAt: null, checks: [], hintsShown: 0 });
      this.error = null;
      this.activate();
      await this.o.store.clear(this.lab.id, this.profile.id);
    });
  }

  /** Reveals the next hint of a step (default: the active one). */
  showHint(stepId?: string): Promise<LabRunInfo> {
    return this.enqueue(async () => {
      const s = stepId === undefined ? this.active() : this.requireStep(stepId);
      if (!s || s.hintsShown >= s.step.hints.length) return;
      s.hintsShown++;
      await this.persist();
    });
  }

  setLanguage(lang: Language): LabRunInfo {
    this.lang = lang;
    this.emit();
    return this.getState();
  }

  // ------------------------------------------------------------------ internals

  private active(): StepRuntime | undefined {
    return this.steps.find((s) => s.status !== 'passed');
  }

  private requireStep(stepId: string): StepRuntime {
    const s = this.steps.find((x) => x.step.id === stepId);
    // The caller's mistake (a stale view, a typo in the CLI), not ours: not-found, said plainly.
    if (!s)
      throw new ApiError(
        'not-found',
        `Lab "${this.lab.id}" has no step "${stepId}" in profile "${this.profile.id}".`,
      );
    return s;
  }

  /** The first unpassed step is active (unless checking/failed); the later unpassed ones are locked. */
  private activate(): void {
    let seenActive = false;
    for (const s of this.steps) {
      if (s.status === 'passed') continue;
      if (!seenActive) {
        if (s.status === 'locked') s.status = 'active';
        seenActive = true;
      } else {
        s.status = 'locked';
      }
    }
  }

  private restore(saved: SavedProgress): void {
    for (const s of this.steps) {
      const done = saved.steps[s.step.id];
      if (done) Object.assign(s, { status: 'passed', solvedBy: done.passedBy, passedAt: done.passedAt });
      s.hintsShown = Math.min(saved.hintsShown[s.step.id] ?? 0, s.step.hints.length);
    }
  }

  private async persist(): Promise<void> {
    const progress: SavedProgress = {
      format: 1,
      labId: this.lab.id,
      labVersion: this.lab.version,
      profile: this.profile.id,
      steps: {},
      hintsShown: {},
      savedAt: this.now().toISOString(),
    };
    for (const s of this.steps) {
      if (s.status === 'passed' && s.solvedBy) {
        progress.steps[s.step.id] = { passedBy: s.solvedBy, passedAt: s.passedAt ?? progress.savedAt };
      }
      if (s.hintsShown > 0) progress.hintsShown[s.step.id] = s.hintsShown;
    }
    await this.o.store.save(progress);
  }

  private context(): RunContext {
    return createRunContext(this.lab, this.profile);
  }

  private async checkActive(
    kind: 'auto' | 'explicit',
    by: 'learner' | 'nestlab' = 'learner',
  ): Promise<boolean> {
    const s = this.active();
    if (!s) return true;
    const before = s.status;
    // Background checks every few seconds would make the step blink "checking"; only a check the
    // learner (or a solve) asked for shows it.
    if (kind === 'explicit' || by === 'nestlab') {
      s.status = 'checking';
      this.emit();
    }
    try {
      s.checks = await runChecks(s.step, {
        pve: this.o.pve,
        cache: this.cache,
        context: this.context(),
        signal: this.lifetime.signal,
        requestTimeoutMs: this.o.requestTimeoutMs,
      });
    } catch (e) {
      s.status = before;
      throw e;
    }
    if (s.checks.every((c) => c.ok)) {
      await this.pass(s, by);
      return true;
    }
    s.status = kind === 'explicit' || before === 'failed' ? 'failed' : 'active';
    return false;
  }

  private async pass(s: StepRuntime, by: 'learner' | 'nestlab'): Promise<void> {
    Object.assign(s, { status: 'passed', solvedBy: by, passedAt: this.now().toISOString() });
    this.error = null;
    this.activate();
    await this.persist();
  }

  /** Runs the solve, then waits (on the clock) for the checks to agree. True when the step passed. */
  private async solve(s: StepRuntime, progress?: SolveProgress): Promise<boolean> {
    const signal = this.lifetime.signal;
    // The solve's actions fill most of the bar; a drill and the checks settling, the rest.
    const actionsShare = s.step.drill && this.o.drills ? 0.6 : 0.9;
    this.busy = `solving ${s.step.id}`;
    this.error = null;
    this.emit();
    try {
      await runSolve(
        s.step.id,
        s.step.solve,
        {
          pve: this.o.pve,
          hypervisor: this.o.hypervisor,
          shell: this.o.shell,
          clock: this.o.clock,
          cache: this.cache,
          context: this.context(),
          signal,
        },
        (index, total, description) => progress?.((actionsShare * index) / total, description),
      );
      if (s.step.drill && this.o.drills) {
        progress?.(actionsShare, 'drill');
        await this.o.drills.run({
          lab: this.lab,
          profile: this.profile.id,
          step: s.step,
          drill: s.step.drill,
          signal,
        });
      }
      progress?.(0.9, 'checks');
      const deadline = this.o.clock.now() + (this.o.solveSettleMs ?? 30_000);
      for (;;) {
        if (await this.checkActive('auto', 'nestlab')) return true;
        if (this.o.clock.now() >= deadline) {
          const failing = s.checks.filter((c) => !c.ok).map((c) => c.id);
          throw new Error(
            `step "${s.step.id}": the solve ran but these checks still fail: ${failing.join(', ')}`,
          );
        }
        await this.o.clock.sleep(this.o.autoCheckIntervalMs ?? 3000, signal);
      }
    } catch (e) {
      s.status = 'failed';
      this.error = signal.aborted ? `step "${s.step.id}": solve stopped` : errorText(e);
      return false;
    } finally {
      this.busy = null;
    }
  }

  private async runAutoChecks(signal: AbortSignal): Promise<void> {
    for (;;) {
      try {
        await this.o.clock.sleep(this.o.autoCheckIntervalMs ?? 3000, signal);
      } catch {
        return;
      }
      if (signal.aborted) return;
      // A learner action is queued or running: its result is fresher than an auto-check.
      if (this.queued > 0 || !this.active()) continue;
      await this.enqueue(() => this.checkActive('auto')).catch(() => undefined);
    }
  }

  /** One operation at a time, each followed by a state snapshot. */
  private enqueue(op: () => Promise<unknown>): Promise<LabRunInfo> {
    this.queued++;
    const run = this.queue.then(async () => {
      try {
        await op();
      } finally {
        this.queued--;
        this.emit();
      }
      return this.getState();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private emit(): void {
    const state = this.getState();
    for (const listener of this.listeners) listener(state);
  }
}
