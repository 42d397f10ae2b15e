/**
 * Proxmox VE's HA timers, and the window each drill milestone can land in given them. Every
 * expected range the drill shows is derived here, so a run the timers allow is never "outside".
 *
 * Sources (pve-ha-manager): Manager.pm / NodeStatus.pm (`node_is_offline_delayed`, fence delay
 * 60 s), Env/PVE2.pm (CRM/LRM loop ~10 s, agent and manager locks expire 120 s after their last
 * renewal), LRM.pm (watchdog 60 s); corosync's totem token (3000 ms + 650 ms per node beyond two)
 * and consensus (1.2 × token) decide how fast a node is seen gone. See shared/reference/pve-ha.md §2.
 */
export interface HaTimingModel {
  /** Corosync: the earliest and latest a lost node leaves the membership, ms after the fault. */
  detectionMs: { min: number; max: number };
  /** CRM master round period. */
  crmLoopMs: number;
  /** CRM round period on a node that is not master (it polls for the manager lock). */
  crmStandbyLoopMs: number;
  /** LRM round period while it holds its agent lock (it renews the lock every round). */
  lrmLoopMs: number;
  /** A node is fenced once it was last seen online this long ago. */
  fenceDelayMs: number;
  /** A pmxcfs lock (agent lock, manager lock) expires this long after its last renewal. */
  lockLifetimeMs: number;
  /** The watchdog fires this long after it was last fed (self-fence of a node without quorum). */
  watchdogMs: number;
  /** `qm start` until the guest is running. */
  guestStartMs: number;
  /** Guest OS boot until its agent answers (Tiny Core plus a waiting boot prompt). */
  guestBootMs: number;
  /** A clean shutdown (stop guests, stop services) until the node leaves. */
  cleanShutdownMs: number;
  /** pvestatd's storage status period. */
  storageStatusMs: number;
  /** A reset node: firmware + kernel + cluster services until it is back online. */
  nodeReturnMs: { min: number; max: number };
}

/** corosync 3 defaults for a cluster of `nodes`: token 3000 ms + 650 ms per node beyond two, consensus 1.2 × token. */
export function corosyncDetectionMs(nodes: number): { min: number; max: number } {
  const token = 3000 + Math.max(0, nodes - 2) * 650;
  return { min: token, max: Math.ceil(token * 2.2) };
}

export const PVE_HA_TIMING: HaTimingModel = {
  // Up to 5 nodes (corosync's own timer values); labs have 2–3.
  detectionMs: { min: 0, max: corosyncDetectionMs(5).max },
  crmLoopMs: 10_000,
  crmStandbyLoopMs: 5_000,
  lrmLoopMs: 10_000,
  fenceDelayMs: 60_000,
  lockLifetimeMs: 120_000,
  watchdogMs: 60_000,
  guestStartMs: 5_000,
  guestBootMs: 60_000,
  cleanShutdownMs: 120_000,
  storageStatusMs: 10_000,
  nodeReturnMs: { min: 5_000, max: 300_000 },
};

export interface Window {
  min: number;
  max: number;
}

/** The windows (ms after the fault) the node-loss milestones land in, for a lost node that was or was not the CRM master. */
export interface NodeLossWindows {
  nodeOffline: Window;
  fence: Window;
  fenced: Window;
  serviceStarted: Window;
  guestRunning: Window;
  guestAnswering: Window;
}

/**
 * A node lost without warning (power, cable).
 * - Not the master: the master last saw it online in its last round before corosync dropped it
 *   (up to one CRM period before), fences it the first round ≥ 60 s after that (rounds may slip by
 *   one period), and takes its agent lock the first round after the lock's 120 s ran out — the
 *   LRM renewed it up to one LRM period before the fault. Recovery and start happen in that round.
 * - The master: a standby CRM takes the manager lock the first standby round after it expired
 *   (120 s after its last renewal, at most one master period before the fault); it knows no
 *   "last online" time, so its own 60 s fence delay starts then; the agent lock has long expired.
 */
export function nodeLossWindows(master: boolean, t: HaTimingModel = PVE_HA_TIMING): NodeLossWindows {
  const nodeOffline = { ...t.detectionMs };
  let fence: Window;
  let fenced: Window;
  if (!master) {
    fence = {
      min: nodeOffline.min - t.crmLoopMs + t.fenceDelayMs,
      max: nodeOffline.max + t.fenceDelayMs + t.crmLoopMs,
    };
    const lockGone = { min: t.lockLifetimeMs - t.lrmLoopMs, max: t.lockLifetimeMs + t.crmLoopMs };
    fenced = { min: Math.max(fence.min, lockGone.min), max: Math.max(fence.max, lockGone.max) };
  } else {
    const newMaster = {
      min: t.lockLifetimeMs - t.crmLoopMs,
      max: t.lockLifetimeMs + t.crmStandbyLoopMs,
    };
    fence = { min: newMaster.min + t.fenceDelayMs, max: newMaster.max + t.fenceDelayMs + t.crmLoopMs };
    fenced = { ...fence };
  }
  const serviceStarted = { ...fenced };
  const guestRunning = { min: serviceStarted.min, max: serviceStarted.max + t.lrmLoopMs + t.guestStartMs };
  const guestAnswering = { min: guestRunning.min, max: guestRunning.max + t.guestBootMs };
  return { nodeOffline, fence, fenced, serviceStarted, guestRunning, guestAnswering };
}
