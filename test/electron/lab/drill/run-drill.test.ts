import { describe, expect, it } from 'vitest';
import { runFailoverDrill } from '../../../../electron/lab/drill/run-drill.ts';
import { fakeCluster } from './fake-cluster.ts';
import { masterFailover, normalFailover, quorumLoss } from './recorded-failovers.ts';

describe('runFailoverDrill', () => {
  it('pulls the plug on the node running vm:100 and times the failover through survivors only', async () => {
    const fake = fakeCluster(normalFailover, 'pve2', 'pve1', ['pve2']);
    const seen: string[] = [];
    const report = await runFailoverDrill(
      {
        pve: fake.pve,
        driver: fake.driver,
        clock: fake.clock,
        wallClock: () => new Date('2026-11-23T05:00:00Z'),
      },
      {
        lab: 'proxmox-ha-basics',
        runId: 'run-1',
        target: { select: 'node-running', resource: 'vm:100' },
        fault: 'power-off',
        onMilestone: (m) => seen.push(m.id),
      },
    );
    expect(fake.faults).toEqual(['power-off pve2']);
    expect(report.outcome).toBe('recovered');
    expect(report.startedAt).toBe('2026-11-23T05:00:00.000Z');
    expect(report.target).toEqual({
      sid: 'vm:100',
      node: 'pve2',
      machine: 'pve2',
      hitsNode: true,
      wasMaster: false,
    });
    expect(report.recoveredOn).toBe('pve1');
    const at = Object.fromEntries(report.milestones.map((m) => [m.id, m.at]));
    expect(at['fence']).toBe(56_000);
    expect(at['service-started']).toBe(118_000);
    expect(at['guest-answering']).toBe(131_000);
    expect(report.phases.every((p) => p.within === true)).toBe(true);
    // Each milestone is announced once, as soon as it is detected.
    expect([...seen].sort()).toEqual(report.milestones.map((m) => m.id).sort());
    // After the fault every request names a node, and never the dead one.
    const afterFault = fake.calls.slice(fake.calls.findIndex((c) => c.path === '/cluster/status') + 1);
    expect(afterFault.length).toBeGreaterThan(100);
    expect(afterFault.every((c) => c.node !== undefined && c.node !== 'pve2')).toBe(true);
    // The drill stopped at the poll that saw the guest answer.
    expect(fake.clock.t - 5_000).toBe(131_000);
    // One read to list the members, then one poll a second from t=0 to t=131 s.
    expect(fake.calls.filter((c) => c.path === '/cluster/status').length).toBe(1 + 132);
  });

  it('uses the master-variant ranges when the target was the CRM master', async () => {
    const fake = fakeCluster(masterFailover, 'pve1', 'pve1', ['pve1']);
    const report = await runFailoverDrill(
      { pve: fake.pve, driver: fake.driver, clock: fake.clock },
      { lab: 'l', runId: 'r', target: { select: 'node-running', resource: 'vm:100' }, fault: 'cable-out' },
    );
    expect(fake.faults).toEqual(['cable out pve1']);
    expect(report.target.wasMaster).toBe(true);
    expect(report.phases.find((p) => p.id === 'recovery')).toMatchObject({ duration: 181_000, within: true });
    expect(fake.calls.filter((c) => c.node === 'pve1' && c.path !== '/cluster/ha/status/current')).toEqual(
      [],
    );
  });

  it('ends with no-quorum at the timeout when the survivor is alone, and applies lab ranges', async () => {
    const fake = fakeCluster(quorumLoss, 'pve2', 'pve1', ['pve2', 'pve3']);
    const report = await runFailoverDrill(
      { pve: fake.pve, driver: fake.driver, clock: fake.clock },
      {
        lab: 'quorum',
        runId: 'r',
        target: { select: 'node-running', resource: 'vm:100' },
        fault: 'power-off',
        timeoutMs: 90_000,
        pollIntervalMs: 500,
        expected: { 'node-offline': { min: 0, max: 2000 }, 'quorum-recomputed': { min: 0, max: 10_000 } },
      },
    );
    expect(report.outcome).toBe('no-quorum');
    expect(report.pollIntervalMs).toBe(500);
    expect(report.phases.find((p) => p.id === 'detection')).toMatchObject({
      expected: { min: 0, max: 2000 },
      duration: 4000,
      within: false,
    });
    expect(report.phases.find((p) => p.id === 'quorum-recomputed')).toMatchObject({
      duration: 4000,
      within: true,
    });
    expect(report.milestones.at(-1)).toMatchObject({ id: 'quorum-recomputed', quorate: false });
  });

  it('stops as aborted when the signal fires', async () => {
    const fake = fakeCluster(normalFailover, 'pve2', 'pve1', ['pve2']);
    const controller = new AbortController();
    const report = await runFailoverDrill(
      { pve: fake.pve, driver: fake.driver, clock: fake.clock },
      {
        lab: 'l',
        runId: 'r',
        target: { select: 'node-running', resource: 'vm:100' },
        fault: 'power-off',
        signal: controller.signal,
        onMilestone: (m) => {
          if (m.id === 'fence') controller.abort();
        },
      },
    );
    expect(report.outcome).toBe('aborted');
    expect(report.milestones.at(-1)?.id).toBe('fence');
  });

  it('refuses a poll interval above one second', async () => {
    const fake = fakeCluster(normalFailover, 'pve2', 'pve1', ['pve2']);
    await expect(
      runFailoverDrill(
        { pve: fake.pve, driver: fake.driver, clock: fake.clock },
        {
          lab: 'l',
          runId: 'r',
          target: { select: 'node-running', resource: 'vm:100' },
          fault: 'power-off',
          pollIntervalMs: 2000,
        },
      ),
    ).rejects.toThrow(/pollIntervalMs must be in \(0, 1000\], got 2000/);
    expect(fake.faults).toEqual([]);
  });
});
