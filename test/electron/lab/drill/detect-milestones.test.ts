import { describe, expect, it } from 'vitest';
import { detectMilestones, startDetection } from '../../../../electron/lab/drill/detect-milestones.ts';
import type {
  DetectionState,
  DrillTarget,
  MilestoneId,
} from '../../../../electron/lab/drill/detect-milestones.ts';
import { drillOutcome } from '../../../../electron/lab/drill/drill-outcome.ts';
import type { DrillEndRules, DrillOutcome } from '../../../../electron/lab/drill/drill-outcome.ts';
import {
  masterFailover,
  nasPowerOff,
  normalFailover,
  quorumLoss,
  record,
  resetInPlace,
  strictRuleNoNode,
} from './recorded-failovers.ts';
import type { World } from './recorded-failovers.ts';

const rules: DrillEndRules = { timeoutMs: 300_000, until: 'guest-answering', settleMs: 30_000 };

/** Replays a recording the way the polling loop does: fold, then ask whether it is over. */
function replay(
  target: DrillTarget,
  world: World,
  seconds = 400,
): { state: DetectionState; outcome?: DrillOutcome } {
  let state = startDetection(target, 0);
  for (const obs of record(world, seconds)) {
    state = detectMilestones(state, obs);
    const outcome = drillOutcome(state, rules);
    if (outcome) return { state, outcome };
  }
  return { state };
}

function times(state: DetectionState): Partial<Record<MilestoneId, number>> {
  return Object.fromEntries(state.milestones.map((m) => [m.id, m.at / 1000]));
}

describe('detectMilestones', () => {
  it('times a normal failover from pve2 to pve1, milestone by milestone', () => {
    const { state, outcome } = replay(
      { sid: 'vm:100', node: 'pve2', hitsNode: true, fault: 'power-off', masterBeforeFault: 'pve1' },
      normalFailover,
    );
    expect(outcome).toBe('recovered');
    expect(times(state)).toEqual({
      'fault-injected': 0,
      'node-offline': 4,
      'quorum-recomputed': 4,
      'ha-node-unknown': 8,
      fence: 56,
      fenced: 118,
      recovery: 118,
      'service-started': 118,
      'guest-running': 123,
      'guest-answering': 131,
    });
    expect(state.milestones.find((m) => m.id === 'service-started')?.node).toBe('pve1');
    expect(state.milestones.find((m) => m.id === 'fence')?.inferred).toBeUndefined();
    // The recovery state was never seen between polls: it is marked as inferred, not invented.
    expect(state.milestones.find((m) => m.id === 'recovery')?.inferred).toBe(true);
    expect(state.milestones.map((m) => m.at)).toEqual(
      [...state.milestones.map((m) => m.at)].sort((a, b) => a - b),
    );
  });

  it('infers fence and acknowledgement when a new master does them in one round (master died)', () => {
    const { state, outcome } = replay(
      { sid: 'vm:100', node: 'pve1', hitsNode: true, fault: 'power-off', masterBeforeFault: 'pve1' },
      masterFailover,
    );
    expect(outcome).toBe('recovered');
    const t = times(state);
    expect(t['node-offline']).toBe(3);
    expect(t['ha-node-unknown']).toBe(121);
    expect(t.fence).toBe(181);
    expect(t.fenced).toBe(181);
    expect(t['service-started']).toBe(181);
    expect(t['guest-answering']).toBe(192);
    expect(state.milestones.find((m) => m.id === 'fence')?.inferred).toBe(true);
    expect(state.milestones.find((m) => m.id === 'service-started')?.node).toBe('pve2');
  });

  it('reports no quorum and never a recovery when 2 of 3 nodes are gone', () => {
    const { state, outcome } = replay(
      { sid: 'vm:100', node: 'pve2', hitsNode: true, fault: 'power-off', masterBeforeFault: 'pve1' },
      quorumLoss,
    );
    expect(outcome).toBe('no-quorum');
    expect(state.milestones.map((m) => m.id)).toEqual([
      'fault-injected',
      'node-offline',
      'quorum-recomputed',
    ]);
    expect(state.milestones.find((m) => m.id === 'quorum-recomputed')?.quorate).toBe(false);
    expect(state.lastAt).toBe(300_000);
  });

  it('times out as not-recovered when a strict rule leaves no node to recover to', () => {
    const { state, outcome } = replay(
      { sid: 'vm:100', node: 'pve2', hitsNode: true, fault: 'power-off', masterBeforeFault: 'pve1' },
      strictRuleNoNode,
    );
    expect(outcome).toBe('not-recovered');
    const t = times(state);
    expect(t.fence).toBe(57);
    expect(t.fenced).toBe(117);
    expect(t['recovery']).toBe(117);
    expect(t['service-started']).toBeUndefined();
  });

  it('sees a reset node come back and restart its service in place, without fencing', () => {
    const { state, outcome } = replay(
      { sid: 'vm:100', node: 'pve2', hitsNode: true, fault: 'reset', masterBeforeFault: 'pve1' },
      resetInPlace,
    );
    expect(outcome).toBe('recovered');
    const t = times(state);
    expect(t['node-offline']).toBe(3);
    expect(t['node-online']).toBe(35);
    expect(t['service-started']).toBe(35);
    expect(t['guest-running']).toBe(44);
    expect(t['guest-answering']).toBe(50);
    expect(t.fence).toBeUndefined();
  });

  it('ends a NAS power-off as no-failover once the storage has been gone for the settle time', () => {
    const { state, outcome } = replay(
      { sid: 'vm:100', node: 'nas', hitsNode: false, fault: 'power-off', masterBeforeFault: 'pve1' },
      nasPowerOff,
    );
    expect(outcome).toBe('no-failover');
    expect(times(state)['storage-offline']).toBe(11);
    expect(state.lastAt).toBe(41_000);
    expect(state.milestones.some((m) => m.id === 'node-offline' || m.id === 'fence')).toBe(false);
  });

  it('keeps observing while nothing answers and gives up at the timeout', () => {
    const { state, outcome } = replay(
      { sid: 'vm:100', node: 'pve2', hitsNode: true, fault: 'power-off' },
      () => ({ via: '' }),
    );
    expect(outcome).toBe('not-recovered');
    expect(state.milestones.map((m) => m.id)).toEqual(['fault-injected']);
  });

  it('is pure: replaying the same recording twice gives the same result and leaves the input untouched', () => {
    const target: DrillTarget = { sid: 'vm:100', node: 'pve2', hitsNode: true, fault: 'power-off' };
    const start = startDetection(target, 0);
    const observations = record(normalFailover, 140);
    const fold = (): DetectionState => observations.reduce(detectMilestones, start);
    expect(fold()).toEqual(fold());
    expect(start.milestones).toHaveLength(1);
  });

  it('waits only for "guest running" when the guest has no agent', () => {
    let state = startDetection({ sid: 'vm:100', node: 'pve2', hitsNode: true, fault: 'power-off' }, 0);
    let outcome: DrillOutcome | undefined;
    for (const obs of record(normalFailover, 200)) {
      state = detectMilestones(state, obs);
      outcome = drillOutcome(state, { ...rules, until: 'guest-running' });
      if (outcome) break;
    }
    expect(outcome).toBe('recovered');
    expect(state.lastAt).toBe(123_000);
  });
});

