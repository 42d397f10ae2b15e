/**
 * Benchmark: `nestlab lab test labs/proxmox-ha-basics` including the drill, in-process (the
 * simulator's start included, tsx's compile excluded). Target: ≤ 5 s wall on the 2-core machine.
 */
import { fileURLToPath } from 'node:url';

import { Command } from 'commander';

import { registerLab } from '../../electron/cli/commands/lab.ts';

const lab = fileURLToPath(new URL('../../labs/proxmox-ha-basics', import.meta.url));
const TARGET_MS = 5000;
const runs: number[] = [];
let code = 0;

for (let i = 0; i < 3; i++) {
  const program = new Command().exitOverride();
  registerLab(program, { out: () => {}, err: (line) => console.error(line), setExitCode: (c) => (code = c) });
  const started = performance.now();
  await program.parseAsync(['node', 'nestlab', 'lab', 'test', lab, '--json']);
  runs.push(performance.now() - started);
}
const sorted = [...runs].sort((a, b) => a - b);
const median = sorted[1] ?? 0;
console.log(
  `lab test proxmox-ha-basics (8 steps + drill): runs ${runs.map((r) => `${(r / 1000).toFixed(2)} s`).join(', ')}`,
);
console.log(
  `median ${(median / 1000).toFixed(2)} s — target ≤ ${TARGET_MS / 1000} s: ${median <= TARGET_MS ? 'met' : 'MISSED'}`,
);
if (code !== 0) {
  console.error('the lab test itself failed');
  process.exitCode = 1;
}
