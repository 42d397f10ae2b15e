/**
 * The open lab run: a snapshot of LabRunInfo rebuilt from `lab.getState` on load/reconnect and
 * replaced by every `lab.state` event; actions go through the client and return the new snapshot.
 */
import type { Language, LabRunInfo, StepInfo } from '@contract/dto.ts';

import type { LabClient } from '../api/client.ts';
import { errorMessage } from '../format/error-message.ts';

/** The calls a learner can wait on; each has a `busy.<name>` message. */
export type LabAction =
  | 'lab.open'
  | 'lab.check'
  | 'lab.solveStep'
  | 'lab.solveUpTo'
  | 'lab.reset'
  | 'lab.build'
  | 'lab.showHint'
  | 'lab.setLanguage';

export class LabRunState {
  #run = $state<LabRunInfo | null>(null);
  #loaded = $state(false);
  #pending = $state<LabAction | null>(null);
  #error = $state<string | null>(null);
  /** The step the learner is looking at; null follows the active step. */
  #viewedStepId = $state<string | null>(null);

  constructor(private readonly client: LabClient) {
    client.on('lab.state', (run) => this.#accept(run));
  }

  get run(): LabRunInfo | null {
    return this.#run;
  }
  /** True once `lab.getState` has answered (so "no lab" is known, not just not loaded). */
  get loaded(): boolean {
    return this.#loaded;
  }
  /** True while a call is in flight or the engine says it is working. */
  get busy(): boolean {
    return this.#pending !== null || Boolean(this.#run?.busy);
  }
  /** The call the UI is waiting for, if any. */
  get pending(): LabAction | null {
    return this.#pending;
  }
  /** The engine's own description of what it is doing, if any. */
  get engineBusy(): string | null {
    return this.#run?.busy ?? null;
  }
  get error(): string | null {
    return this.#error ?? this.#run?.error ?? null;
  }

  get viewedStep(): StepInfo | null {
    const run = this.#run;
    if (!run) return null;
    const id = this.#viewedStepId ?? run.activeStepId;
    return (
      run.steps.find((s) => s.id === id) ??
      run.steps.find((s) => s.status !== 'passed') ??
      run.steps.at(-1) ??
      null
    );
  }

  viewStep(stepId: string | null): void {
    this.#viewedStepId = stepId;
  }

  async load(): Promise<void> {
    try {
      this.#accept(await this.client.call('lab.getState'));
      this.#error = null;
    } catch (e) {
      this.#error = errorMessage(e);
    } finally {
      this.#loaded = true;
    }
  }

  open(labId: string, lang?: Language, profile?: string): Promise<boolean> {
    return this.#act('lab.open', () =>
      this.client.call('lab.open', { labId, ...(lang ? { lang } : {}), ...(profile ? { profile } : {}) }),
    );
  }

  check(): Promise<boolean> {
    return this.#act('lab.check', () => this.client.call('lab.check'));
  }

  solveStep(stepId: string): Promise<boolean> {
    return this.#act('lab.solveStep', () => this.client.call('lab.solveStep', { stepId }));
  }

  solveUpTo(stepId: string): Promise<boolean> {
    return this.#act('lab.solveUpTo', () => this.client.call('lab.solveUpTo', { stepId }));
  }

  reset(): Promise<boolean> {
    this.#viewedStepId = null;
    return this.#act('lab.reset', () => this.client.call('lab.reset'));
  }

  /** Builds the lab's machines (the tray shows a bar per machine), then takes the state it left. */
  build(): Promise<boolean> {
    return this.#act('lab.build', async () => {
      await this.client.call('lab.build');
      return this.client.call('lab.getState');
    });
  }

  showHint(stepId: string): Promise<boolean> {
    return this.#act('lab.showHint', () => this.client.call('lab.showHint', { stepId }));
  }

  setLanguage(lang: Language): Promise<boolean> {
    return this.#act('lab.setLanguage', () => this.client.call('lab.setLanguage', { lang }));
  }

  async close(): Promise<void> {
    await this.client.call('lab.close');
    this.#run = null;
    this.#viewedStepId = null;
  }

  async #act(name: LabAction, call: () => Promise<LabRunInfo | null>): Promise<boolean> {
    this.#pending = name;
    try {
      this.#accept(await call());
      this.#error = null;
      return true;
    } catch (e) {
      this.#error = errorMessage(e);
      return false;
    } finally {
      this.#pending = null;
    }
  }

  #accept(run: LabRunInfo | null): void {
    if (run && this.#run && run.runId !== this.#run.runId) this.#viewedStepId = null;
    // The step the learner was looking at just passed: move on with them to what is next.
    const viewed = this.#viewedStepId;
    if (viewed && run) {
      const was = this.#run?.steps.find((s) => s.id === viewed)?.status;
      const now = run.steps.find((s) => s.id === viewed)?.status;
      if (was !== 'passed' && now === 'passed') this.#viewedStepId = null;
    }
    this.#run = run;
  }
}
