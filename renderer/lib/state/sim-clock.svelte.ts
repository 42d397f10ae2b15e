/** The simulator's cluster clock and speed (null on a real backend). */
import type { SimClockInfo, SimSpeed } from '@contract/dto.ts';

import type { LabClient } from '../api/client.ts';
import { errorMessage } from '../format/error-message.ts';

export const SIM_SPEEDS: readonly SimSpeed[] = [1, 10, 'max'];

export class SimClockState {
  #clock = $state<SimClockInfo | null>(null);
  #error = $state<string | null>(null);

  constructor(private readonly client: LabClient) {
    client.on('sim.clock', (c) => (this.#clock = c));
  }

  get clock(): SimClockInfo | null {
    return this.#clock;
  }
  get error(): string | null {
    return this.#error;
  }

  async load(): Promise<void> {
    try {
      this.#clock = await this.client.call('sim.getClock');
    } catch (e) {
      this.#error = errorMessage(e);
    }
  }

  async setSpeed(speed: SimSpeed): Promise<void> {
    try {
      this.#clock = await this.client.call('sim.setSpeed', { speed });
      this.#error = null;
    } catch (e) {
      this.#error = errorMessage(e);
    }
  }
}
