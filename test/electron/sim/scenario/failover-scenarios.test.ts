import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../../electron/sim/scenario/scenario-load.ts';
import { runScenario, type ScenarioTransition } from '../../../../electron/sim/scenario/scenario-runner.ts';

function run(yaml: string) {
  return runScenario(parseScenario(yaml, 'test.yaml'));
}

/** First transition of `subject` into `to` at or after `after` seconds. */
function when(transitions: ScenarioTransition[], subject: string, to: string, after = 0): number | undefined {
  return transitions.find((t) => t.subject === subject && t.to === to && t.t >= after)?.t;
}

describe('failover scenarios (3 nodes, PVE 9 timings)', () => {
  it('power-off of the guest node: fence about 60 s later, started elsewhere about 120 s later', () => {
    const { result } = run(`
nodes: [node1, node2, node3]
services: [{ sid: vm:100, node: node2 }]
events: [{ at: 120, do: power node2 off }]
until: 400
`);
    const tr = result.transitions;
    const fence = when(tr, 'vm:100', 'fence', 120)!;
    const recovery = when(tr, 'vm:100', 'recovery', 120)!;
    const started = tr.find((t) => t.subject === 'vm:100' && t.from === 'recovery' && t.to === 'started')!.t;
    expect(fence - 120).toBeGreaterThanOrEqual(50);
    expect(fence - 120).toBeLessThanOrEqual(62);
    expect(recovery - 120).toBeGreaterThanOrEqual(110);
    expect(recovery - 120).toBeLessThanOrEqual(132);
    expect(started).toBe(recovery);
    expect(when(tr, 'node:node2', 'fence', 120)).toBe(fence);
    expect(result.final.services['vm:100']).toEqual({ node: 'node1', state: 'started' });
    expect(result.final.master).toBe('node1');
  });

  it('power-off of the master hosting the guest: new master after the lock expires, fence ≈ +170–190 s', () => {
    const { result } = run(`
nodes: [node1, node2, node3]
services: [{ sid: vm:100, node: node1 }]
events: [{ at: 120, do: power node1 off }]
until: 450
`);
    const tr = result.transitions;
    const newMaster = tr.find((t) => t.subject.startsWith('crm:') && t.to === 'master' && t.t > 120)!;
    expect(newMaster.subject).toBe('crm:node2');
    expect(newMaster.t - 120).toBeGreaterThanOrEqual(110);
    expect(newMaster.t - 120).toBeLessThanOrEqual(130);
    const fence = when(tr, 'vm:100', 'fence', 120)!;
    expect(fence - 120).toBeGreaterThanOrEqual(170);
    expect(fence - 120).toBeLessThanOrEqual(190);
    // The old agent lock has long expired: fencing is acknowledged in the same round.
    expect(when(tr, 'vm:100', 'recovery', 120)).toBe(fence);
    expect(result.final.services['vm:100']).toEqual({ node: 'node2', state: 'started' });
  });

  it('cable pull: the isolated node loses quorum and its watchdog resets it about 60 s later', () => {
    const { result, log } = run(`
nodes: [node1, node2, node3]
services: [{ sid: vm:100, node: node2 }]
events: [{ at: 120, do: network node2 off }]
until: 400
`);
    const tr = result.transitions;
    expect(when(tr, 'lrm:node2', 'lost_agent_lock', 120)! - 120).toBeLessThanOrEqual(15);
    const reset = tr.find((t) => t.subject === 'lrm:node2' && t.to === 'off' && t.t > 120)!.t;
    expect(reset - 120).toBeGreaterThanOrEqual(55);
    expect(reset - 120).toBeLessThanOrEqual(75);
    expect(log.some((l) => l.includes('node2/watchdog-mux: client watchdog expired'))).toBe(true);
    // The surviving majority recovers the guest as for a power loss.
    expect(when(tr, 'vm:100', 'recovery', 120)! - 120).toBeLessThanOrEqual(132);
    expect(result.final.services['vm:100']).toEqual({ node: 'node1', state: 'started' });
  });

  it('2 of 3 nodes lost: no recovery, the survivor self-fences; `expected 1` restores service', () => {
    const scenario = (withExpected: boolean) => `
nodes: [node1, node2, node3]
services: [{ sid: vm:100, node: node2 }, { sid: vm:101, node: node1 }]
events:
  - { at: 100, do: power node2 off }
  - { at: 100, do: power node3 off }
${withExpected ? '  - { at: 300, do: expected 1 }' : ''}
until: 600
`;
    const without = run(scenario(false)).result;
    expect(without.transitions.filter((t) => t.subject === 'vm:100' && t.t > 100)).toEqual([]);
    const fenced = without.transitions.find((t) => t.subject === 'lrm:node1' && t.to === 'off' && t.t > 100)!;
    expect(fenced.t - 100).toBeGreaterThanOrEqual(55);
    expect(fenced.t - 100).toBeLessThanOrEqual(80);
    expect(without.final.services['vm:100']).toEqual({ node: 'node2', state: 'started' });

    const withExpected = run(scenario(true)).result;
    expect(when(withExpected.transitions, 'vm:100', 'fence', 300)).toBeDefined();
    expect(withExpected.final.services['vm:100']).toEqual({ node: 'node1', state: 'started' });
    expect(withExpected.final.services['vm:101']).toEqual({ node: 'node1', state: 'started' });
  });

  it('reboot with policy conditional: the service freezes, is not recovered, restarts on the same node', () => {
    const { result } = run(`
nodes: [node1, node2, node3]
services: [{ sid: vm:100, node: node2 }]
events: [{ at: 60, do: reboot node2 }]
until: 300
`);
    const tr = result.transitions.filter((t) => t.subject === 'vm:100' && t.t >= 60);
    expect(tr.map((t) => t.to)).toEqual(['freeze', 'started']);
    expect(result.final.services['vm:100']).toEqual({ node: 'node2', state: 'started' });
  });

  it('shutdown with policy failover: stopped, then recovered after the fence delay (lock already released)', () => {
    const { result } = run(`
nodes: [node1, node2, node3]
services: [{ sid: vm:100, node: node2 }]
datacenter: { shutdown_policy: failover }
events: [{ at: 60, do: shutdown node2 }]
until: 300
`);
    const fence = when(result.transitions, 'vm:100', 'fence', 60)!;
    expect(when(result.transitions, 'vm:100', 'recovery', 60)).toBe(fence);
    expect(fence - 60).toBeLessThan(100);
    expect(result.final.services['vm:100']!.node).not.toBe('node2');
  });

  it('failback: back to the preferred node of a node-affinity rule when it returns', () => {
    const { result } = run(`
nodes: [node1, node2, node3]
services: [{ sid: vm:100, node: node2 }]
rules: [{ id: r1, type: node-affinity, resources: [vm:100], nodes: { node2: 2, node3: 1 } }]
events:
  - { at: 60, do: power node2 off }
  - { at: 300, do: power node2 on }
until: 500
`);
    const recovered = result.transitions.find((t) => t.subject === 'vm:100' && t.from === 'recovery')!;
    expect(recovered.to).toBe('started');
    // The rule's next-best node, not the alphabetically first one.
    const moves = result.transitions.filter((t) => t.subject === 'vm:100' && t.to === 'migrate');
    expect(moves).toHaveLength(1);
    expect(moves[0]!.t).toBeGreaterThan(300);
    expect(result.final.services['vm:100']).toEqual({ node: 'node2', state: 'started' });
  });

  it('no failback with failback: false', () => {
    const { result } = run(`
nodes: [node1, node2, node3]
services: [{ sid: vm:100, node: node2, failback: false }]
rules: [{ id: r1, type: node-affinity, resources: [vm:100], nodes: { node2: 2, node3: 1 } }]
events:
  - { at: 60, do: power node2 off }
  - { at: 300, do: power node2 on }
until: 500
`);
    expect(result.final.services['vm:100']).toEqual({ node: 'node3', state: 'started' });
  });

  it('strict rule whose only node is dead: stuck in recovery, recovered when the node returns', () => {
    const yaml = (back: boolean) => `
nodes: [node1, node2, node3]
services: [{ sid: vm:100, node: node2 }]
rules: [{ id: r1, type: node-affinity, resources: [vm:100], nodes: { node2: 1 }, strict: true }]
events:
  - { at: 60, do: power node2 off }
${back ? '  - { at: 400, do: power node2 on }' : ''}
until: ${back ? 600 : 400}
`;
    expect(run(yaml(false)).result.final.services['vm:100']).toEqual({ node: 'node2', state: 'recovery' });
    const back = run(yaml(true)).result;
    expect(back.final.services['vm:100']).toEqual({ node: 'node2', state: 'started' });
  });

  it('max_restart then max_relocate exhausted: error state', () => {
    const { result, log } = run(`
nodes: [node1, node2, node3]
services: [{ sid: vm:100, node: node1, max_restart: 1, max_relocate: 1, fail: { start: 10 } }]
until: 200
`);
    expect(result.final.services['vm:100']!.state).toBe('error');
    // 2 tries per node (1 + max_restart) on 2 nodes (1 + max_relocate).
    expect(log.filter((l) => l.includes('starting service vm:100'))).toHaveLength(4);
    expect(log.some((l) => l.includes("restart policy: retry number 1 for service 'vm:100'"))).toBe(true);
  });

  it('max_restart: 1 start failure is retried on the same node and then succeeds', () => {
    const { result } = run(`
nodes: [node1, node2, node3]
services: [{ sid: vm:100, node: node1, fail: { start: 1 } }]
until: 100
`);
    expect(result.final.services['vm:100']).toEqual({ node: 'node1', state: 'started' });
    expect(result.transitions.filter((t) => t.subject === 'vm:100' && t.to === 'migrate')).toEqual([]);
  });

  it('guest on local storage of a dead node cannot start elsewhere and ends in error', () => {
    const { result } = run(`
nodes: [node1, node2, node3]
services: [{ sid: vm:100, node: node2, storage: local, max_relocate: 1 }]
events: [{ at: 60, do: power node2 off }]
until: 500
`);
    expect(result.final.services['vm:100']!.state).toBe('error');
  });

  it('node maintenance moves services away and back', () => {
    const { result } = run(`
nodes: [node1, node2, node3]
services: [{ sid: vm:100, node: node2 }]
events:
  - { at: 60, do: crm node2 enable-node-maintenance }
  - { at: 200, do: crm node2 disable-node-maintenance }
until: 320
`);
    const tr = result.transitions;
    expect(when(tr, 'node:node2', 'maintenance', 60)).toBeDefined();
    const away = tr.find((t) => t.subject === 'vm:100' && t.to === 'migrate' && t.t > 60 && t.t < 200);
    expect(away).toBeDefined();
    expect(when(tr, 'node:node2', 'online', 200)).toBeDefined();
    expect(result.final.services['vm:100']).toEqual({ node: 'node2', state: 'started' });
  });

  it('HA groups (PVE 8 profile) pick the group node with the highest priority', () => {
    const { result } = run(`
pve: 8
nodes: [node1, node2, node3]
groups: [{ id: g1, nodes: { node2: 2, node3: 1 } }]
services: [{ sid: vm:100, node: node2, group: g1 }]
events: [{ at: 60, do: power node2 off }]
until: 300
`);
    expect(result.final.services['vm:100']).toEqual({ node: 'node3', state: 'started' });
  });

  it('negative resource affinity keeps two services apart on recovery', () => {
    const { result } = run(`
nodes: [node1, node2, node3]
services: [{ sid: vm:100, node: node1 }, { sid: vm:101, node: node2 }]
rules: [{ id: apart, type: resource-affinity, resources: [vm:100, vm:101], affinity: negative }]
events: [{ at: 60, do: power node2 off }]
until: 300
`);
    expect(result.final.services['vm:101']).toEqual({ node: 'node3', state: 'started' });
  });

  it('service commands: stop, disabled, migrate', () => {
    const { result } = run(`
nodes: [node1, node2, node3]
services: [{ sid: vm:100, node: node1 }, { sid: vm:101, node: node1 }]
events:
  - { at: 30, do: service vm:100 migrate node3 }
  - { at: 30, do: service vm:101 stop 0 }
until: 120
`);
    expect(result.final.services['vm:100']).toEqual({ node: 'node3', state: 'started' });
    expect(result.final.services['vm:101']).toEqual({ node: 'node1', state: 'stopped' });
  });

  it('restart-lrm freezes the services and unfreezes them without moving', () => {
    const { result } = run(`
nodes: [node1, node2, node3]
services: [{ sid: vm:100, node: node2 }]
events: [{ at: 60, do: restart-lrm node2 }]
until: 200
`);
    const states = result.transitions.filter((t) => t.subject === 'vm:100' && t.t >= 60).map((t) => t.to);
    expect(states).toEqual(['freeze', 'started']);
    expect(result.final.services['vm:100']).toEqual({ node: 'node2', state: 'started' });
  });
});
