/**
 * The app around the views: what the engine is (app.info), the saved settings, the theme
 * and which view is showing (kept in the URL hash so a reload lands on the same view).
 */
import type { AppInfo, BackendKind, Language, SettingsInfo, Theme } from '@contract/dto.ts';

import type { LabClient } from '../api/client.ts';
import { ApiCallError } from '../api/transport.ts';
import { errorMessage } from '../format/error-message.ts';
import type { I18n } from '../i18n/i18n.svelte.ts';

export const VIEWS = ['library', 'host', 'run', 'drill', 'settings'] as const;
export type ViewName = (typeof VIEWS)[number];

const isView = (value: string): value is ViewName => (VIEWS as readonly string[]).includes(value);

export class AppShell {
  #info = $state<AppInfo | null>(null);
  #settings = $state<SettingsInfo | null>(null);
  #view = $state<ViewName>('library');
  #error = $state<string | null>(null);
  #connected = $state(true);
  #unreachable = $state(false);

  constructor(
    private readonly client: LabClient,
    private readonly i18n: I18n,
  ) {
    if (typeof window !== 'undefined') {
      this.#viewFromHash();
      // The browser's back and forward buttons move between views.
      window.addEventListener('popstate', () => this.#viewFromHash());
    }
  }

  get info(): AppInfo | null {
    return this.#info;
  }
  get settings(): SettingsInfo | null {
    return this.#settings;
  }
  get view(): ViewName {
    return this.#view;
  }
  get error(): string | null {
    return this.#error;
  }
  get connected(): boolean {
    return this.#connected;
  }
  /** The engine could not be reached at all (wrong token, NestLab stopped). */
  get unreachable(): boolean {
    return this.#unreachable;
  }

  /** Fetches app.info and settings; applies the saved language and theme. */
  async load(): Promise<void> {
    try {
      const [info, settings] = await Promise.all([
        this.client.call('app.info'),
        this.client.call('settings.get'),
      ]);
      this.#info = info;
      this.#applySettings(settings);
      this.#error = null;
      this.#unreachable = false;
      this.#connected = true;
    } catch (e) {
      this.#unreachable = e instanceof ApiCallError && e.code === 'disconnected';
      this.#error = errorMessage(e);
    }
  }

  setConnected(connected: boolean): void {
    this.#connected = connected;
  }

  go(view: ViewName): void {
    this.#view = view;
    if (typeof window !== 'undefined' && window.location.hash !== `#/${view}`) {
      history.pushState(null, '', `${window.location.pathname}${window.location.search}#/${view}`);
    }
  }

  #viewFromHash(): void {
    const fromHash = window.location.hash.replace(/^#\/?/, '');
    this.#view = isView(fromHash) ? fromHash : 'library';
  }

  /**
   * Saves the language and switches the interface to it once `content` (the library and the open
   * lab in that language) has arrived too, so the page never mixes two languages and whoever sees
   * the new language can rely on the engine having it (the saved setting, the lab's content).
   */
  async setLanguage(lang: Language, content: Promise<unknown> = Promise.resolve()): Promise<void> {
    const [settings] = await Promise.all([this.client.call('settings.set', { lang }), content]);
    this.#applySettings(settings);
  }

  async setTheme(theme: Theme): Promise<void> {
    this.#applySettings(await this.client.call('settings.set', { theme }));
  }

  async setBackend(backend: BackendKind): Promise<void> {
    this.#applySettings(await this.client.call('settings.set', { backend }));
  }

  /** Chooses another data folder; NestLab uses it from its next start. */
  async setDataDir(dataDir: string): Promise<void> {
    this.#applySettings(await this.client.call('settings.set', { dataDir }));
  }

  /** The saved backend differs from the running one: it applies on the next start. */
  get backendChangePending(): boolean {
    return this.#info !== null && this.#settings !== null && this.#info.backend !== this.#settings.backend;
  }

  #applySettings(settings: SettingsInfo): void {
    this.#settings = settings;
    this.i18n.setLang(settings.lang);
    if (typeof document !== 'undefined') document.documentElement.dataset.theme = settings.theme;
  }
}
