import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioFileError } from '../../../../electron/sim/scenario/scenario-load.ts';

function error(text: string, file = 'drill.yaml'): string {
  try {
    parseScenario(text, file);
  } catch (e) {
    if (e instanceof ScenarioFileError) return e.message;
    throw e;
  }
  throw new Error('expected an error');
}

describe('scenario files', () => {
  it('accepts the format of the issue, with defaults', () => {
    const s = parseScenario(
      `pve: 9
nodes: [node1, node2, node3]
hardware: { node1: { power: off, network: off } }
services:
  - { sid: vm:100, node: node2, state: started, max_restart: 1, max_relocate: 1, failback: true }
  - { sid: vm:101, node: node1, fail: { start: 2 } }
rules:
  - { id: r1, type: node-affinity, resources: [vm:100], nodes: { node2: 2, node3: 1 }, strict: false }
  - { id: r2, type: resource-affinity, resources: [vm:100, vm:101], affinity: negative }
datacenter: { shutdown_policy: conditional }
events:
  - { at: 20, do: power node1 on }
  - { at: 120, do: power node2 off }
until: 1200
`,
      'ok.yaml',
    );
    expect(s.services[1]).toMatchObject({
      state: 'started',
      max_restart: 1,
      storage: 'shared',
      fail: { start: 2 },
    });
    expect(s.rules).toHaveLength(2);
  });

  it('accepts JSON too', () => {
    const s = parseScenario(
      '{"nodes": ["a1", "a2", "a3"], "events": [{"at": 5, "do": "network a1 off"}]}',
      's.json',
    );
    expect(s.pve).toBe(9);
  });

  it('names the line of an unknown field', () => {
    expect(error('nodes: [n1, n2, n3]\nservices:\n  - { sid: vm:100, node: n1, colour: red }\n')).toMatch(
      /^drill\.yaml:3: services\.0\.colour: /,
    );
  });

  it('names the line of a wrong type', () => {
    expect(error('nodes: [n1, n2]\nuntil: soon\n')).toMatch(/^drill\.yaml:2: until: /);
  });

  it('names the line of an unknown command and lists the valid ones', () => {
    const msg = error(
      'nodes: [n1, n2, n3]\nevents:\n  - { at: 1, do: power n1 on }\n  - { at: 2, do: explode n2 }\n',
    );
    expect(msg).toMatch(/^drill\.yaml:4: events\.1\.do: unknown command 'explode'/);
    expect(msg).toContain('power <node> on|off');
  });

  it('names unknown nodes and services in commands', () => {
    expect(error('nodes: [n1, n2, n3]\nevents:\n  - { at: 1, do: power n9 off }\n')).toMatch(
      /:3: events\.0\.do: unknown node 'n9'/,
    );
    expect(error('nodes: [n1, n2, n3]\nevents:\n  - { at: 1, do: service vm:1 started }\n')).toMatch(
      /unknown service 'vm:1'/,
    );
  });

  it('cross-checks nodes, groups vs rules and the PVE version', () => {
    expect(error('nodes: [n1, n2, n3]\nservices:\n  - { sid: vm:100, node: n7 }\n')).toMatch(
      /^drill\.yaml:3: services\.0\.node: unknown node 'n7'/,
    );
    expect(error('pve: 9\nnodes: [n1, n2]\ngroups:\n  - { id: g, nodes: { n1: 1 } }\n')).toMatch(
      /:3: groups: HA groups need pve: 8/,
    );
    expect(
      error(
        'pve: 8\nnodes: [n1, n2]\nservices: [{ sid: vm:1, node: n1 }]\nrules:\n  - { id: r, type: node-affinity, resources: [vm:1], nodes: { n1: 1 } }\n',
      ),
    ).toMatch(/:4: rules: HA rules need pve: 9/);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(error('nodes: [n1, n2\nevents: [\n')).toMatch(/^drill\.yaml:\d+: /);
  });
});
