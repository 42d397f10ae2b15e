/**
 * Gathers HostFacts for the doctor. Everything that touches the host is injected (files, commands,
 * the web-service check) so it runs in tests; the parsers are pure and tested on recorded outputs.
 */
import type { VirtualBoxInstall } from '../virtualbox/vboxwebsrv-locator.ts';
import type { HostFacts, WebServiceFacts } from './host-facts.ts';

export interface HostProbeDeps {
  platform: NodeJS.Platform;
  arch: string;
  release: string;
  cpuModel: string;
  totalMiB: number;
  freeMiB: number;
  /** Folder the lab's disks go to, and its free space. */
  diskPath?: string;
  freeDiskMiB?: (path: string) => Promise<number | undefined>;
  readTextFile: (path: string) => Promise<string | undefined>;
  /** Runs a program; resolves its stdout, or undefined when it cannot be run. */
  run: (command: string, args: string[]) => Promise<string | undefined>;
  locate: () => VirtualBoxInstall | undefined;
  /** Starts/uses vboxwebsrv and asks IHost; omitted when the doctor should not start anything. */
  checkWebService?: (install: VirtualBoxInstall) => Promise<WebServiceFacts>;
  /** Execution engine of a running lab VM, when one is known. */
  executionEngine?: () => Promise<string | undefined>;
}

export function parseCpuFlags(cpuinfo: string): { vmx: boolean; svm: boolean } {
  const flags = new Set(
    cpuinfo
      .split('\n')
      .filter((line) => /^flags\s*:/.test(line))
      .flatMap((line) => line.split(':')[1]?.trim().split(/\s+/) ?? []),
  );
  return { vmx: flags.has('vmx'), svm: flags.has('svm') };
}

export function parseLoadedModules(procModules: string): string[] {
  return procModules
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith('kvm'));
}

/** "7.1.12r169651" → "7.1.12"; anything else → undefined. */
export function parseVBoxManageVersion(output: string): string | undefined {
  return /^\s*(\d+\.\d+\.\d+)/.exec(output)?.[1];
}

export const WINDOWS_HYPERVISOR_SCRIPT =
  '$c = Get-CimInstance Win32_ComputerSystem; $g = Get-CimInstance -Namespace root\\Microsoft\\Windows\\DeviceGuard -ClassName Win32_DeviceGuard -ErrorAction SilentlyContinue; ' +
  'Write-Output "HypervisorPresent=$($c.HypervisorPresent)"; Write-Output "VBS=$($g.VirtualizationBasedSecurityStatus)"; Write-Output "Running=$($g.SecurityServicesRunning -join \',\')"';

/** Parses the script's three lines. VBS status 2 = running; service 2 in SecurityServicesRunning = HVCI. */
export function parseWindowsHypervisorReport(output: string): {
  hypervisorPresent?: boolean;
  vbsRunning?: boolean;
  hvciRunning?: boolean;
} {
  const value = (key: string): string | undefined =>
    new RegExp(`^${key}=(.*)$`, 'm').exec(output)?.[1]?.trim();
  const present = value('HypervisorPresent');
  const vbs = value('VBS');
  const running = value('Running');
  return {
    hypervisorPresent: present === undefined || present === '' ? undefined : /^true$/i.test(present),
    vbsRunning: vbs === undefined || vbs === '' ? undefined : vbs === '2',
    hvciRunning: running === undefined ? undefined : running.split(',').includes('2'),
  };
}

export async function probeHost(deps: HostProbeDeps): Promise<HostFacts> {
  const facts: HostFacts = {
    os: { platform: deps.platform, arch: deps.arch, release: deps.release, cpuModel: deps.cpuModel },
    memory: { totalMiB: deps.totalMiB, freeMiB: deps.freeMiB },
    virtualbox: { installed: false },
  };
  if (deps.diskPath && deps.freeDiskMiB) {
    const free = await deps.freeDiskMiB(deps.diskPath);
    if (free !== undefined) facts.disk = { path: deps.diskPath, freeMiB: free };
  }
  if (deps.platform === 'linux') {
    const cpuinfo = await deps.readTextFile('/proc/cpuinfo');
    if (cpuinfo) facts.cpuFlags = parseCpuFlags(cpuinfo);
    const modules = await deps.readTextFile('/proc/modules');
    facts.linux = { kernel: deps.release, kvmModules: modules ? parseLoadedModules(modules) : [] };
  }
  if (deps.platform === 'win32') {
    const report = await deps.run('powershell.exe', [
      '-NoProfile',
      '-NonInteractive',
      '-Command',
      WINDOWS_HYPERVISOR_SCRIPT,
    ]);
    if (report) facts.windows = parseWindowsHypervisorReport(report);
  }
  const install = deps.locate();
  if (install) {
    const versionText = await deps.run(install.vboxmanage, ['--version']);
    facts.virtualbox = {
      installed: true,
      vboxwebsrv: install.vboxwebsrv,
      vboxmanage: install.vboxmanage,
      version: versionText ? parseVBoxManageVersion(versionText) : undefined,
    };
    if (deps.checkWebService) {
      facts.webService = await deps
        .checkWebService(install)
        .catch((error: unknown) => ({ reachable: false as const, error: (error as Error).message }));
    }
    const engine = await deps.executionEngine?.().catch(() => undefined);
    if (engine) facts.executionEngine = engine;
  }
  return facts;
}
