/** Fingerprints waiting for the learner's confirmation (trust on first use of a real node). */
import type { TrustRequestInfo } from '@contract/dto.ts';

import type { LabClient } from '../api/client.ts';

export class TrustState {
  #requests = $state<TrustRequestInfo[]>([]);

  constructor(private readonly client: LabClient) {
    client.on('trust.requests', (requests) => (this.#requests = requests));
  }

  /** The question shown now (one at a time, oldest first). */
  get current(): TrustRequestInfo | null {
    return this.#requests[0] ?? null;
  }

  get waiting(): number {
    return this.#requests.length;
  }

  async load(): Promise<void> {
    this.#requests = await this.client.call('trust.pending');
  }

  async answer(accept: boolean): Promise<void> {
    const current = this.current;
    if (!current) return;
    this.#requests = this.#requests.filter((r) => r.id !== current.id);
    await this.client.call('trust.answer', { id: current.id, accept });
  }
}
