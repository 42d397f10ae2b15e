/** The `nestlab` command line: one program, one file per command group under commands/. */
import { Command } from 'commander';

import { join } from 'node:path';

import { installProcessGuard } from '../app/process-guard.ts';
import { readAppVersion, repoRoot } from '../app/version.ts';
import { registerClass } from './commands/class.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerLab } from './commands/lab.ts';
import { registerSim } from './commands/sim.ts';
import { registerVbox } from './commands/vbox.ts';
import { registerWeb } from './commands/web.ts';

export function buildProgram(): Command {
  const program = new Command()
    .name('nestlab')
    .description('NestLab — learn Proxmox VE clustering and high availability on a laptop.')
    .version(readAppVersion())
    .showHelpAfterError('(run nestlab --help for the commands)');
  registerLab(program);
  registerSim(program);
  registerWeb(program);
  registerDoctor(program);
  registerClass(program);
  registerVbox(program, {
    loadTopology: async (lab) => {
      const { loadVirtualBoxTopology } = await import('../backends/lab-topology.ts');
      return loadVirtualBoxTopology(join(repoRoot(), 'labs'), lab);
    },
  });
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // Servers (`web`, `sim serve`) switch the guard to keep serving once they listen.
  installProcessGuard({ entry: 'nestlab', mode: 'command' });
  await buildProgram().parseAsync(argv);
}
