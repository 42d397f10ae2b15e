import fc from 'fast-check';
import { httpPveClients } from '../../../../electron/pve/http-client.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { FAULT_KINDS } from '../../../../electron/lab/drill/fault.ts';
import { buildFailoverReport } from '../../../../electron/lab/drill/failover-report.ts';
import { nodeLossWindows, PVE_HA_TIMING } from '../../../../electron/lab/drill/ha-timing.ts';
import { detectMilestones, startDetection } from '../../../../electron/lab/drill/detect-milestones.ts';
import { runFailoverDrill } from '../../../../electron/lab/drill/run-drill.ts';
import { startSimDatacenter } from '../../../../electron/sim/datacenter.ts';
import type { SimDatacenter } from '../../../../electron/sim/datacenter.ts';
import type { PveApi } from '../../../../electron/pve/api.ts';
import { normalFailover, record } from './recorded-failovers.ts';

/**
 * Property: whatever phase the CRM and LRM loops are in when the fault hits, a run the simulator
 * produces is inside every expected range. The ranges come from the timing model alone.
 */
let dc: SimDatacenter | undefined;
afterEach(async () => {
  await dc?.close();
  dc = undefined;
});

async function haCluster(): Promise<{ d: SimDatacenter; api: PveApi }> {
  const d = await startSimDatacenter({
    nodes: [
      { name: 'pve1', ip: '192.168.56.11' },
      { name: 'pve2', ip: '192.168.56.12' },
      { name: 'pve3', ip: '192.168.56.13' },
    ],
    clockMode: { kind: 'fast' },
    pveClients: httpPveClients,
    initial: { kind: 'cluster', clusterName: 'lab', nfsStorage: 'nfs-lab' },
  });
  dc = d;
  const api = d.createClient();
  const upid = await api.request<string>({
    method: 'POST',
    path: '/nodes/pve1/qemu',
    node: 'pve1',
    params: {
      vmid: 100,
      name: 'tinycore',
      memory: 128,
      scsi0: 'nfs-lab:1',
      agent: '1',
      net0: 'e1000,bridge=vmbr0',
    },
  });
  await api.waitForTask(upid);
  await api.request({
    method: 'POST',
    path: '/cluster/ha/resources',
    params: { sid: 'vm:100', state: 'started' },
  });
  return { d, api };
}

async function waitUntil(d: SimDatacenter, what: string, ok: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await ok()) return;
    await d.clock.sleep(1000);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('expected drill ranges derived from the timing model', () => {
  it('a 62 s fence of a non-master node is a normal run, not "outside range"', () => {
    const fence = nodeLossWindows(false).fence;
    expect(fence.min).toBeLessThanOrEqual(50_000);
    expect(fence.max).toBeGreaterThanOrEqual(62_000);
    // The recorded run, with the fence 6 s later than recorded (62 s): still within.
    const late = (t: number) => normalFailover(t < 62 && t >= 56 ? 55 : t);
    let state = startDetection(
      {
        sid: 'vm:100',
        node: 'pve2',
        hitsNode: true,
        fault: 'power-off',
        masterBeforeFault: 'pve1',
        serviceNodeBeforeFault: 'pve2',
      },
      0,
    );
    for (const obs of record(late, 200)) state = detectMilestones(state, obs);
    const r = buildFailoverReport({
      lab: 'l',
      runId: 'r',
      startedAt: '',
      machine: 'pve2',
      pollIntervalMs: 1000,
      detection: state,
      outcome: 'recovered',
    });
    const fenceDelay = r.phases.find((p) => p.id === 'fence-delay');
    expect(fenceDelay?.duration).toBe(62_000);
    expect(fenceDelay?.within).toBe(true);
  });

  it('every range is ordered and the node-loss windows follow each other', () => {
    for (const master of [false, true]) {
      const w = nodeLossWindows(master);
      for (const [name, r] of Object.entries(w)) expect(r.min, name).toBeLessThanOrEqual(r.max);
      expect(w.fence.min).toBeGreaterThanOrEqual(PVE_HA_TIMING.fenceDelayMs - PVE_HA_TIMING.crmLoopMs);
      expect(w.fenced.max).toBeGreaterThanOrEqual(w.fence.max);
      expect(w.guestAnswering.max).toBeGreaterThan(w.serviceStarted.max);
    }
  });

  it('for random phase offsets of the HA loops, every simulated run is inside its ranges', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 29_999 }),
        fc.constantFrom(...FAULT_KINDS),
        fc.boolean(),
        async (offsetMs, fault, onMaster) => {
          const { d, api } = await haCluster();
          try {
            const status = async () =>
              api.request<{ type: string; sid?: string; node?: string; state?: string }[]>({
                method: 'GET',
                path: '/cluster/ha/status/current',
              });
            let master = '';
            await waitUntil(d, 'a CRM master and vm:100 started', async () => {
              const s = await status();
              master = s.find((e) => e.type === 'master')?.node ?? '';
              return master !== '' && s.some((e) => e.sid === 'vm:100' && e.state === 'started');
            });
            const serviceNode = (await status()).find((e) => e.sid === 'vm:100')?.node ?? '';
            const wanted = onMaster ? master : ['pve1', 'pve2', 'pve3'].find((n) => n !== master)!;
            if (serviceNode !== wanted) {
              await api.request({
                method: 'POST',
                path: '/cluster/ha/resources/vm:100/migrate',
                params: { node: wanted },
              });
              await waitUntil(d, `vm:100 on ${wanted}`, async () =>
                (await status()).some(
                  (e) => e.sid === 'vm:100' && e.node === wanted && e.state === 'started',
                ),
              );
            }
            // The fault lands at an arbitrary point of the 10 s CRM and LRM rounds.
            await d.clock.sleep(offsetMs);
            const report = await runFailoverDrill(
              { pve: d.createClient(), driver: d.driver, clock: d.clock },
              {
                lab: 'prop',
                runId: `r-${offsetMs}`,
                target: { select: 'node-running', resource: 'vm:100' },
                fault,
              },
            );
            expect(report.outcome, `${fault} on ${wanted} (master ${onMaster}) after ${offsetMs} ms`).toBe(
              'recovered',
            );
            for (const p of report.phases) {
              expect(
                p.within,
                `${fault}, master ${onMaster}, offset ${offsetMs}: ${p.id} took ${p.duration} ms, expected ${p.expected.min}–${p.expected.max}`,
              ).not.toBe(false);
            }
          } finally {
            await d.close();
            dc = undefined;
          }
        },
      ),
      { numRuns: 24, seed: 1337 },
    );
  }, 300_000);
});
