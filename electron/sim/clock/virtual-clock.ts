/**
 * The simulator's time line. Everything in the simulated datacenter (and every engine wait that
 * runs against it) takes time from here.
 *
 * Modes:
 * - `manual` (default): time moves only through `runUntil`/`advance` (tests, scenario runs).
 * - `realtime`: virtual time = wall time × speed, events fire from timers.
 * - `fast`: discrete-event. It jumps straight to the next scheduled event, but only while no
 *   `hold()` is outstanding (an HTTP call in flight must see the world stand still). It advances
 *   from a setImmediate loop so promise continuations of the previous step run first. An optional
 *   `maxRatio` caps virtual time at ratio × wall time so an idle interactive app does not spin a
 *   core forever (the HA loops always have a next event).
 */
import type { Clock } from '../../clock/clock.ts';
import { EventQueue, type QueuedEvent } from './event-queue.ts';

export type ClockMode =
  { kind: 'manual' } | { kind: 'realtime'; speed: number } | { kind: 'fast'; maxRatio?: number };

export interface ScheduledHandle {
  readonly at: number;
}

export class VirtualClock implements Clock {
  private current: number;
  private readonly queue = new EventQueue();
  private holds = new Map<number, string>();
  private nextHoldId = 0;
  private mode: ClockMode = { kind: 'manual' };
  /** Wall-time anchor of the current realtime/fast run: virtual `anchorVirtual` at wall `anchorWall`. */
  private anchorWall = 0;
  private anchorVirtual = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private immediate: ReturnType<typeof setImmediate> | undefined;
  private running = false;

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    if (this.mode.kind === 'realtime') {
      // Between timer firings virtual time still flows with the wall clock.
      const wall = this.anchorVirtual + (performance.now() - this.anchorWall) * this.mode.speed;
      const next = this.queue.peek();
      return Math.max(this.current, next ? Math.min(wall, next.at) : wall);
    }
    return this.current;
  }

  /** Runs `fn` when the clock reaches `atMs` (or at once on the next step if that is already past). */
  schedule(atMs: number, fn: () => void): ScheduledHandle {
    const event = this.queue.push(Math.max(atMs, this.current), fn);
    this.kick();
    return event;
  }

  cancel(handle: ScheduledHandle): void {
    this.queue.cancel(handle as QueuedEvent);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const onAbort = (): void => {
        this.cancel(handle);
        reject(signal?.reason as Error);
      };
      const handle = this.schedule(this.now() + Math.max(0, ms), () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  hold(reason: string): () => void {
    const id = this.nextHoldId++;
    this.holds.set(id, reason);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds.delete(id);
      this.kick();
    };
  }

  /** Reasons of the holds currently outstanding (for diagnostics). */
  heldBy(): string[] {
    return [...this.holds.values()];
  }

  getMode(): ClockMode {
    return this.mode;
  }

  setMode(mode: ClockMode): void {
    if (mode.kind === 'realtime' && !(mode.speed > 0))
      throw new Error(`clock speed must be > 0, got ${mode.speed}`);
    if (mode.kind === 'fast' && mode.maxRatio !== undefined && !(mode.maxRatio > 0))
      throw new Error(`clock maxRatio must be > 0, got ${mode.maxRatio}`);
    this.current = this.now();
    this.stopDriving();
    this.mode = mode;
    this.anchorWall = performance.now();
    this.anchorVirtual = this.current;
    this.kick();
  }

  /** Runs every event due up to `ms` synchronously, then leaves the clock at `ms`. */
  runUntil(ms: number): void {
    if (this.running) throw new Error('VirtualClock.runUntil called from inside a scheduled event');
    this.running = true;
    try {
      for (;;) {
        const next = this.queue.peek();
        if (!next || next.at > ms) break;
        this.queue.pop();
        this.current = Math.max(this.current, next.at);
        next.fn();
      }
      this.current = Math.max(this.current, ms);
    } finally {
      this.running = false;
    }
    this.anchorWall = performance.now();
    this.anchorVirtual = this.current;
  }

  advance(ms: number): void {
    this.runUntil(this.current + ms);
  }

  /** Number of pending events (diagnostics, tests). */
  pendingEvents(): number {
    return this.queue.size;
  }

  /** Stops driving timers; the clock keeps its time and its events. */
  dispose(): void {
    this.current = this.now();
    this.stopDriving();
    this.mode = { kind: 'manual' };
  }

  private stopDriving(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  /** (Re)arms the driver for the current mode. */
  private kick(): void {
    if (this.mode.kind === 'manual' || this.running) return;
    if (this.mode.kind === 'fast') {
      if (!this.immediate && !this.timer) this.immediate = setImmediate(() => this.fastStep());
      return;
    }
    this.armRealtimeTimer();
  }

  private armRealtimeTimer(): void {
    if (this.mode.kind !== 'realtime') return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.queue.peek();
    if (!next) return;
    const wallDelay = Math.max(0, (next.at - this.now()) / this.mode.speed);
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.realtimeStep();
      },
      Math.min(wallDelay, 2 ** 31 - 1),
    );
  }

  private realtimeStep(): void {
    if (this.mode.kind !== 'realtime') return;
    const target = this.anchorVirtual + (performance.now() - this.anchorWall) * this.mode.speed;
    this.runDue(target);
    this.armRealtimeTimer();
  }

  private fastStep(): void {
    this.immediate = undefined;
    if (this.mode.kind !== 'fast') return;
    if (this.holds.size > 0) return; // the releasing hold kicks us again
    const next = this.queue.peek();
    if (!next) return; // schedule() kicks us again
    if (this.mode.maxRatio !== undefined) {
      const ceiling = this.anchorVirtual + (performance.now() - this.anchorWall) * this.mode.maxRatio;
      if (next.at > ceiling) {
        const wait = (next.at - ceiling) / this.mode.maxRatio;
        this.timer = setTimeout(
          () => {
            this.timer = undefined;
            this.kick();
          },
          Math.min(Math.max(1, wait), 2 ** 31 - 1),
        );
        return;
      }
    }
    // Run every event of that instant, then yield so awaiting code sees the new time.
    this.runDue(next.at);
    this.kick();
  }

  private runDue(target: number): void {
    this.running = true;
    try {
      for (;;) {
        const next = this.queue.peek();
        if (!next || next.at > target) break;
        this.queue.pop();
        this.current = Math.max(this.current, next.at);
        next.fn();
      }
      if (this.mode.kind === 'realtime') this.current = Math.max(this.current, target);
    } finally {
      this.running = false;
    }
  }
}
