/**
 * `nestlab lab …`: teachers' and headless commands for lab files, one module per command in
 * lab/: validate, test, run (and terminal-trust, how a terminal confirms fingerprints). Each opens
 * labs through LabSession (lab/cli-session.ts); none wires services of its own.
 */
import type { Command } from 'commander';

import { processIo, type LabCliDeps, type LabCliIo } from './lab/io.ts';
import { registerRun } from './lab/run.ts';
import { registerTest } from './lab/test.ts';
import { registerValidate } from './lab/validate.ts';

export function registerLab(program: Command, io: LabCliIo = processIo, deps: LabCliDeps = {}): void {
  const lab = program
    .command('lab')
    .description('Lab files: validate them, test them on the simulator, run one');
  registerValidate(lab, io);
  registerTest(lab, io);
  registerRun(lab, io, deps);
}
