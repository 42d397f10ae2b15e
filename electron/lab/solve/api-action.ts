import { renderParams } from '../render-params.ts';
import type { ApiAction } from '../script/schema.ts';
import type { ActionHandler } from './solve-deps.ts';

/** One Proxmox API call; with waitTask, the returned UPID is awaited and must end OK. */
export const runApiAction: ActionHandler<ApiAction> = async (action, deps) => {
  const timeoutMs = action.timeoutSeconds * 1000;
  const result = await deps.pve.request({
    method: action.method,
    path: action.path,
    params: await renderParams(action.params, deps.cache, deps.context),
    node: action.node,
    signal: deps.signal,
    timeoutMs,
  });
  if (action.waitTask) {
    if (typeof result !== 'string' || !result.startsWith('UPID:')) {
      throw new Error(
        `waitTask is set but the call returned ${JSON.stringify(result)}, not a task id (UPID)`,
      );
    }
    const task = await deps.pve.waitForTask(result, { signal: deps.signal, timeoutMs });
    if (!task.ok) throw new Error(`task ${task.upid} ended with "${task.exitstatus}"`);
  }
  return result;
};
