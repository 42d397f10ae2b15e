/**
 * Benchmark: random fault schedules (power, network, partitions) on 5–7 node clusters with the
 * HA invariants checked (no split brain, no service on two nodes, no lost service). Counts the
 * schedules run and the violations found; the unit suite runs a bounded sample of the same cases.
 * Run: npx tsx test/bench/sim-fault-schedules.ts [schedules=10000] [seed=20261204]
 */
import fc from 'fast-check';
import { caseArb, runCase } from '../electron/sim/scenario/fault-injection-case.ts';

const schedules = Number(process.argv[2] ?? 10_000);
const seed = Number(process.argv[3] ?? 20261204);
const byNodes = new Map<number, number>();
let violations = 0;
let firstViolation: string | undefined;
const start = performance.now();
const samples = fc.sample(caseArb(5, 7), { numRuns: schedules, seed });
for (const c of samples) {
  byNodes.set(c.nodeCount, (byNodes.get(c.nodeCount) ?? 0) + 1);
  const problems = runCase(c);
  if (problems.length > 0) {
    violations++;
    firstViolation ??= `${JSON.stringify(c)}\n    ${problems.join('\n    ')}`;
  }
}
const wall = (performance.now() - start) / 1000;
console.log(
  `sim-fault-schedules: ${samples.length} random fault schedules on 5–7 node clusters (seed ${seed})`,
);
console.log(
  `  clusters    ${[...byNodes]
    .sort()
    .map(([n, k]) => `${n} nodes: ${k}`)
    .join(', ')}`,
);
console.log(`  violations  ${violations}${firstViolation ? `\n  first       ${firstViolation}` : ''}`);
console.log(
  `  wall time   ${wall.toFixed(1)} s (${((wall * 1000) / samples.length).toFixed(1)} ms per schedule)`,
);
if (violations > 0) process.exitCode = 1;
