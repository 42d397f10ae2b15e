import type { LabDrill, LabFile, LabStep } from './script/schema.ts';

/**
 * Runs a step's drill (electron/lab/drill/ implements it; the runner only calls it). It reports
 * its own progress and result through drill.* events.
 */
export interface DrillRunner {
  run(request: {
    lab: LabFile;
    profile: string;
    step: LabStep;
    drill: LabDrill;
    signal: AbortSignal;
  }): Promise<void>;
}
