import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../../electron/clock/clock.ts';
import type { HypervisorDriver } from '../../../../electron/hypervisor/driver.ts';
import { PveError } from '../../../../electron/pve/api.ts';
import type { PveApi, PveRequest } from '../../../../electron/pve/api.ts';
import { runFailoverDrill } from '../../../../electron/lab/drill/run-drill.ts';
import { masterFailover, normalFailover, quorumLoss } from './recorded-failovers.ts';
import type { World } from './recorded-failovers.ts';

/** A virtual clock: sleeping advances time at once. */
function virtualClock(): Clock & { t: number } {
  const clock = {
    t: 5_000,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
      await Promise.resolve();
    },
    hold: () => () => undefined,
  };
  return clock;
}

interface Fake {
  pve: PveApi;
  driver: HypervisorDriver;
  clock: Clock & { t: number };
  calls: PveRequest[];
  faults: string[];
}

/**
 * A cluster of pve1..pve3 whose answers follow a recorded World once the fault is injected; the
 * dead machines stop answering. Before the fault vm:100 runs on `home`.
 */
function fakeCluster(world: World, home: string, master: string, dead: string[]): Fake {
  const clock = virtualClock();
  const calls: PveRequest[] = [];
  const faults: string[] = [];
  let faultAt: number | undefined;
  const t = (): number => (faultAt === undefined ? -1 : (clock.t - faultAt) / 1000);
  const view = (): ReturnType<World> =>
    t() < 0
      ? {
          via: 'pve1',
          cluster: { quorate: true, nodes: { pve1: true, pve2: true, pve3: true } },
          ha: { master, nodeStatus: {}, service: { state: 'started', node: home } },
        }
      : world(t());
  const pve: PveApi = {
    currentNode: 'pve1',
    endpoints: () => [],
    close: async () => undefined,
    waitForTask: async () => ({ upid: '', exitstatus: 'OK', ok: true }),
    request: async <T>(req: PveRequest): Promise<T> => {
      calls.push(req);
      const asked = req.node ?? 'pve1';
      if (faultAt !== undefined && dead.includes(asked)) {
        throw new PveError('unreachable', `${req.method} ${req.path}`, asked, 'connect ECONNREFUSED');
      }
      const v = view();
      const answer = (value: unknown): T => value as T;
      if (req.path === '/cluster/ha/status/current') {
        return answer([
          { id: 'master', type: 'master', node: master, status: `${master} (active, Mon Nov 23 05:00:00 2026)` },
          { id: 'service:vm:100', type: 'service', sid: 'vm:100', node: v.ha?.service?.node, state: 'started' },
        ]);
      }
      if (req.path === '/cluster/status') {
        const nodes = v.cluster?.nodes ?? {};
        return answer([
          { type: 'cluster', id: 'cluster', name: 'lab', quorate: v.cluster?.quorate ? 1 : 0, nodes: 3 },
          ...Object.entries(nodes).map(([name, online]) => ({ type: 'node', id: `node/${name}`, name, online: online ? 1 : 0 })),
        ]);
      }
      if (req.path === '/cluster/ha/status/manager_status') {
        return answer({
          manager_status: {
            master_node: v.ha?.master,
            node_status: v.ha?.nodeStatus ?? {},
            service_status: v.ha?.service ? { 'vm:100': v.ha.service } : {},
          },
        });
      }
      const guest = /^\/nodes\/([^/]+)\/qemu\/100\/(status\/current|agent\/ping)$/.exec(req.path);
      if (guest) {
        if (guest[2] === 'status/current') {
          return answer({ status: v.guest?.node === guest[1] ? v.guest?.status : 'stopped', vmid: 100 });
        }
        if (v.agentPing?.node === guest[1] && v.agentPing?.ok) return answer({ result: {} });
        throw new PveError('http', `POST ${req.path}`, asked, 'QEMU guest agent is not running', 500);
      }
      throw new PveError('http', `${req.method} ${req.path}`, asked, 'Method not implemented', 501);
    },
  };
  const hit = async (name: string, what: string): Promise<{ at: number }> => {
    faults.push(`${what} ${name}`);
    faultAt = clock.t;
    return { at: clock.t };
  };
  const driver = {
    kind: 'fake',
    powerOff: (name: string) => hit(name, 'power-off'),
    setCable: (name: string, connected: boolean) => hit(name, `cable ${connected ? 'in' : 'out'}`),
    acpiShutdown: (name: string) => hit(name, 'acpi'),
    reset: (name: string) => hit(name, 'reset'),
  } as unknown as HypervisorDriver;
  return { pve, driver, clock, calls, faults };
}

describe('runFailoverDrill', () => {
  it('pulls the plug on the node running vm:100 and times the failover through survivors only', async () => {
    const fake = fakeCluster(normalFailover, 'pve2', 'pve1', ['pve2']);
    const seen: string[] = [];
    const report = await runFailoverDrill(
      { pve: fake.pve, driver: fake.driver, clock: fake.clock, wallClock: () => new Date('2026-11-23T05:00:00Z') },
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
    expect(report.target).toEqual({ sid: 'vm:100', node: 'pve2', machine: 'pve2', hitsNode: true, wasMaster: false });
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
    expect(fake.calls.filter((c) => c.node === 'pve1' && c.path !== '/cluster/ha/status/current')).toEqual([]);
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
    expect(report.phases.find((p) => p.id === 'detection')).toMatchObject({ expected: { min: 0, max: 2000 }, duration: 4000, within: false });
    expect(report.phases.find((p) => p.id === 'quorum-recomputed')).toMatchObject({ duration: 4000, within: true });
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
        { lab: 'l', runId: 'r', target: { select: 'node-running', resource: 'vm:100' }, fault: 'power-off', pollIntervalMs: 2000 },
      ),
    ).rejects.toThrow(/pollIntervalMs must be in \(0, 1000\], got 2000/);
    expect(fake.faults).toEqual([]);
  });
});
