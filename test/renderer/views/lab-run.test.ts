import { fireEvent, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';

import LabRun from '../../../renderer/views/LabRun.svelte';
import { labRun, step } from '../support/fixtures.ts';
import { setup } from '../support/render-with.ts';

describe('LabRun view', () => {
  it('shows title, progress, backend, clock and speed; the speed buttons ask the engine', async () => {
    const ctx = setup({
      'lab.getState': () => labRun(),
      'sim.getClock': () => ({ ms: 61_500, speed: 1 }),
      'sim.setSpeed': ({ speed }) => ({ ms: 61_500, speed }),
    });
    await ctx.model.refresh();
    ctx.render(LabRun);
    expect(screen.getByTestId('lab-title').textContent).toBe('Proxmox HA basics');
    expect(screen.getByRole('progressbar', { name: '0 of 3 steps passed' })).toBeTruthy();
    expect(screen.getByTestId('run-backend').textContent).toBe('Simulator');
    expect(screen.getByTestId('sim-clock').textContent).toContain('1:01.5');
    expect(screen.getByRole('button', { name: '×1' }).getAttribute('aria-pressed')).toBe('true');
    await fireEvent.click(screen.getByRole('button', { name: 'max' }));
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'max' }).getAttribute('aria-pressed')).toBe('true'),
    );
    expect(ctx.engine.callsOf('sim.setSpeed')).toEqual([{ speed: 'max' }]);
    expect(screen.getByRole('tab', { name: 'Topology' }).getAttribute('aria-selected')).toBe('true');
  });

  it('announces newly passed steps and says when the lab is complete', async () => {
    const ctx = setup({ 'lab.getState': () => labRun() });
    await ctx.model.refresh();
    ctx.render(LabRun);
    expect(screen.getByTestId('announcement').textContent).toBe('');
    const passed = (id: string, by: 'learner' | 'nestlab') =>
      step(id, { status: 'passed', solvedBy: by, title: `Step ${id}` });
    ctx.engine.emit(
      'lab.state',
      labRun({ steps: [passed('a', 'learner'), step('b', { status: 'active' }), step('c')] }),
    );
    await waitFor(() => expect(screen.getByTestId('announcement').textContent).toBe('Step passed: Step a'));
    expect(screen.queryByTestId('lab-complete')).toBeNull();
    ctx.engine.emit(
      'lab.state',
      labRun({ steps: [passed('a', 'learner'), passed('b', 'nestlab'), passed('c', 'nestlab')] }),
    );
    await waitFor(() =>
      expect(screen.getByTestId('lab-complete').textContent).toContain(
        '1 of 3 steps passed by you, 2 solved by NestLab',
      ),
    );
    expect(screen.getByTestId('announcement').textContent).toBe('Step passed: Step b. Step passed: Step c');
  });
});
