/**
 * `nestlab doctor [--json]`: the preflight check of this computer for the VirtualBox backend —
 * VirtualBox and its web service, CPU virtualization and nesting, Hyper-V/VBS, KVM, RAM and disk per
 * lab profile. Exit code 1 when anything is an error. Without VirtualBox it says so and points to the simulator.
 */
import type { Command } from 'commander';

import { diagnose, worstSeverity } from '../../hypervisor/doctor/doctor-rules.ts';
import { formatFindings } from '../../hypervisor/doctor/format-findings.ts';
import type { HostFacts } from '../../hypervisor/doctor/host-facts.ts';

export interface DoctorCliIo {
  out(line: string): void;
  setExitCode(code: number): void;
}

export interface DoctorCliDeps {
  /** Looks at the host; tests pass recorded facts. */
  gatherFacts: (options: { webService: boolean }) => Promise<HostFacts>;
  io: DoctorCliIo;
}

const processIo: DoctorCliIo = {
  out: (line) => console.log(line),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

async function gatherRealFacts(options: { webService: boolean }): Promise<HostFacts> {
  // Loaded on use so `nestlab --help` stays instant.
  const { gatherLocalHostFacts } = await import('../../hypervisor/doctor/local-host-facts.ts');
  return gatherLocalHostFacts(options);
}

export function registerDoctor(program: Command, deps: Partial<DoctorCliDeps> = {}): void {
  const io = deps.io ?? processIo;
  const gatherFacts = deps.gatherFacts ?? gatherRealFacts;
  program
    .command('doctor')
    .description('Check whether this computer can run the labs on VirtualBox, and what to fix if not')
    .option('--json', 'print the findings (and the facts behind them) as JSON')
    .option('--no-web-service', "do not start VirtualBox's web service to ask it about the CPU")
    .action(async (options: { json?: boolean; webService: boolean }) => {
      const facts = await gatherFacts({ webService: options.webService });
      const findings = diagnose(facts);
      const worst = worstSeverity(findings);
      if (options.json) {
        io.out(JSON.stringify({ worst, findings, facts }, null, 2));
      } else {
        io.out('NestLab doctor — can this computer run the labs on VirtualBox?');
        io.out('');
        for (const line of formatFindings(findings)) io.out(line);
        io.out('');
        io.out(
          worst === 'error'
            ? 'Result: not ready for VirtualBox labs. Fix the FAIL lines above, or use the simulator backend.'
            : worst === 'warning'
              ? 'Result: VirtualBox labs will run, with the limits the WARN lines describe.'
              : 'Result: ready for VirtualBox labs.',
        );
      }
      io.setExitCode(worst === 'error' ? 1 : 0);
    });
}
