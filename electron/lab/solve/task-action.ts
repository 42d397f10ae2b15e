import type { TaskAction } from '../script/schema.ts';
import type { ActionHandler } from './solve-deps.ts';

/** Waits for a task (UPID), usually one saved by an earlier api action; fails if it failed. */
export const runTaskAction: ActionHandler<TaskAction> = async (action, deps) => {
  const upid = await deps.cache.renderText(action.upid, deps.context);
  const task = await deps.pve.waitForTask(upid, {
    signal: deps.signal,
    timeoutMs: action.timeoutSeconds * 1000,
  });
  if (!task.ok) throw new Error(`task ${upid} ended with "${task.exitstatus}"`);
  return task;
};
