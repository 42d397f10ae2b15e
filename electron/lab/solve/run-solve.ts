/** Runs a step's solve actions in order; each kind has its handler (data, not a switch per caller). */
import type { SolveAction } from '../script/schema.ts';
import { runApiAction } from './api-action.ts';
import { runHypervisorAction } from './hypervisor-action.ts';
import { runShellAction } from './shell-action.ts';
import type { ActionHandler, SolveDeps } from './solve-deps.ts';
import { runTaskAction } from './task-action.ts';
import { runWaitAction } from './wait-action.ts';

type Handlers = { [K in SolveAction['action']]: ActionHandler<Extract<SolveAction, { action: K }>> };

const HANDLERS: Handlers = {
  api: runApiAction,
  shell: runShellAction,
  hypervisor: runHypervisorAction,
  wait: runWaitAction,
  task: runTaskAction,
};

export function describeAction(action: SolveAction): string {
  switch (action.action) {
    case 'api':
      return `api ${action.method} ${action.path}${action.node ? ` on ${action.node}` : ''}`;
    case 'shell':
      return `shell on ${action.node}`;
    case 'hypervisor':
      return `hypervisor ${action.operation} ${action.machine}`;
    case 'wait':
      return `wait for ${action.query.path}`;
    case 'task':
      return 'task';
  }
}

export class SolveError extends Error {
  constructor(
    readonly actionIndex: number,
    message: string,
  ) {
    super(message);
    this.name = 'SolveError';
  }
}

/** Told before each action runs: its index, how many there are, and what it does. */
export type SolveActionListener = (index: number, total: number, description: string) => void;

export async function runSolve(
  stepId: string,
  actions: SolveAction[],
  deps: SolveDeps,
  onAction?: SolveActionListener,
): Promise<void> {
  for (const [index, action] of actions.entries()) {
    deps.signal.throwIfAborted();
    onAction?.(index, actions.length, describeAction(action));
    const handler = HANDLERS[action.action] as ActionHandler<SolveAction>;
    let value: unknown;
    try {
      value = await handler(action, deps);
    } catch (e) {
      if (deps.signal.aborted) throw e;
      const why = e instanceof Error ? e.message : String(e);
      throw new SolveError(
        index,
        `step "${stepId}", solve action ${index + 1} (${describeAction(action)}): ${why}`,
      );
    }
    if ('save' in action && action.save) deps.context.results[action.save] = value;
  }
}
