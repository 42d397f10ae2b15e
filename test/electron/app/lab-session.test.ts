/**
 * The app's lab flow through the contract handlers, against the embedded simulator:
 * open a lab, type in a node's terminal, see the step pass, resume after a restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createApp, type App } from '../../../electron/app/create-app.ts';
import { createRouter } from '../../../electron/ipc/router.ts';
import { silentLogger } from '../../../electron/app/deps.ts';
import type { LabRunInfo, TaskInfo, TopologyInfo, TrustRequestInfo } from '../../../electron/contract/dto.ts';
import { loadLabFile } from '../../../electron/lab/script/load.ts';
import { startInstalledNodes, type InstalledNodes } from '../../support/installed-nodes.ts';

const labsDir = fileURLToPath(new URL('../../../labs', import.meta.url));

async function until<T>(
  probe: () => Promise<T> | T,
  ok: (value: T) => boolean,
  what: string,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)?.slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('lab session through the contract (simulator)', () => {
  let dataDir: string;
  let app: App;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'nestlab-session-'));
    app = await createApp({ shell: 'browser', dataDir, labsDir, log: silentLogger });
  });
  afterEach(async () => {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('passes the first step when the learner types pvecm create in the terminal', async () => {
    const opened = await app.handlers['lab.open']({ labId: 'proxmox-ha-basics', lang: 'es' });
    expect(opened.profile).toBe('sim');
    expect(opened.lang).toBe('es');
    expect(opened.steps[0]?.status).toBe('active');
    expect(opened.steps[1]?.status).toBe('locked');

    const output: string[] = [];
    app.hub.subscribe((event, payload) => {
      if (event === 'terminal.data') output.push((payload as { data: string }).data);
    });
    const first = opened.steps[0]!;
    const node = (await app.handlers['topology.getState']({}))?.nodes[0]?.name ?? 'pve1';
    const term = await app.handlers['terminal.open']({ node });
    await until(
      () => output.join(''),
      (text) => text.includes(`root@${node}:~# `),
      'the prompt',
    );
    await app.handlers['terminal.input']({ id: term.id, data: 'pvecm create lab\r' });
    await app.handlers['sim.setSpeed']({ speed: 'max' });
    const passed = await until(
      () => app.handlers['lab.check']({}),
      (s: LabRunInfo) => s.steps[0]?.status === 'passed',
      'the first step to pass',
    );
    expect(passed.steps[0]?.solvedBy).toBe('learner');
    expect(passed.activeStepId).toBe(passed.steps[1]?.id);
    expect(first.id).toBe(passed.steps[0]?.id);

    const topology = await until(
      () => app.handlers['topology.getState']({}),
      (t: TopologyInfo | null) => t?.clusterName === 'lab',
      'the topology to show the cluster',
    );
    expect(topology?.quorum).toMatchObject({ quorate: true, votes: 1, expected: 1, needed: 1 });
    // Terminals survive a renderer reload: opening again returns the same session and its scroll-back.
    const again = await app.handlers['terminal.open']({ node });
    expect(again.id).toBe(term.id);
    expect(again.scrollback).toContain('pvecm create lab');
  });

  it('resumes progress after a restart and rebuilds the simulated cluster', async () => {
    const opened = await app.handlers['lab.open']({ labId: 'proxmox-ha-basics' });
    await app.handlers['sim.setSpeed']({ speed: 'max' });
    const joinStep = opened.steps[1]!.id;
    const solved = await app.handlers['lab.solveUpTo']({ stepId: joinStep });
    expect(solved.error).toBeNull();
    expect(solved.steps.slice(0, 2).map((s) => s.solvedBy)).toEqual(['nestlab', 'nestlab']);
    await app.close();

    app = await createApp({ shell: 'browser', dataDir, labsDir, log: silentLogger });
    expect(await app.handlers['lab.getState']({})).toBeNull();
    const resumed = await app.handlers['lab.open']({ labId: 'proxmox-ha-basics' });
    expect(resumed.steps.slice(0, 2).map((s) => [s.status, s.solvedBy])).toEqual([
      ['passed', 'nestlab'],
      ['passed', 'nestlab'],
    ]);
    const topology = await until(
      () => app.handlers['topology.getState']({}),
      (t: TopologyInfo | null) => (t?.nodes.filter((n) => n.inCluster).length ?? 0) === 3,
      'the rebuilt three-node cluster',
    );
    expect(topology?.quorum?.expected).toBe(3);
  });

  it('shows solving a step and a reset as tasks: task.updated carries the fraction, then the outcome', async () => {
    const tasks: TaskInfo[] = [];
    app.hub.subscribe((event, payload) => {
      if (event === 'task.updated') tasks.push(payload as TaskInfo);
    });
    const opened = await app.handlers['lab.open']({ labId: 'proxmox-ha-basics' });
    const first = opened.steps[0]!;
    const solved = await app.handlers['lab.solveStep']({ stepId: first.id });
    expect(solved.steps[0]?.status).toBe('passed');
    const solving = tasks.filter((t) => t.title === `Solving: ${first.title}`);
    expect(solving[0]).toMatchObject({ state: 'running', fraction: 0 });
    const between = solving.filter(
      (t) => t.state === 'running' && t.fraction !== null && t.fraction > 0 && t.fraction < 1,
    );
    expect(between.length).toBeGreaterThan(0);
    // Fractions only grow.
    const fractions = solving.map((t) => t.fraction ?? 0);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
    expect(solving.at(-1)).toMatchObject({ state: 'done', fraction: 1 });

    await app.handlers['lab.reset']({});
    const reset = tasks.filter((t) => t.title === 'Starting the lab over');
    expect(reset.map((t) => t.state)).toEqual(['running', 'running', 'running', 'running', 'done']);
    expect(reset.at(-1)?.fraction).toBe(1);
  });

  it("names its tasks in the lab's language (solve up to, reset)", async () => {
    const tasks: TaskInfo[] = [];
    app.hub.subscribe((event, payload) => {
      if (event === 'task.updated') tasks.push(payload as TaskInfo);
    });
    const opened = await app.handlers['lab.open']({ labId: 'proxmox-ha-basics', lang: 'es' });
    await app.handlers['lab.solveUpTo']({ stepId: opened.steps[0]!.id });
    await app.handlers['lab.reset']({});
    const state = await app.handlers['lab.getState']({});
    expect(state?.steps[0]?.status).toBe('active');
    expect(
      tasks.some((t) => t.title === `Resolviendo hasta: ${opened.steps[0]!.title}` && t.state === 'done'),
    ).toBe(true);
    expect(tasks.some((t) => t.title === 'Reiniciando el laboratorio' && t.state === 'done')).toBe(true);
  });

  it('refuses session calls with no lab open, and unknown labs', async () => {
    await expect(async () =>
      app.handlers['machine.act']({ machine: 'pve1', action: 'power-off' }),
    ).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(app.handlers['lab.open']({ labId: 'no-such-lab' })).rejects.toMatchObject({
      code: 'not-found',
    });
  });
});

describe('lab session on the VirtualBox backend (stand-in nodes)', () => {
  // The fake vboxwebsrv, the simulator's HTTPS nodes and ssh servers stand in for installed nodes.
  let nodes: InstalledNodes;
  let dataDir: string;
  beforeEach(async () => {
    const loaded = await loadLabFile(join(labsDir, 'proxmox-ha-basics', 'lab.yaml'));
    if (!loaded.ok) throw new Error('the seed lab does not load');
    const profile = loaded.lab.profiles.find((p) => p.id === 'virtualbox-light')!;
    nodes = await startInstalledNodes(loaded.lab, profile);
    dataDir = await mkdtemp(join(tmpdir(), 'nestlab-session-vbox-'));
  });
  afterEach(async () => {
    await nodes.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const vboxApp = () =>
    createApp({
      shell: 'browser',
      dataDir,
      labsDir,
      log: silentLogger,
      backend: 'virtualbox',
      virtualBox: nodes.reach,
    });

  it('asks the learner to confirm each node once, through the contract, then runs the lab', async () => {
    let app = await vboxApp();
    const asked: TrustRequestInfo[] = [];
    app.hub.subscribe((event, payload) => {
      const pending = payload as TrustRequestInfo[];
      if (event !== 'trust.requests' || pending.length === 0) return;
      const question = pending[0]!;
      asked.push(question);
      // The learner compares the fingerprint with the node's own and trusts it.
      expect(question.fingerprint).toBe(nodes.fingerprint(question.node));
      void app.handlers['trust.answer']({ id: question.id, accept: true });
    });
    const opened = await app.handlers['lab.open']({
      labId: 'proxmox-ha-basics',
      profile: 'virtualbox-light',
    });
    expect(opened.backend).toBe('virtualbox');
    expect(asked.map((q) => [q.node, q.kind, q.previous])).toEqual(
      expect.arrayContaining([
        ['pve1', 'tls', null],
        ['pve2', 'tls', null],
        ['pve3', 'tls', null],
      ]),
    );
    expect(await app.handlers['trust.pending']({})).toEqual([]);
    await app.close();

    // Another day: the answers are remembered, nothing is asked again.
    app = await vboxApp();
    const askedAgain: unknown[] = [];
    app.hub.subscribe((event, payload) => {
      if (event === 'trust.requests' && (payload as unknown[]).length > 0) askedAgain.push(payload);
    });
    await app.handlers['lab.open']({ labId: 'proxmox-ha-basics', profile: 'virtualbox-light' });
    expect(askedAgain).toEqual([]);
    await app.close();
  });

  it('reports a VirtualBox that stopped answering on reset as the backend, not as an internal error', async () => {
    const app = await vboxApp();
    app.hub.subscribe((event, payload) => {
      const pending = payload as TrustRequestInfo[];
      if (event === 'trust.requests' && pending[0])
        void app.handlers['trust.answer']({ id: pending[0].id, accept: true });
    });
    await app.handlers['lab.open']({ labId: 'proxmox-ha-basics', profile: 'virtualbox-light' });
    // vboxwebsrv goes away (VirtualBox quit): the reset cannot attach to the lab's machines again.
    await nodes.fake.close();
    const router = createRouter(app.handlers);
    const outcome = await router.dispatch('lab.reset', {});
    expect(outcome).toMatchObject({ error: { code: 'backend-unavailable' } });
    expect(await app.handlers['lab.getState']({})).toBeNull();
    await app.close();
  });

  it('does not talk to a node whose certificate the learner refused', async () => {
    const app = await vboxApp();
    app.hub.subscribe((event, payload) => {
      const pending = payload as TrustRequestInfo[];
      if (event === 'trust.requests' && pending[0])
        void app.handlers['trust.answer']({ id: pending[0].id, accept: false });
    });
    await expect(
      app.handlers['lab.open']({ labId: 'proxmox-ha-basics', profile: 'virtualbox-light' }),
    ).rejects.toThrow(/pve\d: .*not confirmed; refusing to connect/);
    expect(await app.handlers['lab.getState']({})).toBeNull();
    await app.close();
  });
});
