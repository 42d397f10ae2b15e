import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../electron/sim/scenario/scenario-load.ts';
import { buildScenarioWorld } from '../../../electron/sim/scenario/scenario-world.ts';
import type { WorldTransition } from '../../../electron/sim/world-types.ts';

const SCENARIO = parseScenario(
  'nodes: [node1, node2, node3, node4]\nservices: [{ sid: vm:100, node: node2 }, { sid: vm:101, node: node1 }, { sid: ct:102, node: node3 }]\n',
  'snap.yaml',
);

function record(fn: (log: WorldTransition[]) => void): WorldTransition[] {
  const log: WorldTransition[] = [];
  fn(log);
  return log;
}

describe('world determinism and checkpoints', () => {
  it('the same faults give the same transitions, run after run', () => {
    const run = () =>
      record((log) => {
        const w = buildScenarioWorld(SCENARIO);
        w.onTransition((t) => log.push(t));
        w.runUntil(60_000);
        w.powerOff('node1');
        w.setCable('node3', false);
        w.runUntil(500_000);
      });
    expect(run()).toEqual(run());
  });

  it('a restored checkpoint replays exactly what the original went on to do', () => {
    const w = buildScenarioWorld(SCENARIO);
    w.runUntil(60_000);
    w.powerOff('node1'); // restore in the middle of a failover: timers must come back too
    w.runUntil(100_000);
    const snap = w.snapshot();
    const relative = (log: WorldTransition[]) => log.map((t) => ({ ...t, t: t.t - 100_000 }));
    const first = record((log) => {
      const off = w.onTransition((t) => log.push(t));
      w.runUntil(400_000);
      off();
    });
    expect(first.some((t) => t.subject === 'vm:101' && t.to === 'recovery')).toBe(true);
    w.restore(snap);
    expect(w.now()).toBe(100_000);
    const second = record((log) => {
      const off = w.onTransition((t) => log.push(t));
      w.runUntil(400_000);
      off();
    });
    expect(relative(second)).toEqual(relative(first));
  });
});
