/**
 * The two ways a learner does a step, as a lab file declares them: the Datacenter view's actions
 * (run through the very functions the view calls, contract/datacenter-actions.ts) and the
 * commands typed in a node's shell. `lab test` runs each on a fresh simulator.
 */
import { DATACENTER_ACTIONS, type PveCall } from '../contract/datacenter-actions.ts';
import { renderParams } from './render-params.ts';
import type { GuiAction, ShellCommand } from './script/schema.ts';
import { runShellAction } from './solve/shell-action.ts';
import type { SolveDeps } from './solve/solve-deps.ts';

export type LearnerPath = 'gui' | 'shell';

/** The view's `call`, over the lab's PveApi (the renderer's goes through `pve.call` to the same place). */
export function pveCallOf(deps: Pick<SolveDeps, 'pve' | 'signal'>): PveCall {
  return (method, path, params, node) =>
    deps.pve.request({
      method,
      path,
      ...(params ? { params } : {}),
      ...(node ? { node } : {}),
      signal: deps.signal,
    });
}

export async function runGuiPath(stepId: string, actions: GuiAction[], deps: SolveDeps): Promise<void> {
  const call = pveCallOf(deps);
  for (const [index, action] of actions.entries()) {
    deps.signal.throwIfAborted();
    const where = `step "${stepId}", gui action ${index + 1} (${action.action}: ${DATACENTER_ACTIONS[action.action].where})`;
    try {
      const params = await renderParams(action.params, deps.cache, deps.context);
      const outcome = await DATACENTER_ACTIONS[action.action].run(call, params);
      if (action.waitTask && outcome.upid) {
        const task = await deps.pve.waitForTask(outcome.upid, {
          signal: deps.signal,
          timeoutMs: action.timeoutSeconds * 1000,
        });
        if (!task.ok) throw new Error(`task ${task.upid} ended with "${task.exitstatus}"`);
      }
      if (action.save) deps.context.results[action.save] = outcome.value;
    } catch (e) {
      if (deps.signal.aborted) throw e;
      throw new Error(`${where}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

export async function runShellPath(stepId: string, commands: ShellCommand[], deps: SolveDeps): Promise<void> {
  for (const [index, command] of commands.entries()) {
    deps.signal.throwIfAborted();
    try {
      await runShellAction({ action: 'shell', ...command }, deps);
    } catch (e) {
      if (deps.signal.aborted) throw e;
      throw new Error(
        `step "${stepId}", shell command ${index + 1} on ${command.node}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
}
