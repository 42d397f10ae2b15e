/**
 * Long work made visible: `withTask` runs one piece of work as a task the UI shows in its tray
 * (the contract's `task.updated` event), with a progress fraction and message while it runs and
 * its outcome at the end. Small on purpose:
 *
 *   const result = await tasks.withTask('Building pve1', async (task) => {
 *     task.progress(0.5, 'Copying the disk');      // fraction 0..1 (null: unknown), message
 *     await copy({ signal: task.signal });          // cancel(id) or the caller's signal aborts it
 *     return value;                                 // → state 'done', fraction 1
 *   });                                             // a throw → 'failed' (message: the error), rethrown
 *
 * Every change goes out as a full TaskInfo snapshot (a renderer that reconnects loses nothing).
 */
import { randomUUID } from 'node:crypto';

import type { TaskInfo } from '../contract/dto.ts';
import type { OperationOptions, ProgressReporter } from '../hypervisor/driver.ts';

/** What running work sees of its task. */
export interface TaskHandle {
  readonly id: string;
  /** Aborted when the task is cancelled (or the caller's signal aborts). */
  readonly signal: AbortSignal;
  /** Reports how far the work is: a fraction 0..1 (null: unknown) and, optionally, what it does now. */
  progress(fraction: number | null, message?: string | null): void;
}

export interface WithTaskOptions {
  /** Aborting it cancels the task. */
  signal?: AbortSignal;
  /** Fraction at start: 0 (default, a bar that fills) or null (work of unknown length). */
  fraction?: number | null;
  message?: string | null;
}

export class TaskService {
  readonly #running = new Map<string, { info: TaskInfo; abort: AbortController }>();

  /** `emit` sends each snapshot out (the app: the event hub's `task.updated`). */
  constructor(
    private readonly emit: (task: TaskInfo) => void,
    private readonly newId: () => string = randomUUID,
  ) {}

  async withTask<T>(
    title: string,
    work: (task: TaskHandle) => Promise<T>,
    options: WithTaskOptions = {},
  ): Promise<T> {
    const id = this.newId();
    const abort = new AbortController();
    const onAbort = (): void => abort.abort(options.signal?.reason);
    if (options.signal?.aborted) abort.abort(options.signal.reason);
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    const entry = {
      info: {
        id,
        title,
        state: 'running',
        message: options.message ?? null,
        fraction: options.fraction === undefined ? 0 : options.fraction,
      } as TaskInfo,
      abort,
    };
    this.#running.set(id, entry);
    const update = (patch: Partial<TaskInfo>): void => {
      entry.info = { ...entry.info, ...patch };
      this.emit(entry.info);
    };
    this.emit(entry.info);
    const handle: TaskHandle = {
      id,
      signal: abort.signal,
      progress: (fraction, message) => {
        if (!this.#running.has(id)) return; // late reports after the end change nothing
        const clamped = fraction === null ? null : Math.min(1, Math.max(0, fraction));
        update({ fraction: clamped, ...(message !== undefined ? { message } : {}) });
      },
    };
    try {
      const result = await work(handle);
      this.#running.delete(id);
      update({ state: 'done', fraction: 1 });
      return result;
    } catch (error) {
      this.#running.delete(id);
      const message = error instanceof Error ? error.message : String(error);
      update(abort.signal.aborted ? { state: 'cancelled', message } : { state: 'failed', message });
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Cancels a running task (its work sees `signal` abort); false when no such task runs. */
  cancel(id: string, reason = 'cancelled'): boolean {
    const entry = this.#running.get(id);
    if (!entry) return false;
    entry.abort.abort(new Error(reason));
    return true;
  }

  /** The tasks running now. */
  running(): TaskInfo[] {
    return [...this.#running.values()].map((e) => e.info);
  }
}

/** Steps `0..count-1` of a task as parts of one bar: step `index` at `within` (0..1) of its own work. */
export function partOf(index: number, count: number, within = 0): number {
  return count <= 0 ? 1 : (index + Math.min(1, Math.max(0, within))) / count;
}

/** A hypervisor operation's options (realise, checkpoints, power-on) reporting into a task. */
export function operationOptionsFor(task: TaskHandle): OperationOptions & { progress: ProgressReporter } {
  return {
    signal: task.signal,
    progress: { report: ({ message, fraction }) => task.progress(fraction ?? null, message) },
  };
}
