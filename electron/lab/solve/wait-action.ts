import { renderParams } from '../render-params.ts';
import { errorText } from '../run-checks.ts';
import type { WaitAction } from '../script/schema.ts';
import type { ActionHandler } from './solve-deps.ts';

/**
 * Polls an API query on the clock until its expression holds. Failed calls while waiting are
 * expected (a node is rebooting, a cluster is forming) and only reported if the wait times out.
 */
export const runWaitAction: ActionHandler<WaitAction> = async (action, deps) => {
  const { clock } = deps;
  const deadline = clock.now() + action.timeoutSeconds * 1000;
  const intervalMs = action.intervalSeconds * 1000;
  const expression = deps.cache.expression(action.until);
  const bindings = {
    vars: deps.context.vars,
    machines: deps.context.machines,
    profile: deps.context.profile,
  };
  let lastProblem = 'the condition stayed false';
  for (;;) {
    deps.signal.throwIfAborted();
    try {
      const result = await deps.pve.request({
        method: action.query.method,
        path: action.query.path,
        params: await renderParams(action.query.params, deps.cache, deps.context),
        node: action.query.node,
        signal: deps.signal,
        timeoutMs: intervalMs * 5,
      });
      if ((await expression.evaluate(result, bindings)) === true) return result;
      lastProblem = 'the condition stayed false';
    } catch (e) {
      if (deps.signal.aborted) throw e;
      lastProblem = `last error: ${errorText(e)}`;
    }
    if (clock.now() + intervalMs > deadline) {
      throw new Error(
        `waited ${action.timeoutSeconds} s for "${action.until}" on ${action.query.path}: ${lastProblem}`,
      );
    }
    await clock.sleep(intervalMs, deps.signal);
  }
};
