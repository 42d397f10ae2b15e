/** What the doctor knows about the host, gathered by host-probe.ts (or by hand in tests). */

export interface CpuVirtualization {
  hwVirtEx: boolean;
  nestedPaging: boolean;
  unrestrictedGuest: boolean;
  nestedHWVirt: boolean;
}

export type WebServiceFacts =
  | { reachable: true; version: string; apiVersion: string; cpu: CpuVirtualization }
  | { reachable: false; error: string };

export interface HostFacts {
  os: { platform: NodeJS.Platform; arch: string; release: string; cpuModel: string };
  memory: { totalMiB: number; freeMiB: number };
  /** Free space where the lab's disks go. */
  disk?: { path: string; freeMiB: number };
  virtualbox:
    { installed: false } | { installed: true; version?: string; vboxwebsrv: string; vboxmanage: string };
  /** Absent when VirtualBox is not installed or the check was skipped. */
  webService?: WebServiceFacts;
  /** Linux: vmx/svm in /proc/cpuinfo (a check that works without VirtualBox). */
  cpuFlags?: { vmx: boolean; svm: boolean };
  windows?: { hypervisorPresent?: boolean; vbsRunning?: boolean; hvciRunning?: boolean };
  linux?: { kernel: string; kvmModules: string[] };
  /** IMachineDebugger.executionEngine of a lab VM after its first boot, e.g. HwVirt or NativeApi. */
  executionEngine?: string;
}

export type Severity = 'ok' | 'info' | 'warning' | 'error';

export interface Finding {
  id: string;
  severity: Severity;
  title: string;
  detail: string;
  /** What to do about it, concretely. Every warning and error has one. */
  fix?: string;
}
