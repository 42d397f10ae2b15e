/**
 * Long-running engine work (image import, cluster build…) from `task.updated` snapshots: running
 * tasks stay listed; finished ones linger briefly, failed ones until dismissed.
 */
import type { TaskInfo } from '@contract/dto.ts';

import type { LabClient } from '../api/client.ts';

const FINISHED_LINGER_MS = 4000;

export class TasksState {
  #tasks = $state<TaskInfo[]>([]);

  constructor(
    client: LabClient,
    private readonly schedule: (fn: () => void, ms: number) => unknown = (fn, ms) => setTimeout(fn, ms),
  ) {
    client.on('task.updated', (task) => this.#accept(task));
  }

  get tasks(): TaskInfo[] {
    return this.#tasks;
  }

  dismiss(id: string): void {
    this.#tasks = this.#tasks.filter((t) => t.id !== id);
  }

  #accept(task: TaskInfo): void {
    const index = this.#tasks.findIndex((t) => t.id === task.id);
    this.#tasks = index === -1 ? [...this.#tasks, task] : this.#tasks.map((t, i) => (i === index ? task : t));
    if (task.state === 'done' || task.state === 'cancelled') {
      this.schedule(() => {
        if (this.#tasks.find((t) => t.id === task.id)?.state === task.state) this.dismiss(task.id);
      }, FINISHED_LINGER_MS);
    }
  }
}
