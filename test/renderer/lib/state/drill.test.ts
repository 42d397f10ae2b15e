import { describe, expect, it } from 'vitest';

import { DrillState } from '../../../../renderer/lib/state/drill.svelte.ts';
import { FakeEngine } from '../../support/fake-client.ts';
import { allLanguages, report } from '../../support/fixtures.ts';

const idle = { running: false, phase: null, elapsedMs: 0, milestones: [], report: null };

describe('DrillState', () => {
  it('advances the stopwatch between events at the simulation speed, and snaps to each event', async () => {
    let now = 1000;
    const fake = new FakeEngine({ 'drill.getState': () => idle, 'drill.history': () => [] });
    const drill = new DrillState(fake.client, () => now);
    await drill.load('proxmox-ha-basics');
    fake.emit('drill.state', {
      running: true,
      phase: allLanguages('fence'),
      elapsedMs: 5000,
      milestones: [],
      report: null,
    });
    expect(drill.elapsedAt(1500, 1)).toBe(5500);
    expect(drill.elapsedAt(1500, 10)).toBe(10_000);
    expect(drill.elapsedAt(1500, 'max')).toBe(5000);
    now = 2000;
    fake.emit('drill.state', {
      running: true,
      phase: allLanguages('fence'),
      elapsedMs: 7000,
      milestones: [],
      report: null,
    });
    expect(drill.elapsedAt(2000, 1)).toBe(7000);
  });

  it('shows the report when the run ends and refreshes the history', async () => {
    const fake = new FakeEngine({ 'drill.getState': () => idle, 'drill.history': () => [] });
    const drill = new DrillState(fake.client, () => 0);
    await drill.load('proxmox-ha-basics');
    fake.emit('drill.state', {
      running: true,
      phase: allLanguages('fence'),
      elapsedMs: 1,
      milestones: [],
      report: null,
    });
    fake.handlers['drill.history'] = () => [
      {
        runId: 'drill-1',
        startedAt: report.startedAt,
        target: 'pve1',
        fault: 'power-off',
        totalMs: 185_000,
        outcome: 'recovered',
      },
    ];
    fake.emit('drill.state', {
      running: false,
      phase: null,
      elapsedMs: 185_000,
      milestones: report.milestones,
      report,
    });
    expect(drill.report?.runId).toBe('drill-1');
    await new Promise((r) => setTimeout(r, 0));
    expect(drill.history.map((h) => h.runId)).toEqual(['drill-1']);
  });

  it('asks the engine for exports of the run on show', async () => {
    const fake = new FakeEngine({
      'drill.getState': () => idle,
      'drill.history': () => [],
      'drill.export': ({ runId, format }) => ({
        filename: `${runId}.${format}`,
        mime: 'text/csv',
        content: 'phase,ms',
      }),
    });
    const drill = new DrillState(fake.client, () => 0);
    await drill.load('lab-x');
    expect(await drill.export('drill-1', 'csv')).toEqual({
      filename: 'drill-1.csv',
      mime: 'text/csv',
      content: 'phase,ms',
    });
    expect(fake.callsOf('drill.export')).toEqual([{ labId: 'lab-x', runId: 'drill-1', format: 'csv' }]);
  });
});
