/**
 * Runs lab expressions in a worker thread with a hard deadline. JSONata's own time limit is checked
 * between evaluation steps, but one regular-expression match is a single step and can backtrack for
 * hours (`/^(?:a|a?)*$/` over "aaaa…b"); on the main thread that would freeze the app. Here the
 * worker is terminated at the deadline, the expression fails with a `timeout`, and a fresh worker
 * serves the next evaluation. (A linear-time engine was the alternative: the maintained `re2`
 * build needs Node ≥ 22.22 and a native rebuild for Electron, see docs/security.md.)
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

export interface WorkerLimits {
  timeoutMs: number;
  maxDepth: number;
  maxSequence: number;
  maxOutputBytes: number;
}

export type WorkerOutcome =
  | { text: string | undefined }
  | { failure: { code?: string; message: string; position?: number } }
  | { deadline: true };

interface Pending {
  request: { id: number; source: string; limits: WorkerLimits; data: string };
  resolve: (outcome: WorkerOutcome) => void;
  timer: NodeJS.Timeout | undefined;
}

/** The worker's hard deadline: JSONata's own limit first, with slack for a loaded machine. */
export function hardDeadlineMs(timeoutMs: number): number {
  return Math.max(2 * timeoutMs, timeoutMs + 1000);
}

/**
 * Where the worker script is: next to this file in the source tree, or next to main.cjs in the
 * Electron bundle (build/build-electron.js), outside the asar archive (asarUnpack).
 */
function workerPath(): string {
  const path = fileURLToPath(new URL('./evaluation-worker.mjs', import.meta.url));
  const unpacked = path.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
  return unpacked !== path && existsSync(unpacked) ? unpacked : path;
}

export class ExpressionWorker {
  private worker: Worker | undefined;
  /** True once the current worker has loaded and listens; deadlines run from then on. */
  private ready = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** How many workers were terminated at their deadline (for tests and the log). */
  restarts = 0;

  evaluate(source: string, limits: WorkerLimits, data: string): Promise<WorkerOutcome> {
    return new Promise((resolve) => {
      const request = { id: this.nextId++, source, limits, data };
      const entry: Pending = { request, resolve, timer: undefined };
      this.pending.set(request.id, entry);
      this.send(entry);
    });
  }

  /** Stops the worker; evaluations still running fail as if at their deadline. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    for (const entry of this.pending.values()) this.settle(entry, { deadline: true });
    await worker?.terminate();
  }

  private send(entry: Pending): void {
    const worker = this.ensureWorker();
    worker.ref();
    if (this.ready) this.startDeadline(entry);
    worker.postMessage(entry.request);
  }

  private startDeadline(entry: Pending): void {
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => this.expire(entry), hardDeadlineMs(entry.request.limits.timeoutMs));
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerPath());
    this.ready = false;
    worker.on('message', (message: ({ id: number } & WorkerOutcome) | { ready: true }) => {
      if ('ready' in message) {
        if (this.worker !== worker) return;
        this.ready = true;
        for (const entry of this.pending.values()) if (entry.timer === undefined) this.startDeadline(entry);
        return;
      }
      const entry = this.pending.get(message.id);
      if (entry) this.settle(entry, message);
    });
    worker.on('error', (error) => this.replace(worker, error));
    worker.on('exit', () => this.replace(worker));
    this.worker = worker;
    return worker;
  }

  private settle(entry: Pending, outcome: WorkerOutcome): void {
    clearTimeout(entry.timer);
    this.pending.delete(entry.request.id);
    entry.resolve(outcome);
    // An idle worker must not keep a CLI command alive.
    if (this.pending.size === 0) this.worker?.unref();
  }

  /** The evaluation that ran past its deadline fails; the others are sent again to a fresh worker. */
  private expire(entry: Pending): void {
    const worker = this.worker;
    this.restarts++;
    this.settle(entry, { deadline: true });
    this.worker = undefined;
    if (worker) {
      worker.removeAllListeners('exit');
      void worker.terminate();
    }
    for (const other of [...this.pending.values()]) {
      clearTimeout(other.timer);
      other.timer = undefined;
      this.send(other);
    }
  }

  /** The worker died on its own (out of memory, a bug): fail what it held, start afresh on the next call. */
  private replace(worker: Worker, error?: unknown): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    const message = error instanceof Error ? error.message : 'the expression worker stopped';
    for (const entry of [...this.pending.values()]) this.settle(entry, { failure: { message } });
  }
}

let shared: ExpressionWorker | undefined;

/** One worker for the whole process (expressions are short; one thread is plenty on a laptop). */
export function sharedExpressionWorker(): ExpressionWorker {
  shared ??= new ExpressionWorker();
  return shared;
}
