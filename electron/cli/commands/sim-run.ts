/**
 * `nestlab sim run <file> [--json]`: runs a fault scenario against a simulated formed cluster in
 * virtual time. Exit 0 when it ran, 1 for a bad file (the message names file:line: field).
 */
import type { Command } from 'commander';

export function registerSimRun(sim: Command): void {
  sim
    .command('run')
    .description('Run a fault scenario (YAML or JSON) on a simulated cluster and print what HA did')
    .argument('<file>', 'scenario file (.yaml, .yml or .json)')
    .option('--json', 'print the final state and every transition as JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      const { loadScenarioFile, ScenarioFileError } = await import('../../sim/scenario/scenario-load.ts');
      const { runScenario } = await import('../../sim/scenario/scenario-runner.ts');
      let scenario;
      try {
        scenario = loadScenarioFile(file);
      } catch (e) {
        if (e instanceof ScenarioFileError) {
          process.stderr.write(`nestlab sim run: ${e.message}\n`);
          process.exitCode = 1;
          return;
        }
        throw e;
      }
      const { result, log } = runScenario(scenario);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      const lines = [...log, '', 'Final state:'];
      lines.push(`  master: ${result.final.master ?? '(none)'}`);
      for (const [n, s] of Object.entries(result.final.nodes)) lines.push(`  node ${n}: ${s.state}`);
      for (const [sid, s] of Object.entries(result.final.services))
        lines.push(`  ${sid}: ${s.state} on ${s.node}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
