import type { Clock } from '../../clock/clock.ts';

/**
 * Keeps a virtual clock still while the drill works (HTTP calls and the code between them) and
 * lets it run only while the drill sleeps, so simulated time never jumps past an observation.
 * On the real clock, holds are no-ops and this is just a sleep.
 */
export class WorkHold {
  private release: (() => void) | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly reason: string,
  ) {
    this.take();
  }

  take(): void {
    this.release ??= this.clock.hold(this.reason);
  }

  drop(): void {
    this.release?.();
    this.release = undefined;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.drop();
    try {
      await this.clock.sleep(ms, signal);
    } finally {
      this.take();
    }
  }
}
