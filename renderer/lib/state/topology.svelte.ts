/** The live cluster picture: `topology.getState` on load, then every `topology.state` snapshot. */
import type { MachineAction, TopologyInfo } from '@contract/dto.ts';

import type { LabClient } from '../api/client.ts';
import { errorMessage } from '../format/error-message.ts';

export class TopologyState {
  #topology = $state<TopologyInfo | null>(null);
  #error = $state<string | null>(null);

  constructor(private readonly client: LabClient) {
    client.on('topology.state', (t) => (this.#topology = t));
  }

  get topology(): TopologyInfo | null {
    return this.#topology;
  }
  get error(): string | null {
    return this.#error;
  }

  async load(): Promise<void> {
    try {
      this.#topology = await this.client.call('topology.getState');
      this.#error = null;
    } catch (e) {
      this.#error = errorMessage(e);
    }
  }

  async act(machine: string, action: MachineAction): Promise<boolean> {
    try {
      await this.client.call('machine.act', { machine, action });
      this.#error = null;
      return true;
    } catch (e) {
      this.#error = `${machine}: ${errorMessage(e)}`;
      return false;
    }
  }
}
