import { httpPveClients } from '../../../electron/pve/http-client.ts';
import { afterEach, describe, expect, it } from 'vitest';

import { TopologyObserver, type TopologyMachine } from '../../../electron/app/topology-observer.ts';
import type { TopologyInfo } from '../../../electron/contract/dto.ts';
import { runCheck } from '../../../electron/lab/run-checks.ts';
import { ExpressionCache } from '../../../electron/lab/expression-cache.ts';
import { startSimDatacenter, type SimDatacenter } from '../../../electron/sim/datacenter.ts';

/** The observer against the simulator through the real HTTPS client: quorum after `pvecm expected`, a self-fence. */
const NODES = [
  { name: 'pve1', ip: '192.168.56.11' },
  { name: 'pve2', ip: '192.168.56.12' },
  { name: 'pve3', ip: '192.168.56.13' },
];
const machines: TopologyMachine[] = [
  ...NODES.map((n) => ({ name: n.name, kind: 'pve' as const, address: n.ip })),
  { name: 'nas', kind: 'nfs', address: '192.168.56.20' },
];

let dc: SimDatacenter | undefined;
afterEach(async () => {
  await dc?.close();
  dc = undefined;
});

async function cluster(): Promise<{ d: SimDatacenter; observer: TopologyObserver }> {
  const d = await startSimDatacenter({
    nodes: NODES,
    clockMode: { kind: 'fast' },
    pveClients: httpPveClients,
    initial: { kind: 'cluster', clusterName: 'lab', nfsStorage: 'nfs-lab' },
  });
  dc = d;
  const observer = new TopologyObserver({
    pve: d.createClient(),
    driver: d.driver,
    machines,
    clock: d.clock,
  });
  return { d, observer };
}

async function observeUntil(
  d: SimDatacenter,
  observer: TopologyObserver,
  what: string,
  ok: (t: TopologyInfo) => boolean,
): Promise<TopologyInfo> {
  for (let i = 0; i < 400; i++) {
    const t = await observer.observe();
    if (ok(t)) return t;
    await d.clock.sleep(1000);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('topology observer on the simulator', () => {
  it('after `pvecm expected 1` shows the runtime expected votes and says why they changed', async () => {
    const { d, observer } = await cluster();
    await observeUntil(d, observer, 'quorum', (t) => t.quorum?.quorate === true);
    await d.driver.powerOff('pve2');
    await d.driver.powerOff('pve3');
    const lost = await observeUntil(d, observer, 'quorum lost', (t) => t.quorum?.quorate === false);
    expect(lost.quorum).toEqual({ quorate: false, votes: 1, expected: 3, needed: 2 });
    const shell = d.openShell('pve1');
    expect((await shell.run('pvecm expected 1')).exitCode).toBe(0);
    const lowered = await observeUntil(d, observer, 'quorate again', (t) => t.quorum?.quorate === true);
    expect(lowered.quorum).toEqual({
      quorate: true,
      votes: 1,
      expected: 1,
      needed: 1,
      expectedLoweredFrom: 3,
    });
  });

  it('during a self-fence says the node reboots (watchdog) and keeps the last known cluster', async () => {
    const { d, observer } = await cluster();
    const api = d.createClient();
    const upid = await api.request<string>({
      method: 'POST',
      path: '/nodes/pve1/qemu',
      node: 'pve1',
      params: { vmid: 100, name: 'tinycore', memory: 128, scsi0: 'nfs-lab:1', net0: 'e1000,bridge=vmbr0' },
    });
    await api.waitForTask(upid);
    await api.request({
      method: 'POST',
      path: '/cluster/ha/resources',
      params: { sid: 'vm:100', state: 'started' },
    });
    await observeUntil(d, observer, 'vm:100 running', (t) =>
      t.nodes.some(
        (n) => n.name === 'pve1' && n.lrmState === 'active' && n.guests.some((g) => g.status === 'running'),
      ),
    );
    await d.driver.powerOff('pve2');
    await d.driver.powerOff('pve3');
    // pve1 alone has no quorum; its LRM stops feeding the watchdog, which resets it.
    const fencing = await observeUntil(d, observer, 'pve1 rebooting', (t) =>
      t.nodes.some((n) => n.name === 'pve1' && n.down === 'watchdog'),
    );
    expect(fencing.clusterName).toBe('lab');
    expect(fencing.nodes.find((n) => n.name === 'pve1')?.inCluster).toBe(true);
    expect(observer.downReason('pve1')).toBe('watchdog');
    expect(observer.downReason('pve2')).toBe('off');
    // A check asking pve1 meanwhile names the node it could not reach.
    const outcome = await runCheck(
      {
        id: 'c',
        query: { method: 'GET', path: '/cluster/resources', node: 'pve1' },
        expect: 'true',
        message: { en: 'x' },
      } as never,
      {
        pve: d.createClient(),
        cache: new ExpressionCache(),
        context: { vars: {}, machines: {}, profile: 'p' } as never,
        requestTimeoutMs: 1000,
      },
    );
    if (!outcome.ok) expect(outcome.unreachableNode).toBe('pve1');
    // Back from its reset, pve1 answers again and is no longer marked.
    const back = await observeUntil(d, observer, 'pve1 back', (t) =>
      t.nodes.some((n) => n.name === 'pve1' && n.online && !n.down),
    );
    expect(back.stale).toBeUndefined();
  });
});
