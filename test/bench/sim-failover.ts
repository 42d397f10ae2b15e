/**
 * Benchmark: the 3-node failover scenario, 600 s of cluster time (target ≤ 0.3 s wall).
 * Run: npx tsx test/bench/sim-failover.ts
 */
import { parseScenario } from '../../electron/sim/scenario/scenario-load.ts';
import { runScenario } from '../../electron/sim/scenario/scenario-runner.ts';

const SCENARIO = `
nodes: [node1, node2, node3]
services: [{ sid: vm:100, node: node2 }]
events: [{ at: 120, do: power node2 off }]
until: 600
`;

const scenario = parseScenario(SCENARIO, 'sim-failover');
runScenario(scenario); // warm-up (JIT, module init)
const runs = 10;
const times: number[] = [];
let recoveredAt = 0;
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  const { result } = runScenario(scenario);
  times.push(performance.now() - start);
  recoveredAt = result.transitions.find((t) => t.subject === 'vm:100' && t.from === 'recovery')?.t ?? NaN;
}
times.sort((a, b) => a - b);
const median = times[Math.floor(runs / 2)]!;
console.log('sim-failover: 3 nodes, 1 HA guest, power-off at t=120 s, 600 s of cluster time');
console.log(
  `  wall time   median ${median.toFixed(1)} ms, min ${times[0]!.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms (${runs} runs)`,
);
console.log(`  ratio       ${(600_000 / median).toFixed(0)}× real time`);
console.log(`  heap        ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(1)} MB used`);
console.log(
  `  recovered   vm:100 started elsewhere at t=${recoveredAt} s (${(recoveredAt - 120).toFixed(1)} s after the power-off)`,
);
console.log(`  target      ≤ 300 ms: ${median <= 300 ? 'met' : 'MISSED'}`);
