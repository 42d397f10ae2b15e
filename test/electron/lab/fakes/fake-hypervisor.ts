import type {
  CheckpointInfo,
  HypervisorDriver,
  MachineInfo,
  PowerEvent,
} from '../../../../electron/hypervisor/driver.ts';
import { HypervisorError } from '../../../../electron/hypervisor/driver.ts';

/** Records power and cable operations; machines exist by name. */
export class FakeHypervisor implements HypervisorDriver {
  readonly kind = 'sim';
  readonly calls: string[] = [];
  constructor(private readonly machines: string[] = ['pve1', 'pve2']) {}

  private op(what: string, name: string): { at: number } {
    if (!this.machines.includes(name)) throw new HypervisorError('not-found', `no machine ${name}`, name);
    this.calls.push(`${what} ${name}`);
    return { at: this.calls.length };
  }

  async realise(): Promise<void> {}
  async listMachines(): Promise<MachineInfo[]> {
    return this.machines.map((name) => ({
      name,
      kind: 'pve',
      power: 'running',
      cableConnected: true,
      addresses: [],
    }));
  }
  async machine(name: string): Promise<MachineInfo> {
    return { name, kind: 'pve', power: 'running', cableConnected: true, addresses: [] };
  }
  async powerOn(name: string): Promise<void> {
    this.op('power-on', name);
  }
  async powerOff(name: string): Promise<{ at: number }> {
    return this.op('power-off', name);
  }
  async acpiShutdown(name: string): Promise<{ at: number }> {
    return this.op('acpi-shutdown', name);
  }
  async reset(name: string): Promise<{ at: number }> {
    return this.op('reset', name);
  }
  async setCable(name: string, connected: boolean): Promise<{ at: number }> {
    return this.op(connected ? 'cable-in' : 'cable-out', name);
  }
  async takeCheckpoint(): Promise<CheckpointInfo> {
    throw new HypervisorError('unsupported', 'no checkpoints in the fake');
  }
  async restoreCheckpoint(): Promise<void> {}
  async deleteCheckpoint(): Promise<void> {}
  async listCheckpoints(): Promise<CheckpointInfo[]> {
    return [];
  }
  async destroy(): Promise<void> {}
  onPowerEvent(_listener: (event: PowerEvent) => void): () => void {
    return () => undefined;
  }
  async close(): Promise<void> {}
}
