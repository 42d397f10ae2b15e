/**
 * The phase ribbon of the stopwatch: the six stages a learner watches during a failover, each
 * lit by the first milestone that proves the stage began.
 */
import type { DrillMilestoneInfo } from '@contract/dto.ts';

export const RIBBON_STAGES = [
  { id: 'node-lost', startedBy: ['fault-injected', 'node-offline'] },
  // The engine's milestone ids (detect-milestones.ts); the older names are kept for stored runs.
  { id: 'fence-delay', startedBy: ['ha-node-unknown', 'node-unknown', 'service-frozen'] },
  { id: 'lock-expiry', startedBy: ['fence'] },
  { id: 'recovery', startedBy: ['fenced', 'recovery', 'fence-acknowledged', 'service-recovery'] },
  { id: 'booting', startedBy: ['service-started'] },
  { id: 'answering', startedBy: ['guest-answering'] },
] as const;

export type RibbonStageId = (typeof RIBBON_STAGES)[number]['id'];

export interface RibbonStage {
  id: RibbonStageId;
  /** ms since the fault when the stage began, null while not reached. */
  at: number | null;
  current: boolean;
}

export function ribbonStages(milestones: readonly DrillMilestoneInfo[]): RibbonStage[] {
  const stages = RIBBON_STAGES.map((stage) => {
    const hits = milestones
      .filter((m) => (stage.startedBy as readonly string[]).includes(m.id))
      .map((m) => m.at);
    return { id: stage.id, at: hits.length > 0 ? Math.min(...hits) : null, current: false };
  });
  // A later stage proves the earlier ones began, even if their milestone was never observed.
  let lastReached = -1;
  stages.forEach((s, i) => {
    if (s.at !== null) lastReached = i;
  });
  for (let i = lastReached - 1; i >= 0; i--) {
    const stage = stages[i]!;
    if (stage.at === null) stage.at = stages[i + 1]!.at;
  }
  if (lastReached >= 0) stages[lastReached]!.current = true;
  return stages;
}
