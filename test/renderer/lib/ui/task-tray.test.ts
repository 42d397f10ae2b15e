import { fireEvent, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';

import { TasksState } from '../../../../renderer/lib/state/tasks.svelte.ts';
import TaskTray from '../../../../renderer/lib/ui/TaskTray.svelte';
import { FakeEngine } from '../../support/fake-client.ts';
import { setup } from '../../support/render-with.ts';

describe('TaskTray', () => {
  it('shows running tasks with their progress, then their outcome', async () => {
    const ctx = setup();
    ctx.render(TaskTray);
    expect(screen.queryByTestId('task-tray')).toBeNull();
    ctx.engine.emit('task.updated', {
      id: 't1',
      title: 'Import pve1',
      state: 'running',
      message: 'Copying disk',
      fraction: 0.4,
    });
    const task = await screen.findByTestId('task-t1');
    expect(task.textContent).toContain('40 %');
    expect(task.querySelector('progress')?.getAttribute('value')).toBe('0.4');
    expect(task.textContent).toContain('Copying disk');
    ctx.engine.emit('task.updated', {
      id: 't1',
      title: 'Import pve1',
      state: 'failed',
      message: 'Disk full',
      fraction: null,
    });
    await waitFor(() => expect(screen.getByTestId('task-t1').textContent).toContain('✗ failed'));
    expect(screen.getByTestId('task-t1').querySelector('progress')).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: '✕ Import pve1' }));
    expect(screen.queryByTestId('task-tray')).toBeNull();
  });

  it('a task without a known length shows an indeterminate bar; a finished one a full bar', async () => {
    const ctx = setup();
    ctx.render(TaskTray);
    ctx.engine.emit('task.updated', {
      id: 't3',
      title: 'Drill',
      state: 'running',
      message: 'fault',
      fraction: null,
    });
    const task = await screen.findByTestId('task-t3');
    expect(task.querySelector('progress')?.hasAttribute('value')).toBe(false);
    ctx.engine.emit('task.updated', { id: 't3', title: 'Drill', state: 'done', message: null, fraction: 1 });
    await waitFor(() => expect(screen.getByTestId('task-t3').textContent).toContain('✓ done'));
    expect(screen.getByTestId('task-t3').querySelector('progress')?.getAttribute('value')).toBe('1');
  });

  it('lets finished tasks go after a moment', () => {
    const engine = new FakeEngine();
    const timers: (() => void)[] = [];
    const tasks = new TasksState(engine.client, (fn) => timers.push(fn));
    engine.emit('task.updated', { id: 't2', title: 'Snapshot', state: 'done', message: null, fraction: 1 });
    expect(tasks.tasks.map((t) => t.id)).toEqual(['t2']);
    timers.forEach((fn) => fn());
    expect(tasks.tasks).toEqual([]);
  });
});
