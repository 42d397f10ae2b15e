/**
 * All the renderer's state objects, built once around one client. `refresh()` rebuilds every
 * snapshot from the engine's `*.getState` calls: on start and again after each reconnect.
 */
import type { Language } from '@contract/dto.ts';

import type { LabClient } from '../api/client.ts';
import type { I18n } from '../i18n/i18n.svelte.ts';
import { AppShell } from './app-shell.svelte.ts';
import { DrillState } from './drill.svelte.ts';
import { HostCheckState } from './host-check.svelte.ts';
import { LabRunState } from './lab-run.svelte.ts';
import { LibraryState } from './library.svelte.ts';
import { SimClockState } from './sim-clock.svelte.ts';
import { TasksState } from './tasks.svelte.ts';
import { TerminalsState } from './terminals.svelte.ts';
import { TopologyState } from './topology.svelte.ts';
import { TrustState } from './trust.svelte.ts';

export class AppModel {
  readonly shell: AppShell;
  readonly library: LibraryState;
  readonly hostCheck: HostCheckState;
  readonly labRun: LabRunState;
  readonly topology: TopologyState;
  readonly clock: SimClockState;
  readonly terminals: TerminalsState;
  readonly drill: DrillState;
  readonly tasks: TasksState;
  readonly trust: TrustState;

  constructor(
    readonly client: LabClient,
    readonly i18n: I18n,
  ) {
    this.shell = new AppShell(client, i18n);
    this.library = new LibraryState(client);
    this.hostCheck = new HostCheckState(client);
    this.labRun = new LabRunState(client);
    this.topology = new TopologyState(client);
    this.clock = new SimClockState(client);
    this.terminals = new TerminalsState(client);
    this.drill = new DrillState(client);
    this.tasks = new TasksState(client);
    this.trust = new TrustState(client);
    client.onReconnect(() => void this.refresh(true));
    client.onConnectionChange((connected) => this.shell.setConnected(connected));
  }

  /** The interface language; the library and the open lab's content follow it. */
  async setLanguage(lang: Language): Promise<void> {
    const content = Promise.all([
      this.library.load(lang),
      this.labRun.run ? this.labRun.setLanguage(lang) : Promise.resolve(),
    ]);
    await this.shell.setLanguage(lang, content);
  }

  async refresh(reconnected = false): Promise<void> {
    // All at once: lab.list without a language answers in the saved one, which is also the one
    // settings.get is about to apply.
    await Promise.all([
      this.shell.load(),
      this.library.load(),
      this.labRun.load(),
      this.topology.load(),
      this.clock.load(),
      this.trust.load(),
    ]);
    const run = this.labRun.run;
    if (run) await this.drill.load(run.labId);
    if (reconnected) await this.terminals.reattachAll();
  }
}
