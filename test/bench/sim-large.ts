/**
 * Benchmark: 32 nodes, 300 HA guests, 4 nodes powered off, 1200 s of cluster time
 * (targets ≤ 3 s wall and ≤ 300 MB). Run: npx tsx test/bench/sim-large.ts
 */
import type { Scenario } from '../../electron/sim/scenario/scenario-schema.ts';
import { runScenario } from '../../electron/sim/scenario/scenario-runner.ts';

const nodes = Array.from({ length: 32 }, (_, i) => `node${String(i + 1).padStart(2, '0')}`);
const scenario: Scenario = {
  pve: 9,
  nodes,
  hardware: {},
  services: Array.from({ length: 300 }, (_, i) => ({
    sid: `vm:${1000 + i}`,
    node: nodes[i % nodes.length]!,
    state: 'started' as const,
    max_restart: 1,
    max_relocate: 1,
    failback: true,
    storage: 'shared' as const,
  })),
  rules: [],
  groups: [],
  datacenter: { shutdown_policy: 'conditional' },
  events: [120, 125, 130, 135].map((at, i) => ({ at, do: `power ${nodes[3 + i * 7]} off` })),
  until: 1200,
};

const heapBefore = process.memoryUsage().heapUsed;
const start = performance.now();
const { result } = runScenario(scenario);
const wall = performance.now() - start;
const heapAfter = process.memoryUsage().heapUsed;
const services = Object.values(result.final.services);
const dead = new Set(scenario.events.map((e) => e.do.split(' ')[1]));
const onDead = services.filter((s) => dead.has(s.node)).length;
const started = services.filter((s) => s.state === 'started').length;
const lastRecovery = Math.max(...result.transitions.filter((t) => t.from === 'recovery').map((t) => t.t));
console.log(
  'sim-large: 32 nodes, 300 HA guests, 4 nodes powered off at t=120..135 s, 1200 s of cluster time',
);
console.log(`  wall time   ${(wall / 1000).toFixed(2)} s`);
console.log(`  ratio       ${(1_200_000 / wall).toFixed(0)}× real time`);
console.log(
  `  heap        ${(heapAfter / 1024 / 1024).toFixed(1)} MB used at the end (${((heapAfter - heapBefore) / 1024 / 1024).toFixed(1)} MB more than before)`,
);
console.log(`  rss         ${(process.memoryUsage().rss / 1024 / 1024).toFixed(1)} MB`);
console.log(
  `  outcome     ${started}/300 started, ${onDead} still on a dead node, last recovery at t=${lastRecovery} s, ${result.transitions.length} transitions`,
);
console.log(
  `  targets     ≤ 3 s: ${wall <= 3000 ? 'met' : 'MISSED'}; ≤ 300 MB: ${heapAfter / 1024 / 1024 <= 300 ? 'met' : 'MISSED'}`,
);
