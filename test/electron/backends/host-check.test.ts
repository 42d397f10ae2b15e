import { describe, expect, it } from 'vitest';

import { checkHost } from '../../../electron/backends/host-check.ts';
import type { HostFacts } from '../../../electron/hypervisor/doctor/host-facts.ts';

describe('host check', () => {
  it('passes for the simulator without looking at the host', async () => {
    let looked = false;
    const result = await checkHost('sim', async () => {
      looked = true;
      throw new Error('must not be called');
    });
    expect(result.ok).toBe(true);
    expect(looked).toBe(false);
    // Sent in every language, so the host check follows a language switch without a reload.
    expect(result.findings[0]?.localized?.title.es).toBe('Simulador integrado');
    expect(result.findings[0]?.localized?.detail.pl).toContain('NestLab');
  });

  it('reports the doctor findings for VirtualBox, each error with a fix, without starting the web service', async () => {
    let asked: { webService: boolean } | undefined;
    // A laptop without VirtualBox: the doctor must say so and point to the simulator.
    const facts: HostFacts = {
      os: { platform: 'linux', arch: 'x64', release: '6.8.0', cpuModel: 'AMD Ryzen 5 5600U' },
      memory: { totalMiB: 8192, freeMiB: 6000 },
      virtualbox: { installed: false },
      cpuFlags: { vmx: false, svm: true },
      linux: { kernel: '6.8.0', kvmModules: [] },
    };
    const result = await checkHost('virtualbox', async (options) => {
      asked = options;
      return facts;
    });
    expect(asked).toEqual({ webService: false });
    expect(result.backend).toBe('virtualbox');
    const errors = result.findings.filter((f) => f.severity === 'error');
    expect(result.ok).toBe(errors.length === 0);
    expect(result.ok).toBe(false);
    const missing = errors.find((f) => /not installed/i.test(f.title));
    expect(missing?.fix).toMatch(/simulator/i);
    for (const finding of errors) expect(finding.fix).toBeTruthy();
  });
});
