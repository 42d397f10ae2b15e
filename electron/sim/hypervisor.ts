/**
 * SimHypervisorDriver: the engine's HypervisorDriver over the simulated world. Power, ACPI,
 * reset and cables act on the world; checkpoints are world snapshots; every timestamp is on
 * the virtual clock.
 */
import {
  HypervisorError,
  type CheckpointInfo,
  type HypervisorDriver,
  type MachineInfo,
  type MachineKind,
  type OperationOptions,
  type PowerEvent,
  type PowerState,
  type TopologySpec,
} from '../hypervisor/driver.ts';
import type { World, WorldSnapshot } from './world.ts';

export class SimHypervisorDriver implements HypervisorDriver {
  readonly kind = 'sim';
  private readonly listeners = new Set<(e: PowerEvent) => void>();
  private readonly checkpoints = new Map<string, { info: CheckpointInfo; snapshot: WorldSnapshot }>();
  private nextCheckpoint = 1;
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(private readonly world: World) {
    this.unsubscribe = world.onTransition((t) => {
      const [kind, machine] = t.subject.split(':') as [string, string | undefined];
      if (!machine) return;
      let power: PowerState | undefined;
      if (kind === 'power')
        power = t.to === 'on' ? (machine === world.nasName() ? 'running' : 'starting') : 'off';
      else if (kind === 'phase' && t.to === 'up') power = 'running';
      if (power) this.emit({ machine, power, at: world.clock.now() });
    });
  }

  private emit(event: PowerEvent): void {
    for (const l of this.listeners) l(event);
  }

  private assertOpen(): void {
    if (this.closed) throw new HypervisorError('unreachable', 'the simulated datacenter was closed');
  }

  private kindOf(name: string): MachineKind {
    return name === this.world.nasName() ? 'nfs' : 'pve';
  }

  private known(name: string): void {
    if (!this.world.nodeNames().includes(name) && name !== this.world.nasName())
      throw new HypervisorError('not-found', `no machine '${name}' in the simulated datacenter`, name);
  }

  private check(options?: OperationOptions): void {
    if (options?.signal?.aborted) throw new HypervisorError('cancelled', 'operation cancelled');
  }

  async realise(topology: TopologySpec, options?: OperationOptions): Promise<void> {
    this.assertOpen();
    this.check(options);
    for (const m of topology.machines) {
      if (m.kind === 'tinycore')
        throw new HypervisorError(
          'unsupported',
          `machine '${m.name}': in the simulator guests run inside the Proxmox cluster (create them through the API)`,
          m.name,
        );
      this.known(m.name);
      options?.progress?.report({ message: `${m.name}: ready` });
    }
  }

  async listMachines(): Promise<MachineInfo[]> {
    this.assertOpen();
    const names = [...this.world.nodeNames(), ...(this.world.nasName() ? [this.world.nasName()!] : [])];
    return names.map((n) => this.info(n));
  }

  async machine(name: string): Promise<MachineInfo> {
    this.assertOpen();
    this.known(name);
    return this.info(name);
  }

  private info(name: string): MachineInfo {
    const st = this.world.machineState(name);
    const power: PowerState =
      st.phase === 'off'
        ? 'off'
        : st.phase === 'booting'
          ? 'starting'
          : st.phase === 'shutting-down'
            ? 'stopping'
            : 'running';
    const ip = name === this.world.nasName() ? this.world.core.state.nas!.ip : this.world.nodeIp(name);
    return { name, kind: this.kindOf(name), power, cableConnected: st.cable, addresses: [ip] };
  }

  async powerOn(name: string, options?: OperationOptions): Promise<void> {
    this.assertOpen();
    this.check(options);
    this.known(name);
    this.world.powerOn(name);
  }

  async powerOff(name: string): Promise<{ at: number }> {
    this.assertOpen();
    this.known(name);
    const at = this.world.clock.now();
    this.world.powerOff(name);
    return { at };
  }

  async acpiShutdown(name: string): Promise<{ at: number }> {
    this.assertOpen();
    this.known(name);
    if (this.world.machineState(name).power === 'off')
      throw new HypervisorError('invalid-state', `machine '${name}' is powered off`, name);
    const at = this.world.clock.now();
    this.world.shutdown(name);
    return { at };
  }

  async reset(name: string): Promise<{ at: number }> {
    this.assertOpen();
    this.known(name);
    if (this.world.machineState(name).power === 'off')
      throw new HypervisorError('invalid-state', `machine '${name}' is powered off`, name);
    const at = this.world.clock.now();
    this.world.reset(name);
    return { at };
  }

  async setCable(name: string, connected: boolean): Promise<{ at: number }> {
    this.assertOpen();
    this.known(name);
    const at = this.world.clock.now();
    this.world.setCable(name, connected);
    return { at };
  }

  async takeCheckpoint(name: string, options?: OperationOptions): Promise<CheckpointInfo> {
    this.assertOpen();
    this.check(options);
    const id = `sim-checkpoint-${this.nextCheckpoint++}`;
    const createdAt = new Date(this.world.core.state.epochMs + this.world.now()).toISOString();
    const info: CheckpointInfo = { id, name, createdAt };
    this.checkpoints.set(id, { info, snapshot: this.world.snapshot() });
    return info;
  }

  async restoreCheckpoint(id: string, options?: OperationOptions): Promise<void> {
    this.assertOpen();
    this.check(options);
    const cp = this.checkpoints.get(id);
    if (!cp) throw new HypervisorError('not-found', `no checkpoint '${id}'`);
    this.world.restore(cp.snapshot);
    for (const m of await this.listMachines())
      this.emit({ machine: m.name, power: m.power, at: this.world.clock.now() });
  }

  async deleteCheckpoint(id: string): Promise<void> {
    this.assertOpen();
    if (!this.checkpoints.delete(id)) throw new HypervisorError('not-found', `no checkpoint '${id}'`);
  }

  async listCheckpoints(): Promise<CheckpointInfo[]> {
    this.assertOpen();
    return [...this.checkpoints.values()].map((c) => c.info);
  }

  /** The simulated machines cannot be deleted: this powers everything off and drops checkpoints. */
  async destroy(_lab: string, options?: OperationOptions): Promise<void> {
    this.assertOpen();
    this.check(options);
    for (const name of this.world.nodeNames()) this.world.powerOff(name);
    if (this.world.nasName()) this.world.powerOff(this.world.nasName()!);
    this.checkpoints.clear();
  }

  onPowerEvent(listener: (event: PowerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    this.listeners.clear();
  }
}
