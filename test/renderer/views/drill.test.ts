import { fireEvent, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';

import Drill from '../../../renderer/views/Drill.svelte';
import { allLanguages, labRun, report } from '../support/fixtures.ts';
import { setup } from '../support/render-with.ts';

// Newest first, as the engine lists them.
const history = [
  {
    runId: 'drill-1',
    startedAt: '2026-01-01T10:00:00.000Z',
    target: 'pve1',
    fault: 'power-off',
    totalMs: 185_000,
    outcome: 'recovered' as const,
  },
  {
    runId: 'drill-0',
    startedAt: '2026-01-01T09:00:00.000Z',
    target: 'pve1',
    fault: 'power-off',
    totalMs: 180_000,
    outcome: 'recovered' as const,
  },
];
const earlier = {
  ...report,
  runId: 'drill-0',
  totalMs: 180_000,
  phases: report.phases.map((p) => ({ ...p, duration: p.duration - 1000 })),
};

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
      phase: allLanguages('Fencing'),
      elapsedMs: 65_000,
      milestones: [
        { id: 'fault-injected', label: allLanguages(''), at: 0 },
        { id: 'fence', label: allLanguages(''), at: 61_000 },
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

describe('Drill view after the walk-through', () => {
  const withTotal = {
    ...report,
    fault: 'power-off',
    phases: [
      ...report.phases,
      {
        id: 'total',
        label: { en: 'Total', es: 'Total', ca: 'Total', fr: 'Total', pl: 'Łącznie' },
        from: 0,
        to: 185_000,
        duration: 185_000,
        expected: { min: 110_000, max: 205_000 },
        within: true,
        explanation: allLanguages('Two minutes.'),
      },
    ].map((p) => (p.id === 'lock' ? { ...p, label: { ...p.label, es: 'Caducidad del bloqueo' } } : p)),
  };
  const same = {
    ...withTotal,
    runId: 'drill-0',
    phases: withTotal.phases.map((p) => ({ ...p, duration: p.duration + 40 })),
  };

  it('switches the report, phase names and fault line to another language without a reload', async () => {
    const ctx = setup({
      'lab.getState': () => labRun(),
      'drill.getState': () => ({ running: false, phase: null, elapsedMs: 0, milestones: [], report: null }),
      'drill.history': () => history,
      'drill.report': ({ runId }) => (runId === 'drill-0' ? same : withTotal),
    });
    await ctx.model.labRun.load();
    await ctx.model.drill.load('proxmox-ha-basics');
    ctx.render(Drill);
    expect(screen.getByTestId('phase-lock').textContent).toContain('Lock expiry');
    expect(screen.getByTestId('drill-report').textContent).toContain('power cut');
    ctx.i18n.setLang('es');
    await waitFor(() =>
      expect(screen.getByTestId('phase-lock').textContent).toContain('Caducidad del bloqueo'),
    );
    expect(screen.getByTestId('drill-report').textContent).toContain('corte de corriente');
  });

  it('compares two runs with one Total row and no signed zero', async () => {
    const ctx = setup({
      'lab.getState': () => labRun(),
      'drill.getState': () => ({ running: false, phase: null, elapsedMs: 0, milestones: [], report: null }),
      'drill.history': () => history,
      'drill.report': ({ runId }) => (runId === 'drill-0' ? same : withTotal),
    });
    await ctx.model.labRun.load();
    await ctx.model.drill.load('proxmox-ha-basics');
    ctx.render(Drill);
    await fireEvent.click(screen.getByRole('radio'));
    const compare = await screen.findByTestId('run-compare');
    const totals = [...compare.querySelectorAll('tbody th')].filter((th) => th.textContent === 'Total');
    expect(totals).toHaveLength(1);
    // 40 ms apart shows as 0.0 s in every row: never "+0.0 s" next to "0.0 s".
    expect(compare.textContent).not.toMatch(/[+-]0\.0 s/);
    expect(compare.querySelector('[data-testid="compare-total"]')?.textContent).toContain('0.0 s');
  });
});

describe('Drill view: guess and classmates’ runs', () => {
  it('sends the written guess with the drill, shows it next to the measured time, and reports a refused file', async () => {
    const ctx = setup({
      'lab.getState': () => labRun(),
      'drill.getState': () => ({ running: false, phase: null, elapsedMs: 0, milestones: [], report: null }),
      'drill.history': () => history,
      'drill.report': () => ({ ...report, guessMs: 90_000 }),
      'drill.start': () => ({ running: true, phase: null, elapsedMs: 0, milestones: [], report: null }),
      'drill.import': () => {
        throw new Error('bad.json: not a NestLab run file: field milestones.1.at: expected number.');
      },
    });
    await ctx.model.labRun.load();
    await ctx.model.drill.load('proxmox-ha-basics');
    ctx.render(Drill);
    expect(screen.getByTestId('drill-guess-result').textContent).toContain(
      'You guessed 1 min 30 s; measured 3 min 5 s.',
    );
    await fireEvent.input(screen.getByTestId('drill-guess'), { target: { value: '120' } });
    await fireEvent.click(screen.getByTestId('drill-start'));
    await waitFor(() =>
      expect(ctx.engine.callsOf('drill.start')).toEqual([{ stepId: expect.any(String), guessSeconds: 120 }]),
    );
    const file = new File(['{}'], 'bad.json', { type: 'application/json' });
    await fireEvent.change(screen.getByTestId('drill-import'), { target: { files: [file] } });
    expect((await screen.findByTestId('drill-import-error')).textContent).toContain('field milestones.1.at');
  });
});
