import { hasMilestone, milestoneOf } from './detect-milestones.ts';
import type { DetectionState } from './detect-milestones.ts';

/**
 * How a drill ended. `no-failover` is the expected end of a NAS power-off: storage goes away,
 * the nodes are fine, so HA has nothing to recover.
 */
export type DrillOutcome = 'recovered' | 'not-recovered' | 'no-quorum' | 'no-failover' | 'aborted';

export interface DrillEndRules {
  /** Give up this long after t0. */
  timeoutMs: number;
  /** Wait for the guest agent to answer (VMs with an agent) or stop at "guest running". */
  waitForGuestAgent: boolean;
  /** NAS drills: how long to keep watching after the storage went offline. */
  settleMs: number;
}

/** The outcome once the drill is over, or undefined while it should keep observing. Pure. */
export function drillOutcome(state: DetectionState, rules: DrillEndRules): DrillOutcome | undefined {
  const done = rules.waitForGuestAgent ? 'guest-answering' : 'guest-running';
  if (hasMilestone(state, done)) return 'recovered';
  if (state.target.fault === 'nas-power-off') {
    const offline = milestoneOf(state, 'storage-offline');
    if (offline && state.lastAt - offline.at >= rules.settleMs) return 'no-failover';
  }
  if (state.lastAt >= rules.timeoutMs) {
    if (state.target.fault === 'nas-power-off' && hasMilestone(state, 'storage-offline')) return 'no-failover';
    return state.quorate === false ? 'no-quorum' : 'not-recovered';
  }
  return undefined;
}
