/** User settings, kept as one JSON file written atomically. */
import { mkdir, readFile } from 'node:fs/promises';
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
  ) {
    this.#file = join(dataDir, 'settings.json');
    this.#current = initial;
  }

  static async open(dataDir: string, defaults: Partial<StoredSettings> = {}): Promise<SettingsStore> {
    const base: StoredSettings = { lang: 'en', theme: 'system', backend: 'sim', ...defaults };
    let initial = base;
    try {
      const raw: unknown = JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8'));
      initial = storedSettings.parse({ ...base, ...(raw as object) });
    } catch {
      // Missing or unreadable settings: start from the defaults; the next save repairs the file.
    }
    return new SettingsStore(dataDir, initial);
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
