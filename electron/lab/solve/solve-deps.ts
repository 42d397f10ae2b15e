import type { Clock } from '../../clock/clock.ts';
import type { HypervisorDriver } from '../../hypervisor/driver.ts';
import type { PveApi } from '../../pve/api.ts';
import type { ExpressionCache } from '../expression-cache.ts';
import type { RunContext } from '../run-context.ts';
import type { ShellRunner } from '../shell-runner.ts';

/** What a solve action may use. Every wait goes through the clock. */
export interface SolveDeps {
  pve: PveApi;
  hypervisor: HypervisorDriver;
  shell: ShellRunner;
  clock: Clock;
  cache: ExpressionCache;
  /** Results saved by earlier actions are added to `context.results`. */
  context: RunContext;
  signal: AbortSignal;
}

export type ActionHandler<A> = (action: A, deps: SolveDeps) => Promise<unknown>;
