/**
 * The preflight doctor's judgement: pure rules from HostFacts to findings, each with a severity and a
 * concrete fix. The evidence behind each rule is in shared reference virtualbox.md §4 (host matrix).
 */
import type { Finding, HostFacts } from './host-facts.ts';
import { LAB_PROFILES, type LabProfileBudget } from './lab-profiles.ts';

const SIMULATOR =
  'NestLab\'s built-in simulator (the "sim" backend, the default) runs every lab without VirtualBox';

/** "7.1.12r169651" → [7, 1, 12]. */
export function parseVersion(text: string): [number, number, number] | undefined {
  const match = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : undefined;
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

function platformRules(facts: HostFacts): Finding[] {
  const { platform, arch } = facts.os;
  if (platform === 'darwin' && arch === 'arm64') {
    return [
      {
        id: 'host-apple-silicon',
        severity: 'error',
        title: 'Apple Silicon Macs cannot run Proxmox VE in VirtualBox',
        detail: 'VirtualBox on Apple Silicon runs only ARM guests; Proxmox VE is an x86-64 system.',
        fix: `Use the simulator instead: ${SIMULATOR}`,
      },
    ];
  }
  if (platform === 'darwin') {
    return [
      {
        id: 'host-macos-no-nested',
        severity: 'warning',
        title: 'macOS: no nested virtualization for Proxmox VE guests',
        detail:
          'VirtualBox 7 on macOS runs on Hypervisor.framework, which offers no nested VT-x: PVE installs but cannot start KVM VMs.',
        fix: 'Use the lab profile with LXC containers as HA resources (they need no nested virtualization), or the simulator',
      },
    ];
  }
  return [];
}

function virtualBoxRules(facts: HostFacts): Finding[] {
  const vb = facts.virtualbox;
  if (!vb.installed) {
    return [
      {
        id: 'virtualbox-missing',
        severity: 'error',
        title: 'VirtualBox is not installed',
        detail: 'NestLab looked in the standard install folders and on PATH and found no vboxwebsrv.',
        fix: `Install VirtualBox 7.0 or newer from https://www.virtualbox.org/wiki/Downloads — or use the simulator: ${SIMULATOR}`,
      },
    ];
  }
  const findings: Finding[] = [];
  const version = vb.version ? parseVersion(vb.version) : undefined;
  if (!version) {
    findings.push({
      id: 'virtualbox-version',
      severity: 'warning',
      title: 'VirtualBox version unknown',
      detail: `\`VBoxManage --version\` gave no version (found ${vb.vboxmanage}).`,
      fix: 'Run `VBoxManage --version` yourself; reinstall VirtualBox if it prints an error',
    });
  } else if (compareVersions(version, [7, 0, 0]) < 0) {
    findings.push({
      id: 'virtualbox-version',
      severity: 'error',
      title: `VirtualBox ${version.join('.')} is too old`,
      detail: 'NestLab speaks the VirtualBox 7.0, 7.1 and 7.2 web-service APIs.',
      fix: 'Install VirtualBox 7.0 or newer from https://www.virtualbox.org/wiki/Downloads',
    });
  } else {
    findings.push({
      id: 'virtualbox-version',
      severity: 'ok',
      title: `VirtualBox ${version.join('.')}`,
      detail: `Found at ${vb.vboxwebsrv}.`,
    });
  }
  const ws = facts.webService;
  if (ws && !ws.reachable) {
    findings.push({
      id: 'web-service',
      severity: 'error',
      title: 'The VirtualBox web service did not answer',
      detail: ws.error,
      fix: 'Close other VirtualBox tools that may hold the settings lock, then run `nestlab doctor` again; if it persists, reinstall VirtualBox',
    });
  } else if (ws) {
    findings.push({
      id: 'web-service',
      severity: 'ok',
      title: 'VirtualBox web service answers',
      detail: `API ${ws.apiVersion}, VirtualBox ${ws.version}, on 127.0.0.1 with a per-user secret.`,
    });
  }
  return findings;
}

function cpuRules(facts: HostFacts): Finding[] {
  const cpu = facts.webService?.reachable ? facts.webService.cpu : undefined;
  const flags = facts.cpuFlags;
  const hwVirt = cpu?.hwVirtEx ?? (flags ? flags.vmx || flags.svm : undefined);
  if (hwVirt === undefined) return [];
  if (!hwVirt) {
    return [
      {
        id: 'cpu-virtualization',
        severity: 'error',
        title: 'Hardware virtualization (Intel VT-x / AMD-V) is off or missing',
        detail: `CPU: ${facts.os.cpuModel || 'unknown'}.`,
        fix: 'Enable "Intel Virtualization Technology" / "SVM Mode" in the BIOS/UEFI setup and restart; if the CPU has none, use the simulator',
      },
    ];
  }
  const findings: Finding[] = [
    {
      id: 'cpu-virtualization',
      severity: 'ok',
      title: 'Hardware virtualization is on',
      detail: `CPU: ${facts.os.cpuModel || 'unknown'}.`,
    },
  ];
  if (cpu) {
    const intel = /intel/i.test(facts.os.cpuModel);
    const missing = [
      !cpu.nestedHWVirt && 'nested VT-x/AMD-V',
      !cpu.nestedPaging && 'nested paging (EPT/NPT)',
      intel && !cpu.unrestrictedGuest && 'unrestricted guest',
    ].filter(Boolean);
    findings.push(
      missing.length
        ? {
            id: 'cpu-nested',
            severity: 'warning',
            title: 'Proxmox VE guests will not be able to run KVM VMs',
            detail: `VirtualBox reports no ${missing.join(', ')} on this CPU.`,
            fix: 'Use LXC containers as the HA resources (the default lab profile does); they need no nested virtualization',
          }
        : {
            id: 'cpu-nested',
            severity: 'ok',
            title: 'Nested virtualization is supported',
            detail: 'VirtualBox reports nested VT-x/AMD-V with nested paging.',
          },
    );
  }
  return findings;
}

function windowsRules(facts: HostFacts): Finding[] {
  const w = facts.windows;
  if (facts.os.platform !== 'win32' || !w) return [];
  const findings: Finding[] = [];
  if (w.hypervisorPresent) {
    findings.push({
      id: 'windows-hyper-v',
      severity: 'warning',
      title: 'Windows Hyper-V is running',
      detail:
        'With Hyper-V (or WSL2, Virtual Machine Platform, Windows Sandbox) active, VirtualBox runs on the Hyper-V API: slow, and no nested VT-x for Proxmox VE.',
      fix: 'Either keep it and use LXC HA resources, or turn off the Windows features "Hyper-V", "Virtual Machine Platform" and "Windows Hypervisor Platform", run `bcdedit /set hypervisorlaunchtype off` as administrator and restart (this stops WSL2 and Docker Desktop until you undo it)',
    });
  }
  if (w.hvciRunning) {
    findings.push({
      id: 'windows-memory-integrity',
      severity: 'warning',
      title: 'Memory integrity (HVCI) is on',
      detail: 'Memory integrity keeps the Windows hypervisor loaded, so VirtualBox cannot use VT-x directly.',
      fix: 'Windows Security → Device security → Core isolation details → Memory integrity: Off, then restart',
    });
  } else if (w.vbsRunning) {
    findings.push({
      id: 'windows-vbs',
      severity: 'warning',
      title: 'Virtualization-based security is running',
      detail:
        'VBS (e.g. Credential Guard) keeps the Windows hypervisor loaded, so VirtualBox cannot use VT-x directly.',
      fix: 'Turn off Credential Guard / VBS (Group Policy "Turn On Virtualization Based Security": Disabled) and restart, or accept the LXC-only lab profile',
    });
  }
  if (!w.hypervisorPresent && !w.vbsRunning && !w.hvciRunning) {
    findings.push({
      id: 'windows-hyper-v',
      severity: 'ok',
      title: 'No Windows hypervisor in the way',
      detail: 'Hyper-V, VBS and memory integrity are off.',
    });
  }
  return findings;
}

function linuxRules(facts: HostFacts): Finding[] {
  const l = facts.linux;
  if (facts.os.platform !== 'linux' || !l) return [];
  const kvm = l.kvmModules.filter((m) => m === 'kvm_intel' || m === 'kvm_amd');
  if (!kvm.length)
    return [
      {
        id: 'linux-kvm',
        severity: 'ok',
        title: 'No KVM module loaded',
        detail: 'VirtualBox has VT-x/AMD-V to itself.',
      },
    ];
  const kernel = parseVersion(l.kernel);
  const grabsAtLoad = kernel !== undefined && compareVersions(kernel, [6, 12, 0]) >= 0;
  return [
    {
      id: 'linux-kvm',
      severity: grabsAtLoad ? 'error' : 'warning',
      title: `KVM module loaded (${kvm.join(', ')})`,
      detail: grabsAtLoad
        ? `Linux ${l.kernel} enables VT-x/AMD-V when KVM loads, so VirtualBox VMs fail with VERR_VMX_IN_VMX_ROOT_MODE / VERR_SVM_IN_USE.`
        : 'VirtualBox VMs cannot start while a KVM VM (e.g. libvirt, GNOME Boxes) is running.',
      fix: `Run \`sudo modprobe -r ${kvm.join(' ')} kvm\` before using NestLab (until the next boot), or blacklist the modules in /etc/modprobe.d/`,
    },
  ];
}

function profileRules(facts: HostFacts, profiles: LabProfileBudget[]): Finding[] {
  const findings: Finding[] = [];
  for (const profile of profiles) {
    const gib = (mib: number): string => `${(mib / 1024).toFixed(mib % 1024 ? 1 : 0)} GB`;
    if (facts.memory.totalMiB < profile.hostRamMiB * 0.95) {
      // The 8 GB profile is the one every lab needs; bigger profiles are optional.
      const required = profile === profiles[0];
      findings.push({
        id: `ram-${profile.id}`,
        severity: required ? 'error' : 'info',
        title: `${profile.label}: not enough memory`,
        detail: `This computer has ${gib(facts.memory.totalMiB)} of RAM; the profile needs ${gib(profile.hostRamMiB)}.`,
        fix: required
          ? `Use a computer with at least ${gib(profile.hostRamMiB)} of RAM, or the simulator`
          : 'Use the 8 GB profile (light NFS VM instead of TrueNAS)',
      });
    } else if (facts.memory.freeMiB < profile.guestRamMiB) {
      findings.push({
        id: `ram-${profile.id}`,
        severity: 'warning',
        title: `${profile.label}: memory is tight right now`,
        detail: `${gib(facts.memory.freeMiB)} free; the lab's machines take ${gib(profile.guestRamMiB)}.`,
        fix: 'Close browsers and other large programs before starting the lab',
      });
    } else {
      findings.push({
        id: `ram-${profile.id}`,
        severity: 'ok',
        title: `${profile.label}: enough memory`,
        detail: `${gib(facts.memory.freeMiB)} free of ${gib(facts.memory.totalMiB)}.`,
      });
    }
    if (facts.disk && facts.disk.freeMiB < profile.diskMiB) {
      findings.push({
        id: `disk-${profile.id}`,
        severity: profile === profiles[0] ? 'error' : 'info',
        title: `${profile.label}: not enough disk space`,
        detail: `${gib(facts.disk.freeMiB)} free in ${facts.disk.path}; the lab needs about ${gib(profile.diskMiB)}.`,
        fix: `Free up ${gib(profile.diskMiB - facts.disk.freeMiB)} in ${facts.disk.path}, or point VirtualBox's default machine folder at a bigger disk`,
      });
    }
  }
  return findings;
}

function engineRules(facts: HostFacts): Finding[] {
  if (!facts.executionEngine) {
    return [
      {
        id: 'execution-engine',
        severity: 'info',
        title: 'Execution engine not confirmed yet',
        detail: 'It is checked once the first lab VM has booted.',
      },
    ];
  }
  if (facts.executionEngine === 'HwVirt') {
    return [
      {
        id: 'execution-engine',
        severity: 'ok',
        title: 'VMs run on VT-x/AMD-V directly',
        detail: 'IMachineDebugger reports HwVirt: nested KVM is possible.',
      },
    ];
  }
  return [
    {
      id: 'execution-engine',
      severity: 'error',
      title: `VMs run on the ${facts.executionEngine} engine`,
      detail:
        facts.executionEngine === 'NativeApi'
          ? 'VirtualBox runs through the OS hypervisor API (Hyper-V or Hypervisor.framework): slow, and no nested KVM.'
          : 'VirtualBox is emulating the CPU: very slow, and no nested KVM.',
      fix: 'Follow the Windows Hyper-V / KVM advice above and restart, or use LXC HA resources',
    },
  ];
}

export function diagnose(facts: HostFacts, profiles: LabProfileBudget[] = LAB_PROFILES): Finding[] {
  const platform = platformRules(facts);
  const blocked = platform.some((f) => f.severity === 'error');
  return [
    ...platform,
    ...virtualBoxRules(facts),
    ...(blocked ? [] : cpuRules(facts)),
    ...windowsRules(facts),
    ...linuxRules(facts),
    ...profileRules(facts, profiles),
    ...(facts.virtualbox.installed && !blocked ? engineRules(facts) : []),
  ];
}

export function worstSeverity(findings: Finding[]): Finding['severity'] {
  const order = ['ok', 'info', 'warning', 'error'] as const;
  return findings.reduce<Finding['severity']>(
    (worst, f) => (order.indexOf(f.severity) > order.indexOf(worst) ? f.severity : worst),
    'ok',
  );
}
