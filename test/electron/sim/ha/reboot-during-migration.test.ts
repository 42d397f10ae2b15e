/**
 * A clean reboot of a node whose LRM goes into `restart` mode (shutdown policy conditional/freeze),
 * checked against pve-ha-manager's LRM.pm: on any node shutdown the LRM queues a stop job for every
 * service on the node, keeps running its workers, and exits only when no service on the node is
 * active. A migration the CRM ordered just before the reboot is never started by that LRM, so it waits
 * until systemd kills it (pve_ha_lrm.pm's one-hour stop_wait_time); the new LRM after the reboot runs it.
 */
import { describe, expect, it } from 'vitest';
import { LRM_STOP_WAIT_MS } from '../../../../electron/sim/ha/lrm.ts';
import { parseScenario } from '../../../../electron/sim/scenario/scenario-load.ts';
import { buildScenarioWorld } from '../../../../electron/sim/scenario/scenario-world.ts';

function threeNodes(policy?: string) {
  const yaml =
    'nodes: [node1, node2, node3]\nservices: [{ sid: vm:100, node: node1 }]\n' +
    (policy ? `datacenter: { shutdown_policy: ${policy} }\n` : '');
  const world = buildScenarioWorld(parseScenario(yaml, 't.yaml'));
  world.runUntil(60_000);
  const lines = (node: string) =>
    world
      .journal(node)
      .filter((e) => e.tag === 'pve-ha-lrm' || e.tag === 'systemd')
      .map((e) => e.msg);
  return { world, lines };
}

describe('reboot while the CRM orders a migration away from the node', () => {
  it('the LRM stops the guest, waits for the migration it no longer starts, is killed after an hour, and the migration runs after the reboot', () => {
    const { world, lines } = threeNodes();
    world.crmCommand('node2', 'migrate vm:100 node3');
    world.reboot('node1');
    world.runUntil(60_000 + LRM_STOP_WAIT_MS - 60_000);
    expect(world.core.state.nodes.node1!.phase).toBe('shutting-down');
    expect(world.core.state.guests['100']!.running).toBe(false);
    expect(world.core.state.ha.manager.service_status['vm:100']!.state).toBe('migrate');
    world.runUntil(60_000 + LRM_STOP_WAIT_MS + 300_000);
    expect(lines('node1')).toEqual(
      expect.arrayContaining([
        "got shutdown request with shutdown policy 'conditional'",
        'reboot LRM, stop and freeze all services',
        'stopping service vm:100',
        'pve-ha-lrm.service: Stopping timed out. Killing.',
      ]),
    );
    expect(world.core.state.guests['100']).toMatchObject({ node: 'node3', running: true });
    expect(world.core.state.ha.manager.service_status['vm:100']!.state).toBe('started');
  });

  it('a migration the LRM already runs finishes, then the reboot goes on at once', () => {
    const { world, lines } = threeNodes();
    world.crmCommand('node2', 'migrate vm:100 node3');
    world.runUntil(80_000); // the CRM ordered it and the LRM started it
    world.reboot('node1');
    world.runUntil(200_000);
    expect(world.core.state.guests['100']).toMatchObject({ node: 'node3', running: true });
    expect(world.core.state.nodes.node1!.phase).toBe('up');
    expect(lines('node1')).not.toContain('pve-ha-lrm.service: Stopping timed out. Killing.');
  });
});

describe('the LRM on a node shutdown (LRM.pm shutdown_request)', () => {
  it('conditional policy, reboot: stops the service itself, then the CRM freezes it', () => {
    const { world, lines } = threeNodes();
    world.reboot('node1');
    world.runUntil(100_000);
    expect(lines('node1')).toEqual(
      expect.arrayContaining(['reboot LRM, stop and freeze all services', 'stopping service vm:100']),
    );
    const crm = world
      .journal()
      .filter((e) => e.tag === 'pve-ha-crm')
      .map((e) => e.msg);
    expect(crm).toContainEqual(
      expect.stringContaining("service 'vm:100': state changed from 'started' to 'freeze'"),
    );
  });

  it('migrate policy: maintenance, no stop job', () => {
    const { world, lines } = threeNodes('migrate');
    world.reboot('node1');
    world.runUntil(62_000);
    expect(lines('node1')).toContain('reboot LRM, doing maintenance, removing this node from active list');
    expect(lines('node1')).not.toContain('stopping service vm:100');
  });

  it('failover policy, power off: shutdown mode, stop all services', () => {
    const { world, lines } = threeNodes('failover');
    world.shutdown('node1');
    world.runUntil(75_000);
    expect(lines('node1')).toEqual(
      expect.arrayContaining(['shutdown LRM, stop all services', 'stopping service vm:100']),
    );
    expect(world.core.state.guests['100']!.running).toBe(false);
  });
});
