import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerDoctor } from '../../../../electron/cli/commands/doctor.ts';
import type { HostFacts } from '../../../../electron/hypervisor/doctor/host-facts.ts';

const NO_VIRTUALBOX: HostFacts = {
  os: { platform: 'linux', arch: 'x64', release: '6.8.0', cpuModel: 'AMD Ryzen 5' },
  memory: { totalMiB: 8192, freeMiB: 6000 },
  virtualbox: { installed: false },
  linux: { kernel: '6.8.0', kvmModules: [] },
  cpuFlags: { vmx: false, svm: true },
};

async function doctor(args: string[], facts: HostFacts) {
  const lines: string[] = [];
  let code = -1;
  const asked: boolean[] = [];
  const program = new Command().exitOverride();
  registerDoctor(program, {
    io: { out: (l) => void lines.push(l), setExitCode: (c) => void (code = c) },
    gatherFacts: async ({ webService }) => {
      asked.push(webService);
      return facts;
    },
  });
  await program.parseAsync(['node', 'nestlab', 'doctor', ...args]);
  return { lines, code, asked };
}

describe('nestlab doctor', () => {
  it('says plainly that VirtualBox is missing, points to the simulator and exits 1', async () => {
    const { lines, code } = await doctor([], NO_VIRTUALBOX);
    expect(lines).toContain('[FAIL] VirtualBox is not installed');
    expect(lines.join('\n')).toMatch(/simulator/);
    expect(lines.join('\n')).not.toMatch(/at .*\.ts:\d+/);
    expect(lines.at(-1)).toMatch(/not ready for VirtualBox labs/);
    expect(code).toBe(1);
  });

  it('prints findings and facts as JSON with --json', async () => {
    const { lines, asked } = await doctor(['--json', '--no-web-service'], NO_VIRTUALBOX);
    const report = JSON.parse(lines.join('\n')) as {
      worst: string;
      findings: { id: string }[];
      facts: HostFacts;
    };
    expect(report.worst).toBe('error');
    expect(report.findings.map((f) => f.id)).toContain('virtualbox-missing');
    expect(report.facts.memory.totalMiB).toBe(8192);
    expect(asked).toEqual([false]);
  });
});
