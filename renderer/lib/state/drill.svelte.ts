/**
 * The failover drill: the live stopwatch state (`drill.getState` + `drill.state` events), the
 * history of runs for the lab, the report on show and an optional second report to compare.
 */
import type { DrillHistoryEntry, DrillStateInfo, FailoverReportInfo, SimSpeed } from '@contract/dto.ts';

import type { LabClient } from '../api/client.ts';
import { errorMessage } from '../format/error-message.ts';

export type ExportFormat = 'csv' | 'json';

export class DrillState {
  #state = $state<DrillStateInfo | null>(null);
  #receivedAt = $state(0);
  #history = $state<DrillHistoryEntry[]>([]);
  #report = $state<FailoverReportInfo | null>(null);
  #compare = $state<FailoverReportInfo | null>(null);
  #error = $state<string | null>(null);
  #importError = $state<string | null>(null);
  #labId: string | null = null;

  constructor(
    private readonly client: LabClient,
    private readonly now: () => number = () => performance.now(),
  ) {
    client.on('drill.state', (s) => this.#accept(s));
  }

  get state(): DrillStateInfo | null {
    return this.#state;
  }
  get running(): boolean {
    return this.#state?.running ?? false;
  }
  get history(): DrillHistoryEntry[] {
    return this.#history;
  }
  get report(): FailoverReportInfo | null {
    return this.#report;
  }
  get compare(): FailoverReportInfo | null {
    return this.#compare;
  }
  get error(): string | null {
    return this.#error;
  }

  /**
   * The stopwatch reading: the engine's elapsed time, advanced locally between events at the
   * simulation speed so it ticks smoothly; every event snaps it back to the engine's value.
   */
  elapsedAt(nowMs: number, speed: SimSpeed | null): number {
    const s = this.#state;
    if (!s) return 0;
    if (!s.running || speed === 'max') return s.elapsedMs;
    return s.elapsedMs + Math.max(0, nowMs - this.#receivedAt) * (speed ?? 1);
  }

  async load(labId: string): Promise<void> {
    this.#labId = labId;
    try {
      const [state, history] = await Promise.all([
        this.client.call('drill.getState'),
        this.client.call('drill.history', { labId }),
      ]);
      this.#history = history;
      this.#accept(state);
      // The engine lists runs newest first: show the latest.
      if (!this.#report && history.length > 0) await this.select(history[0]!.runId);
      this.#error = null;
    } catch (e) {
      this.#error = errorMessage(e);
    }
  }

  async start(stepId?: string, guessSeconds?: number): Promise<boolean> {
    try {
      this.#compare = null;
      this.#accept(
        await this.client.call('drill.start', {
          ...(stepId ? { stepId } : {}),
          ...(guessSeconds !== undefined ? { guessSeconds } : {}),
        }),
      );
      this.#error = null;
      return true;
    } catch (e) {
      this.#error = errorMessage(e);
      return false;
    }
  }

  async select(runId: string): Promise<void> {
    if (!this.#labId) return;
    try {
      this.#report = await this.client.call('drill.report', { labId: this.#labId, runId });
      if (this.#compare?.runId === runId) this.#compare = null;
    } catch (e) {
      this.#error = errorMessage(e);
    }
  }

  async compareWith(runId: string | null): Promise<void> {
    if (!this.#labId || runId === null) {
      this.#compare = null;
      return;
    }
    try {
      this.#compare = await this.client.call('drill.report', { labId: this.#labId, runId });
    } catch (e) {
      this.#error = errorMessage(e);
    }
  }

  /** A classmate's run file: validated by the engine, then listed and shown for comparison. */
  async importRun(fileName: string, content: string): Promise<boolean> {
    if (!this.#labId) return false;
    try {
      const entry = await this.client.call('drill.import', { labId: this.#labId, fileName, content });
      this.#history = await this.client.call('drill.history', { labId: this.#labId });
      if (this.#report) await this.compareWith(entry.runId);
      else await this.select(entry.runId);
      this.#importError = null;
      return true;
    } catch (e) {
      this.#importError = errorMessage(e);
      return false;
    }
  }

  get importError(): string | null {
    return this.#importError;
  }

  async export(
    runId: string,
    format: ExportFormat,
  ): Promise<{ filename: string; mime: string; content: string } | null> {
    if (!this.#labId) return null;
    try {
      return await this.client.call('drill.export', { labId: this.#labId, runId, format });
    } catch (e) {
      this.#error = errorMessage(e);
      return null;
    }
  }

  #accept(state: DrillStateInfo): void {
    const finished = this.#state?.running === true && !state.running;
    this.#state = state;
    this.#receivedAt = this.now();
    if (state.report && (finished || !this.#report || this.#report.runId === state.report.runId)) {
      this.#report = state.report;
    }
    if (finished && this.#labId) {
      const labId = this.#labId;
      this.client
        .call('drill.history', { labId })
        .then((h) => (this.#history = h))
        .catch(() => undefined);
    }
  }
}
