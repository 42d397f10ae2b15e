import type { Clock } from '../../../../electron/clock/clock.ts';
import type { HypervisorDriver } from '../../../../electron/hypervisor/driver.ts';
import { PveError } from '../../../../electron/pve/api.ts';
import type { PveApi, PveRequest } from '../../../../electron/pve/api.ts';
import type { World } from './recorded-failovers.ts';

/** A virtual clock: sleeping advances time at once. */
export function virtualClock(): Clock & { t: number } {
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

export interface FakeCluster {
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
export function fakeCluster(world: World, home: string, master: string, dead: string[]): FakeCluster {
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
          {
            id: 'master',
            type: 'master',
            node: master,
            status: `${master} (active, Mon Nov 23 05:00:00 2026)`,
          },
          {
            id: 'service:vm:100',
            type: 'service',
            sid: 'vm:100',
            node: v.ha?.service?.node,
            state: 'started',
          },
        ]);
      }
      if (req.path === '/cluster/status') {
        const nodes = v.cluster?.nodes ?? {};
        return answer([
          { type: 'cluster', id: 'cluster', name: 'lab', quorate: v.cluster?.quorate ? 1 : 0, nodes: 3 },
          ...Object.entries(nodes).map(([name, online]) => ({
            type: 'node',
            id: `node/${name}`,
            name,
            online: online ? 1 : 0,
          })),
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
