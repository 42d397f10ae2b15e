/**
 * The intent of pve-ha-manager's own regression tests (src/test/test-*) for the three decisions
 * where the simulator used to differ, restated in our scenario format. Our cluster is more
 * realistic than upstream's harness (token timeouts, boot times, resets), so the checks are on
 * outcomes and order, not on the harness's exact timestamps.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../../electron/sim/scenario/scenario-load.ts';
import { runScenario } from '../../../../electron/sim/scenario/scenario-runner.ts';

function run(yaml: string) {
  return runScenario(parseScenario(yaml, 'upstream.yaml'));
}

describe('positive resource affinity with the partners on a dead node', () => {
  // test-resource-affinity-strict-positive1/2: everything kept together on node3; node3 fails.
  it('recovers all partners together onto one surviving node', () => {
    const { result } = run(`
nodes: [node1, node2, node3]
services:
  - { sid: vm:101, node: node3 }
  - { sid: vm:102, node: node3 }
  - { sid: vm:103, node: node3 }
rules:
  - { id: together, type: resource-affinity, resources: [vm:101, vm:102, vm:103], affinity: positive }
events:
  - { at: 60, do: network node3 off }
until: 500
`);
    const placed = Object.values(result.final.services);
    expect(placed.every((s) => s.state === 'started')).toBe(true);
    expect(new Set(placed.map((s) => s.node)).size).toBe(1);
    expect(placed[0]!.node).not.toBe('node3');
  });

  // test-resource-affinity-with-node-affinity-strict-positive2: one partner must leave node3.
  it('moves every partner to where the node-affinity of one of them allows', () => {
    const { result } = run(`
nodes: [node1, node2, node3]
services:
  - { sid: vm:101, node: node3 }
  - { sid: vm:102, node: node3 }
  - { sid: vm:103, node: node3 }
rules:
  - { id: vm102-on-1-or-2, type: node-affinity, resources: [vm:102], nodes: { node1: 0, node2: 0 }, strict: true }
  - { id: together, type: resource-affinity, resources: [vm:101, vm:102, vm:103], affinity: positive }
until: 300
`);
    const nodes = Object.values(result.final.services).map((s) => s.node);
    expect(new Set(nodes).size).toBe(1);
    expect(['node1', 'node2']).toContain(nodes[0]);
  });
});

describe('negative resource affinity and manual commands', () => {
  // test-resource-affinity-strict-negative8: vm:101 may not join vm:103 on node3.
  it('refuses a migrate onto a node where an anti-affine service runs, and the CRM says why', () => {
    const { result, log } = run(`
nodes: [node1, node2, node3]
services:
  - { sid: vm:101, node: node1 }
  - { sid: vm:102, node: node2 }
  - { sid: vm:103, node: node3 }
rules:
  - { id: lonely, type: resource-affinity, resources: [vm:101, vm:102, vm:103], affinity: negative }
events:
  - { at: 60, do: service vm:101 migrate node3 }
until: 200
`);
    expect(result.final.services).toEqual({
      'vm:101': { node: 'node1', state: 'started' },
      'vm:102': { node: 'node2', state: 'started' },
      'vm:103': { node: 'node3', state: 'started' },
    });
    expect(
      log.some((l) =>
        l.includes(
          "crm command 'migrate vm:101 node3' error - service 'vm:103' on node 'node3' in negative affinity with service 'vm:101'",
        ),
      ),
    ).toBe(true);
    expect(result.transitions.filter((t) => t.to === 'migrate')).toEqual([]);
  });

  // test-resource-affinity-strict-positive4: migrating one partner takes the others along.
  it('moves positive partners along with a manual migrate', () => {
    const { result, log } = run(`
nodes: [node1, node2, node3]
services:
  - { sid: vm:101, node: node1 }
  - { sid: vm:102, node: node1 }
rules:
  - { id: together, type: resource-affinity, resources: [vm:101, vm:102], affinity: positive }
events:
  - { at: 60, do: service vm:101 migrate node2 }
until: 200
`);
    expect(result.final.services['vm:101']!.node).toBe('node2');
    expect(result.final.services['vm:102']!.node).toBe('node2');
    expect(log.some((l) => l.includes("(service 'vm:102' in positive affinity with service 'vm:101')"))).toBe(
      true,
    );
  });
});

describe('clean shutdown of the CRM master', () => {
  // CRM.pm: the request is noted, the lock goes at the master's next round, then another node takes over.
  it('releases the manager lock at its next round, and only then another CRM becomes master', () => {
    const { log, result } = run(`
nodes: [node1, node2, node3]
services:
  - { sid: vm:101, node: node2 }
datacenter: { shutdown_policy: migrate }
events:
  - { at: 60, do: shutdown node1 }
until: 300
`);
    const at = (text: string): number => {
      const line = log.find((l) => l.includes(text));
      expect(line, text).toBeDefined();
      return Number(/\[\s*([\d.]+)s\]/.exec(line!)![1]);
    };
    const request = at('node1/pve-ha-crm: server received shutdown request');
    const release = at('node1/pve-ha-crm: voluntary release CRM lock');
    const takeover = log.findIndex((l) =>
      /node[23]\/pve-ha-crm: successfully acquired lock 'ha_manager_lock'/.test(l),
    );
    expect(release).toBeGreaterThan(request);
    expect(release - request).toBeLessThanOrEqual(10);
    expect(takeover).toBeGreaterThan(log.findIndex((l) => l.includes('voluntary release CRM lock')));
    expect(result.final.master).toMatch(/^node[23]$/);
    expect(result.final.services['vm:101']).toEqual({ node: 'node2', state: 'started' });
  });
});
