import { describe, expect, it } from 'vitest';

import type { TaskInfo } from '../../../electron/contract/dto.ts';
import { partOf, TaskService } from '../../../electron/lab/task-service.ts';

function service() {
  const events: TaskInfo[] = [];
  let n = 0;
  const tasks = new TaskService(
    (t) => events.push(t),
    () => `t${++n}`,
  );
  return { tasks, events };
}

describe('TaskService.withTask', () => {
  it('announces the task, reports fraction and message, and ends done at fraction 1 with the result', async () => {
    const { tasks, events } = service();
    const result = await tasks.withTask('Solving: Create the cluster', async (task) => {
      task.progress(0.25, 'pvecm create lab');
      task.progress(0.75, 'waiting for quorum');
      return 42;
    });
    expect(result).toBe(42);
    expect(events).toEqual([
      { id: 't1', title: 'Solving: Create the cluster', state: 'running', message: null, fraction: 0 },
      {
        id: 't1',
        title: 'Solving: Create the cluster',
        state: 'running',
        message: 'pvecm create lab',
        fraction: 0.25,
      },
      {
        id: 't1',
        title: 'Solving: Create the cluster',
        state: 'running',
        message: 'waiting for quorum',
        fraction: 0.75,
      },
      {
        id: 't1',
        title: 'Solving: Create the cluster',
        state: 'done',
        message: 'waiting for quorum',
        fraction: 1,
      },
    ]);
    expect(tasks.running()).toEqual([]);
  });

  it('ends failed with the error as message, and rethrows it', async () => {
    const { tasks, events } = service();
    await expect(
      tasks.withTask('Reset', async (task) => {
        task.progress(0.5);
        throw new Error('VirtualBox does not answer');
      }),
    ).rejects.toThrow('VirtualBox does not answer');
    expect(events.at(-1)).toEqual({
      id: 't1',
      title: 'Reset',
      state: 'failed',
      message: 'VirtualBox does not answer',
      fraction: 0.5,
    });
  });

  it('cancel aborts the work through its signal and ends the task cancelled', async () => {
    const { tasks, events } = service();
    const running = tasks.withTask('Drill', (task) => {
      return new Promise<never>((_, reject) => {
        task.signal.addEventListener('abort', () => reject(new Error('drill stopped')), { once: true });
      });
    });
    expect(tasks.running().map((t) => t.id)).toEqual(['t1']);
    expect(tasks.cancel('t1')).toBe(true);
    await expect(running).rejects.toThrow('drill stopped');
    expect(events.at(-1)).toMatchObject({ id: 't1', state: 'cancelled' });
    expect(tasks.cancel('t1')).toBe(false);
  });

  it("the caller's signal cancels too; unknown-length work starts with a null fraction; fractions are clamped", async () => {
    const { tasks, events } = service();
    const caller = new AbortController();
    const running = tasks.withTask(
      'Realising the lab',
      (task) => {
        task.progress(7);
        return new Promise<never>((_, reject) =>
          task.signal.addEventListener('abort', () => reject(new Error('aborted'))),
        );
      },
      { signal: caller.signal, fraction: null },
    );
    caller.abort();
    await expect(running).rejects.toThrow('aborted');
    expect(events.map((e) => [e.state, e.fraction])).toEqual([
      ['running', null],
      ['running', 1],
      ['cancelled', 1],
    ]);
  });

  it('ignores progress reported after the end', async () => {
    const { tasks, events } = service();
    let late: ((f: number) => void) | undefined;
    await tasks.withTask('Checkpoint', async (task) => {
      late = (f) => task.progress(f);
    });
    late?.(0.3);
    expect(events.at(-1)).toMatchObject({ state: 'done', fraction: 1 });
    expect(events).toHaveLength(2);
  });
});

describe('partOf', () => {
  it('places step i of n, and a part of it, on one bar', () => {
    expect(partOf(0, 4)).toBe(0);
    expect(partOf(1, 4, 0.5)).toBe(0.375);
    expect(partOf(3, 4, 1)).toBe(1);
    expect(partOf(0, 0)).toBe(1);
  });
});