describe('quorum milestones', () => {
  it('records quorum lost when a second node dies later, and regained after pvecm expected', () => {
    const world: World = (t) => ({
      via: 'pve1',
      cluster: {
        quorate: t < 20 || t >= 50,
        nodes: { pve1: true, pve2: t < 4, pve3: t < 20 },
      },
    });
    const { state } = replay({ sid: 'vm:100', node: 'pve2', hitsNode: true, fault: 'power-off' }, world, 60);
    expect(state.milestones.map((m) => [m.id, m.at / 1000])).toEqual([
      ['fault-injected', 0],
      ['node-offline', 4],
      ['quorum-recomputed', 4],
      ['quorum-lost', 20],
      ['quorum-regained', 50],
    ]);
    expect(state.milestones[2]?.quorate).toBe(true);
  });
});

describe('faults on a node that does not run the service', () => {
  /** pve3 is already off; pve2 loses power; vm:100 keeps running on pve1, which loses quorum. */
  const secondNodeLost: World = (t) => ({
    via: 'pve1',
    cluster: { quorate: t < 3, nodes: { pve1: true, pve2: t < 3, pve3: false } },
    ha: {
      master: 'pve1',
      nodeStatus: { pve1: 'online', pve2: 'online', pve3: 'unknown' },
      service: { state: 'started', node: 'pve1' },
    },
    guest: { node: 'pve1', status: 'running' },
  });

  it('infers no fence or recovery for a service that never ran on the target, and ends as observed', () => {
    let state = startDetection(
      { sid: 'vm:100', node: 'pve2', hitsNode: true, fault: 'power-off', serviceNodeBeforeFault: 'pve1' },
      0,
    );
    let outcome: DrillOutcome | undefined;
    for (const obs of record(secondNodeLost, 60)) {
      state = detectMilestones(state, obs);
      outcome = drillOutcome(state, { ...rules, until: 'quorum-recomputed' });
      if (outcome) break;
    }
    expect(outcome).toBe('observed');
    expect(state.milestones.map((m) => m.id)).toEqual([
      'fault-injected',
      'node-offline',
      'quorum-recomputed',
    ]);
    expect(state.milestones[2]).toMatchObject({ at: 3000, quorate: false });
  });

  it('ends a strict-rule drill at "recovery" as observed, not recovered', () => {
    let state = startDetection(
      { sid: 'vm:100', node: 'pve2', hitsNode: true, fault: 'power-off', serviceNodeBeforeFault: 'pve2' },
      0,
    );
    let outcome: DrillOutcome | undefined;
    for (const obs of record(strictRuleNoNode, 300)) {
      state = detectMilestones(state, obs);
      outcome = drillOutcome(state, { ...rules, until: 'recovery' });
      if (outcome) break;
    }
    expect(outcome).toBe('observed');
    expect(state.lastAt).toBe(117_000);
  });
});

describe('partial reads', () => {
  it('does not take a node missing from node_status as an acknowledged fence', () => {
    const target: DrillTarget = {
      sid: 'vm:100',
      node: 'pve2',
      hitsNode: true,
      fault: 'power-off',
      serviceNodeBeforeFault: 'pve2',
    };
    let state = startDetection(target, 0);
    state = detectMilestones(state, {
      at: 60_000,
      via: 'pve1',
      ha: { nodeStatus: { pve2: 'fence' }, service: { state: 'fence', node: 'pve2' } },
    });
    state = detectMilestones(state, { at: 61_000, via: 'pve1', ha: { nodeStatus: {} } });
    expect(state.milestones.map((m) => m.id)).toEqual(['fault-injected', 'fence']);
    state = detectMilestones(state, {
      at: 120_000,
      via: 'pve1',
      ha: { nodeStatus: { pve2: 'unknown' }, service: { state: 'recovery', node: 'pve2' } },
    });
    expect(state.milestones.map((m) => [m.id, m.at, m.inferred ?? false])).toEqual([
      ['fault-injected', 0, false],
      ['fence', 60_000, false],
      ['fenced', 120_000, false],
      ['recovery', 120_000, false],
    ]);
  });
});
