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
    ctx.engine.emit('task.updated', { id: 't1', title: 'Import pve1', state: 'running', message: 'Copying disk', fraction: 0.4 });
    const task = await screen.findByTestId('task-t1');
    expect(task.textContent).toContain('40 %');
    expect(task.textContent).toContain('Copying disk');
    ctx.engine.emit('task.updated', { id: 't1', title: 'Import pve1', state: 'failed', message: 'Disk full', fraction: null });
    await waitFor(() => expect(screen.getByTestId('task-t1').textContent).toContain('✗ failed'));
    await fireEvent.click(screen.getByRole('button', { name: '✕ Import pve1' }));
    expect(screen.queryByTestId('task-tray')).toBeNull();
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
