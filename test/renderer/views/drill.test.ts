import { fireEvent, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';

import Drill from '../../../renderer/views/Drill.svelte';
import { labRun, report } from '../support/fixtures.ts';
import { setup } from '../support/render-with.ts';

const history = [
  { runId: 'drill-0', startedAt: '2026-01-01T09:00:00.000Z', target: 'pve1', fault: 'power-off', totalMs: 180_000, outcome: 'recovered' as const },
  { runId: 'drill-1', startedAt: '2026-01-01T10:00:00.000Z', target: 'pve1', fault: 'power-off', totalMs: 185_000, outcome: 'recovered' as const },
];
const earlier = { ...report, runId: 'drill-0', totalMs: 180_000, phases: report.phases.map((p) => ({ ...p, duration: p.duration - 1000 })) };

describe('Drill view', () => {
  it('shows the latest report, the history, and compares two runs', async () => {
    const ctx = setup({
      'lab.getState': () => labRun(),
      'drill.getState': () => ({ running: false, phase: null, elapsedMs: 0, milestones: [], report: null }),
      'drill.history': () => history,
      'drill.report': ({ runId }) => (runId === 'drill-0' ? earlier : report),
    });
    await ctx.model.labRun.load();
    await ctx.model.drill.load('proxmox-ha-basics');
    ctx.render(Drill);
    expect(screen.getByTestId('drill-outcome').textContent).toContain('Recovered in 3 min 5 s');
    expect(screen.getByTestId('drill-report').dataset.run).toBe('drill-1');
    expect(screen.getByTestId('drill-history').querySelectorAll('tbody tr')).toHaveLength(2);
    await fireEvent.click(screen.getByRole('radio'));
    const compare = await screen.findByTestId('run-compare');
    expect(compare.textContent).toContain('+1.0 s');
    expect(compare.textContent).toContain('+5.0 s');
  });

  it('shows the stopwatch and the phase ribbon while a drill runs', async () => {
    const ctx = setup({
      'lab.getState': () => labRun(),
      'drill.getState': () => ({ running: false, phase: null, elapsedMs: 0, milestones: [], report: null }),
      'drill.history': () => [],
    });
    await ctx.model.labRun.load();
    await ctx.model.drill.load('proxmox-ha-basics');
    ctx.render(Drill);
    expect(screen.getByText('No drill has run yet in this lab.')).toBeTruthy();
    ctx.engine.emit('drill.state', {
      running: true,
      phase: 'Fencing',
      elapsedMs: 65_000,
      milestones: [
        { id: 'fault-injected', label: '', at: 0 },
        { id: 'fence', label: '', at: 61_000 },
      ],
      report: null,
    });
    await waitFor(() => expect(screen.getByTestId('drill-running')).toBeTruthy());
    expect(screen.getByText('Current phase: Fencing')).toBeTruthy();
    const current = screen.getByTestId('phase-ribbon').querySelector('[aria-current="step"]');
    expect(current?.textContent).toContain('Waiting for the lock to expire (120 s)');
    expect(current?.textContent).toContain('in progress since 1 min 1 s');
  });
});
