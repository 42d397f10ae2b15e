/**
 * A teacher's CI for one lab profile: for every step, the checks must fail first (the step asks
 * for something not yet done), then the solve runs, then the checks must pass. Used by
 * `nestlab lab test` against the simulator at full speed.
 */
import type { Clock } from '../clock/clock.ts';
import type { Language } from '../contract/dto.ts';
import type { HypervisorDriver } from '../hypervisor/driver.ts';
import type { PveApi } from '../pve/api.ts';
import type { DrillRunner } from './drill-runner.ts';
import { ExpressionCache } from './expression-cache.ts';
import { runGuiPath, runShellPath } from './learner-paths.ts';
import { MemoryProgressStore } from './memory-progress-store.ts';
import { createRunContext } from './run-context.ts';
import { runChecks } from './run-checks.ts';
import { LabRunner } from './runner.ts';
import type { LabFile } from './script/schema.ts';
import type { ShellRunner } from './shell-runner.ts';

/** What `lab test` does for each step: NestLab's solve, or one of the learner's declared paths. */
export type TestVia = 'solve' | 'gui' | 'shell';

export interface StepTestResult {
  step: string;
  /** What made the step pass: a path falls back to the solve where the step declares none (and drills). */
  via: TestVia;
  /** The checks failed before the solve, as they must. */
  failedBefore: boolean;
  /** The solve ran and the checks passed afterwards. */
  passedAfter: boolean;
  ok: boolean;
  /** Time the step took on the lab's clock (simulated time on the simulator). */
  clockMs: number;
  wallMs: number;
  problem?: string;
}

interface LabTestCommon {
  lab: LabFile;
  profile: string;
  pve: PveApi;
  /** What a learner's path acts through (the shell path's commands, a path's power actions). */
  hypervisor: HypervisorDriver;
  shell: ShellRunner;
  clock: Clock;
  /** Default: the solve. */
  via?: TestVia;
  /** How long (lab clock) the checks may take to agree after a learner's path. Default 600 s. */
  settleMs?: number;
  /** Called after each step, e.g. to print a table row as it happens. */
  onStep?: (result: StepTestResult) => void;
}

/** Either the runner of an open lab (LabSession.test; its owner stops it) or what to build one from. */
export type LabTestOptions = LabTestCommon &
  ({ runner: LabRunner } | { drills?: DrillRunner; lang?: Language });

export async function testLab(o: LabTestOptions): Promise<StepTestResult[]> {
  const own = !('runner' in o);
  const runner =
    'runner' in o
      ? o.runner
      : new LabRunner({
          lab: o.lab,
          profile: o.profile,
          pve: o.pve,
          hypervisor: o.hypervisor,
          shell: o.shell,
          clock: o.clock,
          store: new MemoryProgressStore(),
          lang: o.lang ?? 'en',
          runId: `test-${o.lab.id}-${o.profile}`,
          ...(o.drills ? { drills: o.drills } : {}),
        });
  const profile = o.lab.profiles.find((p) => p.id === o.profile);
  if (!profile) throw new Error(`lab "${o.lab.id}" has no profile "${o.profile}"`);
  const cache = new ExpressionCache({}, o.clock);
  const results: StepTestResult[] = [];

  for (const info of runner.getState().steps) {
    const step = o.lab.steps.find((s) => s.id === info.id);
    if (!step) continue;
    const startClock = o.clock.now();
    const startWall = performance.now();
    const before = await runChecks(step, { pve: o.pve, cache, context: createRunContext(o.lab, profile) });
    const failedBefore = !before.every((c) => c.ok);
    const wanted = o.via ?? 'solve';
    const path = wanted === 'gui' ? step.gui : wanted === 'shell' ? step.shell : undefined;
    const via: TestVia = path && !step.drill ? wanted : 'solve';
    let state;
    let pathError: string | null = null;
    if (via === 'solve') {
      state = await runner.solveStep(step.id);
    } else {
      state = await followPath(step.id, via, o, profile, cache, runner).catch((e: unknown) => {
        pathError = e instanceof Error ? e.message : String(e);
        return runner.getState();
      });
    }
    const after = state.steps.find((s) => s.id === step.id);
    const passedAfter = after?.status === 'passed';
    const problems: string[] = [];
    if (!failedBefore) problems.push('the checks already pass before the solve');
    if (!passedAfter) {
      const failing = after?.checks
        .filter((c) => !c.ok)
        .map((c) => `${c.id}${c.error ? ` (${c.error})` : ''}`);
      problems.push(
        pathError ??
          state.error ??
          `checks still failing after the ${via === 'solve' ? 'solve' : `${via} path`}: ${failing?.join(', ') ?? '?'}`,
      );
    }
    const result: StepTestResult = {
      step: step.id,
      via,
      failedBefore,
      passedAfter,
      ok: failedBefore && passedAfter,
      clockMs: o.clock.now() - startClock,
      wallMs: performance.now() - startWall,
      ...(problems.length ? { problem: problems.join('; ') } : {}),
    };
    results.push(result);
    o.onStep?.(result);
    // Later steps build on this one: without it they cannot be tested meaningfully.
    if (!passedAfter) break;
  }
  if (own) await runner.stop();
  return results;
}

/** Runs the learner's path, then checks on the clock (as the learner waits) until the step passes. */
async function followPath(
  stepId: string,
  via: 'gui' | 'shell',
  o: LabTestOptions,
  profile: LabFile['profiles'][number],
  cache: ExpressionCache,
  runner: LabRunner,
) {
  const step = o.lab.steps.find((s) => s.id === stepId)!;
  const deps = {
    pve: o.pve,
    hypervisor: o.hypervisor,
    shell: o.shell,
    clock: o.clock,
    cache,
    context: createRunContext(o.lab, profile),
    signal: new AbortController().signal,
  };
  if (via === 'gui') await runGuiPath(stepId, step.gui ?? [], deps);
  else await runShellPath(stepId, step.shell ?? [], deps);
  const deadline = o.clock.now() + (o.settleMs ?? 600_000);
  for (;;) {
    const state = await runner.check();
    if (state.steps.find((s) => s.id === stepId)?.status === 'passed' || o.clock.now() >= deadline)
      return state;
    await o.clock.sleep(2000);
  }
}
