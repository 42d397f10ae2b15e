/**
 * Benchmark of the simulated REST API through the real client: datacenter start-up, call latency
 * and throughput over HTTPS, and how long the client takes to move to another node when the one
 * it uses loses power (target: within 2 s).
 *
 *   npx tsx test/bench/pve-api.ts
 */
import { httpPveClients } from '../../electron/pve/http-client.ts';
import { startSimDatacenter } from '../../electron/sim/datacenter.ts';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const t0 = performance.now();
const dc = await startSimDatacenter({
  pveClients: httpPveClients,
  initial: { kind: 'cluster' },
  clockMode: { kind: 'realtime', speed: 1 },
});
const startMs = performance.now() - t0;
const api = dc.createClient();

try {
  await api.request({ method: 'GET', path: '/version' }); // login + pinning probe
  const latencies: number[] = [];
  for (let i = 0; i < 300; i++) {
    const s = performance.now();
    await api.request({ method: 'GET', path: '/cluster/status' });
    latencies.push(performance.now() - s);
  }
  const parallelStart = performance.now();
  await Promise.all(
    Array.from({ length: 300 }, () => api.request({ method: 'GET', path: '/cluster/resources' })),
  );
  const parallelMs = performance.now() - parallelStart;

  const failovers: number[] = [];
  for (let round = 0; round < 2; round++) {
    const victim = api.currentNode!;
    dc.world.powerOff(victim);
    const s = performance.now();
    await api.request({ method: 'GET', path: '/cluster/status' });
    failovers.push(performance.now() - s);
    if (api.currentNode === victim) throw new Error('client did not move away from the dead node');
    dc.world.powerOn(victim);
  }

  // A node that keeps connections open but never answers (a pulled plug, seen from a pooled connection).
  const silentDc = await startSimDatacenter({
    pveClients: httpPveClients,
    initial: { kind: 'cluster' },
    clockMode: { kind: 'realtime', speed: 1 },
    deadApi: 'hang',
  });
  const silentApi = silentDc.createClient();
  const silentFailovers: number[] = [];
  try {
    await silentApi.request({ method: 'GET', path: '/cluster/status' });
    for (let round = 0; round < 2; round++) {
      const victim = silentApi.currentNode!;
      silentDc.world.powerOff(victim);
      const s = performance.now();
      await silentApi.request({ method: 'GET', path: '/cluster/status' });
      silentFailovers.push(performance.now() - s);
      if (silentApi.currentNode === victim) throw new Error('client did not move away from the silent node');
    }
  } finally {
    await silentDc.close();
  }

  console.log(`datacenter start (3 nodes, certificates, servers): ${startMs.toFixed(0)} ms`);
  console.log(
    `GET /cluster/status sequential: median ${median(latencies).toFixed(2)} ms, p95 ${[...latencies].sort((a, b) => a - b)[Math.floor(latencies.length * 0.95)]!.toFixed(2)} ms`,
  );
  console.log(
    `GET /cluster/resources x300 in parallel: ${parallelMs.toFixed(0)} ms (${(300_000 / parallelMs).toFixed(0)} req/s)`,
  );
  const list = (values: number[]): string => values.map((ms) => `${ms.toFixed(0)} ms`).join(', ');
  console.log(`failover after power-off, connections cut: ${list(failovers)} (target ≤ 2000 ms)`);
  console.log(`failover after power-off, node silent: ${list(silentFailovers)} (target ≤ 2000 ms)`);
} finally {
  await api.close();
  await dc.close();
}
