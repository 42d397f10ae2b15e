import { describe, expect, it } from 'vitest';

import { I18n } from '../../../../renderer/lib/i18n/i18n.svelte.ts';
import { AppModel } from '../../../../renderer/lib/state/app-model.ts';
import { AppShell } from '../../../../renderer/lib/state/app-shell.svelte.ts';
import { LabRunState } from '../../../../renderer/lib/state/lab-run.svelte.ts';
import { FakeEngine } from '../../support/fake-client.ts';
import { appInfo, healthyTopology, labRun, settings, step } from '../../support/fixtures.ts';

describe('LabRunState', () => {
  it('takes each lab.state snapshot whole and follows the active step', async () => {
    const fake = new FakeEngine({ 'lab.getState': () => labRun() });
    const state = new LabRunState(fake.client);
    await state.load();
    expect(state.viewedStep?.id).toBe('create-cluster');
    fake.emit(
      'lab.state',
      labRun({
        steps: [
          step('create-cluster', { status: 'passed', solvedBy: 'learner' }),
          step('join-nodes', { status: 'active' }),
          step('failover'),
        ],
      }),
    );
    expect(state.run?.progress).toEqual({ passed: 1, total: 3 });
    expect(state.viewedStep?.id).toBe('join-nodes');
    state.viewStep('create-cluster');
    expect(state.viewedStep?.status).toBe('passed');
  });

  it('moves on to the next step when the step on show passes', async () => {
    const fake = new FakeEngine({ 'lab.getState': () => labRun() });
    const state = new LabRunState(fake.client);
    await state.load();
    state.viewStep('create-cluster');
    fake.emit(
      'lab.state',
      labRun({
        steps: [step('create-cluster', { status: 'checking' }), step('join-nodes'), step('failover')],
      }),
    );
    expect(state.viewedStep?.id).toBe('create-cluster');
    fake.emit(
      'lab.state',
      labRun({
        steps: [
          step('create-cluster', { status: 'passed', solvedBy: 'learner' }),
          step('join-nodes', { status: 'active' }),
          step('failover'),
        ],
      }),
    );
    expect(state.viewedStep?.id).toBe('join-nodes');
    // Looking back at a passed step is left alone.
    state.viewStep('create-cluster');
    fake.emit(
      'lab.state',
      labRun({
        steps: [
          step('create-cluster', { status: 'passed', solvedBy: 'learner' }),
          step('join-nodes', { status: 'checking' }),
          step('failover'),
        ],
      }),
    );
    expect(state.viewedStep?.id).toBe('create-cluster');
  });

  it("shows the engine's error message when a call fails", async () => {
    const fake = new FakeEngine({});
    const state = new LabRunState(fake.client);
    expect(await state.open('nope')).toBe(false);
    expect(state.error).toBe('No fake handler for lab.open');
  });
});

describe('AppModel', () => {
  it('rebuilds every snapshot from *.getState after a reconnect', async () => {
    let opened = false;
    const fake = new FakeEngine({
      'app.info': () => appInfo,
      'settings.get': () => settings,
      'lab.list': () => ({ labs: [], problems: [] }),
      'lab.getState': () => (opened ? labRun() : null),
      'topology.getState': () => (opened ? healthyTopology : null),
      'sim.getClock': () => (opened ? { ms: 4200, speed: 10 } : null),
      'drill.getState': () => ({ running: false, phase: null, elapsedMs: 0, milestones: [], report: null }),
      'drill.history': () => [],
      'trust.pending': () =>
        opened
          ? [
              {
                id: 't1',
                lab: 'proxmox-ha-basics',
                node: 'pve1',
                kind: 'tls',
                fingerprint: 'AB:CD',
                previous: null,
              },
            ]
          : [],
    });
    const model = new AppModel(fake.client, new I18n());
    await model.refresh();
    expect(model.labRun.run).toBeNull();
    expect(model.trust.current).toBeNull();
    // Events were missed while disconnected: the snapshots come back from the getState calls.
    opened = true;
    fake.reconnect();
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setTimeout(r, 0));
    expect(model.labRun.run?.labId).toBe('proxmox-ha-basics');
    expect(model.topology.topology?.clusterName).toBe('lab');
    expect(model.clock.clock).toEqual({ ms: 4200, speed: 10 });
    expect(fake.callsOf('drill.history')).toEqual([{ labId: 'proxmox-ha-basics' }]);
    // A fingerprint question asked while the page was away is shown again.
    expect(model.trust.current?.node).toBe('pve1');
  });
});

describe('AppShell views', () => {
  it('keeps the view in the URL and follows the back button', async () => {
    history.replaceState(null, '', '/?token=t');
    const shell = new AppShell(new FakeEngine({}).client, new I18n());
    expect(shell.view).toBe('library');
    shell.go('settings');
    expect(window.location.hash).toBe('#/settings');
    expect(window.location.search).toBe('?token=t');
    shell.go('host');
    history.back();
    await new Promise((r) => setTimeout(r, 50));
    expect(shell.view).toBe('settings');
    history.replaceState(null, '', '/');
  });
});
