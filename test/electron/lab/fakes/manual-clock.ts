import type { Clock } from '../../../../electron/clock/clock.ts';

interface Timer {
  at: number;
  resolve: () => void;
}

/**
 * A virtual clock that moves only when the test calls advance(); timers fire in time order.
 * Like the simulator's clock, it does not move while a hold is outstanding (an expression being
 * evaluated in its worker thread, a call in flight).
 */
export class ManualClock implements Clock {
  private time = 0;
  private timers: Timer[] = [];
  private holds = 0;
  private released: (() => void)[] = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const timer: Timer = {
        at: this.time + ms,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
    });
  }

  hold(): () => void {
    this.holds++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.holds--;
      if (this.holds === 0) for (const wake of this.released.splice(0)) wake();
    };
  }

  /** Lets pending work run to its next wait, including work held in another thread. */
  private async idle(): Promise<void> {
    await settle();
    while (this.holds > 0) {
      await new Promise<void>((wake) => this.released.push(wake));
      await settle();
    }
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing due timers one by one and letting their work run. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await this.idle();
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.time = Math.max(this.time, next.at);
      next.resolve();
      await this.idle();
    }
    this.time = target;
    await this.idle();
  }
}

/** Lets pending promise chains (and fake I/O on setImmediate) run to their next wait. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}
