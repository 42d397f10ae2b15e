import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { LabRunInfo } from '../../../electron/contract/dto.ts';
import { LabRunner, type LabRunnerOptions } from '../../../electron/lab/runner.ts';
import { loadLabText } from '../../../electron/lab/script/load.ts';
import type { LabFile } from '../../../electron/lab/script/schema.ts';
import { FakeHypervisor } from './fakes/fake-hypervisor.ts';
import { FakePve } from './fakes/fake-pve.ts';
import { FakeShell } from './fakes/fake-shell.ts';
import { ManualClock, settle } from './fakes/manual-clock.ts';
import { MemoryProgressStore } from '../../../electron/lab/memory-progress-store.ts';

const miniText = readFileSync(
  fileURLToPath(new URL('../../fixtures/labs/good/mini-cluster/lab.yaml', import.meta.url)),
  'utf8',
);

function lab(text = miniText): LabFile {
  const loaded = loadLabText(text, 'test.yaml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.lab;
}

function setup(overrides: Partial<LabRunnerOptions> = {}) {
  const pve = new FakePve();
  const clock = new ManualClock();
  const store = new MemoryProgressStore();
  const shell = new FakeShell();
  const hypervisor = new FakeHypervisor();
  const states: LabRunInfo[] = [];
  const runner = new LabRunner({
    lab: lab(),
    profile: 'sim',
    pve,
    hypervisor,
    shell,
    clock,
    store,
    lang: 'en',
    autoCheckIntervalMs: 1000,
    solveSettleMs: 5000,
    now: () => new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  });
  runner.onState((s) => states.push(s));
  return { runner, pve, clock, store, shell, hypervisor, states };
}

const statuses = (s: LabRunInfo): string[] => s.steps.map((x) => `${x.id}:${x.status}`);

describe('LabRunner', () => {
  it('starts with the first applicable step active and the rest locked', async () => {
    const { runner } = setup();
    const state = await runner.start();
    // install-nodes is a VirtualBox-only step: not part of a sim run.
    expect(statuses(state)).toEqual(['create-cluster:active', 'join-pve2:locked']);
    expect(state.activeStepId).toBe('create-cluster');
    expect(state.progress).toEqual({ passed: 0, total: 2 });
    expect(state.steps[0]?.hintsTotal).toBe(2);
    await runner.stop();
  });

  it('includes backend-specific steps for their backend and refuses a wrong profile', () => {
    const { runner } = setup({ profile: 'virtualbox', backend: 'virtualbox' });
    expect(runner.getState().steps.map((s) => s.id)).toEqual([
      'install-nodes',
      'create-cluster',
      'join-pve2',
    ]);
    expect(() => setup({ profile: 'virtualbox' })).toThrow(/does not run on the sim backend/);
    expect(() => setup({ profile: 'nope' })).toThrow(/no profile "nope" \(profiles: sim, virtualbox\)/);
  });

  it('auto-checks the active step on the clock and passes it when the learner did the work', async () => {
    const { runner, pve, clock, store, states } = setup();
    await runner.start();
    await clock.advance(1000);
    expect(pve.calls.filter((c) => c.path === '/cluster/status')).toHaveLength(1);
    expect(runner.getState().steps[0]?.status).toBe('active');

    // The learner creates the cluster by hand.
    pve.clusterName = 'minilab';
    pve.members.add('pve1');
    await clock.advance(1000);
    const state = runner.getState();
    expect(statuses(state)).toEqual(['create-cluster:passed', 'join-pve2:active']);
    expect(state.steps[0]?.solvedBy).toBe('learner');
    // Background checks do not make the step blink "checking" (only asked-for checks do).
    expect(states.some((s) => s.steps[0]?.status === 'checking')).toBe(false);
    expect(store.saved.get('mini-cluster.sim')?.steps['create-cluster']).toEqual({
      passedBy: 'learner',
      passedAt: '2026-01-01T00:00:00.000Z',
    });

    // No checks while nobody advances the clock: the interval is the clock's, not the host's.
    const before = pve.calls.length;
    await settle();
    expect(pve.calls.length).toBe(before);
    await runner.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it('an explicit check that fails marks the step failed with what was observed', async () => {
    const { runner, pve, states } = setup();
    pve.clusterName = 'minilab';
    pve.members.add('pve1');
    await runner.check();
    const state = await runner.check();
    const join = state.steps[1];
    expect(join?.status).toBe('failed');
    // The learner asked: the step showed "checking" while the check ran.
    expect(states.some((s) => s.steps[1]?.status === 'checking')).toBe(true);
    expect(join?.checks).toEqual([
      {
        id: 'two-nodes-online',
        ok: false,
        message: 'Both nodes are members and online — 1 of 2 nodes online',
      },
    ]);
  });

  it('reports a failing API call in the check, not as a crash', async () => {
    const { runner, pve } = setup();
    pve.failures.set('GET /cluster/status', 'connection refused');
    const state = await runner.check();
    expect(state.steps[0]?.status).toBe('failed');
    expect(state.steps[0]?.checks[0]?.error).toBe('GET /cluster/status on pve1: connection refused');
  });

  it('solves a step through the API with templates (vars, saved results) and marks it solved by NestLab', async () => {
    const { runner, pve, store } = setup();
    await runner.solveStep();
    let state = runner.getState();
    expect(statuses(state)).toEqual(['create-cluster:passed', 'join-pve2:active']);
    expect(state.steps[0]?.solvedBy).toBe('nestlab');
    expect(pve.calls.find((c) => c.method === 'POST')?.params).toEqual({ clustername: 'minilab' });

    state = await runner.solveStep('join-pve2');
    expect(statuses(state)).toEqual(['create-cluster:passed', 'join-pve2:passed']);
    const join = pve.calls.find((c) => c.path === '/cluster/config/join' && c.method === 'POST');
    // fingerprint came from the saved join information; password from the lab's vars.
    expect(join?.params).toEqual({ hostname: '192.168.56.11', fingerprint: 'AA:11', password: 'nestlab' });
    expect(join?.node).toBe('pve2');
    expect(state.activeStepId).toBeNull();
    expect(state.progress).toEqual({ passed: 2, total: 2 });
    expect(Object.values(store.saved.get('mini-cluster.sim')?.steps ?? {}).map((s) => s.passedBy)).toEqual([
      'nestlab',
      'nestlab',
    ]);
  });

  it('solves up to a step, in order', async () => {
    const { runner } = setup();
    const state = await runner.solveUpTo('join-pve2');
    expect(state.steps.map((s) => s.solvedBy)).toEqual(['nestlab', 'nestlab']);
    await expect(runner.solveUpTo('nope')).rejects.toThrow(/no step "nope"/);
  });

  it('refuses to solve a step that is not active', async () => {
    const { runner } = setup();
    await expect(runner.solveStep('join-pve2')).rejects.toThrow(/not the active step \("create-cluster"\)/);
  });

  it('a failing solve marks the step failed and names the action and the call', async () => {
    const { runner, pve } = setup();
    await runner.solveStep();
    pve.failures.set('POST /cluster/config/join', 'permission denied');
    const state = await runner.solveUpTo('join-pve2');
    expect(state.steps[1]?.status).toBe('failed');
    expect(state.error).toBe(
      'step "join-pve2", solve action 2 (api POST /cluster/config/join on pve2): POST /cluster/config/join on pve2: permission denied',
    );
    expect(state.busy).toBeNull();
  });

  it('a task that fails fails the solve', async () => {
    const { runner, pve } = setup();
    pve.failTasks = true;
    const state = await runner.solveStep();
    expect(state.steps[0]?.status).toBe('failed');
    expect(state.error).toMatch(/solve action 1 .*task UPID:pve1:\S+ ended with "command failed"/);
  });

  it('resumes saved progress after a restart, and drops it when the lab version changed', async () => {
    const first = setup();
    await first.runner.showHint();
    await first.runner.solveStep();
    await first.runner.stop();

    const second = setup({ store: first.store });
    const state = await second.runner.start();
    expect(statuses(state)).toEqual(['create-cluster:passed', 'join-pve2:active']);
    expect(state.steps[0]?.solvedBy).toBe('nestlab');
    expect(state.steps[0]?.hintsShown).toEqual(['The cluster is created from one node only.']);
    await second.runner.stop();

    const bumped = { ...lab(), version: 2 };
    const third = setup({ store: first.store, lab: bumped });
    expect(statuses(await third.runner.start())).toEqual(['create-cluster:active', 'join-pve2:locked']);
    await third.runner.stop();
  });

  it('reveals hints one at a time, in the learner language, and persists them', async () => {
    const { runner, store } = setup({ lang: 'es' });
    let state = await runner.showHint();
    expect(state.steps[0]?.hintsShown).toEqual(['The cluster is created from one node only.']);
    state = await runner.showHint();
    state = await runner.showHint();
    expect(state.steps[0]?.hintsShown).toHaveLength(2);
    expect(store.saved.get('mini-cluster.sim')?.hintsShown).toEqual({ 'create-cluster': 2 });
    // Spanish where the lab has it, English otherwise.
    expect(state.title).toBe('Construir un clúster de dos nodos');
    expect(state.steps[0]?.title).toBe('Create the cluster');
    expect(runner.setLanguage('en').title).toBe('Build a two-node cluster');
  });

  it('reset forgets progress', async () => {
    const { runner, store } = setup();
    await runner.solveUpTo('join-pve2');
    const state = await runner.reset();
    expect(statuses(state)).toEqual(['create-cluster:active', 'join-pve2:locked']);
    expect(state.steps.every((s) => s.solvedBy === null)).toBe(true);
    expect(store.saved.size).toBe(0);
  });

  it('emits lab.state snapshots as plain data that later changes do not touch', async () => {
    const { runner, states } = setup();
    await runner.solveUpTo('join-pve2');
    expect(states.length).toBeGreaterThan(3);
    for (const s of states) expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    // The first snapshot still shows the start, although both steps have passed since.
    expect(states[0]?.steps.map((x) => x.status)).toEqual(['active', 'locked']);
    expect(states.some((s) => s.busy === 'solving create-cluster')).toBe(true);
    expect(states.at(-1)?.progress).toEqual({ passed: 2, total: 2 });
  });

  it("runs a step's drill through the DrillRunner after its actions, before its checks", async () => {
    const withDrill = miniText
      .replace(
        '      - action: wait\n',
        '      - { action: hypervisor, machine: pve2, operation: power-on }\n      - action: wait\n',
      )
      .replace(
        '    hints:\n      - { en: The cluster is created from one node only. }',
        '    drill:\n      target: { select: machine, machine: pve1 }\n      resource: vm:100\n      fault: cable-out\n      until: { milestone: node-offline, timeoutSeconds: 60 }\n    hints:\n      - { en: The cluster is created from one node only. }',
      );
    const order: string[] = [];
    const { runner, pve, hypervisor } = setup({
      lab: lab(withDrill),
      drills: {
        run: async ({ step, drill, profile, signal }) => {
          order.push(
            `drill ${step.id} ${drill.fault} ${drill.target.select} ${profile} aborted=${signal.aborted}`,
          );
          order.push(`cluster before drill: ${pve.clusterName ?? 'none'}`);
        },
      },
    });
    const state = await runner.solveUpTo('join-pve2');
    expect(order).toEqual([
      'drill create-cluster cable-out machine sim aborted=false',
      'cluster before drill: minilab',
    ]);
    expect(state.steps[0]?.hasDrill).toBe(true);
    expect(state.steps[1]?.hasDrill).toBe(false);
    expect(hypervisor.calls).toEqual(['power-on pve2']);
  });

  it('a check passes only when its expression is exactly true', async () => {
    const truthy = miniText.replace(`expect: "$count($[type='cluster']) = 1"`, `expect: "$count($)"`);
    const { runner } = setup({ lab: lab(truthy) });
    const state = await runner.check();
    expect(state.steps[0]?.checks[0]?.ok).toBe(false);
  });
});
