import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../electron/sim/clock/virtual-clock.ts';

const clocks: VirtualClock[] = [];
function clock(start = 0): VirtualClock {
  const c = new VirtualClock(start);
  clocks.push(c);
  return c;
}
afterEach(() => {
  for (const c of clocks.splice(0)) c.dispose();
});

describe('VirtualClock (manual mode)', () => {
  it('runs events in time order, same-time events in scheduling order, and stops at the target', () => {
    const c = clock();
    const seen: string[] = [];
    c.schedule(30, () => seen.push('c@' + c.now()));
    c.schedule(10, () => seen.push('a@' + c.now()));
    c.schedule(10, () => seen.push('b@' + c.now()));
    c.schedule(50, () => seen.push('late'));
    c.runUntil(40);
    expect(seen).toEqual(['a@10', 'b@10', 'c@30']);
    expect(c.now()).toBe(40);
    expect(c.pendingEvents()).toBe(1);
  });

  it('runs events scheduled by events within the same run', () => {
    const c = clock();
    const seen: number[] = [];
    c.schedule(5, () => c.schedule(c.now() + 5, () => seen.push(c.now())));
    c.runUntil(100);
    expect(seen).toEqual([10]);
  });

  it('cancel removes an event', () => {
    const c = clock();
    let fired = false;
    const h = c.schedule(10, () => (fired = true));
    c.cancel(h);
    c.runUntil(20);
    expect(fired).toBe(false);
  });

  it('sleep resolves at its virtual time and rejects when aborted', async () => {
    const c = clock(1000);
    const p = c.sleep(500);
    c.runUntil(1499);
    let done = false;
    void p.then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    c.runUntil(1500);
    await p;
    const ac = new AbortController();
    const q = c.sleep(100, ac.signal);
    ac.abort(new Error('stop'));
    await expect(q).rejects.toThrow('stop');
    expect(c.pendingEvents()).toBe(0);
  });

  it('refuses nested runUntil from inside an event', () => {
    const c = clock();
    let error: unknown;
    c.schedule(1, () => {
      try {
        c.runUntil(5);
      } catch (e) {
        error = e;
      }
    });
    c.runUntil(2);
    expect(String(error)).toContain('inside a scheduled event');
  });
});

describe('VirtualClock (fast mode)', () => {
  it('jumps from event to event and lets promise continuations run between steps', async () => {
    const c = clock();
    c.setMode({ kind: 'fast' });
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      await c.sleep(60_000);
      times.push(c.now());
    }
    expect(times).toEqual([60_000, 120_000, 180_000]);
  });

  it('does not advance while a hold is outstanding', async () => {
    const c = clock();
    c.setMode({ kind: 'fast' });
    const release = c.hold('http call');
    let fired = false;
    c.schedule(1000, () => (fired = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toBe(false);
    expect(c.heldBy()).toEqual(['http call']);
    release();
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toBe(true);
  });

  it('maxRatio caps virtual time to a multiple of wall time (an idle app does not spin)', async () => {
    const c = clock();
    c.setMode({ kind: 'fast', maxRatio: 1000 });
    let fired = false;
    c.schedule(3_600_000, () => (fired = true)); // one virtual hour = 3.6 s wall at ×1000
    await new Promise((r) => setTimeout(r, 50));
    expect(fired).toBe(false);
    expect(c.now()).toBeLessThan(3_600_000);
  });
});

describe('VirtualClock (realtime mode)', () => {
  it('maps wall time × speed and fires events from timers', async () => {
    const c = clock();
    c.setMode({ kind: 'realtime', speed: 100 });
    const fired = new Promise<number>((resolve) => c.schedule(2000, () => resolve(c.now())));
    const at = await fired; // 2 s virtual = 20 ms wall
    expect(at).toBeGreaterThanOrEqual(2000);
    expect(c.now()).toBeGreaterThanOrEqual(2000);
  });

  it('rejects a non-positive speed', () => {
    expect(() => clock().setMode({ kind: 'realtime', speed: 0 })).toThrow('speed must be > 0');
  });
});
