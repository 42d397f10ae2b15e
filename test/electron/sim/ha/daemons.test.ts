import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../../electron/sim/scenario/scenario-load.ts';
import { buildScenarioWorld } from '../../../../electron/sim/scenario/scenario-world.ts';
import type { WorldTransition } from '../../../../electron/sim/world-types.ts';

function setup(yaml: string) {
  const world = buildScenarioWorld(parseScenario(yaml, 't.yaml'));
  const log: WorldTransition[] = [];
  world.onTransition((t) => log.push(t));
  const seq = (subject: string) => log.filter((t) => t.subject === subject).map((t) => t.to);
  return { world, log, seq };
}

const THREE = 'nodes: [node1, node2, node3]\nservices: [{ sid: vm:100, node: node2 }]\n';

describe('CRM daemon states', () => {
  // The daemons enter 'startup' while the world is built, before a listener can attach.
  it('startup → wait_for_quorum → master on the first node, slave elsewhere', () => {
    const { world, seq } = setup(THREE);
    expect(world.core.state.nodes.node1!.crm.state).toBe('startup');
    world.runUntil(30_000);
    expect(seq('crm:node1')).toEqual(['wait_for_quorum', 'master']);
    expect(seq('crm:node2')).toEqual(['wait_for_quorum', 'slave']);
  });

  it('master without quorum → lost_manager_lock, keeps the watchdog armed and is reset', () => {
    const { world, seq } = setup(THREE);
    world.runUntil(30_000);
    world.setCable('node1', false);
    world.runUntil(200_000);
    expect(seq('crm:node1')).toEqual([
      'wait_for_quorum',
      'master',
      'lost_manager_lock',
      'off',
      'startup',
      'wait_for_quorum',
    ]);
    expect(seq('crm:node2').slice(-1)).toEqual(['master']);
  });

  it('a CRM goes idle after 90 rounds without services and releases the manager lock', () => {
    const { world, seq } = setup(
      'nodes: [node1, node2, node3]\nservices: [{ sid: vm:100, node: node2 }]\nevents: []\n',
    );
    world.runUntil(20_000);
    delete world.core.state.ha.resources['vm:100'];
    world.runUntil(20_000 + 95 * 10_000);
    expect(seq('crm:node1').slice(-2)).toEqual(['master', 'wait_for_quorum']);
    expect(world.core.state.ha.managerLock).toBeUndefined();
  });
});

describe('LRM daemon states', () => {
  it('only a node with services takes its agent lock; lost_agent_lock without quorum', () => {
    const { world, seq } = setup(THREE);
    world.runUntil(30_000);
    expect(seq('lrm:node2')).toEqual(['wait_for_agent_lock', 'active']);
    expect(seq('lrm:node1')).toEqual(['wait_for_agent_lock']);
    world.setCable('node2', false);
    world.runUntil(60_000);
    expect(seq('lrm:node2').at(-1)).toBe('lost_agent_lock');
  });

  it('an LRM regains its lock if quorum returns before it is fenced (no reset)', () => {
    const { world, seq } = setup(THREE);
    world.runUntil(30_000);
    world.setCable('node2', false);
    world.runUntil(45_000);
    world.setCable('node2', true);
    world.runUntil(120_000);
    expect(seq('lrm:node2').slice(-2)).toEqual(['lost_agent_lock', 'active']);
    expect(seq('power:node2')).toEqual([]);
  });

  it('an active LRM goes idle after 60 rounds without services', () => {
    const { world, seq } = setup(THREE);
    world.runUntil(30_000);
    world.core.state.ha.resources['vm:100']!.state = 'ignored';
    world.runUntil(30_000 + 65 * 10_000);
    expect(seq('lrm:node2').slice(-2)).toEqual(['active', 'wait_for_agent_lock']);
    expect(world.core.state.nodes.node2!.watchdog.lrm).toBeUndefined();
  });
});

describe('CRM node states', () => {
  it('online → unknown → fence → unknown → online across a power cycle', () => {
    const { world, seq } = setup(THREE);
    world.runUntil(30_000);
    world.powerOff('node2');
    world.runUntil(300_000);
    world.powerOn('node2');
    world.runUntil(400_000);
    expect(seq('node:node2')).toEqual(['online', 'unknown', 'fence', 'unknown', 'online']);
  });
});
