/**
 * Time source for everything that waits: the simulator, the lab engine, the drill.
 * The real backend uses {@link realClock}; the simulator supplies a virtual clock
 * that can run at ×N or as fast as possible.
 */
export interface Clock {
  /** Milliseconds on this clock's monotonic time line (not wall-clock epoch for virtual clocks). */
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Marks work in flight (an HTTP call, a check) that virtual time must not run past.
   * Returns the release function. A no-op on real clocks.
   */
  hold(reason: string): () => void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
  hold: () => () => undefined,
};
