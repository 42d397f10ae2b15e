import { describe, expect, it } from 'vitest';
import {
  diagnose,
  parseVersion,
  worstSeverity,
} from '../../../../electron/hypervisor/doctor/doctor-rules.ts';
import type { Finding, HostFacts } from '../../../../electron/hypervisor/doctor/host-facts.ts';

const GOOD_CPU = { hwVirtEx: true, nestedPaging: true, unrestrictedGuest: true, nestedHWVirt: true };

/** A healthy 32 GB Linux laptop with VirtualBox 7.1; each test spoils one thing. */
function healthy(): HostFacts {
  return {
    os: { platform: 'linux', arch: 'x64', release: '6.8.0-45-generic', cpuModel: 'AMD Ryzen 5 5600U' },
    memory: { totalMiB: 32 * 1024, freeMiB: 20 * 1024 },
    disk: { path: '/home/ana/VirtualBox VMs', freeMiB: 200 * 1024 },
    virtualbox: {
      installed: true,
      version: '7.1.12',
      vboxwebsrv: '/usr/lib/virtualbox/vboxwebsrv',
      vboxmanage: '/usr/bin/VBoxManage',
    },
    webService: { reachable: true, version: '7.1.12', apiVersion: '7_1', cpu: GOOD_CPU },
    cpuFlags: { vmx: false, svm: true },
    linux: { kernel: '6.8.0-45-generic', kvmModules: [] },
    executionEngine: 'HwVirt',
  };
}

const byId = (findings: Finding[], id: string): Finding | undefined => findings.find((f) => f.id === id);

