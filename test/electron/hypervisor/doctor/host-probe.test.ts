import { describe, expect, it } from 'vitest';
import {
  parseCpuFlags,
  parseLoadedModules,
  parseVBoxManageVersion,
  parseWindowsHypervisorReport,
  probeHost,
  type HostProbeDeps,
} from '../../../../electron/hypervisor/doctor/host-probe.ts';

const CPUINFO =
  'processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu vme de pse svm lm\n\nprocessor\t: 1\nflags\t\t: fpu svm\n';
const MODULES =
  'kvm_amd 245760 0 - Live 0x0000000000000000\nkvm 1392640 1 kvm_amd, Live 0x0\nvboxdrv 696320 2 vboxnetadp,vboxnetflt, Live 0x0\n';

describe('host parsers', () => {
  it('reads vmx/svm from /proc/cpuinfo', () => {
    expect(parseCpuFlags(CPUINFO)).toEqual({ vmx: false, svm: true });
  });

  it('lists loaded kvm modules', () => {
    expect(parseLoadedModules(MODULES)).toEqual(['kvm_amd', 'kvm']);
  });

  it('reads the VBoxManage version', () => {
    expect(parseVBoxManageVersion('7.1.12r169651\n')).toBe('7.1.12');
    expect(parseVBoxManageVersion('WARNING: The vboxdrv kernel module is not loaded.')).toBeUndefined();
  });

  it('reads the Windows hypervisor report', () => {
    expect(parseWindowsHypervisorReport('HypervisorPresent=True\r\nVBS=2\r\nRunning=1,2\r\n')).toEqual({
      hypervisorPresent: true,
      vbsRunning: true,
      hvciRunning: true,
    });
    expect(parseWindowsHypervisorReport('HypervisorPresent=False\nVBS=0\nRunning=\n')).toEqual({
      hypervisorPresent: false,
      vbsRunning: false,
      hvciRunning: false,
    });
  });
});

function deps(overrides: Partial<HostProbeDeps> = {}): HostProbeDeps {
  return {
    platform: 'linux',
    arch: 'x64',
    release: '6.12.1',
    cpuModel: 'AMD Ryzen 5',
    totalMiB: 8192,
    freeMiB: 5000,
    diskPath: '/home/ana',
    freeDiskMiB: async () => 100_000,
    readTextFile: async (path) =>
      path === '/proc/cpuinfo' ? CPUINFO : path === '/proc/modules' ? MODULES : undefined,
    run: async (command) => (command.endsWith('VBoxManage') ? '7.0.20r163906\n' : undefined),
    locate: () => ({
      dir: '/usr/lib/virtualbox',
      vboxwebsrv: '/usr/lib/virtualbox/vboxwebsrv',
      vboxmanage: '/usr/bin/VBoxManage',
    }),
    ...overrides,
  };
}

describe('probeHost', () => {
  it('collects Linux facts, the VirtualBox version and the web service check', async () => {
    const facts = await probeHost(
      deps({
        checkWebService: async () => ({
          reachable: true,
          version: '7.0.20',
          apiVersion: '7_0',
          cpu: { hwVirtEx: true, nestedPaging: true, unrestrictedGuest: true, nestedHWVirt: true },
        }),
      }),
    );
    expect(facts.linux).toEqual({ kernel: '6.12.1', kvmModules: ['kvm_amd', 'kvm'] });
    expect(facts.cpuFlags).toEqual({ vmx: false, svm: true });
    expect(facts.virtualbox).toEqual({
      installed: true,
      version: '7.0.20',
      vboxwebsrv: '/usr/lib/virtualbox/vboxwebsrv',
      vboxmanage: '/usr/bin/VBoxManage',
    });
    expect(facts.webService?.reachable).toBe(true);
    expect(facts.disk).toEqual({ path: '/home/ana', freeMiB: 100_000 });
  });

  it('turns a failing web service check into a finding, not an exception', async () => {
    const facts = await probeHost(
      deps({
        checkWebService: async () => {
          throw new Error('vboxwebsrv did not accept a logon within 15000 ms');
        },
      }),
    );
    expect(facts.webService).toEqual({
      reachable: false,
      error: 'vboxwebsrv did not accept a logon within 15000 ms',
    });
  });

  it('reports no VirtualBox without running anything of it', async () => {
    const ran: string[] = [];
    const facts = await probeHost(
      deps({ locate: () => undefined, run: async (c) => void ran.push(c) as undefined }),
    );
    expect(facts.virtualbox).toEqual({ installed: false });
    expect(ran).toEqual([]);
  });

  it('asks PowerShell about Hyper-V on Windows', async () => {
    const facts = await probeHost(
      deps({
        platform: 'win32',
        locate: () => undefined,
        run: async (command) =>
          command === 'powershell.exe' ? 'HypervisorPresent=True\nVBS=0\nRunning=\n' : undefined,
      }),
    );
    expect(facts.windows).toEqual({ hypervisorPresent: true, vbsRunning: false, hvciRunning: false });
    expect(facts.linux).toBeUndefined();
  });
});
