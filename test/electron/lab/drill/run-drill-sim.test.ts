import { httpPveClients } from '../../../../electron/pve/http-client.ts';
import { afterEach, describe, expect, it } from 'vitest';
import type { PveApi, PveRequest } from '../../../../electron/pve/api.ts';
import { runFailoverDrill } from '../../../../electron/lab/drill/run-drill.ts';
import { nodeLossWindows } from '../../../../electron/lab/drill/ha-timing.ts';
import { startSimDatacenter } from '../../../../electron/sim/datacenter.ts';
import type { SimDatacenter } from '../../../../electron/sim/datacenter.ts';

/**
 * End to end: the drill against the simulated datacenter at full speed, through the real HTTPS
 * client. The expected ranges are Proxmox's (pve-ha.md §2.1), not the simulator's own numbers.
 */
const NODES = [
  { name: 'pve1', ip: '192.168.56.11' },
  { name: 'pve2', ip: '192.168.56.12' },
  { name: 'pve3', ip: '192.168.56.13' },
];

let dc: SimDatacenter | undefined;
afterEach(async () => {
  await dc?.close();
  dc = undefined;
});

/** A client that records which node every request was sent to. */
function recording(api: PveApi): { api: PveApi; calls: PveRequest[] } {
  const calls: PveRequest[] = [];
  return {
    calls,
    api: {
      get currentNode() {
        return api.currentNode;
      },
      endpoints: () => api.endpoints(),
      close: () => api.close(),
      waitForTask: (upid, options) => api.waitForTask(upid, options),
      request: <T>(req: PveRequest) => {
        calls.push(req);
        return api.request<T>(req);
      },
    },
  };
}

/** A formed cluster with NFS, VM 100 on `node` with its disk on NFS, HA-managed and running. */
async function clusterWithHaGuest(node: string): Promise<{ dc: SimDatacenter; api: PveApi }> {
  const d = await startSimDatacenter({
    pveClients: httpPveClients,
    nodes: NODES,
    clockMode: { kind: 'fast' },
    initial: { kind: 'cluster', clusterName: 'lab', nfsStorage: 'nfs-lab' },
  });
  dc = d;
  const api = d.createClient();
  const upid = await api.request<string>({
    method: 'POST',
    path: `/nodes/${node}/qemu`,
    node,
    params: {
      vmid: 100,
      name: 'tinycore',
      memory: 128,
      scsi0: 'nfs-lab:1',
      agent: '1',
      net0: 'e1000,bridge=vmbr0',
    },
  });
  expect((await api.waitForTask(upid)).ok).toBe(true);
  await api.request({
    method: 'POST',
    path: '/cluster/ha/resources',
    params: { sid: 'vm:100', state: 'started' },
  });
  for (let i = 0; i < 120; i++) {
    const status = await api.request<{ status: string }>({
      method: 'GET',
      path: `/nodes/${node}/qemu/100/status/current`,
    });
    if (status.status === 'running') return { dc: d, api };
    await d.clock.sleep(1000);
  }
  throw new Error(`VM 100 did not start on ${node}`);
}

async function master(api: PveApi): Promise<string> {
  const status = await api.request<{ type: string; node?: string }[]>({
    method: 'GET',
    path: '/cluster/ha/status/current',
  });
  const entry = status.find((e) => e.type === 'master');
  if (!entry?.node) throw new Error('no CRM master');
  return entry.node;
}

/** Moves vm:100 (HA) to `node` and waits until it runs there. */
async function moveGuest(d: SimDatacenter, api: PveApi, node: string): Promise<void> {
  await api.request({ method: 'POST', path: '/cluster/ha/resources/vm:100/migrate', params: { node } });
  for (let i = 0; i < 120; i++) {
    const s = await api.request<{ sid: string; node: string; state: string }[]>({
      method: 'GET',
      path: '/cluster/ha/status/current',
    });
    const svc = s.find((e) => e.sid === 'vm:100');
    if (svc?.node === node && svc.state === 'started') return;
    await d.clock.sleep(1000);
  }
  throw new Error(`vm:100 did not move to ${node}`);
}

/** VM 100 running under HA on a node that is not the CRM master: the ordinary case. */
async function guestOffTheMaster(): Promise<{ d: SimDatacenter; api: PveApi; target: string }> {
  const { dc: d, api } = await clusterWithHaGuest('pve1');
  const crm = await master(api);
  const target = NODES.map((n) => n.name).find((n) => n !== crm) as string;
  if (target !== 'pve1') await moveGuest(d, api, target);
  return { d, api, target };
}

