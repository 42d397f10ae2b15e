/**
 * What the unattended installs need from the rest of NestLab, as small interfaces: the VirtualBox driver,
 * the seed writer and the TrueNAS client (both from the images engineer's `electron/provision/seeds/`),
 * the Proxmox upload, the first-boot probe and the trust-on-first-use question. Each is injected, so the
 * orchestration is tested against the fake vboxwebsrv with stand-ins for the rest.
 */
import type { Clock } from '../../clock/clock.ts';
import type { MachineInfo, OperationOptions, TopologySpec } from '../../hypervisor/driver.ts';
import type { ImageResolver } from '../../images/resolver.ts';
import type { LabFile, LabProfile } from '../../lab/script/schema.ts';
import type { PveUpload } from '../../pve/api.ts';

/** The VirtualBox driver calls an install makes (VirtualBoxDriver implements them all). */
export interface InstallDriver {
  realise(topology: TopologySpec, options?: OperationOptions): Promise<void>;
  machine(name: string): Promise<MachineInfo>;
  powerOn(name: string, options?: OperationOptions): Promise<void>;
  powerOff(name: string): Promise<{ at: number }>;
  acpiShutdown(name: string): Promise<{ at: number }>;
  typeOnKeyboard(name: string, text: string): Promise<void>;
  ejectMedia(name: string): Promise<void>;
  installMediaInserted(name: string): Promise<boolean>;
  lastStateChange(name: string): Promise<number>;
  guestAddresses(name: string): Promise<string[]>;
  consolePath(name: string): string;
  takeMachineCheckpoint(name: string, checkpoint: string, options?: OperationOptions): Promise<void>;
  hasMachineCheckpoint(name: string, checkpoint: string): Promise<boolean>;
}

/** One seed image of one machine, as `writeMachineSeeds` (electron/provision/seeds/index.ts) returns it. */
export interface MachineSeed {
  machine: string;
  kind: 'proxmox-answer' | 'cidata';
  path: string;
  format: 'iso' | 'fat';
}

export type WriteMachineSeeds = (lab: LabFile, profile: LabProfile, outDir: string) => Promise<MachineSeed[]>;

/** The TrueNAS installer and middleware client (images engineer), called once the installer has booted. */
export interface TrueNasProvisioner {
  /** Installs through the installer's JSON-RPC API at `address`, then shuts the live system down. */
  install(request: { machine: string; address: string; signal?: AbortSignal }): Promise<void>;
  /** Pool, dataset and NFS share for the lab network through the middleware API, on the installed system. */
  configure(request: { machine: string; address: string; signal?: AbortSignal }): Promise<void>;
}

/** `POST /nodes/{node}/storage/{storage}/upload` (the HTTP client's upload method); resolves with a UPID. */
export interface IsoUploader {
  upload(upload: PveUpload): Promise<string>;
  waitForTask(upid: string, options?: { signal?: AbortSignal }): Promise<{ ok: boolean; exitstatus: string }>;
}

/** Reaches a freshly booted node's API (TLS handshake on :8006) and says which certificate it showed. */
export type FirstBootProbe = (
  node: string,
  address: string,
  signal?: AbortSignal,
) => Promise<{ fingerprint: string }>;

/** The existing TOFU question (trust broker): resolves true only when the user confirmed the fingerprint. */
export type TrustQuestion = (node: string, fingerprint: string, kind: 'tls-certificate') => Promise<boolean>;

/** Progress of one machine's build, for the per-machine bars. */
export interface MachineProgress {
  machine: string;
  stage: 'images' | 'machines' | 'install' | 'first-boot' | 'checkpoint' | 'nas' | 'upload' | 'ready';
  fraction: number;
  message: string;
}

export interface InstallContext {
  driver: InstallDriver;
  clock: Clock;
  signal?: AbortSignal;
  report: (progress: MachineProgress) => void;
  /** How often the power state is looked at while waiting for an installer to power off, ms. */
  pollMs?: number;
  /** How long BIOS and GRUB take to show the boot menu before keys are typed, ms. */
  bootMenuDelayMs?: number;
  /** Longest an install may take before it is called stuck, ms. */
  installTimeoutMs?: number;
  images?: ImageResolver;
}
