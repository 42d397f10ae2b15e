/**
 * What one lab run needs from its backend — a Proxmox client, a hypervisor, shells, a clock —
 * and what the backend can do beyond that, said as explicit capabilities (a speed control, whether
 * solved steps must be replayed after a restart, how a person reaches each node). The factory in
 * create-lab-environment.ts picks the implementation; nothing outside electron/backends/ asks
 * which backend it got.
 */
import type { Clock } from '../clock/clock.ts';
import type { BackendKind } from '../contract/dto.ts';
import type { HypervisorDriver, TopologySpec } from '../hypervisor/driver.ts';
import type { ShellRunner } from '../lab/shell-runner.ts';
import type { LabFile, LabProfile } from '../lab/script/schema.ts';
import type { PveApi, PveNodeEndpoint } from '../pve/api.ts';
import type { PtySpawner } from '../terminal/pty.ts';
import type { TopologyMachine } from '../app/topology-observer.ts';
import type { TaskService } from '../lab/task-service.ts';
import type { BuildLabDeps } from '../provision/install/build-lab.ts';
import type { FirstBootProbe, InstallDriver } from '../provision/install/install-ports.ts';
import type { ResetDriver } from '../provision/install/reset-to-step.ts';

/**
 * How fast a backend's clock runs: a factor of real time; `max`, as fast as the model goes but
 * capped so an idle app does not spin a core; `unbounded`, as fast as the host allows (tests,
 * replays, `lab test`).
 */
export type ClockSpeed = number | 'max' | 'unbounded';

/** A backend whose clock can change speed (the simulator); real nodes run in real time only. */
export interface SpeedControl {
  setSpeed(speed: ClockSpeed): void;
}

/** What one "Build the lab" did: machines installed now, and those already installed before (resumed). */
export interface LabBuildOutcome {
  installed: string[];
  skipped: string[];
}

/** A backend that creates and installs the lab's machines itself (VirtualBox); progress goes to `tasks`. */
export interface LabBuilder {
  build(tasks: TaskService, options?: { signal?: AbortSignal }): Promise<LabBuildOutcome>;
}

/** A backend whose machines can go back to how they were built (VirtualBox: the "installed" checkpoints). */
export interface MachineReset {
  /** Restores `stepCheckpoint` when the lab has it, else each machine's "installed" checkpoint; starts them. */
  reset(stepCheckpoint?: string, options?: { signal?: AbortSignal }): Promise<{ restored: string }>;
}

/** How a person (or another tool) reaches one Proxmox node of the lab: API URL, certificate fingerprint. */
export type NodeEndpoint = Pick<PveNodeEndpoint, 'name' | 'url' | 'fingerprint'>;

export interface LabEnvironment {
  backend: BackendKind;
  pve: PveApi;
  driver: HypervisorDriver;
  shell: ShellRunner;
  ptys: PtySpawner;
  clock: Clock;
  machines: TopologyMachine[];
  /** Present when the backend's clock has a speed control; null when it runs in real time only. */
  speed: SpeedControl | null;
  /**
   * True when the backend forgets the cluster when the run ends (the simulator keeps it in memory):
   * a restarted lab replays the solves of the steps already passed. A real cluster keeps its state.
   */
  replaysSolvedSteps: boolean;
  /** True when opening a node's shell costs nothing (an in-process shell, not an ssh connection). */
  shellsAreLocal: boolean;
  /** True when each node serves Proxmox's own web interface on :8006 (real nodes; the simulator serves only the API). */
  nodeWebInterfaces: boolean;
  /** Present when the backend can build the lab's machines (VirtualBox); null when they just exist (the simulator). */
  build: LabBuilder | null;
  /** Present when `lab.reset` can put the machines back too (a real cluster keeps its state); null otherwise. */
  resetMachines: MachineReset | null;
  /** The Proxmox nodes reached so far and the login they take (shown by `lab run`). */
  nodeEndpoints(): NodeEndpoint[];
  login: { username: string; password: string };
  close(): Promise<void>;
}

export type TrustKind = 'tls-certificate' | 'ssh-host-key';

/** Asks the user whether `fingerprint` really is `node`'s; resolves true only when confirmed. */
export type TrustCallback = (node: string, fingerprint: string, kind: TrustKind) => Promise<boolean>;

/** What the environment needs from VirtualBox: a driver that can address an existing lab. */
export interface VirtualBoxHandle {
  /** The install calls too, so the lab can be built (VirtualBoxDriver has them all). */
  driver: HypervisorDriver & InstallDriver & ResetDriver & { attach(topology: TopologySpec): Promise<void> };
  close(): Promise<void>;
}

/** Where installed nodes are reached; tests put stand-ins here. Default: this host, the lab's addresses. */
export interface RealNodesReach {
  /** The node's API base URL. Default `https://<address>:8006`. */
  apiUrl?: (node: string, address: string) => string;
  /** Where the node's ssh listens. Default `<address>:22`. */
  sshTarget?: (node: string, address: string) => { host: string; port: number };
  /** Per-node wait for a TLS handshake or an ssh connection, ms (default 5 000). */
  connectTimeoutMs?: number;
}

/** VirtualBox only: where VirtualBox and the nodes are reached (default: this host, the lab's addresses). */
export interface VirtualBoxReach extends RealNodesReach {
  /** Default: `startLocalVirtualBox()` (vboxwebsrv on this host). */
  startVirtualBox?: () => Promise<VirtualBoxHandle>;
  /** The data folder the build keeps its image cache and seeds in (default: the usual one). */
  dataDir?: string;
  /** Overrides for the build's parts (tests: images and seeds stand-ins, a first-boot probe). */
  build?: Partial<Pick<BuildLabDeps, 'images' | 'writeSeeds' | 'pollMs' | 'bootMenuDelayMs'>> & {
    /** Default: the TLS handshake on the node's :8006 (the trust question stays the app's). */
    firstBootProbe?: FirstBootProbe;
  };
}

export interface LabEnvironmentOptions {
  lab: LabFile;
  profile: LabProfile;
  backend: BackendKind;
  /** Where the clock starts, when the backend has a speed control. Default: real time. */
  speed?: ClockSpeed;
  /** Real nodes: confirms each node's certificate and ssh host key on first use. */
  trust?: TrustCallback;
  /** Real nodes: fingerprints confirmed before (`tls:<node>`, `ssh:<node>`); new ones are added. */
  pins?: Map<string, string>;
  signal?: AbortSignal;
  /** VirtualBox only: where VirtualBox and the nodes are reached. */
  virtualBox?: VirtualBoxReach;
}
