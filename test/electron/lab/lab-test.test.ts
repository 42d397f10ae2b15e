import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testLab } from '../../../electron/lab/lab-test.ts';
import { loadLabText } from '../../../electron/lab/script/load.ts';
import { FakeHypervisor } from './fakes/fake-hypervisor.ts';
import { FakePve } from './fakes/fake-pve.ts';
import { FakeShell } from './fakes/fake-shell.ts';
import type { Clock } from '../../../electron/clock/clock.ts';

const miniText = readFileSync(
  fileURLToPath(new URL('../../fixtures/labs/good/mini-cluster/lab.yaml', import.meta.url)),
  'utf8',
);

/** As fast as possible: every sleep advances virtual time at once. */
function fastClock(): Clock {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      t += ms;
      await new Promise<void>((r) => setImmediate(r));
    },
    hold: () => () => undefined,
  };
}

function run(text: string) {
  const loaded = loadLabText(text, 'lab.yaml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return testLab({
    lab: loaded.lab,
    profile: 'sim',
    pve: new FakePve(),
    hypervisor: new FakeHypervisor(),
    shell: new FakeShell(),
    clock: fastClock(),
  });
}

describe('testLab (teacher CI)', () => {
  it('passes a lab whose checks fail before and pass after each solve', async () => {
    const results = await run(miniText);
    expect(results.map((r) => [r.step, r.failedBefore, r.passedAfter, r.ok])).toEqual([
      ['create-cluster', true, true, true],
      ['join-pve2', true, true, true],
    ]);
  });

  it('flags a step whose checks already pass before the solve', async () => {
    const text = miniText.replace(`expect: "$count($[type='cluster']) = 1"`, `expect: "true"`);
    const results = await run(text);
    expect(results[0]).toMatchObject({
      step: 'create-cluster',
      failedBefore: false,
      passedAfter: true,
      ok: false,
      problem: 'the checks already pass before the solve',
    });
  });

  it('flags a solve that does not make the checks pass, and stops there', async () => {
    // The solve calls a path the API does not have.
    const text = miniText.replace('path: /cluster/config\n', 'path: /cluster/config/nope\n');
    const results = await run(text);
    expect(results).toHaveLength(1);
    expect(results[0]?.ok).toBe(false);
    expect(results[0]?.problem).toMatch(/solve action 1 \(api POST \/cluster\/config\/nope on pve1\)/);
  });
});
