/** The lab library: the labs the engine found (in the learner's language) and files that failed. */
import type { Language, LabLibrary } from '@contract/dto.ts';

import type { LabClient } from '../api/client.ts';
import { errorMessage } from '../format/error-message.ts';

export class LibraryState {
  #library = $state<LabLibrary | null>(null);
  #error = $state<string | null>(null);
  #opening = $state<string | null>(null);

  constructor(private readonly client: LabClient) {}

  get library(): LabLibrary | null {
    return this.#library;
  }
  get error(): string | null {
    return this.#error;
  }
  /** The lab being opened right now, if any. */
  get opening(): string | null {
    return this.#opening;
  }

  async load(lang?: Language): Promise<void> {
    try {
      this.#library = await this.client.call('lab.list', lang ? { lang } : {});
      this.#error = null;
    } catch (e) {
      this.#error = errorMessage(e);
    }
  }

  setOpening(labId: string | null): void {
    this.#opening = labId;
  }
}
