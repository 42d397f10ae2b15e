/**
 * What the lab engine may ask of a hypervisor: realise machines, power them, pull cables,
 * checkpoints. Implemented by the VirtualBox driver (real) and by the simulator.
 * Free of VirtualBox notions so a future "proxmox" backend (nested nodes on a school's PVE) fits.
 */
import type { BackendKind } from '../contract/dto.ts';

export type MachineKind = 'pve' | 'truenas' | 'nfs' | 'tinycore';

export type PowerState =
  | 'absent' // not created yet
  | 'off'
  | 'starting'
  | 'running'
  | 'stopping'
  | 'saved'
  | 'paused'
  | 'error';

export interface NicSpec {
  /** Name of the lab network this NIC attaches to (host-only / internal). */
  network: string;
  /** Static address the guest is configured with, CIDR form, if the lab gives one. */
  address?: string;
  mac?: string;
}

export interface DiskSpec {
  name: string;
  sizeGiB: number;
}

export interface MachineSpec {
  name: string;
  kind: MachineKind;
  memoryMiB: number;
  cpus: number;
  nestedVirtualization: boolean;
  disks: DiskSpec[];
  nics: NicSpec[];
  /** Path of an ISO to attach, or an image id from the catalog. */
  iso?: string;
}

export interface NetworkSpec {
  name: string;
  /** IPv4 CIDR of the host side, e.g. 192.168.56.1/24. */
  cidr: string;
}

export interface TopologySpec {
  lab: string;
  networks: NetworkSpec[];
  machines: MachineSpec[];
}

export interface MachineInfo {
  name: string;
  kind: MachineKind;
  power: PowerState;
  /** True while the machine's (first) network cable is connected. */
  cableConnected: boolean;
  addresses: string[];
}

export interface PowerEvent {
  machine: string;
  power: PowerState;
  /** Monotonic timestamp in the driver's clock (ms). */
  at: number;
}

export interface CheckpointInfo {
  id: string;
  name: string;
  createdAt: string;
}

export interface ProgressReporter {
  report(update: { message: string; fraction?: number }): void;
}

export interface OperationOptions {
  signal?: AbortSignal;
  progress?: ProgressReporter;
}

export type HypervisorErrorCode =
  | 'not-installed'
  | 'unreachable'
  | 'auth-failed'
  | 'not-found'
  | 'invalid-state'
  | 'unsupported'
  | 'cancelled'
  | 'failed';

export class HypervisorError extends Error {
  constructor(
    readonly code: HypervisorErrorCode,
    message: string,
    readonly machine?: string,
  ) {
    super(message);
    this.name = 'HypervisorError';
  }
}

export interface HypervisorDriver {
  /** The backend this driver belongs to. */
  readonly kind: BackendKind;
  /** Create or update every network and machine of the topology; idempotent. */
  realise(topology: TopologySpec, options?: OperationOptions): Promise<void>;
  listMachines(): Promise<MachineInfo[]>;
  machine(name: string): Promise<MachineInfo>;
  powerOn(name: string, options?: OperationOptions): Promise<void>;
  /** Pull the plug: hard power-off, no guest involvement. Resolves with the instant it happened. */
  powerOff(name: string): Promise<{ at: number }>;
  /** ACPI power button (clean shutdown by the guest). */
  acpiShutdown(name: string): Promise<{ at: number }>;
  reset(name: string): Promise<{ at: number }>;
  setCable(name: string, connected: boolean): Promise<{ at: number }>;
  takeCheckpoint(name: string, options?: OperationOptions): Promise<CheckpointInfo>;
  restoreCheckpoint(id: string, options?: OperationOptions): Promise<void>;
  deleteCheckpoint(id: string): Promise<void>;
  listCheckpoints(): Promise<CheckpointInfo[]>;
  /** Remove every machine and file of the lab. */
  destroy(lab: string, options?: OperationOptions): Promise<void>;
  onPowerEvent(listener: (event: PowerEvent) => void): () => void;
  close(): Promise<void>;
}
