/**
 * `nestlab vbox seed <lab>[:profile] --out DIR`: writes every machine's seed images (the Proxmox VE
 * answer ISOs, the NAS's cidata ISO) to a folder, so they can be inspected or attached by hand.
 */
import { resolve } from 'node:path';

import type { Command } from 'commander';

import { HypervisorError } from '../../hypervisor/driver.ts';

export interface VboxSeedIo {
  out(line: string): void;
  err(line: string): void;
  setExitCode(code: number): void;
}

export interface VboxSeedDeps {
  labsDir?: string;
  io?: VboxSeedIo;
}

const processIo: VboxSeedIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

export function registerVboxSeed(vbox: Command, deps: VboxSeedDeps = {}): void {
  const io = deps.io ?? processIo;
  vbox
    .command('seed <lab>')
    .description(
      "Write the lab's seed images (answer ISOs, cidata) to a folder, for inspection (lab or lab:profile)",
    )
    .requiredOption('--out <dir>', 'folder to write the images to')
    .option('--format <format>', 'iso (DVD images, the default) or fat (raw disk images)', 'iso')
    .action(async (labArg: string, options: { out: string; format: string }) => {
      if (options.format !== 'iso' && options.format !== 'fat') {
        io.err(`nestlab vbox seed: --format must be iso or fat, not "${options.format}"`);
        io.setExitCode(1);
        return;
      }
      const format = options.format;
      // Loaded on use so `nestlab --help` stays instant.
      const [{ join }, { repoRoot }, { loadVirtualBoxProfile }, { writeMachineSeeds, SeedError }] =
        await Promise.all([
          import('node:path'),
          import('../../app/version.ts'),
          import('../../backends/lab-topology.ts'),
          import('../../provision/seeds/index.ts'),
        ]);
      try {
        const { lab, profile } = await loadVirtualBoxProfile(
          deps.labsDir ?? join(repoRoot(), 'labs'),
          labArg,
        );
        const outDir = resolve(options.out);
        const seeds = await writeMachineSeeds(lab, profile, outDir, { format });
        io.out(`Seed images of lab ${lab.id}, profile ${profile.id}:`);
        for (const seed of seeds)
          io.out(`  ${seed.machine.padEnd(8)} ${seed.kind.padEnd(15)} ${seed.format}  ${seed.path}`);
        if (seeds.length === 0) io.out('  (none: no machine of this profile installs from a seed)');
      } catch (error) {
        if (!(error instanceof HypervisorError) && !(error instanceof SeedError)) throw error;
        io.err(`nestlab vbox seed: ${error.message}`);
        io.setExitCode(1);
      }
    });
}
