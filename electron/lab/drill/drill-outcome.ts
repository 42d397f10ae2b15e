import { hasMilestone, milestoneOf } from './detect-milestones.ts';
import type { DetectionState, MilestoneId } from './detect-milestones.ts';

/**
 * How a drill ended.
 * - `recovered`: the success milestone was seen and the service runs again;
 * - `observed`: the success milestone was seen but it comes before any recovery (a drill that
 *   ends at `quorum-recomputed` or `recovery`, e.g. a strict rule with no node left);
 * - `no-failover`: the fault hit a machine that is not a node (the NAS): storage goes away, the
 *   nodes are fine, so HA has nothing to recover;
 * - `not-recovered` / `no-quorum`: timed out, with or without quorum among the survivors.
 */
export type DrillOutcome =
  'recovered' | 'observed' | 'not-recovered' | 'no-quorum' | 'no-failover' | 'aborted';

export interface DrillEndRules {
  /** Give up this long after t0. */
  timeoutMs: number;
  /** The milestone that ends the drill successfully (a lab's `drill.until.milestone`). */
  until: MilestoneId;
  /** Non-node faults: how long to keep watching after the storage went offline. */
  settleMs: number;
}

/** The outcome once the drill is over, or undefined while it should keep observing. Pure. */
export function drillOutcome(state: DetectionState, rules: DrillEndRules): DrillOutcome | undefined {
  if (hasMilestone(state, rules.until))
    return hasMilestone(state, 'service-started') ? 'recovered' : 'observed';
  if (!state.target.hitsNode) {
    const offline = milestoneOf(state, 'storage-offline');
    if (offline && state.lastAt - offline.at >= rules.settleMs) return 'no-failover';
  }
  if (state.lastAt >= rules.timeoutMs) {
    if (!state.target.hitsNode && hasMilestone(state, 'storage-offline')) return 'no-failover';
    return state.quorate === false ? 'no-quorum' : 'not-recovered';
  }
  return undefined;
}