describe('diagnose', () => {
  it('finds nothing wrong on a healthy host', () => {
    const findings = diagnose(healthy());
    expect(worstSeverity(findings)).toBe('ok');
    expect(findings.map((f) => f.id)).toEqual([
      'virtualbox-version',
      'web-service',
      'cpu-virtualization',
      'cpu-nested',
      'linux-kvm',
      'ram-light',
      'ram-truenas',
      'execution-engine',
    ]);
  });

  it('says plainly that VirtualBox is missing and points to the simulator', () => {
    const findings = diagnose({
      ...healthy(),
      virtualbox: { installed: false },
      webService: undefined,
      executionEngine: undefined,
    });
    const missing = byId(findings, 'virtualbox-missing')!;
    expect(missing.severity).toBe('error');
    expect(missing.title).toBe('VirtualBox is not installed');
    expect(missing.fix).toMatch(/virtualbox\.org/);
    expect(missing.fix).toMatch(/simulator/);
    expect(byId(findings, 'execution-engine')).toBeUndefined();
  });

  it('rejects VirtualBox 6.1', () => {
    const facts = healthy();
    facts.virtualbox = { installed: true, version: '6.1.50', vboxwebsrv: 'x', vboxmanage: 'y' };
    expect(byId(diagnose(facts), 'virtualbox-version')).toMatchObject({
      severity: 'error',
      title: 'VirtualBox 6.1.50 is too old',
    });
  });

  it('reports an unreachable web service with its error', () => {
    const facts = healthy();
    facts.webService = {
      reachable: false,
      error: 'vboxwebsrv exited with code 1 before it accepted a logon',
    };
    expect(byId(diagnose(facts), 'web-service')).toMatchObject({
      severity: 'error',
      detail: expect.stringContaining('exited with code 1'),
    });
  });

  it('stops Apple Silicon early and sends it to the simulator', () => {
    const facts = {
      ...healthy(),
      os: { platform: 'darwin' as const, arch: 'arm64', release: '24.1.0', cpuModel: 'Apple M2' },
    };
    const findings = diagnose(facts);
    expect(findings[0]).toMatchObject({
      id: 'host-apple-silicon',
      severity: 'error',
      fix: expect.stringContaining('simulator'),
    });
    expect(byId(findings, 'cpu-nested')).toBeUndefined();
  });

  it('warns macOS Intel that PVE cannot nest KVM', () => {
    const facts = {
      ...healthy(),
      os: { platform: 'darwin' as const, arch: 'x64', release: '23.6.0', cpuModel: 'Intel Core i7' },
    };
    expect(byId(diagnose(facts), 'host-macos-no-nested')).toMatchObject({
      severity: 'warning',
      fix: expect.stringContaining('LXC'),
    });
  });

  it('asks for VT-x/AMD-V in the BIOS when it is off', () => {
    const facts = healthy();
    facts.webService = {
      reachable: true,
      version: '7.1.12',
      apiVersion: '7_1',
      cpu: { ...GOOD_CPU, hwVirtEx: false },
    };
    expect(byId(diagnose(facts), 'cpu-virtualization')).toMatchObject({
      severity: 'error',
      fix: expect.stringContaining('BIOS'),
    });
  });

  it('falls back to /proc/cpuinfo flags without the web service', () => {
    const facts = { ...healthy(), webService: undefined, cpuFlags: { vmx: false, svm: false } };
    expect(byId(diagnose(facts), 'cpu-virtualization')?.severity).toBe('error');
  });

  it('names the missing nested features and suggests LXC', () => {
    const facts = healthy();
    facts.os.cpuModel = 'Intel Core i5-8250U';
    facts.webService = {
      reachable: true,
      version: '7.1.12',
      apiVersion: '7_1',
      cpu: { ...GOOD_CPU, unrestrictedGuest: false, nestedHWVirt: false },
    };
    const nested = byId(diagnose(facts), 'cpu-nested')!;
    expect(nested.severity).toBe('warning');
    expect(nested.detail).toBe('VirtualBox reports no nested VT-x/AMD-V, unrestricted guest on this CPU.');
    expect(nested.fix).toMatch(/LXC/);
  });

  it('explains Hyper-V and memory integrity on Windows', () => {
    const facts = {
      ...healthy(),
      os: { platform: 'win32' as const, arch: 'x64', release: '10.0.22631', cpuModel: 'AMD Ryzen 5' },
      linux: undefined,
    };
    facts.windows = { hypervisorPresent: true, vbsRunning: true, hvciRunning: true };
    const findings = diagnose(facts);
    expect(byId(findings, 'windows-hyper-v')).toMatchObject({
      severity: 'warning',
      fix: expect.stringContaining('bcdedit /set hypervisorlaunchtype off'),
    });
    expect(byId(findings, 'windows-memory-integrity')).toMatchObject({
      fix: expect.stringContaining('Core isolation'),
    });
    facts.windows = { hypervisorPresent: false, vbsRunning: false, hvciRunning: false };
    expect(byId(diagnose(facts), 'windows-hyper-v')?.severity).toBe('ok');
  });

  it('flags a loaded KVM module, as an error from kernel 6.12 on', () => {
    const facts = healthy();
    facts.linux = { kernel: '6.12.4-arch1-1', kvmModules: ['kvm_amd', 'kvm'] };
    expect(byId(diagnose(facts), 'linux-kvm')).toMatchObject({
      severity: 'error',
      fix: expect.stringContaining('sudo modprobe -r kvm_amd kvm'),
    });
    facts.linux = { kernel: '6.8.0', kvmModules: ['kvm_intel', 'kvm'] };
    expect(byId(diagnose(facts), 'linux-kvm')?.severity).toBe('warning');
  });

  it('measures RAM and disk against each lab profile', () => {
    const facts = healthy();
    facts.memory = { totalMiB: 8 * 1024 - 200, freeMiB: 3 * 1024 };
    facts.disk = { path: '/home/ana/VirtualBox VMs', freeMiB: 20 * 1024 };
    const findings = diagnose(facts);
    expect(byId(findings, 'ram-light')).toMatchObject({
      severity: 'warning',
      fix: expect.stringContaining('Close'),
    });
    expect(byId(findings, 'ram-truenas')).toMatchObject({
      severity: 'info',
      detail: expect.stringContaining('needs 16 GB'),
    });
    expect(byId(findings, 'disk-light')).toMatchObject({
      severity: 'error',
      fix: expect.stringContaining('Free up 20 GB'),
    });
    facts.memory = { totalMiB: 4 * 1024, freeMiB: 2 * 1024 };
    expect(byId(diagnose(facts), 'ram-light')?.severity).toBe('error');
  });

  it('confirms or refutes the execution engine after the first boot', () => {
    expect(byId(diagnose({ ...healthy(), executionEngine: 'NativeApi' }), 'execution-engine')).toMatchObject({
      severity: 'error',
      detail: expect.stringContaining('Hyper-V'),
    });
    expect(byId(diagnose({ ...healthy(), executionEngine: undefined }), 'execution-engine')?.severity).toBe(
      'info',
    );
  });

  it('gives every warning and error a fix', () => {
    const facts = healthy();
    facts.os = { platform: 'win32', arch: 'x64', release: '10', cpuModel: 'Intel' };
    facts.windows = { hypervisorPresent: true, vbsRunning: true, hvciRunning: false };
    facts.memory = { totalMiB: 4096, freeMiB: 1024 };
    facts.disk = { path: 'C:\\', freeMiB: 1024 };
    facts.executionEngine = 'NativeApi';
    for (const finding of diagnose(facts).filter((f) => f.severity === 'warning' || f.severity === 'error')) {
      expect(finding.fix, finding.id).toBeTruthy();
    }
  });
});

describe('parseVersion', () => {
  it('reads VBoxManage style versions', () => {
    expect(parseVersion('7.1.12r169651')).toEqual([7, 1, 12]);
    expect(parseVersion('6.12')).toEqual([6, 12, 0]);
    expect(parseVersion('none')).toBeUndefined();
  });
});
