/** User settings, kept as one JSON file written atomically. */
import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';

import { BACKENDS, LANGUAGES } from '../contract/dto.ts';

const storedSettings = z.object({
  lang: z.enum(LANGUAGES).catch('en'),
  theme: z.enum(['light', 'dark', 'system']).catch('system'),
  backend: z.enum(BACKENDS).catch('sim'),
});

export type StoredSettings = z.infer<typeof storedSettings>;

export class SettingsStore {
  readonly #file: string;
  #current: StoredSettings;

  private constructor(
    readonly dataDir: string,
    initial: StoredSettings,
    /** Where a damaged settings file was kept aside at start (said once, by create-app). */
    readonly damagedKeptAt: string | undefined,
  ) {
    this.#file = join(dataDir, 'settings.json');
    this.#current = initial;
  }

  static async open(dataDir: string, defaults: Partial<StoredSettings> = {}): Promise<SettingsStore> {
    const base: StoredSettings = { lang: 'en', theme: 'system', backend: 'sim', ...defaults };
    let initial = base;
    const file = join(dataDir, 'settings.json');
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      // Missing (first start) or not a file: the defaults; the next save writes it.
    }
    let damagedKeptAt: string | undefined;
    if (text !== undefined) {
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        raw = undefined;
      }
      if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
        // A value out of range falls back per field (zod .catch); the rest is kept.
        initial = storedSettings.parse({ ...base, ...raw });
      } else {
        // Not settings at all: kept aside (the next save would overwrite it) and said once.
        const kept = `${file}.damaged-${Date.now()}`;
        damagedKeptAt = await rename(file, kept).then(
          () => kept,
          () => file,
        );
      }
    }
    return new SettingsStore(dataDir, initial, damagedKeptAt);
  }

  get(): StoredSettings {
    return { ...this.#current };
  }

  async update(patch: Partial<StoredSettings>): Promise<StoredSettings> {
    this.#current = storedSettings.parse({ ...this.#current, ...patch });
    await mkdir(this.dataDir, { recursive: true });
    await writeFileAtomic(this.#file, JSON.stringify(this.#current, null, 2) + '\n');
    return this.get();
  }
}