describe('failover drill on the simulated datacenter', () => {
  it('times a power-off of the guest node within Proxmox ranges, asking only the survivors', async () => {
    const { d, target } = await guestOffTheMaster();
    const { api: client, calls } = recording(d.createClient());
    const report = await runFailoverDrill(
      { pve: client, driver: d.driver, clock: d.clock },
      { lab: 'e2e', runId: 'r1', target: { select: 'node-running', resource: 'vm:100' }, fault: 'power-off' },
    );
    expect(report.target).toMatchObject({ node: target, wasMaster: false, hitsNode: true });
    expect(report.outcome).toBe('recovered');
    expect(report.recoveredOn).not.toBe(target);
    const ids = report.milestones.map((m) => m.id);
    for (const id of [
      'node-offline',
      'quorum-recomputed',
      'ha-node-unknown',
      'fence',
      'fenced',
      'recovery',
      'service-started',
      'guest-running',
      'guest-answering',
    ] as const) {
      expect(ids, id).toContain(id);
    }
    for (const phase of report.phases) expect(phase.within, `${phase.id}: ${phase.duration} ms`).toBe(true);
    const firstPoll = calls.findIndex((c) => c.path === '/cluster/status' && c.node !== undefined);
    expect(calls.slice(firstPoll).every((c) => c.node !== undefined && c.node !== target)).toBe(true);
  });

  it('recognises the master variant: fencing waits for a new master', async () => {
    const { dc: d, api } = await clusterWithHaGuest('pve1');
    const crm = await master(api);
    if (crm !== 'pve1') await moveGuest(d, api, crm);
    const report = await runFailoverDrill(
      { pve: d.createClient(), driver: d.driver, clock: d.clock },
      { lab: 'e2e', runId: 'r2', target: { select: 'node-running', resource: 'vm:100' }, fault: 'power-off' },
    );
    expect(report.target).toMatchObject({ node: crm, wasMaster: true });
    expect(report.outcome).toBe('recovered');
    const recovery = report.phases.find((p) => p.id === 'recovery');
    expect(recovery?.expected).toEqual(nodeLossWindows(true).serviceStarted);
    expect(recovery?.within, `recovery after ${recovery?.duration} ms`).toBe(true);
  });

  it('sees the quorum go when a second node dies, and the service is left alone', async () => {
    const { dc: d } = await clusterWithHaGuest('pve1');
    await d.driver.powerOff('pve3');
    await d.clock.sleep(10_000);
    const report = await runFailoverDrill(
      { pve: d.createClient(), driver: d.driver, clock: d.clock },
      {
        lab: 'e2e',
        runId: 'r3',
        target: { select: 'machine', machine: 'pve2' },
        resource: 'vm:100',
        fault: 'power-off',
        until: 'quorum-recomputed',
        timeoutMs: 60_000,
      },
    );
    expect(report.outcome).toBe('observed');
    expect(report.milestones.map((m) => m.id)).toEqual([
      'fault-injected',
      'node-offline',
      'quorum-recomputed',
    ]);
    expect(report.milestones[2]?.quorate).toBe(false);
  });

  it('times a node-only drill on a named machine when the followed resource does not exist', async () => {
    const d = await startSimDatacenter({
      pveClients: httpPveClients,
      nodes: NODES.slice(0, 2),
      nas: false,
      clockMode: { kind: 'fast' },
      initial: { kind: 'cluster', clusterName: 'duo' },
    });
    dc = d;
    const report = await runFailoverDrill(
      { pve: d.createClient(), driver: d.driver, clock: d.clock },
      {
        lab: 'e2e',
        runId: 'r4',
        target: { select: 'machine', machine: 'pve2' },
        resource: 'vm:100',
        fault: 'cable-out',
        until: 'quorum-recomputed',
        timeoutMs: 60_000,
      },
    );
    expect(report.outcome).toBe('observed');
    expect(report.target).toMatchObject({ node: 'pve2', hitsNode: true });
    // Two nodes: each side of the cut holds 1 vote of 2, so pve1 is not quorate either.
    expect(report.milestones.find((m) => m.id === 'quorum-recomputed')?.quorate).toBe(false);
  });

  it('times an ACPI shutdown: the node releases its lock, so the fence is acknowledged at once', async () => {
    const { d, target } = await guestOffTheMaster();
    const report = await runFailoverDrill(
      { pve: d.createClient(), driver: d.driver, clock: d.clock },
      {
        lab: 'e2e',
        runId: 'r5',
        target: { select: 'node-running', resource: 'vm:100' },
        fault: 'acpi-shutdown',
      },
    );
    expect(report.target.node).toBe(target);
    expect(report.outcome).toBe('recovered');
    expect(report.recoveredOn).not.toBe(target);
    for (const phase of report.phases) expect(phase.within, `${phase.id}: ${phase.duration} ms`).toBe(true);
    expect(report.phases.find((p) => p.id === 'lock-expiry')?.duration).toBeLessThanOrEqual(10_000);
  });

  it('times a reset: the node is back before the fence delay and restarts the guest itself', async () => {
    const { d, target } = await guestOffTheMaster();
    const report = await runFailoverDrill(
      { pve: d.createClient(), driver: d.driver, clock: d.clock },
      { lab: 'e2e', runId: 'r6', target: { select: 'node-running', resource: 'vm:100' }, fault: 'reset' },
    );
    expect(report.outcome).toBe('recovered');
    expect(report.recoveredOn).toBe(target);
    const ids = report.milestones.map((m) => m.id);
    expect(ids).toContain('node-online');
    expect(ids).not.toContain('fence');
    for (const phase of report.phases) expect(phase.within, `${phase.id}: ${phase.duration} ms`).toBe(true);
  });

  it('powers the NAS off: the NFS storage goes away, no node leaves, HA has nothing to recover', async () => {
    const { d } = await guestOffTheMaster();
    const report = await runFailoverDrill(
      { pve: d.createClient(), driver: d.driver, clock: d.clock },
      {
        lab: 'e2e',
        runId: 'r7',
        target: { select: 'machine', machine: 'nas' },
        resource: 'vm:100',
        fault: 'power-off',
        settleMs: 30_000,
      },
    );
    expect(report.target).toMatchObject({ node: 'nas', hitsNode: false });
    expect(report.outcome).toBe('no-failover');
    expect(report.milestones.map((m) => m.id)).toEqual(['fault-injected', 'storage-offline']);
    expect(report.phases).toHaveLength(1);
    expect(report.phases[0]).toMatchObject({ id: 'storage-detection', within: true });
  });
});
