import { describe, expect, it } from 'vitest';
import { World } from '../../../electron/sim/world.ts';

function cluster(n: number): World {
  return new World({
    nodes: Array.from({ length: n }, (_, i) => ({ name: `node${i + 1}`, ip: `10.0.0.${i + 1}` })),
    rootPassword: 'pw',
    initial: { kind: 'cluster' },
  });
}

describe('corosync membership and votequorum', () => {
  it('quorum = floor(expected/2)+1 for 2..7 nodes', () => {
    for (const [n, q] of [
      [2, 2],
      [3, 2],
      [4, 3],
      [5, 3],
      [6, 4],
      [7, 4],
    ] as const) {
      const w = cluster(n);
      expect(w.quorum('node1')).toMatchObject({ expectedVotes: n, totalVotes: n, quorum: q, quorate: true });
    }
  });

  it('sees a lost node only after the token timeout; 3 → 2 stays quorate, 3 → 1 does not', () => {
    const w = cluster(3);
    w.powerOff('node3');
    expect(w.quorum('node1')!.members).toEqual(['node1', 'node2', 'node3']);
    w.runFor(10_000);
    expect(w.quorum('node1')).toMatchObject({ members: ['node1', 'node2'], quorate: true });
    w.powerOff('node2');
    w.runFor(10_000);
    expect(w.quorum('node1')).toMatchObject({ members: ['node1'], quorate: false, quorum: 2 });
    expect(w.pmxcfsWritable('node1')).toBe(false);
  });

  it('a network partition: only the majority side is quorate', () => {
    const w = cluster(5);
    w.partition([
      ['node1', 'node2'],
      ['node3', 'node4', 'node5'],
    ]);
    w.runFor(10_000);
    expect(w.isQuorate('node1')).toBe(false);
    expect(w.isQuorate('node4')).toBe(true);
    w.healPartitions();
    w.runFor(5_000);
    expect(w.isQuorate('node1')).toBe(true);
  });

  it('pvecm expected 1 makes a lone node quorate; rejoining nodes raise expected votes again', () => {
    const w = cluster(3);
    w.setCable('node2', false);
    w.setCable('node3', false);
    w.runFor(10_000);
    expect(w.isQuorate('node1')).toBe(false);
    expect(() => w.setExpectedVotes('node1', 0)).toThrow('CS_ERR_INVALID_PARAM');
    w.setExpectedVotes('node1', 1);
    expect(w.quorum('node1')).toMatchObject({ expectedVotes: 1, quorum: 1, quorate: true });
    w.setCable('node2', true);
    w.runFor(5_000);
    expect(w.quorum('node1')).toMatchObject({ expectedVotes: 3, totalVotes: 2, quorate: true });
  });

  it('expected votes cannot be raised above what the present votes can reach', () => {
    const w = cluster(3);
    w.powerOff('node3');
    w.runFor(10_000);
    expect(() => w.setExpectedVotes('node1', 5)).toThrow('CS_ERR_INVALID_PARAM');
  });

  it('pvecm expected on a standalone node names the missing corosync config', () => {
    const w = new World({ nodes: [{ name: 'pve1', ip: '10.0.0.1' }], rootPassword: 'pw' });
    expect(() => w.setExpectedVotes('pve1', 1)).toThrow(
      "Corosync config '/etc/pve/corosync.conf' does not exist",
    );
    expect(w.pmxcfsWritable('pve1')).toBe(true);
  });
});

describe('crm commands', () => {
  it('validates and queues ha-manager crm-command requests', () => {
    const w = cluster(3);
    expect(() => w.crmCommand('node1', 'enable-node-maintenance node9')).toThrow(
      "no such cluster node 'node9'",
    );
    expect(() => w.crmCommand('node1', 'migrate vm:100 node2')).toThrow(
      "resource 'vm:100' is not HA managed",
    );
    w.crmCommand('node1', 'enable-node-maintenance node2');
    expect(w.core.state.ha.crmCommands).toEqual(['enable-node-maintenance node2']);
  });
});
