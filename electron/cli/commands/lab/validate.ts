/** `nestlab lab validate <file|dir>…`: positioned errors, exit 1 when any file is wrong. */
import type { Command } from 'commander';

import type { LabCliIo } from './io.ts';
import { loadAll } from './lab-files.ts';

export function registerValidate(lab: Command, io: LabCliIo): void {
  lab
    .command('validate')
    .description('Check lab files against the lab format; prints file:line:column errors, exit 1 if any')
    .argument('<paths...>', 'lab.yaml files, lab folders, or a folder of lab folders (e.g. labs/)')
    .action(async (paths: string[]) => {
      const { loaded, bad } = await loadAll(paths, io);
      for (const { file, lab: l } of loaded)
        io.out(`ok  ${file}  (${l.id} v${l.version}, ${l.steps.length} steps)`);
      if (bad > 0) {
        io.err(`${bad} lab file(s) with errors`);
        io.setExitCode(1);
      }
    });
}
