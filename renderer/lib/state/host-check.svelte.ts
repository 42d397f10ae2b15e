/** The host preflight report (for the simulator it simply passes). */
import type { BackendKind, HostCheckInfo } from '@contract/dto.ts';

import type { LabClient } from '../api/client.ts';
import { errorMessage } from '../format/error-message.ts';

export class HostCheckState {
  #report = $state<HostCheckInfo | null>(null);
  #error = $state<string | null>(null);
  #running = $state(false);

  constructor(private readonly client: LabClient) {}

  get report(): HostCheckInfo | null {
    return this.#report;
  }
  get error(): string | null {
    return this.#error;
  }
  get running(): boolean {
    return this.#running;
  }

  async run(backend?: BackendKind): Promise<void> {
    this.#running = true;
    try {
      this.#report = await this.client.call('host.check', backend ? { backend } : {});
      this.#error = null;
    } catch (e) {
      this.#error = errorMessage(e);
    } finally {
      this.#running = false;
    }
  }
}
