/** Shell, hypervisor and wait actions through the runner, with a lab written for the test. */
import { describe, expect, it } from 'vitest';
import { LabRunner } from '../../../../electron/lab/runner.ts';
import { loadLabText } from '../../../../electron/lab/script/load.ts';
import { FakeHypervisor } from '../fakes/fake-hypervisor.ts';
import { FakePve } from '../fakes/fake-pve.ts';
import { FakeShell, type ShellCall } from '../fakes/fake-shell.ts';
import { ManualClock, settle } from '../fakes/manual-clock.ts';
import { MemoryProgressStore } from '../../../../electron/lab/memory-progress-store.ts';

const header = `
id: actions
version: 1
title: { en: Actions }
summary: { en: Solve actions. }
estimatedTime: { en: 1 minute }
level: { en: Beginner }
vars: { rootPassword: nestlab, clusterName: minilab }
profiles:
  - id: sim
    title: { en: Sim }
    backends: [sim]
    minHostMemoryMiB: 1024
    networks: [{ name: lab, cidr: 192.168.56.1/24 }]
    machines:
      - { name: pve1, kind: pve, memoryMiB: 2048, cpus: 2, nics: [{ network: lab, address: 192.168.56.11/24 }] }
      - { name: pve2, kind: pve, memoryMiB: 2048, cpus: 2, nics: [{ network: lab, address: 192.168.56.12/24 }] }
steps:
  - id: cluster
    title: { en: Cluster }
    instructions: { en: Make a cluster. }
    checks:
      - id: has-cluster
        query: { node: pve1, path: /cluster/status }
        expect: "$count($[type='cluster']) = 1"
        message: { en: cluster exists }
`;

function setup(solve: string, answer?: (call: ShellCall) => { output: string; exitCode: number }) {
  const loaded = loadLabText(`${header}    solve:\n${solve}`, 'actions.yaml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors, null, 1));
  const pve = new FakePve();
  const clock = new ManualClock();
  const shell = new FakeShell(
    answer ??
      ((call) => {
        if (call.command.startsWith('pvecm create')) {
          pve.clusterName = call.command.split(' ')[2];
          pve.members.add(call.node);
        }
        return { output: 'ok\n', exitCode: 0 };
      }),
  );
  const hypervisor = new FakeHypervisor();
  const runner = new LabRunner({
    lab: loaded.lab,
    profile: 'sim',
    pve,
    hypervisor,
    shell,
    clock,
    store: new MemoryProgressStore(),
    lang: 'en',
    autoCheckIntervalMs: 1000,
    solveSettleMs: 3000,
  });
  return { runner, pve, clock, shell, hypervisor };
}

describe('solve actions', () => {
  it('shell: templated command and prompt answers on the node', async () => {
    const { runner, shell } = setup(`
      - action: shell
        node: pve1
        command: "pvecm create {{ vars.clusterName }}"
        input: ["yes", "{{ vars.rootPassword }}"]
        save: created
`);
    const state = await runner.solveStep();
    expect(shell.calls).toEqual([
      { node: 'pve1', command: 'pvecm create minilab', input: ['yes', 'nestlab'] },
    ]);
    expect(state.steps[0]?.solvedBy).toBe('nestlab');
  });

  it('shell: a wrong exit code fails with the tail of the output', async () => {
    const { runner } = setup(
      `
      - action: shell
        node: pve1
        command: pvecm create x
`,
      () => ({ output: 'line1\nline2\ncluster config already exists\n', exitCode: 255 }),
    );
    const state = await runner.solveStep();
    expect(state.steps[0]?.status).toBe('failed');
    expect(state.error).toBe(
      'step "cluster", solve action 1 (shell on pve1): "pvecm create x" exited with 255, expected 0:\nline1\nline2\ncluster config already exists',
    );
  });

  it('hypervisor: power and cable operations reach the driver', async () => {
    const { runner, hypervisor, pve } = setup(`
      - { action: hypervisor, machine: pve2, operation: power-off }
      - { action: hypervisor, machine: pve2, operation: power-on }
      - { action: hypervisor, machine: pve1, operation: cable-out }
      - { action: hypervisor, machine: pve1, operation: cable-in }
      - { action: hypervisor, machine: pve1, operation: acpi-shutdown }
      - { action: hypervisor, machine: pve1, operation: reset }
      - { action: api, node: pve1, method: POST, path: /cluster/config, params: { clustername: c }, waitTask: true }
`);
    await runner.solveStep();
    expect(hypervisor.calls).toEqual([
      'power-off pve2',
      'power-on pve2',
      'cable-out pve1',
      'cable-in pve1',
      'acpi-shutdown pve1',
      'reset pve1',
    ]);
    expect(pve.clusterName).toBe('c');
  });

  it('wait: polls on the clock until the expression holds', async () => {
    const { runner, pve, clock } = setup(`
      - action: wait
        query: { node: pve1, path: /cluster/status }
        until: "$count($[type='cluster']) = 1"
        timeoutSeconds: 60
        intervalSeconds: 2
`);
    const done = runner.solveStep();
    await clock.advance(4000);
    expect(pve.calls).toHaveLength(3); // t=0, 2 s, 4 s
    expect(runner.getState().busy).toBe('solving cluster');
    pve.clusterName = 'byhand';
    pve.members.add('pve1');
    await clock.advance(2000);
    const state = await done;
    expect(state.steps[0]?.status).toBe('passed');
  });

  it('wait: times out on the clock and says what it waited for', async () => {
    const { runner, clock, pve } = setup(`
      - action: wait
        query: { node: pve1, path: /cluster/status }
        until: "$count($[type='cluster']) = 1"
        timeoutSeconds: 10
`);
    pve.failures.set('GET /cluster/status', 'node restarting');
    const done = runner.solveStep();
    await clock.advance(11_000);
    const state = await done;
    expect(state.steps[0]?.status).toBe('failed');
    expect(state.error).toMatch(
      /waited 10 s for "\$count\(\$\[type='cluster'\]\) = 1" on \/cluster\/status: the condition stayed false/,
    );
  });

  it('a solve whose checks never turn green fails after the settle time', async () => {
    const { runner, clock } = setup(`
      - { action: hypervisor, machine: pve1, operation: power-on }
`);
    const done = runner.solveStep();
    await clock.advance(5000);
    const state = await done;
    expect(state.steps[0]?.status).toBe('failed');
    expect(state.error).toBe('step "cluster": the solve ran but these checks still fail: has-cluster');
  });

  it('stop() aborts a solve that is waiting', async () => {
    const { runner, clock } = setup(`
      - action: wait
        query: { node: pve1, path: /cluster/status }
        until: "false"
        timeoutSeconds: 600
`);
    await runner.start();
    const done = runner.solveStep();
    await clock.advance(3000);
    await runner.stop();
    const state = await done;
    expect(state.steps[0]?.status).toBe('failed');
    expect(state.error).toBe('step "cluster": solve stopped');
    await settle();
    expect(clock.pendingTimers).toBe(0);
  });
});
