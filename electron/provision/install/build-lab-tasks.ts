/**
 * "Build the lab" through the task service: one task for the whole build (its fraction the mean of the
 * machines') and one per machine, so the tray shows a bar per machine. Cancelling the build task
 * cancels the build; a failure fails the build task and the machines not finished yet.
 */
import type { TopologySpec } from '../../hypervisor/driver.ts';
import type { LabFile, LabProfile } from '../../lab/script/schema.ts';
import type { TaskHandle, TaskService } from '../../lab/task-service.ts';
import { buildLab, type BuildLabDeps, type BuildLabResult } from './build-lab.ts';

interface MachineTask {
  handle?: TaskHandle;
  fraction: number;
  settle: { resolve: () => void; reject: (error: unknown) => void };
  done: Promise<void>;
}

export async function buildLabWithTasks(
  tasks: TaskService,
  deps: BuildLabDeps,
  lab: LabFile,
  profile: LabProfile,
  topology: TopologySpec,
  options: { signal?: AbortSignal; concurrency?: number } = {},
): Promise<BuildLabResult> {
  return tasks.withTask(
    `Build ${lab.id}`,
    async (overall) => {
      const machines = new Map<string, MachineTask>();
      for (const spec of topology.machines) {
        let settle!: MachineTask['settle'];
        const entry = { fraction: 0 } as MachineTask;
        entry.done = tasks.withTask(
          spec.name,
          (handle) => {
            entry.handle = handle;
            return new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
          },
          { signal: overall.signal },
        );
        entry.settle = settle;
        entry.done.catch(() => undefined);
        machines.set(spec.name, entry);
      }
      try {
        const result = await buildLab(deps, lab, profile, topology, {
          signal: overall.signal,
          concurrency: options.concurrency,
          onProgress: (p) => {
            const entry = machines.get(p.machine);
            if (!entry) {
              overall.progress(null, p.message);
              return;
            }
            entry.fraction =
              p.stage === 'ready'
                ? 1
                : Math.min(0.99, p.fraction * 0.9 + (p.stage === 'checkpoint' ? 0.09 : 0));
            entry.handle?.progress(entry.fraction, p.message);
            if (p.stage === 'ready') entry.settle.resolve();
            const mean = [...machines.values()].reduce((sum, m) => sum + m.fraction, 0) / machines.size;
            overall.progress(mean, p.message);
          },
        });
        for (const entry of machines.values()) entry.settle.resolve();
        return result;
      } catch (error) {
        for (const entry of machines.values()) entry.settle.reject(error);
        throw error;
      } finally {
        await Promise.allSettled([...machines.values()].map((m) => m.done));
      }
    },
    { signal: options.signal },
  );
}
